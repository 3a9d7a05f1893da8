import type { Node } from 'web-tree-sitter';
import { insertAt, replaceNode } from '../../server/src/engine/fixes';
import type { CallSite, Rule } from '../../server/src/engine/rule';
import type { Fix, TextEdit } from '../../server/src/engine/types';
import { inDevConfig, inTestConfig, settingsOf, stringValue } from './web';

/** Settings that must stay True: Django and Flask(-Login) cookie flags. */
const FLAG_SETTINGS = new Set([
  'SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', 'SESSION_COOKIE_HTTPONLY', 'LANGUAGE_COOKIE_SECURE',
  'REMEMBER_COOKIE_SECURE', 'REMEMBER_COOKIE_HTTPONLY',
]);
const FLAGS: [string, string][] = [['secure', 'True'], ['httponly', 'True'], ['samesite', '"Lax"']];

/** A call that deletes the cookie: empty value and an expiry in the past or zero max_age. */
function deletes(site: CallSite): boolean {
  const value = site.positional[1] ?? site.keywords.get('value');
  const expired = ['expires', 'max_age'].some((k) => /^0$|^["']Thu, 01 Jan 1970/.test(site.keywords.get(k)?.text ?? ''));
  return expired && (!value || stringValue(value) === '');
}

function buildFix(site: CallSite, missing: string[], falsy: Node[]): Fix | undefined {
  const last = site.args[site.args.length - 1];
  if (!last) return undefined;
  const edits: TextEdit[] = falsy.map((v) => replaceNode(v, 'True'));
  const add = FLAGS.filter(([k]) => missing.includes(k) || (k === 'samesite' && !site.keywords.has('samesite')));
  if (add.length) edits.push(insertAt({ line: last.endPosition.row, character: last.endPosition.column }, add.map(([k, v]) => `, ${k}=${v}`).join('')));
  return { title: 'Send the cookie over HTTPS only, hidden from scripts (secure=True, httponly=True, samesite="Lax")', safe: false, edits };
}

const rule: Rule = {
  code: 'SL605',
  name: 'insecure-cookie',
  category: 'web',
  summary: 'Cookie set without Secure or HttpOnly, or cookie security settings turned off',
  severity: 'medium',
  confidence: 'medium',
  defaultLevel: 'warning',
  maxLevel: 'warning',
  cwe: [614, 1004],
  bandit: [],
  ruff: [],
  fix: 'sometimes',
  explanation: {
    what:
      'A response sets a cookie with `set_cookie(...)` (Flask/Werkzeug, Django, Starlette/FastAPI) without `secure=True` or without `httponly=True` (missing or a literal `False`), or a settings module turns the framework\'s cookie flags off: `SESSION_COOKIE_SECURE = False`, `CSRF_COOKIE_SECURE = False`, `SESSION_COOKIE_HTTPONLY = False` (Django and Flask), `REMEMBER_COOKIE_SECURE`/`_HTTPONLY = False` (Flask-Login). Calls that pass the flags from a variable or `**kwargs`, calls that delete a cookie (empty value, `max_age=0`), test configuration and test code are not reported; settings in development configuration classes (`DevelopmentConfig`, `LocalConfig`) get an information hint.',
    why:
      'Without `Secure` the browser also sends the cookie over plain HTTP, where anyone on the network (public Wi-Fi, a compromised router) can read it, for example after a downgrade to an `http://` link. Without `HttpOnly` any script on the page, including one injected through XSS, can read `document.cookie` and take the session away (CWE-614, CWE-1004). `SameSite=Lax` also keeps the cookie off cross-site POST requests, a cheap layer against CSRF.',
    example:
      '@app.route("/login", methods=["POST"])\ndef login():\n    token = issue_session(request.form)\n    resp = redirect(url_for("index"))\n    resp.set_cookie("session_token", token)\n    return resp',
    useInstead:
      '@app.route("/login", methods=["POST"])\ndef login():\n    token = issue_session(request.form)\n    resp = redirect(url_for("index"))\n    resp.set_cookie("session_token", token, secure=True, httponly=True, samesite="Lax")\n    return resp',
    fixSafety:
      'Unsafe: the fix adds the missing `secure=True`, `httponly=True` and `samesite="Lax"` (or turns a literal `False` flag or setting into `True`). Over plain `http://` (a local development server without TLS) browsers then stop sending the cookie, so logins appear to fail there; JavaScript that read the cookie (a CSRF token cookie read by a SPA, for instance) no longer can: keep `httponly=False` for that one on purpose; and `SameSite=Lax` drops the cookie on cross-site POSTs such as a payment provider\'s callback.',
    references: [
      'https://cwe.mitre.org/data/definitions/614.html',
      'https://cwe.mitre.org/data/definitions/1004.html',
      'https://owasp.org/www-community/controls/SecureCookieAttribute',
      'https://flask.palletsprojects.com/en/latest/security/#set-cookie-options',
      'https://docs.djangoproject.com/en/stable/ref/settings/#session-cookie-secure',
    ],
  },
  triggers: [...FLAG_SETTINGS, 'set_cookie'],
  nodeTypes: ['assignment'],
  onNode(node, ctx) {
    for (const s of settingsOf(node)) {
      if (!FLAG_SETTINGS.has(s.key) || s.value.type !== 'false' || inTestConfig(node, ctx)) continue;
      const dev = inDevConfig(node);
      ctx.report({
        node,
        level: dev ? 'info' : undefined,
        confidence: dev ? 'low' : undefined,
        message: `${s.key} = False lets the ${s.key.includes('HTTPONLY') ? 'scripts on the page read the cookie (session theft through XSS)' : 'browser send the cookie over plain HTTP, where anyone on the network can read it'}. Set it to True (the framework default for HttpOnly; required for Secure behind HTTPS).`,
        fix: dev ? undefined : { title: `Set ${s.key} to True`, safe: false, edits: [replaceNode(s.value, 'True')] },
      });
    }
  },
  onCall(site, ctx) {
    if (site.callee?.type !== 'attribute' || site.callee.childForFieldName('attribute')?.text !== 'set_cookie') return;
    if (site.hasSplat || site.positional.length > 3 || deletes(site) || inTestConfig(site.node, ctx)) return;
    const missing: string[] = [];
    const falsy: Node[] = [];
    for (const flag of ['secure', 'httponly']) {
      const v = site.keywords.get(flag);
      if (!v) missing.push(flag);
      else if (v.type === 'false') falsy.push(v);
    }
    if (missing.length === 0 && falsy.length === 0) return;
    const lacks = [...missing, ...falsy.map((f) => f.parent?.childForFieldName('name')?.text ?? '')].map((f) => (f === 'secure' ? 'Secure' : 'HttpOnly'));
    ctx.report({
      node: site.node,
      message: `\`${site.callee.text}()\` sets a cookie without ${lacks.join(' and ')}: ${lacks.includes('Secure') ? 'the browser also sends it over plain HTTP, where the network can read it' : ''}${lacks.length === 2 ? ', and ' : ''}${lacks.includes('HttpOnly') ? 'scripts on the page (an XSS payload) can read it' : ''}. Pass secure=True, httponly=True, samesite="Lax".`,
      fix: buildFix(site, missing, falsy),
    });
  },
};

export default rule;
