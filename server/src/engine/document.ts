// One open document: its text and its trees, kept in step. A large document is parsed as groups
// of consecutive top-level statements, one tree each (trees.ts): tree-sitter's incremental
// reparse costs time for every top-level statement of the tree, so a keystroke reparses only its
// group. Where groups start is decided by the text alone (groupStarts), so the trees after any
// sequence of edits are those a fresh open of the same text builds. Each change edits the trees
// (tree.edit) before the text moves on; they are reparsed, reusing the edited ones, when next
// asked for, so keystrokes arriving together (the server analyses once for the newest) cost one
// reparse. The first parse too waits until the trees are first asked for: a large file's first
// diagnostics come from its start alone (handlers/diagnostics.ts).
import { TextDocument, type TextDocumentContentChangeEvent } from 'vscode-languageserver-textdocument';
import type { Point, Tree } from 'web-tree-sitter';
import { editTree, parseSpan, type Change } from './parser';
import { statementsBefore, type Statement } from './sparse';
import { ModuleTrees } from './trees';

export interface GroupOptions {
  /** Smaller texts are one tree. */
  fromChars: number;
  /** About one definition in this many starts a group. */
  every: number;
}

const GROUPS: GroupOptions = { fromChars: 32 * 1024, every: 8 };

/**
 * Where the groups of these statements (a run of the module's, `first` being the file's first)
 * start: at the first, then at each group start (`startsGroup`).
 */
export function groupStarts(text: string, found: readonly Statement[], first: boolean, every: number): number[] {
  const out: number[] = [];
  found.forEach((s, i) => {
    if (i === 0) out.push(first ? 0 : s.start);
    else if (startsGroup(text, s, every)) out.push(s.start);
  });
  return out;
}

/**
 * A `def` or `class` (with its decorators) whose first line hashes to 0 modulo `every` starts a
 * group: decided by the statement's own text, so an edit moves no group start but its own.
 */
function startsGroup(text: string, s: Statement, every: number): boolean {
  return s.kind !== 'other' && lineHash(text, s.start) % every === 0;
}

function lineHash(text: string, from: number): number {
  let h = 0;
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) break;
    h = (Math.imul(h, 31) + c) | 0;
  }
  return h >>> 0;
}

interface Group {
  start: number;
  end: number;
  tree: Tree;
  /** Edited where the text changed: to be reparsed. */
  dirty: boolean;
}

export class ParsedDocument {
  private doc: TextDocument;
  /** In text order, each ending where the next starts; null until first parsed (or after a whole-text change). */
  private groups: Group[] | null = null;
  /** The whole text is one tree, parsed without a range (smaller than `fromChars`). */
  private whole = false;
  private module_: ModuleTrees | null = null;
  /** The last ModuleTrees, and the trees edited or new since: the others' nodes are reused. */
  private last: ModuleTrees | null = null;
  private readonly moved = new Set<Tree>();
  private readonly options: GroupOptions;
  /** Whether the text holds a `\r` (undefined: not known since an edit removed text from one that did). */
  private cr: boolean | undefined;
  /** The current text from an offset on: every tree reads its nodes' text through it. */
  private readonly read = (offset: number): string => this.doc.getText().slice(offset);

  constructor(uri: string, version: number, text: string, options: Partial<GroupOptions> = {}) {
    this.doc = TextDocument.create(uri, 'python', version, text);
    this.options = { ...GROUPS, ...options };
  }

  /** The trees exist (the text has been parsed). */
  get parsed(): boolean {
    return this.groups !== null;
  }

  get uri(): string {
    return this.doc.uri;
  }

  get version(): number {
    return this.doc.version;
  }

  get text(): string {
    return this.doc.getText();
  }

  /** The trees of the current text. */
  get module(): ModuleTrees {
    if (!this.groups) this.build();
    else if (this.groups.some((g) => g.dirty)) this.reparse();
    if (!this.module_) {
      const trees = this.groups!.map((g) => g.tree);
      const unmoved = new Set(this.last ? this.last.trees.filter((t) => !this.moved.has(t)) : []);
      this.module_ = this.last = new ModuleTrees(trees, this.last ?? undefined, unmoved);
      this.moved.clear();
    }
    return this.module_;
  }

  /** How many trees the text is parsed as (for tests and benchmarks). */
  get treeCount(): number {
    return this.module.trees.length;
  }

  /** Where each tree's span of the text starts (for tests). */
  get treeStarts(): number[] {
    this.module;
    return this.groups!.map((g) => g.start);
  }

  update(changes: TextDocumentContentChangeEvent[], version: number): void {
    for (const change of changes) {
      if (this.groups && 'range' in change) {
        const startOffset = this.doc.offsetAt(change.range.start);
        const oldEndOffset = this.doc.offsetAt(change.range.end);
        const edit: Change = { startOffset, oldEndOffset, start: this.pointAt(startOffset), oldEnd: this.pointAt(oldEndOffset), text: change.text };
        this.edit(edit);
      } else if (this.groups) {
        // The whole text replaced: parsed afresh.
        this.dispose();
      }
      this.doc = TextDocument.update(this.doc, [change], version);
      // (Known without reading the text again unless text went from one that had a `\r`.)
      this.cr = this.cr === false ? change.text.includes('\r') : undefined;
    }
  }

  dispose(): void {
    for (const g of this.groups ?? []) g.tree.delete();
    this.groups = null;
    this.module_ = this.last = null;
    this.moved.clear();
  }

