import type { Node } from 'web-tree-sitter';
import { union } from '../../server/src/engine/dataflow';
import { lastSegment, matchesAny } from '../../server/src/engine/names';
import type { CallSite, Ctx, Rule } from '../../server/src/engine/rule';
import { reportFlow, sinkName } from '../support';
import { checkedBefore, hostDeciding, namesIn } from './web';

const REDIRECTS = [
  'flask.redirect', 'werkzeug.utils.redirect', 'werkzeug.redirect', 'django.shortcuts.redirect',
  'django.http.HttpResponseRedirect', 'django.http.HttpResponsePermanentRedirect', 'django.http.response.HttpResponseRedirect',
  'starlette.responses.RedirectResponse', 'fastapi.responses.RedirectResponse',
  'pyramid.httpexceptions.HTTPFound', 'pyramid.httpexceptions.HTTPSeeOther', 'pyramid.httpexceptions.HTTPTemporaryRedirect',
  'webob.exc.HTTPFound', 'webob.exc.HTTPSeeOther', 'webob.exc.HTTPTemporaryRedirect', 'bottle.redirect',
];
/** Calls that build a URL of this site from a route name: their result cannot point elsewhere. */
const INTERNAL_URL = ['flask.url_for', 'django.urls.reverse', 'django.core.urlresolvers.reverse', 'django.shortcuts.resolve_url', '*.url_for', '*.route_url', '*.route_path', '*.static_url', '*.reverse'];

function targetArg(site: CallSite): Node | undefined {
  return site.positional[0] ?? site.keywords.get('location') ?? site.keywords.get('url') ?? site.keywords.get('to') ?? site.keywords.get('redirect_to');
}

/** The URL of the current request: `redirect(request.url)` reloads this page on this host. */
const SAME_PAGE = /^request\.(url|base_url|full_path|path|path_info|get_full_path\(\)|build_absolute_uri\(\))$/;

function internal(node: Node, ctx: Ctx): boolean {
  if (SAME_PAGE.test(node.text)) return true;
  return node.type === 'call' && matchesAny(ctx.names.resolve(node.childForFieldName('function')), INTERNAL_URL);
}

const rule: Rule = {
  code: 'SL602',
  name: 'open-redirect',
  category: 'web',
  summary: 'Redirect to a URL taken from request data (open redirect)',
  severity: 'medium',
  confidence: 'medium',
  defaultLevel: 'warning',
  maxLevel: 'error',
  cwe: [601],
  bandit: [],
  ruff: [],
  fix: 'none',
  explanation: {
    what:
      'The target of a redirect (`flask.redirect`, Django `redirect`/`HttpResponseRedirect`, Starlette/FastAPI `RedirectResponse`, Pyramid/WebOb `HTTPFound(location=...)`) comes from request data (error) or a parameter (warning), typically a `next` or `return_to` query parameter. Targets built by `url_for()`/`reverse()`, the current request\'s own URL (`redirect(request.url)`, `request.get_full_path()`), paths with a constant start such as `f"/ports/{port_id}"`, and targets checked with `url_has_allowed_host_and_scheme()`, `is_safe_url()`, a `validate_*`/`is_safe_*` function, an allowlist or a `startswith`/`netloc` test before the redirect are not reported.',
    why:
      'A link such as `https://bank.example/login?next=https://bank-example.evil/` carries the trusted domain, so victims click it; after logging in they land on the attacker\'s look-alike page, which asks for the password again or for a card number (CWE-601). Redirects are also used to bounce OAuth codes and tokens to the attacker, and to get past SSRF and URL allowlists that trust the site\'s own domain.',
    example:
      '@app.route("/login", methods=["POST"])\ndef login():\n    authenticate(request.form)\n    return redirect(request.args.get("next", "/"))',
    useInstead:
      'from django.utils.http import url_has_allowed_host_and_scheme\n\n\ndef login_view(request):\n    authenticate(request)\n    target = request.GET.get("next", "/")\n    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=True):\n        target = "/"\n    return redirect(target)',
    references: [
      'https://cwe.mitre.org/data/definitions/601.html',
      'https://cheatsheetseries.owasp.org/cheatsheets/Unvalidated_Redirects_and_Forwards_Cheat_Sheet.html',
      'https://docs.djangoproject.com/en/stable/ref/utils/#django.utils.http.url_has_allowed_host_and_scheme',
      'https://flask.palletsprojects.com/en/latest/api/#flask.redirect',
    ],
  },
  triggers: REDIRECTS.map(lastSegment),
  onCall(site, ctx) {
    if (!matchesAny(site.qname, REDIRECTS)) return;
    const target = targetArg(site);
    if (!target || internal(target, ctx)) return;
    const parts = hostDeciding(target, ctx) ?? [target];
    const open = parts.filter((p) => !internal(p, ctx));
    if (open.length === 0) return;
    if (open.some((p) => namesIn(p).some((n) => checkedBefore(n, site.node, ctx)))) return;
    const fn = sinkName(site);
    reportFlow(ctx, open[0], union(open.map((p) => ctx.valueOf(p))), 'redirect', `the redirect via ${fn}`, (origin) =>
      `${fn} sends the browser to a URL from ${origin}: a link to this trusted site can forward victims to a phishing page or leak tokens (open redirect). Redirect only to url_for()/reverse() targets, or check the value with url_has_allowed_host_and_scheme() (or an allowlist) and fall back to "/".`,
    );
  },
};

export default rule;
