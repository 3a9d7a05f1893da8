import type { Node } from 'web-tree-sitter';
import { union } from '../../server/src/engine/dataflow';
import { replaceNode } from '../../server/src/engine/fixes';
import { lastSegment, matchesAny } from '../../server/src/engine/names';
import { parameters } from '../../server/src/engine/syntax';
import type { Ctx, Rule } from '../../server/src/engine/rule';
import type { Fix } from '../../server/src/engine/types';
import { carriesExceptionText, caughtName, reportFlow, sinkName } from '../support';

/** Calls that send their arguments to the client: response bodies, error descriptions, flashed messages. */
const BUILDERS = [
  'flask.jsonify', 'flask.make_response', 'flask.Response', 'flask.abort', 'flask.flash', 'flask.render_template',
  'werkzeug.wrappers.Response', 'werkzeug.exceptions.abort',
  'rest_framework.response.Response', 'django.shortcuts.render',
  'fastapi.HTTPException', 'fastapi.exceptions.HTTPException', 'starlette.exceptions.HTTPException',
  'webob.Response', 'webob.response.Response', 'pyramid.response.Response',
];
const BUILDER_FAMILIES = [
  /^django\.http(\.response)?\.\w*Response\w*$/,
  /^django\.contrib\.messages\.(add_message|debug|info|success|warning|error)$/,
  /^(starlette|fastapi)\.responses\.\w*Response$/,
  /^(webob\.exc|pyramid\.httpexceptions)\.HTTP\w+$/,
  /^falcon(\.errors)?\.HTTP\w+$/,
];
/** Serialisers whose output is their argument's content: look inside them for the leaked piece. */
const SERIALIZERS = ['json.dumps', 'simplejson.dumps', '*.jsonutils.dumps', 'dict'];
/** Calls whose result is text built from their arguments. */
const TEXT_CALLS = ['str', 'repr', 'unicode', 'format', 'six.text_type'];
/** Decorators that make a function a web handler: `@app.route`, `@router.post`, `@api_view`, `@view_config`. */
const HANDLER_DECORATOR = /(\.(route|get|post|put|delete|patch|errorhandler|app_errorhandler|exception_handler)|(^|\.)(api_view|view_config))$/;
const GENERIC = '"Internal error"';

function isBuilder(qname: string | null): boolean {
  return matchesAny(qname, BUILDERS) || (qname !== null && BUILDER_FAMILIES.some((re) => re.test(qname)));
}

/** The pieces a client sees on their own: arguments, tuple and list items, dict values. */
function leaves(node: Node, ctx: Ctx, out: Node[] = []): Node[] {
  switch (node.type) {
    case 'tuple': case 'list': case 'expression_list': case 'parenthesized_expression': case 'dictionary': case 'argument_list':
      for (const c of node.namedChildren) if (c && c.type !== 'comment') leaves(c, ctx, out);
      break;
    case 'pair': case 'keyword_argument': {
      // `{"error": str(e)}`, `error=str(e)`: the key is ours, the value may not be.
      const key = node.childForFieldName(node.type === 'pair' ? 'key' : 'name');
      if (node.type === 'pair' && key) leaves(key, ctx, out);
      const value = node.childForFieldName('value');
      if (value) leaves(value, ctx, out);
      break;
    }
    case 'call': {
      const args = node.childForFieldName('arguments');
      if (args && matchesAny(ctx.names.resolve(node.childForFieldName('function')), SERIALIZERS)) leaves(args, ctx, out);
      else out.push(node);
      break;
    }
    default:
      out.push(node);
  }
  return out;
}

/**
 * A piece that is text made here: not a call to something else (a response builder is reported
 * at its own call; an unknown helper may well turn the exception into a generic message).
 */
function isTextExpression(node: Node, ctx: Ctx): boolean {
  if (node.type !== 'call') return true;
  if (caughtName(node, ctx, 'response')) return true;
  const fn = node.childForFieldName('function');
  if (fn?.type === 'attribute') return fn.childForFieldName('attribute')?.text === 'format' && fn.childForFieldName('object')?.type === 'string';
  return matchesAny(ctx.names.resolve(fn), TEXT_CALLS);
}

/** Decorated as a route or view, or taking `request` first (after `self`): a Django, DRF or Pyramid view. */
function isHandler(fn: Node): boolean {
  const decorated = fn.parent?.type === 'decorated_definition' ? fn.parent : null;
  for (const d of decorated?.namedChildren ?? []) {
    if (d?.type !== 'decorator') continue;
    let expr = d.namedChild(0);
    if (expr?.type === 'call') expr = expr.childForFieldName('function');
    if (expr && HANDLER_DECORATOR.test(expr.text.replace(/\s+/g, ''))) return true;
  }
  const params = parameters(fn).map((p) => p?.name ?? '');
  const first = params[0] === 'self' || params[0] === 'cls' ? 1 : 0;
  return params[first] === 'request';
}