  /** Move every tree past the change; the groups it touches are to be reparsed. */
  private edit(change: Change): void {
    const groups = this.groups!;
    const { startOffset: from, oldEndOffset: to } = change;
    const delta = change.text.length - (to - from);
    const text = this.doc.getText();
    for (let i = 0; i < groups.length; i++) {
      const g = groups[i];
      if (g.end < from) continue;
      editTree(g.tree, change);
      this.moved.add(g.tree);
      if (g.start > to) {
        g.start += delta;
        g.end += delta;
        continue;
      }
      // Touched (an edit at a group's end may continue its last statement).
      g.dirty = true;
      // A change to a group's first line may end its group there (or indent it into the last).
      const firstLineEnd = text.indexOf('\n', g.start);
      if (i > 0 && from <= (firstLineEnd < 0 ? text.length : firstLineEnd)) groups[i - 1].dirty = true;
      g.start = g.start <= from ? g.start : from + change.text.length;
      g.end = g.end >= to ? g.end + delta : from + change.text.length;
    }
    this.module_ = null;
  }

  /**
   * Parse the text afresh: a small text as one tree, a large one in groups. Groups start only
   * at statements before any the tokenizer cannot read (an open bracket or string runs on to the
   * end of the text), so the last group holds that one and everything after it.
   */
  private build(): void {
    const text = this.doc.getText();
    this.whole = text.length < this.options.fromChars;
    if (this.whole) {
      this.groups = [{ start: 0, end: text.length, tree: this.parse(0, text.length), dirty: false }];
    } else {
      const { found } = statementsBefore(text);
      this.groups = this.parseGroups(found.length ? groupStarts(text, found, true, this.options.every) : [0], text.length);
    }
    this.module_ = null;
  }

  /** Reparse the touched groups, regrouping their statements by the same rule as `build`. */
  private reparse(): void {
    const text = this.doc.getText();
    const groups = this.groups!;
    if (this.whole && text.length < this.options.fromChars) {
      groups[0] = { start: 0, end: text.length, tree: this.parse(0, text.length, groups[0].tree), dirty: false };
      return;
    }
    if (this.whole || text.length < this.options.fromChars) {
      // Grown past the size for groups, or shrunk below it.
      this.dispose();
      this.build();
      return;
    }
    for (let i = 0; i < groups.length; i++) {
      if (!groups[i].dirty) continue;
      let j = i;
      while (j + 1 < groups.length && groups[j + 1].dirty) j++;
      // The run of touched groups, grown until its statements tokenize cleanly (an open bracket
      // or string runs on: at the end of the text, the last group holds it) and its first
      // statement still starts a group (a decorator's `def` may have gone).
      let read: ReturnType<typeof statementsBefore>;
      for (;;) {
        read = statementsBefore(text, groups[i].start, groups[j].end);
        if (read.failedAt !== null && j + 1 < groups.length) {
          j++;
          continue;
        }
        const first = read.found[0];
        if (i > 0 && !(first && first.start === groups[i].start && startsGroup(text, first, this.options.every))) {
          i--;
          continue;
        }
        break;
      }
      const found = read.found;
      const starts = found.length ? groupStarts(text, found, i === 0, this.options.every) : [groups[i].start];
      const end = groups[j].end;
      let fresh: Group[];
      if (starts.length === j - i + 1) {
        // The same groups: each reparsed against its own edited tree. Where the code does not
        // parse, tree-sitter's error recovery after an incremental reparse may read it otherwise
        // than a fresh parse does: such a group (a few statements) is parsed afresh, so that the
        // trees stay those of a fresh open.
        fresh = starts.map((start, k) => {
          const groupEnd = k + 1 < starts.length ? starts[k + 1] : end;
          const old = groups[i + k].tree;
          let tree = this.parse(start, groupEnd, old);
          old.delete();
          if (tree.rootNode.hasError) {
            tree.delete();
            tree = this.parse(start, groupEnd);
          }
          return { start, end: groupEnd, tree, dirty: false };
        });
      } else {
        for (let k = i; k <= j; k++) groups[k].tree.delete();
        fresh = this.parseGroups(starts, end);
      }
      groups.splice(i, j - i + 1, ...fresh);
      i += fresh.length - 1;
    }
  }

  private parseGroups(starts: readonly number[], end: number): Group[] {
    return starts.map((start, k) => {
      const groupEnd = k + 1 < starts.length ? starts[k + 1] : end;
      return { start, end: groupEnd, tree: this.parse(start, groupEnd), dirty: false };
    });
  }

  private parse(start: number, end: number, old?: Tree): Tree {
    if (this.whole) return parseSpan(this.read, null, old);
    return parseSpan(this.read, { start, end, startPoint: this.point(start), endPoint: this.point(end) }, old);
  }

  private point(offset: number): Point {
    const p = this.pointAt(offset);
    return { row: p.line, column: p.character };
  }

  /**
   * The tree-sitter point of an offset: rows end at `\n` only. LSP also ends lines at a lone
   * `\r`; only then do the two differ, so only then is the text scanned.
   */
  private pointAt(offset: number): { line: number; character: number } {
    const text = this.doc.getText();
    this.cr ??= text.includes('\r');
    if (!this.cr) return this.doc.positionAt(offset);
    let line = 0;
    let lineStart = 0;
    for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) {
      line++;
      lineStart = i + 1;
    }
    return { line, character: offset - lineStart };
  }
}
