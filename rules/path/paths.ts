// Shared readings for the path rules: what a path expression is made of, the assignment a
// name got its value from, and the level of a path finding under the dataflow model.
import type { Node } from 'web-tree-sitter';
import { sourcesFor, type Value } from '../../server/src/engine/dataflow';
import { matchesAny } from '../../server/src/engine/names';
import { insertAt } from '../../server/src/engine/fixes';
import type { CallSite, Ctx } from '../../server/src/engine/rule';
import type { Level, TextEdit } from '../../server/src/engine/types';
import { scopeRoots, type ModuleTrees } from '../../server/src/engine/trees';
import { topLevelAssignments } from '../support';

export const JOIN = ['os.path.join', 'posixpath.join', 'ntpath.join'];
const NORMALIZE = ['os.path.normpath', 'os.path.abspath', 'os.path.realpath', 'posixpath.normpath', 'os.path.expanduser'];
export const PATH_CLASSES = ['pathlib.Path', 'pathlib.PurePath', 'pathlib.PosixPath', 'pathlib.PurePosixPath'];

/** The enclosing function (or the module) of `node`. */
export function bodyOf(node: Node): Node {
  for (let p = node.parent; p; p = p.parent) if (p.type === 'function_definition' || p.type === 'module') return p;
  return node;
}

interface Binding {
  name: string;
  at: number;
  value: Node;
  /** `with <value> as name` rather than `name = <value>`. */
  viaWith: boolean;
}

/** Every `name = <expr>` and `with <expr> as name` of a function (or the module), computed once per tree. */
const bindingCache = new WeakMap<ModuleTrees, Map<number, Binding[]>>();

function bindingsOf(scope: Node, ctx: Ctx): Binding[] {
  let perTree = bindingCache.get(ctx.module);
  if (!perTree) bindingCache.set(ctx.module, (perTree = new Map()));
  // A module root stands for every tree of the module: one entry whichever tree `use` is in.
  const key = scope.type === 'module' ? -1 : scope.id;
  const hit = perTree.get(key);
  if (hit) return hit;
  const out: Binding[] = [];
  const visit = (n: Node) => {
    if (n !== scope && (n.type === 'function_definition' || n.type === 'class_definition')) return;
    if (n.type === 'assignment') {
      const left = n.childForFieldName('left');
      const right = n.childForFieldName('right');
      if (left?.type === 'identifier' && right) out.push({ name: left.text, at: n.startIndex, value: right, viaWith: false });
    } else if (n.type === 'as_pattern') {
      const alias = n.childForFieldName('alias')?.namedChild(0);
      const value = n.namedChild(0);
      if (alias?.type === 'identifier' && value) out.push({ name: alias.text, at: n.startIndex, value, viaWith: true });
    }
    for (const c of n.namedChildren) if (c) visit(c);
  };
  for (const root of scopeRoots(scope)) visit(root);
  perTree.set(key, out);
  return out;
}

function lastBinding(use: Node, ctx: Ctx, withs: boolean): Node | null {
  if (use.type !== 'identifier') return null;
  const scope = bodyOf(use);
  let best: Node | null = null;
  for (const b of bindingsOf(scope, ctx)) {
    if (b.at < use.startIndex && b.name === use.text && (withs || !b.viaWith)) best = b.value;
  }
  if (!best && scope.type === 'function_definition') {
    // A module constant: `STATE_DIR = "/var/lib/x"` at top level (its last value).
    for (const value of topLevelAssignments(ctx).get(use.text) ?? []) if (value) best = value;
  }
  return best;
}

/**
 * The right-hand side of the last plain assignment `name = <rhs>` before `use` in the same
 * function (or module, or a module constant): one step back through a variable, to see how a
 * path was built.
 */
export function assignedFrom(use: Node, ctx: Ctx): Node | null {
  return lastBinding(use, ctx, false);
}

function hasSlash(node: Node | null): boolean {
  return !!node && node.type === 'string' && /[/\\]/.test(node.namedChildren.filter((c) => c?.type === 'string_content').map((c) => c!.text).join(''));
}

/**
 * A file name with a constant prefix in the same path component: `"qrouter-" + rid`,
 * `"netns-%s" % name`, `f"lease-{mac}"`. `..` cannot climb out of it (`dir/qrouter-../x` needs a
 * directory literally named `qrouter-..`), so such a part is not a traversal.
 */