function report(ctx: Ctx, pieces: Node[], sink: string, what: string): void {
  const leaked = pieces.filter((n) => carriesExceptionText(n, ctx, 'response'));
  if (leaked.length === 0) return;
  const names = leaked.map((n) => caughtName(n, ctx, 'response'));
  const fix: Fix | undefined = names.every((n) => n !== null)
    ? { title: 'Replace exception text with a generic message', safe: false, edits: leaked.map((n) => replaceNode(n, GENERIC)) }
    : undefined;
  reportFlow(ctx, leaked[0], union(leaked.map((n) => ctx.valueOf(n))), 'response', sink, (origin) =>
    `Text of ${origin} ${what}: exception messages can reveal paths, SQL, hostnames, library versions and internal state to anyone who triggers the error. Log the details server-side and send the client a generic message (and an error id if support needs one).`,
    fix,
  );
}

const rule: Rule = {
  code: 'SL202',
  name: 'exception-text-in-response',
  category: 'exposure',
  summary: 'Text of a caught exception sent to the client',
  severity: 'medium',
  confidence: 'medium',
  defaultLevel: 'warning',
  maxLevel: 'warning',
  cwe: [209],
  bandit: [],
  ruff: [],
  fix: 'sometimes',
  explanation: {
    what:
      'The text of an exception caught with `except ... as e` is sent to the client: passed (directly, or inside a dict or list) to a response or error builder such as `flask.jsonify`, `flask.make_response`, `flask.Response`, `flask.abort`, Django\'s `HttpResponse`/`JsonResponse`/`HttpResponseBadRequest`, DRF\'s `Response`, FastAPI\'s `HTTPException(detail=...)`, Starlette responses, `webob.exc.HTTP*` or `falcon.HTTPError`; or returned from a web handler (a function decorated with `.route`/`.get`/`.post`/`.put`/`.delete`/`.patch`, `@api_view` or `@view_config`, or whose first parameter after `self` is `request`), as in `return {"error": str(e)}, 500`.',
    why:
      'Exception messages are written for developers. Sent to the client they hand an attacker file system paths, SQL statements and schema names, hostnames and ports of internal services, library versions and sometimes the data or credentials that were being processed (CWE-209). Each such detail makes the next attack easier, and an attacker can trigger errors at will to collect them.',
    example:
      '@app.route("/ports/<port_id>", methods=["PUT"])\ndef update_port(port_id):\n    try:\n        driver.update_port(port_id, request.get_json())\n    except Exception as e:\n        return jsonify({"error": str(e)}), 500',
    useInstead:
      '@app.route("/ports/<port_id>", methods=["PUT"])\ndef update_port(port_id):\n    try:\n        driver.update_port(port_id, request.get_json())\n    except Exception:\n        LOG.exception("Failed to update port %s", port_id)\n        return jsonify({"error": "Internal error"}), 500',
    fixSafety:
      'Unsafe: the exception text is replaced with the literal `"Internal error"` where it is a whole argument, dict value, list or tuple item or returned value, so clients (and any code or test that parsed the message) see a generic message instead. No fix is offered when the text is part of a larger string (an f-string, `%`, `.format()`, `+`) or comes through a variable: rewrite those by hand, and log the details server-side.',
    references: [
      'https://cwe.mitre.org/data/definitions/209.html',
      'https://cheatsheetseries.owasp.org/cheatsheets/Error_Handling_Cheat_Sheet.html',
      'https://owasp.org/www-community/Improper_Error_Handling',
      'https://flask.palletsprojects.com/en/latest/errorhandling/',
      'https://docs.djangoproject.com/en/stable/ref/request-response/#httpresponse-subclasses',
    ],
  },
  // onCall: the last part of each BUILDERS name, and a part each BUILDER_FAMILIES name has.
  // onReturn: a view's `request` parameter, or a HANDLER_DECORATOR name after an `@` (found
  // after the first `@`, so the search starts once).
  triggers: [...new Set(BUILDERS.map(lastSegment)), 'django', 'responses', 'webob', 'httpexceptions', 'falcon', 'request'],
  triggerPattern: /^[^@]*@[\s\S]*?\b(?:route|get|post|put|delete|patch|errorhandler|app_errorhandler|exception_handler|api_view|view_config)\b/,
  onCall(site, ctx) {
    if (!isBuilder(site.qname)) return;
    const pieces: Node[] = [];
    for (const a of site.args) leaves(a, ctx, pieces);
    report(ctx, pieces.filter((n) => isTextExpression(n, ctx)), `the client via ${sinkName(site)}`, `is sent to the client by ${sinkName(site)}`);
  },
  onReturn(node, ctx) {
    const fn = ctx.scope.func;
    if (!fn || fn.node.type !== 'function_definition' || !isHandler(fn.node)) return;
    const value = node.namedChildren.find((c) => c && c.type !== 'comment');
    if (!value) return;
    const pieces = leaves(value, ctx).filter((n) => isTextExpression(n, ctx));
    const name = fn.node.childForFieldName('name')?.text ?? 'handler';
    report(ctx, pieces, `the client as the response of \`${name}()\``, `is returned to the client by the web handler \`${name}()\``);
  },
};

export default rule;
