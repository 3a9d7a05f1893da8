// Helpers shared by rules: describing where data came from, reporting a dataflow finding with
// its trace, recognising logger calls and exception text. Rule logic stays in the rule modules.
import type { Node, Tree } from 'web-tree-sitter';
import { firstLine, rangeOf, sourcesFor, taintLevel, traceFor, type SinkKind, type Source, type Value } from '../server/src/engine/dataflow';
import { lastSegment, matchesAny } from '../server/src/engine/names';
import type { CallSite, Ctx } from '../server/src/engine/rule';
import type { Fix } from '../server/src/engine/types';
import { descendantsIn, isModuleCode, moduleOf, topLevelOf, type ModuleTrees } from '../server/src/engine/trees';

export function describeSource(s: Source): string {
  switch (s.kind) {
    case 'param': return `parameter \`${s.name}\``;
    case 'exception': return `exception \`${s.name}\``;
    case 'request': return `request data \`${s.name}\``;
    case 'argv': return 'command-line arguments';
    case 'env': return `environment \`${s.name}\``;
    case 'input': return 'user input';
    case 'network': return `data read from the network (\`${s.name}\`)`;
    case 'file': return `file or pipe contents (\`${s.name}\`)`;
    case 'unknown': return 'a value of unknown origin';
  }
}

export function describeValue(value: Value, kind: SinkKind): string {
  const sources = sourcesFor(value, kind);
  if (sources.length === 0) return 'a value of unknown origin';
  const strong = sources.filter((s) => s.strong);
  const shown = (strong.length ? strong : sources).slice(0, 3).map(describeSource);
  return shown.join(', ');
}

/**
 * Reports `node` when `value` reaches a `kind` sink; the level follows the dataflow model.
 * Returns false when the value is constant (nothing reported).
 */
export function reportFlow(
  ctx: Ctx,
  node: Node,
  value: Value,
  kind: SinkKind,
  sink: string,
  message: (origin: string) => string,
  fix?: Fix,
): boolean {
  const level = taintLevel(value, kind);
  if (!level) return false;
  ctx.report({
    node,
    level,
    message: message(describeValue(value, kind)),
    confidence: level === 'info' ? 'low' : undefined,
    trace: traceFor(value, kind, { range: rangeOf(node), message: `reaches ${sink}` }),
    fix,
  });
  return true;
}

// ---- HTTP clients (tls-verification-disabled, request-without-timeout) ----

export const HTTP_METHODS = ['get', 'post', 'put', 'patch', 'delete', 'head', 'options', 'request'];
/** requests' module-level functions (`requests.get`, `requests.api.get`, ...). */
export const REQUESTS_FUNCTIONS = HTTP_METHODS.flatMap((m) => [`requests.${m}`, `requests.api.${m}`]);
/** httpx's module-level functions and its clients. */
export const HTTPX_CALLS = [...[...HTTP_METHODS, 'stream'].map((m) => `httpx.${m}`), 'httpx.Client', 'httpx.AsyncClient'];

const LOG_METHODS = new Set(['debug', 'info', 'warning', 'warn', 'error', 'exception', 'critical', 'fatal', 'log']);
const LOGGER_NAME = /^(self\.|cls\.)?_*(log|logger|logging|LOG|LOGGER|_log|_logger)$/i;

/**
 * Trigger words of the rules that look at logger calls: what `isLogCall` needs to see. A
 * `logging.*` name (imported aliases count as `logging`) or `getLogger`...
 */
