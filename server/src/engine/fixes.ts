// Building blocks for fixes: text edits computed from tree nodes, at the time of the finding,
// so code actions never recompute anything.
import type { Node } from 'web-tree-sitter';
import { rangeOf } from './dataflow';
import type { Pos, TextEdit } from './types';
import type { ModuleTrees } from './trees';

export function replaceNode(node: Node, newText: string): TextEdit {
  return { range: rangeOf(node), newText };
}

export function insertAt(pos: Pos, newText: string): TextEdit {
  return { range: { start: pos, end: pos }, newText };
}

/** The statement holding `node`: the ancestor that sits directly in a block or the module. */
export function statementOf(node: Node): Node {
  let n = node;
  for (let p = n.parent; p; n = p, p = p.parent) {
    if (p.type === 'block' || p.type === 'module') return n;
  }
  return n;
}

export function lineStart(text: string, line: number): number {
  let offset = 0;
  for (let l = 0; l < line; l++) {
    const nl = text.indexOf('\n', offset);
    if (nl < 0) return text.length;
    offset = nl + 1;
  }
  return offset;
}

export function lineText(text: string, line: number): string {
  const start = lineStart(text, line);
  const nl = text.indexOf('\n', start);
  return text.slice(start, nl < 0 ? text.length : nl).replace(/\r$/, '');
}

/** The line ending the document uses, so inserted lines match it. */
export function eol(text: string): string {
  return text.includes('\r\n') ? '\r\n' : '\n';
}

/** Whether `node` is the first thing on its line. */
export function startsLine(text: string, node: Node): boolean {
  return lineText(text, node.startPosition.row).slice(0, node.startPosition.column).trim() === '';
}

/** The leading white space of `node`'s line. */
export function indentOf(text: string, node: Node): string {
  return /^[ \t]*/.exec(lineText(text, node.startPosition.row))![0];
}

/**
 * Edits inserting `lines` before the statement holding `node`, at its indentation; null when the
 * statement does not start its line (`if x: run(cmd)`), where an insertion would change meaning.
 */
export function insertBeforeStatement(text: string, node: Node, lines: string[]): TextEdit | null {
  const stmt = statementOf(node);
  if (!startsLine(text, stmt)) return null;
  const indent = indentOf(text, stmt);
  const nl = eol(text);
  return insertAt({ line: stmt.startPosition.row, character: 0 }, lines.map((l) => indent + l + nl).join(''));
}

/**
 * An edit deleting the call argument `arg` (one of `args`, the call's arguments without comments)
 * together with the comma joining it to its neighbour: `f(x, Loader=L)` -> `f(x)`, and an
 * argument on a line of its own goes with its line (and its comment). Null when a comment sits in the way.
 */
