// Import aliases -> qualified names, so rules match `subprocess.run` however it was imported:
// `import subprocess as sp; sp.run`, `from subprocess import run as r; r`, `from os import system`.
import type { Node, Tree } from 'web-tree-sitter';
import { query } from './parser';

const IMPORTS = `
(import_statement) @import
(import_from_statement) @import
`;

/** `.utils` and `..utils` are matched by suffix, so leading dots are dropped. */
function moduleText(node: Node): string {
  return node.text.replace(/^\.+/, '').replace(/\s+/g, '');
}

export class Names {
  private readonly aliases = new Map<string, string>();

  /** `imports`: the file's import statements when the caller has them already (the walk's query). */
  constructor(tree: Tree | null, imports?: readonly Node[]) {
    if (imports) for (const node of imports) this.addImport(node);
    else if (tree) for (const { node } of query(IMPORTS).captures(tree.rootNode)) this.addImport(node);
  }

  /** `alias` -> qualified name pairs of these import statements, in order. */
  static aliasesOf(imports: readonly Node[]): [string, string][] {
    const n = new Names(null, imports);
    return [...n.aliases];
  }

  /** The aliases as text: equal keys, equal resolution. */
  key(): string {
    return JSON.stringify([...this.aliases]);
  }

  /** What an imported name stands for (`sp` -> `subprocess`), if it is one. */
  aliasOf(name: string): string | undefined {
    return this.aliases.get(name);
  }

  setAlias(alias: string, qualified: string): void {
    // Map order follows first insertion; re-inserting keeps a later import's value, as addImport does.
    this.aliases.set(alias, qualified);
  }

  addImport(stmt: Node): void {
    const from = stmt.type === 'import_from_statement' ? stmt.childForFieldName('module_name') : null;
    const prefix = from ? moduleText(from) : '';
    for (const name of stmt.childrenForFieldName('name')) {
      let target = name;
      let alias: string | undefined;
      if (name.type === 'aliased_import') {
        target = name.childForFieldName('name') ?? name;
        alias = name.childForFieldName('alias')?.text;
      }
      const dotted = moduleText(target);
      const qualified = prefix ? `${prefix}.${dotted}` : dotted;
      if (alias) this.aliases.set(alias, qualified);
      else if (from) this.aliases.set(dotted, qualified);
      // `import a.b.c` binds `a`, which already resolves to itself.
    }
  }

  /** Qualified name of an expression such as `sp.run`, `IPWrapper(ns).netns.execute`; null when it has none. */
  resolve(node: Node | null, depth = 0): string | null {
    if (!node || depth > 32) return null;
    switch (node.type) {
      case 'identifier':
        return this.aliases.get(node.text) ?? node.text;
      case 'attribute': {
        const object = this.resolve(node.childForFieldName('object'), depth + 1);
        const attr = node.childForFieldName('attribute')?.text;
        return object && attr ? `${object}.${attr}` : null;
      }
      case 'call': {
        const fn = this.resolve(node.childForFieldName('function'), depth + 1);
        return fn ? `${fn}()` : null;
      }
      case 'parenthesized_expression':
        return this.resolve(node.namedChild(0), depth + 1);
      default:
        return null;
    }
  }
}

/** The last dotted part: `execute` of `neutron.agent.linux.utils.execute`. */
export function lastSegment(qname: string): string {
  return qname.slice(qname.lastIndexOf('.') + 1);
}

/**
 * `pattern` matches `qname` exactly, or as a dotted suffix when it starts with `*.`:
 * `*.utils.execute` matches `neutron.agent.linux.utils.execute` and `utils.execute`.
 */
export function matchesName(qname: string, pattern: string): boolean {
  if (!pattern.startsWith('*.')) return qname === pattern;
  const suffix = pattern.slice(2);
  return qname === suffix || qname.endsWith(`.${suffix}`);
}

export function matchesAny(qname: string | null, patterns: readonly string[]): boolean {
  return qname !== null && patterns.some((p) => matchesName(qname, p));
}