function prefixed(node: Node): boolean {
  const lead = (s: Node | null | undefined) => {
    if (s?.type !== 'string') return false;
    const first = s.namedChildren.find((c) => c?.type !== 'string_start');
    if (first?.type !== 'string_content') return false;
    const head = /%|\{/.test(first.text) ? first.text.slice(0, first.text.search(/%|\{/)) : first.text;
    return head.length > 0 && !/[/\\]/.test(head) && head !== '.';
  };
  if (node.type === 'string') return lead(node);
  if (node.type === 'binary_operator') {
    const op = node.childForFieldName('operator')?.type;
    if (op === '+') return lead(node.childForFieldName('left')) || (node.childForFieldName('left')?.type === 'binary_operator' && prefixed(node.childForFieldName('left')!));
    if (op === '%') return lead(node.childForFieldName('left'));
  }
  if (node.type === 'call') {
    const fn = node.childForFieldName('function');
    if (fn?.type === 'attribute' && fn.childForFieldName('attribute')?.text === 'format') return lead(fn.childForFieldName('object'));
  }
  return false;
}

/**
 * The tainted parts of `node` that are appended to a directory: `os.path.join(base, name)`,
 * `Path(base) / name`, `f"{base}/{name}"`, `"/srv/" + name`. Empty when the path is used whole.
 */
export function joinedParts(node: Node, ctx: Ctx): Node[] {
  const tainted = (n: Node | null): n is Node => !!n && sourcesFor(ctx.valueOf(n), 'path', true).length > 0;
  switch (node.type) {
    case 'call': {
      const q = ctx.names.resolve(node.childForFieldName('function'));
      const args = node.childForFieldName('arguments')?.namedChildren.filter((a): a is Node => !!a && a.type !== 'comment') ?? [];
      if (matchesAny(q, [...JOIN, ...PATH_CLASSES])) return [...(args[0] ? joinedParts(args[0], ctx) : []), ...args.slice(1).filter((a) => tainted(a) && !prefixed(a))];
      // Normalising keeps what the path was built from: `os.path.normpath(os.path.join(base, name))`.
      if (matchesAny(q, NORMALIZE) && args[0]) return joinedParts(args[0], ctx);
      // `"{}/{}".format(base, name)`
      const fn = node.childForFieldName('function');
      if (fn?.type === 'attribute' && fn.childForFieldName('attribute')?.text === 'format' && hasSlash(fn.childForFieldName('object'))) return args.filter(tainted);
      return [];
    }
    case 'binary_operator': {
      const op = node.childForFieldName('operator')?.type;
      const left = node.childForFieldName('left');
      const right = node.childForFieldName('right');
      if (op === '/') return [...(left ? joinedParts(left, ctx) : []), ...(tainted(right) ? [right] : [])];
      if (op === '+' && (hasSlash(left) || /sep$/.test(left?.text ?? '') || (left?.type === 'binary_operator' && joinedParts(left, ctx).length === 0 && /[/\\]|sep/.test(left.text)))) return tainted(right) ? [right] : [];
      if (op === '%' && hasSlash(left)) return tainted(right) ? [right] : [];
      return [];
    }
    case 'string': {
      const literal = node.namedChildren.filter((c) => c?.type === 'string_content').map((c) => c!.text).join('');
      if (!/[/\\]/.test(literal)) return [];
      // `f"{base}/{name}"` appends name; in `f"{base}/lease-{name}"` it sits behind a constant prefix.
      return node.namedChildren
        .filter((c) => c?.type === 'interpolation' && !(c.previousNamedSibling?.type === 'string_content' && !/[/\\]$/.test(c.previousNamedSibling.text)))
        .map((c) => c!.childForFieldName('expression') ?? c!.namedChild(0))
        .filter(tainted);
    }
    case 'parenthesized_expression':
      return node.namedChild(0) ? joinedParts(node.namedChild(0)!, ctx) : [];
    default:
      return [];
  }
}

/**
 * The level of a path finding. Request and network data choose the path: error. A parameter,
 * file contents, argv or the environment appended to a directory (`join(BASE, name)`): the
 * author meant to confine it and `../` escapes: warning. A whole path handed in by the caller
 * (`def load(path): open(path)`), an operator's command line, data of unknown origin and
 * constants: nothing, since every file-handling helper would be flagged otherwise.
 */
export function pathLevel(value: Value, joined: boolean): Level | null {
  const sources = sourcesFor(value, 'path');
  if (sources.some((s) => s.kind === 'request' || s.kind === 'network')) return 'error';
  if (joined && sources.length > 0) return 'warning';
  return null;
}

/**
 * What a name was bound to before `use` in its function (or module): the value of the last
 * `name = <expr>` or `with <expr> as name`. Null when bound otherwise (a parameter, a loop).
 */
export function boundTo(use: Node, ctx: Ctx): Node | null {
  return lastBinding(use, ctx, true);
}

/** The qualified name of the call that made the receiver of a method call: `tarfile.open` for `tarfile.open(p).extractall()` and for `tar.extractall()` after `with tarfile.open(p) as tar`. */
export function receiverFactory(receiver: Node | null, ctx: Ctx): string | null {
  if (!receiver) return null;
  const made = receiver.type === 'call' ? receiver : boundTo(receiver, ctx);
  if (made?.type !== 'call') return null;
  return ctx.names.resolve(made.childForFieldName('function'));
}

/** An edit appending `text` (e.g. `filter="data"`) as the last argument of a call; a trailing comma is kept. */
export function appendArgument(site: CallSite, text: string): TextEdit | null {
  const list = site.node.childForFieldName('arguments');
  if (list?.type !== 'argument_list') return null;
  const close = list.lastChild;
  if (close?.type !== ')') return null;
  const before = close.previousSibling;
  if (site.args.length === 0) return insertAt({ line: close.startPosition.row, character: close.startPosition.column }, text);
  if (before?.type === ',') return insertAt({ line: before.endPosition.row, character: before.endPosition.column }, ` ${text},`);
  const last = site.args[site.args.length - 1];
  return insertAt({ line: last.endPosition.row, character: last.endPosition.column }, `, ${text}`);
}
