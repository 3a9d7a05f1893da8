// A module's syntax: one tree, or (for an open document) one tree per group of consecutive
// top-level statements. Each group's tree is parsed over its own range of the whole text, so
// every node has its position in the whole file; a keystroke then reparses one group instead of
// the file (tree-sitter's incremental reparse costs time per top-level statement of the tree).
// Code that looks at "the module" goes through here, never through one tree's root.
import type { Node, Point, Query, QueryCapture, Tree } from 'web-tree-sitter';

/** The ModuleTrees each tree last belonged to: a module root stands for all of them. */
const owners = new WeakMap<Tree, ModuleTrees>();

export class ModuleTrees {
  readonly roots: readonly Node[];
  private readonly childrenOf: (Node[] | undefined)[];
  private all?: Node[];

  /**
   * `trees` in text order, each covering a run of whole top-level statements. Nodes read from
   * `last` are kept for the trees in `unmoved` (not edited since): a node holds its position as
   * it was when read, and reading every top-level statement again costs a WASM call each.
   */
  constructor(readonly trees: readonly Tree[], last?: ModuleTrees, unmoved?: ReadonlySet<Tree>) {
    const kept = new Map<Tree, [Node, Node[] | undefined]>();
    if (last && unmoved) last.trees.forEach((t, i) => unmoved.has(t) && kept.set(t, [last.roots[i], last.childrenOf[i]]));
    this.roots = trees.map((t) => kept.get(t)?.[0] ?? t.rootNode);
    this.childrenOf = trees.map((t) => kept.get(t)?.[1]);
    for (const t of trees) owners.set(t, this);
  }

  static of(tree: Tree | ModuleTrees): ModuleTrees {
    return tree instanceof ModuleTrees ? tree : new ModuleTrees([tree]);
  }

  /** Every child of every root (top-level statements, comments, errors), in text order. */
  get children(): readonly Node[] {
    if (!this.all) {
      const out: Node[] = [];
      this.roots.forEach((root, i) => {
        this.childrenOf[i] ??= childrenOf(root);
        for (const n of this.childrenOf[i]!) out.push(n);
      });
      this.all = out;
    }
    return this.all;
  }

  /** The children of the `i`th root alone. */
  childrenOfRoot(i: number): readonly Node[] {
    return (this.childrenOf[i] ??= childrenOf(this.roots[i]));
  }

  /** The named children of every root: statements and comments. */
  get namedChildren(): Node[] {
    return this.children.filter((n) => n.isNamed);
  }

  descendantsOfType(types: string | string[], startPosition?: Point, endPosition?: Point): Node[] {
    const out: Node[] = [];
    for (const root of this.roots) {
      if (endPosition && before(endPosition, root.startPosition)) break;
      if (startPosition && before(root.endPosition, startPosition)) continue;
      for (const n of root.descendantsOfType(types, startPosition, endPosition)) if (n) out.push(n);
    }
    return out;
  }

  captures(q: Query): QueryCapture[] {
    return this.roots.length === 1 ? q.captures(this.roots[0]) : this.roots.flatMap((r) => q.captures(r));
  }

  /** The smallest node at `point`: in the tree whose range holds it (the last one at its end). */
  descendantForPosition(point: Point): Node | null {
    for (let i = this.roots.length - 1; i >= 0; i--) {
      if (i === 0 || !before(point, this.roots[i].startPosition)) return this.roots[i].descendantForPosition(point);
    }
    return null;
  }
}

/** A root's children, in one cursor walk (reading them one by one crosses into WASM per child). */
function childrenOf(root: Node): Node[] {
  if (root.type !== 'module') return [root];
  const out: Node[] = [];
  const cursor = root.walk();
  try {
    if (cursor.gotoFirstChild()) {
      do out.push(cursor.currentNode);
      while (cursor.gotoNextSibling());
    }
  } finally {
    cursor.delete();
  }
  return out;
}

function before(a: Point, b: Point): boolean {
  return a.row < b.row || (a.row === b.row && a.column < b.column);
}

/** The module `node`'s tree was last analysed in (null for a tree never analysed). */
export function moduleOf(node: Node): ModuleTrees | null {
  return owners.get(node.tree) ?? null;
}

/** The module a `module` node (a tree's root; the grammar has no other) stands for. */
function standsFor(node: Node): ModuleTrees | null {
  return node.type === 'module' ? moduleOf(node) : null;
}

/** The roots to search for `node`'s scope: a module's root stands for every tree of its module. */
export function scopeRoots(node: Node): readonly Node[] {
  return standsFor(node)?.roots ?? [node];
}

const inModuleCode = new WeakMap<object, Map<string, Node[]>>();

/**
 * The descendants of a scope's node (a function, a class, a module's root) of these types. For a
 * module, those inside its module code (isModuleCode), in every tree of its document, read once
 * per module: what a module-level name's bindings are read from. Not another definition's: its
 * locals are not module variables, and an edit inside one is walked alone.
 */
export function descendantsIn(node: Node, types: string | string[]): Node[] {
  if (node.type !== 'module') return node.descendantsOfType(types).filter((n): n is Node => n !== null);
  const module = moduleOf(node);
  const owner = module ?? node.tree;
  let byType = inModuleCode.get(owner);
  if (!byType) inModuleCode.set(owner, (byType = new Map()));
  const key = String(types);
  let found = byType.get(key);
  if (!found) {
    found = [];
    for (const stmt of module ? module.children : node.children) {
      if (stmt && isModuleCode(stmt)) for (const n of stmt.descendantsOfType(types)) if (n) found.push(n);
    }
    byType.set(key, found);
  }
  return found;
}

/** Top-level definitions: their code runs when called, and an edit inside one is walked alone. */
export const DEFINITIONS: ReadonlySet<string> = new Set(['function_definition', 'class_definition', 'decorated_definition']);

/**
 * Whether a top-level node is module code as the analysis tracks it (Ctx.moduleCode): not a
 * definition, and at column 0 (a half-typed line turns the code around it into top-level ERROR
 * nodes and indented statements of a broken definition).
 */
export function isModuleCode(node: Node): boolean {
  return !DEFINITIONS.has(node.type) && node.type !== 'ERROR' && node.startPosition.column === 0;
}

/** The top-level statement holding `node`: the child of its tree's root. */
export function topLevelOf(node: Node): Node {
  let n = node;
  for (let p = n.parent; p && p.parent; n = p, p = p.parent);
  return n;
}
