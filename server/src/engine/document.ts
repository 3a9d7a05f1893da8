// One open document: its text and its tree, kept in step. Each incremental change edits the
// tree (tree.edit) before the text moves on; the tree is reparsed, reusing the edited one, when
// next asked for, so that keystrokes arriving together (the server analyses once for the newest)
// cost one reparse. The first parse too waits until the tree is first asked for: a large file's
// first diagnostics come from its start alone (handlers/diagnostics.ts).
import { TextDocument, type TextDocumentContentChangeEvent } from 'vscode-languageserver-textdocument';
import type { Tree } from 'web-tree-sitter';
import { editTree, parse } from './parser';

export class ParsedDocument {
  private doc: TextDocument;
  private current: Tree | null = null;
  /** `current` was edited since it was parsed. */
  private edited = false;

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
    if (!this.current) {
      this.current = parse(this.doc.getText());
    } else if (this.edited) {
      const old = this.current;
      this.current = parse(this.doc.getText(), old);
      old.delete();
    }
    this.edited = false;
    return this.current;
  }

  update(changes: TextDocumentContentChangeEvent[], version: number): void {
    for (const change of changes) {
      if (this.current && 'range' in change) {
        const startOffset = this.doc.offsetAt(change.range.start);
        const oldEndOffset = this.doc.offsetAt(change.range.end);
        const start = this.pointAt(startOffset);
        const oldEnd = this.pointAt(oldEndOffset);
        editTree(this.current, { startOffset, oldEndOffset, start, oldEnd, text: change.text });
        this.edited = true;
      } else if (this.current) {
        // The whole text replaced: parsed afresh.
        this.current.delete();
        this.current = null;
        this.edited = false;
      }
      this.doc = TextDocument.update(this.doc, [change], version);
    }
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
    this.edited = false;
  }
}
