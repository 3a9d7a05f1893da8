// Helpers the web-application rules share: reading constant strings, turning an f-string into a
// template and its arguments, recognising test code and settings modules, `from x import y` fixes.
import type { Node } from 'web-tree-sitter';
import { insertAt, eol, lineText } from '../../server/src/engine/fixes';
import type { Ctx } from '../../server/src/engine/rule';
import { assignmentsBefore, scopeNodeOf, topLevelAssignments } from '../support';
import type { Value } from '../../server/src/engine/dataflow';
import type { TextEdit } from '../../server/src/engine/types';
import type { ModuleTrees } from '../../server/src/engine/trees';
import { descendantsIn } from '../../server/src/engine/trees';

/** The value of a plain string literal (no interpolation, no bytes prefix issues); null otherwise. */
export function stringValue(node: Node | null | undefined): string | null {
  if (!node) return null;
  if (node.type === 'parenthesized_expression') return stringValue(node.namedChild(0));
  if (node.type === 'concatenated_string') {
    const parts = node.namedChildren.map((c) => stringValue(c));
    return parts.every((p) => p !== null) ? parts.join('') : null;
  }
  if (node.type !== 'string') return null;
  if (node.namedChildren.some((c) => c?.type === 'interpolation')) return null;
  return node.namedChildren.filter((c) => c?.type === 'string_content').map((c) => c!.text).join('');
}

/** The string prefix letters of a literal (`f`, `rb`, ...), lower-cased. */
export function stringPrefix(node: Node): string {
  return /^[a-zA-Z]*/.exec(node.text)![0].toLowerCase();
}

/**
 * The constant text a name is bound to at module level (`HOST = "0.0.0.0"`), or the literal
 * itself. Only names assigned once at module level count.
 */
export function constantText(node: Node | null | undefined, ctx: Ctx): string | null {
  if (!node) return null;
  const direct = stringValue(node);
  if (direct !== null) return direct;
  if (node.type !== 'identifier') return null;
  const values = topLevelAssignments(ctx).get(node.text);
  return values?.length === 1 ? stringValue(values[0]) : null;
}

/**
 * An f-string as a `.format()` template and its arguments: `f"<b>{name}</b>"` ->
 * `"<b>{}</b>"`, [`name`]. Conversions and plain format specs are kept (`{x!r:>10}` ->
 * `{!r:>10}`); null for `{x=}`, nested replacement fields in a spec, or no interpolation.
 */
export function fstringTemplate(node: Node): { template: string; args: Node[] } | null {
  if (node.type !== 'string' || !stringPrefix(node).includes('f')) return null;
  const parts = node.namedChildren.filter((c): c is Node => c?.type === 'interpolation');
  if (parts.length === 0) return null;
  const start = node.startIndex;
  let out = '';
  let at = start;
  const args: Node[] = [];
  for (const p of parts) {
    const expr = p.childForFieldName('expression') ?? p.namedChild(0);
    if (!expr) return null;
    const rest = p.text.slice(expr.endIndex - p.startIndex);
    if (!/^\s*(![rsa])?(:[^{}]*)?\}$/.test(rest)) return null;
    out += node.text.slice(at - start, p.startIndex - start) + '{' + rest.trimStart();
    at = p.endIndex;
    args.push(expr);
  }
  out += node.text.slice(at - start);
  const prefix = stringPrefix(node);
  return { template: prefix.replace('f', '') + out.slice(prefix.length), args };
}

/** Whether `name` is bound by an import at the top of the module (`from x import name`). */
export function importedName(trees: ModuleTrees, name: string): boolean {
  for (const stmt of trees.namedChildren) {
    if (stmt?.type !== 'import_from_statement') continue;
    for (const n of stmt.childrenForFieldName('name')) {
      const bound = n.type === 'aliased_import' ? n.childForFieldName('alias')?.text : n.text;
      if (bound === name) return true;
    }
  }
  return false;
}

