import type { Node } from 'web-tree-sitter';
import { lastSegment } from '../../server/src/engine/names';
import type { Ctx, Rule } from '../../server/src/engine/rule';
import { taintLevel } from '../../server/src/engine/dataflow';
import { reportFlow } from '../support';
import { isDirectText } from '../web/web';

/** Objects whose item assignment sets a response header. */
const HEADERS_OBJECT = /^(self\.)?\w*(resp|response|res|rv)\w*\.(headers|_headers)$/i;
const RESPONSE_NAME = /^(self\.)?(resp|response|http_response|django_response)$/;
/** Keys that can only be HTTP headers: `X-...`, `Content-...`, `Location`, `Cache-Control`, `Set-Cookie`, hyphenated Title-Case. */
const HEADER_KEY = /^["'](X-[\w-]+|Content-[\w-]+|Location|Cache-Control|Set-Cookie|Refresh|Link|Vary|ETag|Access-Control-[\w-]+|[A-Z][a-z]+(-[A-Z][a-z]+)+)["']$/;
/** Methods of a headers object that set a value: (index of the value argument). */
const HEADER_METHODS = new Map([['add', 1], ['set', 1], ['setdefault', 1], ['add_header', 1], ['__setitem__', 1]]);

/**
 * `value.replace("\r", "").replace("\n", "")` (either order, any replacement) or
 * `"".join(value.splitlines())`: the CR/LF are gone.
 */
function strippedOfNewlines(node: Node): boolean {
  let seen = '';
  let n: Node | null = node;
  while (n?.type === 'call') {
    const fn: Node | null = n.childForFieldName('function');
    if (fn?.type !== 'attribute') break;
    const method = fn.childForFieldName('attribute')?.text;
    const first = n.childForFieldName('arguments')?.namedChild(0)?.text ?? '';
    if (method === 'replace') seen += first;
    if (method === 'join' && /splitlines\(\)/.test(n.text)) return true;
    n = fn.childForFieldName('object');
  }
  return /\\r/.test(seen) && /\\n/.test(seen);
}

function check(ctx: Ctx, value: Node | null | undefined, where: string, strongOnly = false): void {
  if (!value || strippedOfNewlines(value) || !isDirectText(value, ctx)) return;
  const v = ctx.valueOf(value);
  if (strongOnly && taintLevel(v, 'header') !== 'error') return;
  reportFlow(ctx, value, v, 'header', where, (origin) =>
    `${origin[0].toUpperCase()}${origin.slice(1)} is written into ${where}: a CR/LF in it ends the header and starts new ones (Set-Cookie, Location, even a body), which splits the response. Validate the value (allowlist or fullmatch), strip "\\r" and "\\n", or URL-encode it with urllib.parse.quote().`,
  );
}

const rule: Rule = {
  code: 'SL125',
  name: 'http-header-injection',
  category: 'injection',
  summary: 'Request data written into an HTTP response header (CRLF injection)',
  severity: 'medium',
  confidence: 'medium',
  defaultLevel: 'warning',
  maxLevel: 'error',
  cwe: [113, 93],
  bandit: [],
  ruff: [],
  fix: 'none',
  explanation: {
    what:
      'A value that is not a constant is written into an HTTP response header: `response.headers["X-Name"] = value`, `response.headers.add/set(name, value)`, Django\'s `response["X-Name"] = value`; not `set_cookie(name, value)`, whose value Werkzeug and Django quote (CR and LF cannot get through). Request data is an error, a parameter a warning. Only the data itself or text built from it here counts: the result of another call (`issue_session(request.form)`) is not followed. Values passed through `int()`, `urllib.parse.quote()`, an allowlist or `re.fullmatch` guard, or `.replace("\\r", "").replace("\\n", "")` are not reported. Redirect targets are the open-redirect rule\'s concern.',
    why:
      'HTTP headers end at CR/LF. A value carrying `\\r\\nSet-Cookie: session=attacker` or `\\r\\n\\r\\n<script>...` lets the attacker add headers or a whole body to the response (HTTP response splitting, CWE-113): session fixation, cache poisoning, XSS. Recent Werkzeug and Django reject newlines in header values, which turns the attack into a 500 error, but older versions, other servers, proxies and hand-built responses do not.',
    example:
      '@app.route("/download")\ndef download():\n    resp = make_response(load_report())\n    resp.headers["Content-Disposition"] = "attachment; filename=" + request.args["name"]\n    return resp',
    useInstead:
      'from urllib.parse import quote\n\n\n@app.route("/download")\ndef download():\n    resp = make_response(load_report())\n    resp.headers["Content-Disposition"] = "attachment; filename*=UTF-8\'\'" + quote(request.args["name"])\n    return resp',
    references: [
      'https://cwe.mitre.org/data/definitions/113.html',
      'https://owasp.org/www-community/attacks/HTTP_Response_Splitting',
      'https://cwe.mitre.org/data/definitions/93.html',
    ],
  },
  // RESPONSE_NAME's names, and HEADERS_OBJECT's `.headers` / `._headers` in any case.
  // The target as written: HEADERS_OBJECT (`resp.headers`, `self.rv._headers`), or a
  // RESPONSE_NAME subscripted with a string (HEADER_KEY), comments allowed inside the brackets.
  triggerPattern: /(?:res|rv)\w*\._?headers|\b(?:resp|response|http_response|django_response)(?:\s|#[^\n]*)*\[(?:\s|#[^\n]*)*["']/i,
  nodeTypes: ['assignment'],
  onNode(node, ctx) {
    const left = node.childForFieldName('left');
    if (left?.type !== 'subscript') return;
    const target = left.childForFieldName('value');
    const key = left.childForFieldName('subscript');
    if (!target) return;
    const isHeaders = HEADERS_OBJECT.test(target.text) || RESPONSE_NAME.test(target.text);
    if (!isHeaders) return;
    // `response["X"] = v` only for Django responses indexed by a header-like string.
    if (!HEADERS_OBJECT.test(target.text) && !HEADER_KEY.test(key?.text ?? '')) return;
    check(ctx, node.childForFieldName('right'), `the response header ${key?.text ?? ''}`);
  },
  onCall(site, ctx) {
    // Cheap exit first: a resolved name's last part is the method's name when the callee is an attribute.
    if (site.qname !== null && !HEADER_METHODS.has(lastSegment(site.qname))) return;
    const callee = site.callee;
    if (callee?.type !== 'attribute') return;
    const index = HEADER_METHODS.get(lastSegment(callee.text));
    if (index === undefined || !HEADERS_OBJECT.test(callee.childForFieldName('object')?.text ?? '')) return;
    check(ctx, site.positional[index], `the response header ${site.positional[0]?.text ?? ''}`);
  },
};

export default rule;