export const LOG_TRIGGERS = ['logging', 'getLogger'];
/** ...or a logger-named object followed by `.method` (whitespace, comments and `\` between). */
export const LOG_TRIGGER_PATTERN = /\b_*(?:log|logger|logging)(?:\s|\\|#.*)*\.(?:\s|\\|#.*)*(?:debug|info|warning|warn|error|exception|critical|fatal|log)\b/i;

const logCalls = new WeakMap<CallSite, boolean>();

/** `LOG.error(...)`, `logger.info(...)`, `logging.warning(...)`, `logging.getLogger(x).error(...)`. */
export function isLogCall(site: CallSite): boolean {
  // Runs for every call in three rules: the method's name from the resolved name (plain JS, it
  // is the attribute's name whenever the callee is an attribute) before any node is read.
  if (site.qname !== null && !LOG_METHODS.has(lastSegment(site.qname))) return false;
  let known = logCalls.get(site);
  if (known === undefined) logCalls.set(site, (known = logCall(site)));
  return known;
}

function logCall(site: CallSite): boolean {
  const callee = site.callee;
  if (callee?.type !== 'attribute') return false;
  const method = callee.childForFieldName('attribute')?.text ?? '';
  if (!LOG_METHODS.has(method)) return false;
  const object = callee.childForFieldName('object');
  if (!object) return false;
  if (site.qname?.startsWith('logging.')) return true;
  if (object.type === 'call') return /(^|\.)getLogger$/.test(object.childForFieldName('function')?.text ?? '');
  return LOGGER_NAME.test(object.text);
}

/** The sink's name for messages: `subprocess.run` rather than `sp.run`. */
export function sinkName(site: CallSite): string {
  return `\`${site.qname ?? firstLine(site.callee?.text ?? 'call')}()\``;
}

export function isTrue(node: Node | undefined): boolean {
  return node?.type === 'true';
}

// ---- Exception text (exception-text-in-log, exception-text-in-response) ----

/** Calls whose result is the text of their single argument: `str(e)`, `six.text_type(e)`. */
export const TEXT_OF = ['str', 'repr', 'unicode', 'format', 'six.text_type', 'six.u', '*.exception_to_unicode'];
/** The value of `node` carries exception text towards a `kind` sink. */
export function carriesExceptionText(node: Node | null | undefined, ctx: Ctx, kind: SinkKind): node is Node {
  return !!node && sourcesFor(ctx.valueOf(node), kind).length > 0;
}

/**
 * The name of the caught exception when `node` is nothing but that exception's text: `e`,
 * `str(e)`, `repr(e)`, `six.text_type(e)`, `e.args`, `e.message`, `str(e.args[0])`,
 * `e.format_message()`. Null for anything that mixes in other text (`f"failed: {e}"`) or
 * passes through a variable (`msg`), where the exception's part cannot be cut out alone.
 */
export function caughtName(node: Node | null | undefined, ctx: Ctx, kind: SinkKind): string | null {
  if (!carriesExceptionText(node, ctx, kind)) return null;
  switch (node.type) {
    case 'identifier': {
      // Bound by `except ... as name` itself, not a variable that was assigned from it.
      const v = ctx.valueOf(node);
      return v.sources.every((s) => s.kind === 'exception' && s.name === node.text && s.trace.length === 1) ? node.text : null;
    }
    case 'attribute':
      return caughtName(node.childForFieldName('object'), ctx, kind);
    case 'subscript':
      return caughtName(node.childForFieldName('value'), ctx, kind);
    case 'call': {
      const fn = node.childForFieldName('function');
      const args = node.childForFieldName('arguments')?.namedChildren.filter((a) => a && a.type !== 'comment') ?? [];
      // A method of the exception or of its text: `e.format_message()`, `str(e).strip()`.
      if (fn?.type === 'attribute' && args.every((a) => !carriesExceptionText(a, ctx, kind))) {
        return caughtName(fn.childForFieldName('object'), ctx, kind);
      }
      if (args.length === 1 && args[0]!.type !== 'keyword_argument' && matchesAny(ctx.names.resolve(fn), TEXT_OF)) {
        return caughtName(args[0], ctx, kind);
      }
      return null;
    }
    default:
      return null;
  }
}


// ---- Scopes and earlier assignments to a name ----

/** The function or class whose code holds `node`, or the module. */
export function scopeNodeOf(node: Node): Node {
  let n = node;
  while (n.parent) {
    n = n.parent;
    if (n.type === 'function_definition' || n.type === 'class_definition') return n;
  }
  return n;
}

/**
 * Per tree, the statements among its root's children (by index) that assign each plain name. A
 * tree that an edit elsewhere only moved is the same object with the same statements, so on a
 * keystroke only the reparsed group is read again; the values are read from the current roots.
 */
const assignedIn = new WeakMap<Tree, Map<string, number[]>>();
const topLevel = new WeakMap<ModuleTrees, Map<string, (Node | null)[] | undefined>>();

function assignmentsOfTree(module: ModuleTrees, i: number): Map<string, number[]> {
  let index = assignedIn.get(module.trees[i]);
  if (!index) {
    index = new Map();
    module.childrenOfRoot(i).forEach((stmt, k) => {
      const left = assignmentOf(stmt)?.childForFieldName('left');
      if (left?.type !== 'identifier') return;
      const list = index!.get(left.text);
      if (list) list.push(k);
      else index!.set(left.text, [k]);
    });
    assignedIn.set(module.trees[i], index);
  }
  return index;
}

function assignmentOf(stmt: Node | null): Node | null {
  const a = stmt?.type === 'expression_statement' ? stmt.namedChild(0) : null;
  return a?.type === 'assignment' ? a : null;
}

/**
 * The module's top-level assignments to plain names (`NAME = value`, `NAME: T = value`), by name
 * in text order: the value of each, null for an annotation alone. Each name is looked up once per
 * module: the rules that read module constants ask for them on every call they look at.
 */
export function topLevelAssignments(ctx: Ctx): { get(name: string): (Node | null)[] | undefined } {
  const module = ctx.module;
  let byName = topLevel.get(module);
  if (!byName) topLevel.set(module, (byName = new Map()));
  const known = byName;
  return {
    get(name) {
      if (known.has(name)) return known.get(name);
      let values: (Node | null)[] | undefined;
      for (let i = 0; i < module.trees.length; i++) {
        const at = assignmentsOfTree(module, i).get(name);
        if (!at) continue;
        // (A root that is not a `module` node is its own single statement: childrenOf in trees.ts.)
        const root = module.roots[i];
        for (const k of at) (values ??= []).push(assignmentOf(root.type === 'module' ? root.child(k) : root)!.childForFieldName('right'));
      }
      known.set(name, values);
      return values;
    },
  };
}

const moduleAssignments = new WeakMap<object, Map<string, Node[]>>();

/**
 * The assignments to `name` in `scope` (a function, a class or the module) that start before
 * `before`, in order; for the module, those of its module code (isModuleCode: a function's
 * locals are not module variables). Module code is indexed once per module: searching the whole
 * file again for every call made analysis quadratic in module-level code (and in a file that a
 * half-typed line has turned into module-level statements).
 */
export function assignmentsBefore(scope: Node, name: string, before: Node): Node[] {
  if (scope.type !== 'module') {
    return scope.descendantsOfType('assignment', scope.startPosition, before.startPosition).filter((a): a is Node => !!a && a.childForFieldName('left')?.text === name);
  }
  const key = moduleOf(scope) ?? scope.tree;
  let index = moduleAssignments.get(key);
  if (!index) {
    index = new Map();
    for (const a of descendantsIn(scope, 'assignment')) {
      const left = a.childForFieldName('left')?.text;
      if (!left) continue;
      const list = index.get(left);
      if (list) list.push(a);
      else index.set(left, [a]);
    }
    moduleAssignments.set(key, index);
  }
  return (index.get(name) ?? []).filter((a) => a.startIndex < before.startIndex);
}

// ---- Facts about the whole file, computed once per analysis ----

/**
 * `compute(assignments)` once per analysis for `node`'s top-level statement, with the assignments
 * (anywhere inside) of the module code and of that statement: where a fact about the file read for
 * `node` may come from (Ctx.moduleCode says why not from other definitions). Cached under `cache`.
 */
export function perStatement<T>(cache: WeakMap<ModuleTrees, Map<number, T>>, node: Node, ctx: Ctx, compute: (assignments: Node[]) => T): T {
  let byStatement = cache.get(ctx.module);
  if (!byStatement) cache.set(ctx.module, (byStatement = new Map()));
  const own = topLevelOf(node);
  // Module code shares one entry: it sees the module code alone.
  const key = isModuleCode(own) ? -1 : own.startIndex;
  let value = byStatement.get(key);
  if (value === undefined) {
    const shared = descendantsIn(ctx.module.roots[0], 'assignment');
    value = compute(key === -1 ? shared : [...shared, ...descendantsIn(own, 'assignment')]);
    byStatement.set(key, value);
  }
  return value;
}

let memoText: string | null = null;
const memo = new Map<string, unknown>();

/**
 * `compute()` once per file for `key`: a rule's onCall runs for every call, and a regular
 * expression over the whole text there makes the analysis quadratic in the file's size.
 */
export function perFile<T>(ctx: Ctx, key: string, compute: () => T): T {
  if (memoText !== ctx.text) {
    memoText = ctx.text;
    memo.clear();
  }
  if (!memo.has(key)) memo.set(key, compute());
  return memo.get(key) as T;
}

/**
 * For trigger patterns: what stands between two adjacent string literals in the source (`"ab"
 * "cd"` is one string `abcd`): a closing quote, space, line breaks, line continuations or
 * comments, a prefix and an opening quote (an empty literal between repeats it).
 */
export const ADJACENT_LITERALS = String.raw`(?:["']{1,3}(?:(?:\s|\\\r?\n|#[^\n]*\n)+[rRbBfFuU]{0,2}["']{1,3})+)`;