/** An edit adding `from module import name` after the module's imports, or null if `name` is bound. */
export function ensureFromImport(trees: ModuleTrees, text: string, module: string, name: string): TextEdit | null {
  if (importedName(trees, name)) return null;
  let after: Node | null = null;
  for (const n of trees.namedChildren) {
    if (!n) continue;
    if (['import_statement', 'import_from_statement', 'future_import_statement'].includes(n.type)) after = n;
    else if (n.type === 'expression_statement' && !after && n.namedChild(0)?.type === 'string') after = n;
    else if (n.type !== 'comment') break;
  }
  const line = after ? after.endPosition.row + 1 : 0;
  return insertAt({ line, character: 0 }, `from ${module} import ${name}${eol(text)}`);
}

const TEST_FUNCTION = /^(test_?\w*|setUp\w*|tearDown\w*|\w*_fixture|fixture_\w*|conftest\w*)$/;
const TEST_CLASS = /^(Test\w*|\w*Tests?|\w*TestCase|Testing\w*|Test)$/;

/** Inside a test function or class, or in a module importing a test framework. */
export function inTestCode(node: Node, ctx: Ctx): boolean {
  for (let p = node.parent; p; p = p.parent) {
    const name = p.childForFieldName('name')?.text ?? '';
    if (p.type === 'function_definition' && TEST_FUNCTION.test(name)) return true;
    if (p.type === 'class_definition' && TEST_CLASS.test(name)) return true;
  }
  return /^\s*(import|from)\s+(pytest|unittest|testtools|oslotest)\b/m.test(ctx.moduleCode);
}

/** Module-level names only a Django settings module defines. */
const DJANGO_SETTINGS = ['INSTALLED_APPS', 'MIDDLEWARE', 'ROOT_URLCONF', 'ALLOWED_HOSTS', 'DATABASES', 'WSGI_APPLICATION', 'TEMPLATES', 'AUTH_PASSWORD_VALIDATORS', 'STATIC_URL', 'USE_TZ', 'LANGUAGE_CODE', 'MIDDLEWARE_CLASSES'];

const settingsCache = new WeakMap<ModuleTrees, boolean>();
/** A Django settings module: at least two of the well-known settings assigned at module level. */
export function isDjangoSettings(ctx: Ctx): boolean {
  const hit = settingsCache.get(ctx.module);
  if (hit !== undefined) return hit;
  let count = 0;
  for (const name of DJANGO_SETTINGS) if (new RegExp(`^${name}\\s*[+]?=`, 'm').test(ctx.moduleCode)) count++;
  const yes = count >= 2 || /^from\s+\.?\w*settings\w*\s+import\s+\*/m.test(ctx.moduleCode);
  settingsCache.set(ctx.module, yes);
  return yes;
}

/** Whether the statement holding `node` sits at module level. */
export function atModuleLevel(node: Node): boolean {
  for (let p = node.parent; p; p = p.parent) if (p.type === 'function_definition' || p.type === 'class_definition') return false;
  return true;
}

