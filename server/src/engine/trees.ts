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
  private all?: Node[];

  /** `trees` in text order, each covering a run of whole top-level statements. */
  constructor(readonly trees: readonly Tree[]) {
    this.roots = trees.map((t) => t.rootNode);
    for (const t of trees) owners.set(t, this);
  }

  static of(tree: Tree | ModuleTrees): ModuleTrees {
    return tree instanceof ModuleTrees ? tree : new ModuleTrees([tree]);
  }

  /** Every child of every root (top-level statements, comments, errors), in text order. */
  get children(): readonly Node[] {
    if (!this.all) {
      const out: Node[] = [];
      for (const root of this.roots) {
        if (root.type !== 'module') {
          out.push(root);
          continue;
        }
        // One cursor walk per root: reading children one by one crosses into WASM per child.
        const cursor = root.walk();
        try {
          if (cursor.gotoFirstChild()) {
            do out.push(cursor.currentNode);
            while (cursor.gotoNextSibling());
          }
        } finally {
          cursor.delete();
        }
      }
      this.all = out;
    }
    return this.all;
  }

  /** The named children of every root: statements and comments. */
  get namedChildren(): Node[] {
    return this.children.filter((n) => n.isNamed);
  }

  get hasError(): boolean {
    return this.roots.some((r) => r.hasError);
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

function before(a: Point, b: Point): boolean {
  return a.row < b.row || (a.row === b.row && a.column < b.column);
}

/** The module `node` belongs to, when it was analysed as one (null for a lone tree). */
export function moduleOf(node: Node): ModuleTrees | null {
  return owners.get(node.tree) ?? null;
}

/** The roots to search for `node`'s scope: a module's root stands for every tree of its module. */
export function scopeRoots(node: Node): readonly Node[] {
  if (node.type === 'module' && !node.parent) {
    const module = moduleOf(node);
    if (module) return module.roots;
  }
  return [node];
}

/**
 * The descendants of `node` of these types. A module's root stands for the whole module: the
 * other trees of its document are searched too.
 */
export function descendantsIn(node: Node, types: string | string[], startPosition?: Point, endPosition?: Point): Node[] {
  if (node.type === 'module' && !node.parent) {
    const module = moduleOf(node);
    if (module) return module.descendantsOfType(types, startPosition, endPosition);
  }
  return node.descendantsOfType(types, startPosition, endPosition).filter((n): n is Node => n !== null);
}