export function removeArgument(text: string, args: readonly Node[], arg: Node): TextEdit | null {
  const i = args.findIndex((a) => a.id === arg.id);
  if (i < 0) return null;
  const prev = args[i - 1];
  const next = args[i + 1];
  const line = lineText(text, arg.startPosition.row);
  const ownLine = line.slice(0, arg.startPosition.column).trim() === '' && arg.endPosition.row === arg.startPosition.row &&
    /^\s*,?\s*(#.*)?$/.test(line.slice(arg.endPosition.column));
  if (ownLine) {
    return { range: { start: { line: arg.startPosition.row, character: 0 }, end: { line: arg.startPosition.row + 1, character: 0 } }, newText: '' };
  }
  const trailing = arg.nextSibling?.type === ',' ? arg.nextSibling : null;
  // `f(x, a)` loses `, a`; `f(a, x)` loses `a, `; `f(a,)` loses `a,`.
  const [from, to] = prev ? [prev.endPosition, arg.endPosition] : next ? [arg.startPosition, next.startPosition] : [arg.startPosition, (trailing ?? arg).endPosition];
  const [start, end] = prev ? [prev.endIndex, arg.endIndex] : next ? [arg.startIndex, next.startIndex] : [arg.startIndex, (trailing ?? arg).endIndex];
  if (arg.parent?.namedChildren.some((c) => c?.type === 'comment' && c.startIndex >= start && c.endIndex <= end)) return null;
  return { range: { start: { line: from.row, character: from.column }, end: { line: to.row, character: to.column } }, newText: '' };
}

/** What `ensureImport` reads of a module's top level, once per tree and text (every fix that
 * adds an import asks; reading the top level crosses into WASM for each of its statements). */
interface TopImports {
  text: string;
  /** Modules of top-level `import a.b` statements. */
  modules: Set<string>;
  /** The row of the last docstring, `__future__` or import statement of the file's head. */
  afterRow: number | null;
}
const topImports = new WeakMap<ModuleTrees, TopImports>();

function importsOf(trees: ModuleTrees, text: string): TopImports {
  const known = topImports.get(trees);
  if (known && known.text === text) return known;
  const modules = new Set<string>();
  let after: Node | null = null;
  let head = true;
  const top = trees.namedChildren.filter((n): n is Node => n !== null);
  for (let i = 0; i < top.length; i++) {
    const n = top[i];
    if (n.type === 'import_statement') {
      for (const name of n.childrenForFieldName('name')) if (name.type === 'dotted_name') modules.add(name.text);
    }
    if (!head) continue;
    // The docstring is the first statement; a shebang or license comment may precede it.
    const isDocstring = top.slice(0, i).every((p) => p.type === 'comment') && n.type === 'expression_statement' && n.namedChild(0)?.type === 'string';
    if (n.type === 'comment' && !after) continue;
    if (isDocstring || n.type === 'future_import_statement' || n.type === 'import_statement' || n.type === 'import_from_statement') {
      after = n;
      continue;
    }
    if (n.type === 'comment') continue;
    head = false;
  }
  const info = { text, modules, afterRow: after ? after.endPosition.row : null };
  topImports.set(trees, info);
  return info;
}

/**
 * An edit adding `import module` at the top of the file (after the docstring, `__future__`
 * imports and the existing top-level imports), or null when the module is already imported.
 */
export function ensureImport(trees: ModuleTrees, text: string, module: string): TextEdit | null {
  const { modules, afterRow } = importsOf(trees, text);
  if (modules.has(module)) return null;
  const nl = eol(text);
  if (afterRow === null) {
    // Keep a shebang or encoding comment on the first lines.
    let line = 0;
    while (/^#(!|.*coding[:=])/.test(lineText(text, line))) line++;
    return insertAt({ line, character: 0 }, `import ${module}${nl}`);
  }
  return insertAt({ line: afterRow + 1, character: 0 }, `import ${module}${nl}`);
}

/** Drops nulls and merges edits that insert at the same position (e.g. two `import` lines). */
export function compact(edits: (TextEdit | null)[]): TextEdit[] {
  const out: TextEdit[] = [];
  for (const e of edits) {
    if (!e) continue;
    const same = out.find(
      (o) =>
        o.range.start.line === e.range.start.line && o.range.start.character === e.range.start.character &&
        o.range.end.line === e.range.start.line && o.range.end.character === e.range.start.character &&
        e.range.end.line === e.range.start.line && e.range.end.character === e.range.start.character,
    );
    if (same) same.newText += e.newText;
    else out.push(e);
  }
  return out;
}

/** Applies non-overlapping edits to `text` (used by the CLI, the tests and fix-all). */
export function applyEdits(text: string, edits: TextEdit[]): string {
  const offsets = lineOffsets(text);
  const at = (p: Pos) => Math.min((offsets[p.line] ?? text.length) + p.character, text.length);
  const sorted = edits
    .map((e, i) => ({ start: at(e.range.start), end: at(e.range.end), text: e.newText, i }))
    .sort((a, b) => b.start - a.start || b.end - a.end || b.i - a.i);
  let out = text;
  for (const e of sorted) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return out;
}

export function lineOffsets(text: string): number[] {
  const offsets = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) offsets.push(i + 1);
  return offsets;
}

function overlaps(a: TextEdit, b: TextEdit, offsets: number[]): boolean {
  const at = (p: Pos) => (offsets[p.line] ?? Infinity) + p.character;
  const [as, ae, bs, be] = [at(a.range.start), at(a.range.end), at(b.range.start), at(b.range.end)];
  if (as === ae && bs === be) return false; // two insertions at one point both apply
  return as < be && bs < ae || (as === bs && (as === ae || bs === be));
}

/**
 * The edits of several fixes applied together (fix-all, `seclens scan --fix`, the tests):
 * identical edits (the same `import shlex`) are kept once, and a fix that overlaps one already
 * taken is left for a later pass rather than corrupting the text.
 */
export function combineFixes(text: string, fixes: { edits: TextEdit[] }[]): TextEdit[] {
  const offsets = lineOffsets(text);
  const taken: TextEdit[] = [];
  const same = (a: TextEdit, b: TextEdit) => JSON.stringify(a) === JSON.stringify(b);
  for (const fix of fixes) {
    const fresh = fix.edits.filter((e) => !taken.some((t) => same(t, e)));
    if (fresh.some((e) => taken.some((t) => overlaps(t, e, offsets)))) continue;
    taken.push(...fresh);
  }
  return taken;
}
