// One open document: its text and its tree, kept in step. Each incremental change edits the
// tree (tree.edit) before the text moves on, then one reparse reuses the old tree. The first
// parse waits until the tree is first asked for: a large file's first diagnostics come from
// its start alone (handlers/diagnostics.ts), and changes arriving before then only move the text.
import { TextDocument, type TextDocumentContentChangeEvent } from 'vscode-languageserver-textdocument';
import type { Tree } from 'web-tree-sitter';
import { editTree, parse } from './parser';

export class ParsedDocument {
  private doc: TextDocument;
  private current: Tree | null = null;

  constructor(uri: string, version: number, text: string) {
    this.doc = TextDocument.create(uri, 'python', version, text);
  }

  /** The tree exists (the text has been parsed). */
  get parsed(): boolean {
    return this.current !== null;
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

  get tree(): Tree {
    this.current ??= parse(this.doc.getText());
    return this.current;
  }

  update(changes: TextDocumentContentChangeEvent[], version: number): void {
    if (!this.current) {
      this.doc = TextDocument.update(this.doc, changes, version);
      return;
    }
    let incremental = true;
    for (const change of changes) {
      if ('range' in change) {
        const startOffset = this.doc.offsetAt(change.range.start);
        const oldEndOffset = this.doc.offsetAt(change.range.end);
        const start = this.pointAt(startOffset);
        const oldEnd = this.pointAt(oldEndOffset);
        editTree(this.current, { startOffset, oldEndOffset, start, oldEnd, text: change.text });
      } else {
        incremental = false;
      }
      this.doc = TextDocument.update(this.doc, [change], version);
    }
    const old = this.current;
    this.current = parse(this.doc.getText(), incremental ? old : undefined);
    old.delete();
  }

  /**
   * The tree-sitter point of an offset: rows end at `\n` only. LSP also ends lines at a lone
   * `\r`; only then do the two differ, so only then is the text scanned.
   */
  private pointAt(offset: number): { line: number; character: number } {
    const text = this.doc.getText();
    if (!text.includes('\r')) return this.doc.positionAt(offset);
    let line = 0;
    let lineStart = 0;
    for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) {
      line++;
      lineStart = i + 1;
    }
    return { line, character: offset - lineStart };
  }

  dispose(): void {
    this.current?.delete();
    this.current = null;
  }
}