/** The first line of the node's text, for messages. */
export function short(node: Node, max = 50): string {
  const line = node.text.split(/\r?\n/, 1)[0].trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

export { lineText };

// ---- URLs: which parts of a URL decide where it goes ----

type Piece = { text: string } | { expr: Node };

/** The pieces of an f-string, `+` chain, `%` or `"...".format()` in order; null for anything else. */
export function urlPieces(node: Node, ctx: Ctx): Piece[] | null {
  if (node.type === 'parenthesized_expression' && node.namedChild(0)) return urlPieces(node.namedChild(0)!, ctx);
  if (node.type === 'string') {
    const out: Piece[] = [];
    for (const c of node.namedChildren) {
      if (c?.type === 'string_content') out.push({ text: c.text });
      else if (c?.type === 'interpolation') out.push({ expr: c.childForFieldName('expression') ?? c.namedChild(0)! });
    }
    return out;
  }
  if (node.type === 'binary_operator') {
    const op = node.childForFieldName('operator')?.type;
    const left = node.childForFieldName('left')!;
    const right = node.childForFieldName('right')!;
    if (op === '+') {
      const l = urlPieces(left, ctx) ?? [{ expr: left }];
      const r = urlPieces(right, ctx) ?? [{ expr: right }];
      return [...l, ...r];
    }
    if (op === '%') {
      const fmt = stringValue(left);
      if (fmt === null) return null;
      const args = right.type === 'tuple' ? right.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment') : [right];
      return zipTemplate(fmt.split(/%[-#0 +]*\d*(?:\.\d+)?[sdirf]/), args);
    }
    return null;
  }
  if (node.type === 'call') {
    const fn = node.childForFieldName('function');
    if (fn?.type !== 'attribute' || fn.childForFieldName('attribute')?.text !== 'format') return null;
    const fmt = stringValue(fn.childForFieldName('object'));
    if (fmt === null || /\{[^}]/.test(fmt.replace(/\{\}/g, ''))) return null; // named or numbered fields
    const args = (node.childForFieldName('arguments')?.namedChildren ?? []).filter((c): c is Node => !!c && c.type !== 'comment');
    return zipTemplate(fmt.split('{}'), args);
  }
  return null;
}

function zipTemplate(texts: string[], args: Node[]): Piece[] {
  const out: Piece[] = [];
  texts.forEach((t, i) => {
    if (t) out.push({ text: t });
    if (i < texts.length - 1 && args[i]) out.push({ expr: args[i] });
  });
  return out;
}

/**
 * The expressions that decide a URL's scheme and host: those before the first `/` that
 * follows `scheme://host`, or before a leading `/x` (a path on this site). A first expression
 * followed by `/...` is a base URL and decides the host alone. Null when the URL is not built
 * here (a variable, a call): then all of it counts.
 */
export function hostDeciding(node: Node, ctx: Ctx): Node[] | null {
  const pieces = urlPieces(node, ctx);
  if (!pieces) return null;
  const out: Node[] = [];
  let text = '';
  for (let i = 0; i < pieces.length; i++) {
    const p = pieces[i];
    if ('text' in p) {
      text += p.text;
      if (/^[a-zA-Z][\w+.-]*:\/\/[^/?#]+[/?#]/.test(text)) return out;
      // A path on this site: `/ports/...` (but `//host` and `/\host` are other hosts).
      if (/^\/[^/\\]/.test(text) && out.length === 0) return out;
      continue;
    }
    out.push(p.expr);
    // `{base}/path`: the base URL decides the host; what follows is its path.
    if (i === 0 && text === '') {
      const next = pieces[1];
      if (next && 'text' in next && /^[/?#]/.test(next.text)) return out;
    }
    text += 'x';
  }
  return out;
}

const CHECK_WORDS = /\b(url_has_allowed_host_and_scheme|is_safe_url|is_safe_\w+|is_allowed_\w*|validate_\w+|check_\w+|startswith|netloc|hostname|host|scheme)\b|\bnot\s+in\b|\bin\s+[\w.]*[A-Z_]{3,}|\bin\s+(self\.)?_?allowed\w*/i;

function mentions(cond: Node, name: string): boolean {
  return new RegExp(`(^|[^\\w.])${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`).test(cond.text);
}

function exitsOrReassigns(block: Node | null, name: string): boolean {
  const stmts = block?.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment') ?? [];
  const last = stmts[stmts.length - 1];
  if (!last) return false;
  if (['raise_statement', 'return_statement', 'continue_statement', 'break_statement'].includes(last.type)) return true;
  const call = last.type === 'expression_statement' ? last.namedChild(0) : null;
  if (call?.type === 'call' && /^(flask\.)?abort$|\.abort$|^abort$/.test(call.childForFieldName('function')?.text ?? '')) return true;
  return stmts.some((s) => s.type === 'expression_statement' && s.namedChild(0)?.type === 'assignment' && s.namedChild(0)!.childForFieldName('left')?.text === name);
}

/**
 * `name` was checked before `sink` in its function: the sink sits in the body of an `if` that
 * tests it (`if is_safe_url(url): return redirect(url)`), or an earlier `if` that tests it
 * exits or replaces it (`if urlparse(url).netloc not in ALLOWED: abort(400)`,
 * `if not url_has_allowed_host_and_scheme(url, ...): url = "/"`).
 */
export function checkedBefore(name: string, sink: Node, ctx: Ctx): boolean {
  for (let p: Node | null = sink.parent; p && p.type !== 'function_definition'; p = p.parent) {
    if (p.type === 'if_statement' || p.type === 'elif_clause') {
      const cond = p.childForFieldName('condition');
      const body = p.childForFieldName('consequence');
      if (cond && body && sink.startIndex >= body.startIndex && sink.endIndex <= body.endIndex && mentions(cond, name) && CHECK_WORDS.test(cond.text)) return true;
    }
    if (p.type === 'conditional_expression') {
      const cond = p.namedChild(1);
      if (cond && mentions(cond, name) && CHECK_WORDS.test(cond.text)) return true;
    }
  }
  const fn = ctx.scope.func?.node ?? ctx.module.roots[0];
  // `safe = url if is_safe_url(url) else "/"`: the last assignment before the sink chose a checked value.
  let last: Node | null = null;
  for (const a of descendantsIn(fn, 'assignment')) {
    if (a && a.endIndex <= sink.startIndex && a.childForFieldName('left')?.text === name) last = a.childForFieldName('right');
  }
  if (last?.type === 'conditional_expression') {
    const cond = last.namedChild(1);
    if (cond && CHECK_WORDS.test(cond.text)) return true;
  }
  for (const stmt of descendantsIn(fn, 'if_statement')) {
    if (!stmt || stmt.endIndex > sink.startIndex) continue;
    const cond = stmt.childForFieldName('condition');
    if (cond && mentions(cond, name) && CHECK_WORDS.test(cond.text) && exitsOrReassigns(stmt.childForFieldName('consequence'), name)) return true;
  }
  return false;
}

/** The names a URL expression is made of: `url`, `next_url`, `self.target` (for `checkedBefore`). */
export function namesIn(node: Node): string[] {
  if (node.type === 'identifier' || node.type === 'attribute') return [node.text];
  return node.descendantsOfType(['identifier']).filter((n): n is Node => !!n && n.parent?.type !== 'attribute' && n.parent?.type !== 'keyword_argument').map((n) => n.text);
}

// ---- Framework settings: `DEBUG = True`, `app.config["X"] = v`, `app.config.update(X=v)` ----

export interface Setting {
  /** Upper-case setting name (`DEBUG`, `SECRET_KEY`); attribute settings are upper-cased (`app.debug` -> `DEBUG`). */
  key: string;
  value: Node;
  /** `module`: a module-level name (Django settings); `class`: a config class attribute; `config`: `app.config[...]`/`update(...)`; `attribute`: `app.debug`/`app.secret_key`. */
  where: 'module' | 'class' | 'config' | 'attribute';
}

const APP_OBJECT = /^(self\.)?_*(app|application|flask_app|api|server)$/;
const CONFIG_OBJECT = /^(self\.)?_*(app|application|flask_app|api|server)\.config$|^config$|^app_config$/;

/** The setting an assignment node (or `config.update(...)` call) writes, if any. */
export function settingsOf(node: Node): Setting[] {
  if (node.type === 'assignment') {
    const left = node.childForFieldName('left');
    const value = node.childForFieldName('right');
    if (!left || !value) return [];
    if (left.type === 'identifier' && /^[A-Z][A-Z0-9_]*$/.test(left.text)) {
      let p = node.parent;
      while (p && p.type !== 'module' && p.type !== 'class_definition' && p.type !== 'function_definition') p = p.parent;
      if (p?.type === 'module') return [{ key: left.text, value, where: 'module' }];
      if (p?.type === 'class_definition') return [{ key: left.text, value, where: 'class' }];
      return [];
    }
    if (left.type === 'subscript') {
      const obj = left.childForFieldName('value')?.text ?? '';
      const key = stringValue(left.childForFieldName('subscript'));
      if (key && CONFIG_OBJECT.test(obj)) return [{ key, value, where: 'config' }];
      return [];
    }
    if (left.type === 'attribute') {
      const obj = left.childForFieldName('object')?.text ?? '';
      const attr = left.childForFieldName('attribute')?.text ?? '';
      if (APP_OBJECT.test(obj) && ['debug', 'secret_key', 'testing'].includes(attr)) return [{ key: attr.toUpperCase(), value, where: 'attribute' }];
      // `settings.DEBUG = True` style overrides
      return [];
    }
    return [];
  }
  if (node.type === 'call') {
    const fn = node.childForFieldName('function');
    if (fn?.type !== 'attribute' || !['update', 'from_mapping', 'setdefault'].includes(fn.childForFieldName('attribute')?.text ?? '')) return [];
    const obj = fn.childForFieldName('object')?.text ?? '';
    if (!CONFIG_OBJECT.test(obj) && !(fn.childForFieldName('attribute')?.text === 'from_mapping' && APP_OBJECT.test(obj.replace(/\.config$/, '')))) return [];
    const out: Setting[] = [];
    for (const a of node.childForFieldName('arguments')?.namedChildren ?? []) {
      if (a?.type === 'keyword_argument') {
        const v = a.childForFieldName('value');
        if (v) out.push({ key: a.childForFieldName('name')?.text ?? '', value: v, where: 'config' });
      } else if (a?.type === 'dictionary') {
        for (const pair of a.namedChildren) {
          if (pair?.type !== 'pair') continue;
          const k = stringValue(pair.childForFieldName('key'));
          const v = pair.childForFieldName('value');
          if (k && v) out.push({ key: k, value: v, where: 'config' });
        }
      }
    }
    return out;
  }
  return [];
}

/** A config class meant for tests (`class TestingConfig`, `TESTING = True` in it) or test code. */
export function inTestConfig(node: Node, ctx: Ctx): boolean {
  if (inTestCode(node, ctx)) return true;
  for (let p = node.parent; p; p = p.parent) {
    if (p.type !== 'class_definition') continue;
    const name = p.childForFieldName('name')?.text ?? '';
    if (/test/i.test(name)) return true;
    if (/^\s*TESTING\s*=\s*True\b/m.test(p.text)) return true;
  }
  return false;
}

/**
 * The value without route parameters that the route's converter makes numbers or UUIDs
 * (`@app.route("/page/<int:page_id>")`, FastAPI `page_id: int`): they carry no markup or CR/LF.
 */
export function withoutTypedRouteParams(value: Value, ctx: Ctx): Value {
  const fn = ctx.scope.func?.node;
  if (!fn) return value;
  const decorated = fn.parent?.type === 'decorated_definition' ? fn.parent.text.slice(0, fn.startIndex - fn.parent.startIndex) : '';
  const params = fn.childForFieldName('parameters');
  const typed = (name: string) =>
    new RegExp(`<(int|float|uuid):${name}>`).test(decorated) ||
    !!params?.namedChildren.some((p) => (p?.type === 'typed_parameter' || p?.type === 'typed_default_parameter') && /^(\w+)\s*:\s*(int|float|bool|UUID|uuid\.UUID)\b/.exec(p.text)?.[1] === name);
  return { sources: value.sources.filter((s) => !(s.kind === 'request' && s.trace[0]?.message.startsWith('route parameter') && typed(s.name))) };
}

// ---- Text that is request data as such, not something computed from it ----

/** Raw request text: `request.args.get("q")`, `request.GET["q"]`, `request.form["name"]`, `request.headers[...]`. */
export const RAW_REQUEST_TEXT = /^request\.(args|form|values|GET|POST|cookies|COOKIES|headers|META|params|query_params|path_params|matchdict|data|body|full_path|path|url|query_string)\b/;

/** The expression last assigned to the name `id` before it, in the same function (or module). */
export function definingExpr(id: Node, ctx: Ctx): Node | null {
  const fn = ctx.scope.func?.node ?? scopeNodeOf(id);
  let found: Node | null = null;
  for (const a of assignmentsBefore(fn, id.text, id)) {
    if (a.endIndex > id.startIndex) continue;
    found = a.childForFieldName('right');
  }
  return found;
}

/** Text built here from pieces: an f-string, `+`, `%` or `"...".format(...)`. */
export function isBuiltText(node: Node): boolean {
  if (node.type === 'string') return node.namedChildren.some((c) => c?.type === 'interpolation');
  if (node.type === 'binary_operator') return true;
  if (node.type === 'call') {
    const fn = node.childForFieldName('function');
    return fn?.type === 'attribute' && fn.childForFieldName('attribute')?.text === 'format' && fn.childForFieldName('object')?.type === 'string';
  }
  return node.type === 'parenthesized_expression' && !!node.namedChild(0) && isBuiltText(node.namedChild(0)!);
}

const STR_METHODS = new Set(['get', 'strip', 'lstrip', 'rstrip', 'lower', 'upper', 'title', 'decode', 'encode', 'getlist', 'get_json', 'get_data', 'replace', 'format']);

/**
 * The value is the data itself, or text built from it here: a request read, a parameter, a
 * string method or `str()` of one, an f-string or concatenation, or a name assigned one of
 * those. Not the result of some other call (`issue_session(request.form)`, `jsonify(x)`), whose
 * output the dataflow follows only conservatively.
 */
export function isDirectText(node: Node, ctx: Ctx, depth = 0): boolean {
  if (depth > 8) return false;
  if (isBuiltText(node) || RAW_REQUEST_TEXT.test(node.text)) return true;
  switch (node.type) {
    case 'identifier': {
      const def = definingExpr(node, ctx);
      return def ? isDirectText(def, ctx, depth + 1) : true;
    }
    case 'attribute': case 'subscript': {
      const base = node.childForFieldName(node.type === 'attribute' ? 'object' : 'value');
      return !!base && isDirectText(base, ctx, depth + 1);
    }
    case 'parenthesized_expression':
      return !!node.namedChild(0) && isDirectText(node.namedChild(0)!, ctx, depth + 1);
    case 'conditional_expression': case 'boolean_operator':
      return node.namedChildren.some((c) => !!c && c.type !== 'comparison_operator' && isDirectText(c, ctx, depth + 1));
    case 'call': {
      const fn = node.childForFieldName('function');
      if (fn?.type === 'identifier' && fn.text === 'str') {
        const a = node.childForFieldName('arguments')?.namedChild(0);
        return !!a && isDirectText(a, ctx, depth + 1);
      }
      if (fn?.type === 'attribute' && STR_METHODS.has(fn.childForFieldName('attribute')?.text ?? '')) {
        const obj = fn.childForFieldName('object');
        return !!obj && isDirectText(obj, ctx, depth + 1);
      }
      return false;
    }
    default:
      return false;
  }
}

/** Inside a development config class (`class DevelopmentConfig`, `LocalConfig`, `DevConfig`): settings meant for a laptop. */
export function inDevConfig(node: Node): boolean {
  for (let p = node.parent; p; p = p.parent) {
    if (p.type === 'class_definition') return /^(Dev|Development|Local|Debug)[A-Z_]|^\w*(Dev|Development|Local)(Config|Settings)$/.test(p.childForFieldName('name')?.text ?? '');
  }
  return false;
}
