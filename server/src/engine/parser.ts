// The one place that knows about web-tree-sitter's runtime: it is initialised once per process,
// the Python Language is loaded once, and each document keeps its trees (document.ts), edited
// in place and reparsed against the old ones on every change.
import * as path from 'node:path';
import { Edit, Language, Parser, Query, type Point, type Tree } from 'web-tree-sitter';
import type { Pos } from './types';

let ready: Promise<Language> | undefined;
let loaded: Language | undefined;
let parser: Parser | undefined;
const queries = new Map<string, Query>();

/** The .wasm files are copied next to each bundle by esbuild.mjs. */
function wasmDir(): string {
  return __dirname;
}

export function initParser(): Promise<Language> {
  ready ??= (async () => {
    await Parser.init({ locateFile: (name: string) => path.join(wasmDir(), name) });
    loaded = await Language.load(path.join(wasmDir(), 'tree-sitter-python.wasm'));
    parser = new Parser();
    parser.setLanguage(loaded);
    return loaded;
  })();
  return ready;
}

/** The Python Language, once initParser() has completed. */
export function language(): Language {
  if (!loaded) throw new Error('initParser() must complete before use');
  return loaded;
}

function requireParser(): Parser {
  if (!parser) throw new Error('initParser() must complete before parsing');
  return parser;
}

export function parse(text: string, oldTree?: Tree): Tree {
  const tree = requireParser().parse(text, oldTree ?? null);
  if (!tree) throw new Error('tree-sitter returned no tree');
  return tree;
}

/** A span of a text: offsets and the tree-sitter points (rows end at `\n`) where it starts and ends. */
export interface Span {
  start: number;
  end: number;
  startPoint: Point;
  endPoint: Point;
}

/**
 * The tree of one span of a text (null: all of it), every node at its position in the whole
 * text. `read` gives the text from an offset on: nodes read their text through it later, so it
 * must give the current text when the tree has been edited since (tree.edit moves positions).
 */
export function parseSpan(read: (offset: number) => string, span: Span | null, oldTree?: Tree): Tree {
  const range = span && { startIndex: span.start, endIndex: span.end, startPosition: span.startPoint, endPosition: span.endPoint };
  const tree = requireParser().parse(read, oldTree ?? null, range ? { includedRanges: [range] } : undefined);
  if (!tree) throw new Error('tree-sitter returned no tree');
  return tree;
}

/** Compiled once per source text and cached: compiling a query is far costlier than running it. */
export function query(source: string): Query {
  let q = queries.get(source);
  if (!q) {
    q = new Query(language(), source);
    queries.set(source, q);
  }
  return q;
}

/** Point just after `inserted` when it starts at `start` (tree-sitter rows end at `\n` only). */
function endOf(start: Pos, inserted: string): Pos {
  let line = start.line;
  let lastBreak = -1;
  for (let i = inserted.indexOf('\n'); i >= 0; i = inserted.indexOf('\n', i + 1)) {
    line++;
    lastBreak = i;
  }
  return lastBreak < 0
    ? { line, character: start.character + inserted.length }
    : { line, character: inserted.length - lastBreak - 1 };
}

export interface Change {
  startOffset: number;
  oldEndOffset: number;
  start: Pos;
  oldEnd: Pos;
  text: string;
}

/** Tell the tree about one text change so the next parse can reuse what it did not touch. */
export function editTree(tree: Tree, change: Change): void {
  const newEnd = endOf(change.start, change.text);
  tree.edit(
    new Edit({
      startIndex: change.startOffset,
      oldEndIndex: change.oldEndOffset,
      newEndIndex: change.startOffset + change.text.length,
      startPosition: { row: change.start.line, column: change.start.character },
      oldEndPosition: { row: change.oldEnd.line, column: change.oldEnd.character },
      newEndPosition: { row: newEnd.line, column: newEnd.character },
    }),
  );
}
