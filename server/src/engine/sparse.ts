// The text a headless scan parses: the file without the top-level definitions and methods the
// analysis would not walk (see triggers.ts), each removed down to its line breaks, so every kept
// line keeps its row and columns and the tree holds only what can report. Parsing is a large
// part of a scan, and most definitions call nothing a rule cares about. Deciding needs the file's
// statements before any tree exists, so a small Python tokenizer finds them; when it is unsure it
// gives up and the whole file is parsed.
import type { Tree } from 'web-tree-sitter';
import { parse } from './parser';
import type { Rule } from './rule';
import { mergeScans, planWalks, TriggerIndex, type AliasLookup, type KnownScans, type PlanMethod, type PlanUnit } from './triggers';

/** A statement: offsets into the text, from its first character to its last line's end. */
export interface Statement {
  start: number;
  end: number;
  /** `def` and `async def`, `class`, each with any decorators before it; else `other`. */
  kind: 'def' | 'class' | 'other';
}

/** The characters the tokenizer stops at (a lookup, not a regex: a match allocates, and this runs per keystroke). */
const INTERESTING = new Uint8Array(128);
for (const c of '#\'"\\()[]{}\n') INTERESTING[c.charCodeAt(0)] = 1;

/** The first interesting character in `text` from `from` to `to` (excluded), or -1. */
function nextInteresting(text: string, from: number, to: number): number {
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c < 128 && INTERESTING[c] === 1) return i;
  }
  return -1;
}

const DEF_LINE = /^(?:async[ \t]+)?def\b/;
const CLASS_LINE = /^class\b/;

function kindOf(head: string): Statement['kind'] | null {
  if (DEF_LINE.test(head)) return 'def';
  if (CLASS_LINE.test(head)) return 'class';
  return null;
}

/**
 * The statements of a module (`nested` false) or of the class statement spanning `from`-`to`
 * (`nested` true: its header, decorators and `class` line, comes first as one `other`, then the
 * statements of its body), or null when the text does not tokenize cleanly (an unterminated
 * string or bracket, a stray closing bracket, a form feed or a mix of tabs and spaces in the
 * indentation): the tree-sitter parse then decides alone. Blank lines, and comments not
 * indented deeper than the statements, belong to no statement.
 */
export function statements(text: string, from = 0, to = text.length, nested = false): Statement[] | null {
  const read = tokenize(text, from, to, nested);
  return read.failedAt === null ? read.out : null;
}

/**
 * The statements of a module read leniently, as an editor's half-typed code needs: a `def` or
 * `class` line at column 0 starts a statement even inside an unclosed bracket (it cannot be
 * inside one in valid code), a one-line string left open ends with its line, and a stray closing
 * bracket is passed over. Up to where even that fails (`failedAt`: the start of the statement,
 * or of the line; null when it did not): an unterminated triple-quoted string, a form feed,
 * decorators with no definition after them.
 */
export function statementsBefore(text: string, from = 0, to = text.length): { found: Statement[]; failedAt: number | null } {
  const { out, failedAt } = tokenize(text, from, to, false, true);
  return { found: failedAt === null ? out : out.filter((s) => s.start < failedAt), failedAt };
}

function tokenize(text: string, from: number, to: number, nested: boolean, lenient = false): { out: Statement[]; failedAt: number | null } {
  const out: Statement[] = [];
  let depth = 0;
  let continued = false;
  let current: Statement | null = null;
  if (nested) out.push((current = { start: from, end: from, kind: 'other' }));
  /** The statements' indentation (a class body's is known at its first line). */
  let base: string | null = nested ? null : '';
  /** The current statement is decorators still waiting for their `def` or `class`. */
  let decorating = false;
  let lineStart = from;
  while (lineStart < to) {
    let p = lineStart;
    for (let c = text.charCodeAt(p); c === 32 || c === 9; c = text.charCodeAt(++p));
    if (lenient && p === lineStart && (depth > 0 || continued) && kindOf(text.slice(p, p + 10))) {
      depth = 0;
      continued = false;
    }
    // Inside brackets or after a backslash the line continues the statement, whatever its indent.
    const inside = depth > 0 || continued;
    const c = p < to ? text.charCodeAt(p) : 10;
    const indent = p - lineStart;
    let opens = false;
    let extend = inside;
    if (!inside) {
      if (c === 12) {
        // A form feed resets the indentation count: unsure unless the line is blank.
        if (/\S/.test(text.slice(p + 1, text.indexOf('\n', p) >>> 0))) return { out, failedAt: lineStart };
      } else if (c === 35) {
        extend = base !== null && indent > base.length;
      } else if (c !== 10 && c !== 13) {
        if (base === null && indent > 0) base = text.slice(lineStart, p);
        if (base === null) extend = true; // the class's header
        else if (!text.startsWith(base, lineStart)) return { out, failedAt: lineStart };
        else if (indent === base.length) opens = true;
        else extend = true;
      }
    }
    if (opens) {
      const head = text.slice(p, p + 10);
      const kind = kindOf(head);
      if (decorating && current && (kind || c === 64)) {
        if (kind) {
          current.kind = kind;
          decorating = false;
        }
      } else {
        out.push((current = { start: lineStart, end: lineStart, kind: kind ?? 'other' }));
        decorating = c === 64; // '@'
      }
    }
    // Tokenize the line (and any string it opens, across lines).
    continued = false;
    let at = p;
    let lineEnd = to;
    for (;;) {
      const i = nextInteresting(text, at, to);
      if (i < 0) break;
      const ch = text.charCodeAt(i);
      if (ch === 10) {
        lineEnd = i + 1;
        break;
      }
      if (ch === 35) {
        // A comment runs to the line's end.
        const nl = text.indexOf('\n', i);
        lineEnd = nl < 0 || nl >= to ? to : nl + 1;
        break;
      }
      if (ch === 92) {
        // A backslash outside strings joins the next line, or is an error in the code.
        const next = text.charCodeAt(i + 1);
        if (next === 10 || (next === 13 && text.charCodeAt(i + 2) === 10)) {
          continued = true;
          lineEnd = Math.min(to, next === 10 ? i + 2 : i + 3);
          break;
        }
        at = i + 1;
        continue;
      }
      if (ch === 40 || ch === 91 || ch === 123) depth++;
      else if (ch === 41 || ch === 93 || ch === 125) {
        if (--depth < 0) {
          if (!lenient) return { out, failedAt: current?.start ?? lineStart };
          depth = 0;
        }
      } else {
        // A string: to its closing quote, across lines when triple-quoted.
        let end = stringEnd(text, i);
        if (end < 0 && lenient && !isTriple(text, i)) {
          // Open to the end of its line (the line break is read as usual).
          const nl = text.indexOf('\n', i);
          end = nl < 0 || nl > to ? to : nl;
        }
        if (end < 0 || end > to) return { out, failedAt: current?.start ?? lineStart };
        at = end;
        continue;
      }
      at = i + 1;
    }
    if (current && (opens || extend)) current.end = lineEnd;
    lineStart = lineEnd;
  }
  // Read leniently, an open bracket or backslash at the end of the text is the last statement's
  // own error; before more text it may take in what follows (a decorator line, say).
  if (((depth > 0 || continued) && (!lenient || to < text.length)) || decorating) return { out, failedAt: current?.start ?? lineStart };
  return { out, failedAt: null };
}

function isTriple(text: string, q: number): boolean {
  const quote = text.charCodeAt(q);
  return text.charCodeAt(q + 1) === quote && text.charCodeAt(q + 2) === quote;
}

/** Offset just past the string literal whose quote is at `q`, or -1 when it never closes. */
function stringEnd(text: string, q: number): number {
  const quote = text.charCodeAt(q);
  const triple = text.charCodeAt(q + 1) === quote && text.charCodeAt(q + 2) === quote;
  if (triple) {
    const close = quote === 34 ? '"""' : "'''";
    let i = q + 3;
    for (;;) {
      const j = text.indexOf(close, i);
      if (j < 0) return -1;
      // The closing quotes are real unless an odd run of backslashes escapes the first.
      let k = j - 1;
      let escapes = 0;
      while (k >= i && text.charCodeAt(k) === 92) {
        escapes++;
        k--;
      }
      if (escapes % 2 === 0) return j + 3;
      i = j + 1;
    }
  }
  for (let i = q + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === quote) return i + 1;
    if (c === 92) i++;
    else if (c === 10) return -1;
  }
  return -1;
}

const FROM_IMPORT = /\bfrom[ \t]+(\.*[\w.]*)[ \t]+import[ \t]*(\([^)]*\)|(?:[^\n\\#;]|\\\r?\n)*)/g;
const IMPORT = /\bimport[ \t]+((?:[^\n\\#;()]|\\\r?\n)*)/g;

/**
 * Every name the file's import statements may bind to another name, read from the text alone.
 * A superset of what the tree's imports give (text in strings counts too), and a name imported
 * twice stands for both: the decision must never miss a word a rule needs.
 */
export function importAliases(text: string): AliasLookup {
  const map = new Map<string, string>();
  const add = (alias: string, qualified: string) => {
    const had = map.get(alias);
    map.set(alias, had && had !== qualified ? `${had}.${qualified}` : qualified);
  };
  const items = (list: string) => list.replace(/[()\\\r\n]/g, ' ').split(',').map((s) => s.trim().split(/\s+/));
  if (!text.includes('import')) return { aliasOf: () => undefined };
  FROM_IMPORT.lastIndex = 0;
  for (let m = FROM_IMPORT.exec(text); m; m = FROM_IMPORT.exec(text)) {
    const prefix = m[1].replace(/^\.+/, '');
    for (const parts of items(m[2])) {
      const name = parts[0];
      if (!name || name === '*') continue;
      const qualified = prefix ? `${prefix}.${name}` : name;
      add(parts[1] === 'as' && parts[2] ? parts[2] : name, qualified);
    }
  }
  IMPORT.lastIndex = 0;
  for (let m = IMPORT.exec(text); m; m = IMPORT.exec(text)) {
    for (const parts of items(m[1])) if (parts[1] === 'as' && parts[0] && parts[2]) add(parts[2], parts[0]);
  }
  return { aliasOf: (w) => map.get(w) };
}

const IMPORT_WORD = /\bimport\b/;

/** A statement or method, where it is, and what deciding said of it (triggers.ts `planWalks`). */
interface Piece extends PlanUnit {
  start: number;
  end: number;
  methods?: Method[] | null;
  /** The class's body holds a statement besides its methods (a docstring, an attribute). */
  other?: boolean;
  /** Not walked, but kept for the names its imports bind (names.ts). */
  imports?: boolean;
}

interface Method extends PlanMethod {
  start: number;
  end: number;
  imports?: boolean;
}

/** What a scan needs to parse and analyse a file, decided from its text alone. */
export interface SparsePlan {
  /**
   * The text to parse: the code the analysis would not walk (top-level definitions, methods of
   * walked classes) removed down to its line breaks, so every kept line keeps its row and
   * columns (only offsets change; findings carry rows and columns).
   */
  text: string;
  /** The words of every definition, read while deciding, for the analysis not to read them again. */
  known: KnownScans;
}

/**
 * Which code of `text` the analysis of `rules` would not walk, decided as run.ts decides but from
 * a superset of the words (import aliases read from the text, statements that run to their last
 * indented line), so the analysis of what is kept finds what it would on the whole file
 * (test/unit/triggers.test.ts and bench/exhaustive-check.mjs compare the two). Null when it
 * cannot tell (a whole-file rule may report, the text does not tokenize cleanly).
 */
export function sparsePlan(text: string, rules: readonly Rule[]): SparsePlan | null {
  const triggers = TriggerIndex.of(rules);
  // Whole-file rules look at the whole tree: where one may report, nothing is left out.
  if (triggers.fileRuleMayReport(text)) return null;
  const stmts = statements(text);
  if (!stmts) return null;
  const names = importAliases(text);
  const off = triggers.offIn(text);
  const scan = (from: number, to: number) => TriggerIndex.without(triggers.scan(text.slice(from, to), names), off);
  const pieces: Piece[] = stmts.map((s) => {
    const body = s.kind === 'class' ? statements(text, s.start, s.end, true) : null;
    if (!body) return { start: s.start, end: s.end, def: s.kind !== 'other', isClass: s.kind === 'class', scan: scan(s.start, s.end) };
    // Each character is read once: the methods, then what is left of the class.
    const methods: Method[] = [];
    let rest = '';
    let from = s.start;
    let other = false;
    for (const m of body.slice(1)) {
      if (m.kind !== 'def') {
        other = true;
        continue;
      }
      methods.push({ start: m.start, end: m.end, scan: scan(m.start, m.end) });
      rest += text.slice(from, m.start);
      from = m.end;
    }
    const restScan = TriggerIndex.without(triggers.scan(rest + text.slice(from, s.end), names), off);
    const whole = mergeScans([restScan, ...methods.map((m) => m.scan)], rules.length);
    return { start: s.start, end: s.end, def: true, isClass: true, scan: whole, rest: restScan, methods, other };
  });
  planWalks(pieces, rules.map((r) => !!(r.onCall || r.onNode || r.onReturn)));
  // Imports inside code not walked still name things for the whole file (names.ts).
  for (const p of pieces) {
    if (!p.walk) p.imports = IMPORT_WORD.test(text.slice(p.start, p.end));
    else for (const m of p.methods ?? []) if (!m.needed) m.imports = IMPORT_WORD.test(text.slice(m.start, m.end));
  }
  return { text: compact(text, pieces), known: knownScans(text, pieces) };
}

/** A method of a walked class stays in the sparse text. */
function kept(m: Method): boolean {
  return !!m.needed || !!m.imports;
}

/** `text` without the pieces left out, down to their line breaks. */
function compact(text: string, pieces: Piece[]): string {
  let out = '';
  let from = 0;
  const drop = (start: number, end: number, placeholder: boolean) => {
    out += text.slice(from, start);
    if (placeholder) {
      // A class body left with no statement would not parse: `0` stands in, at the method's place.
      const at = start + text.slice(start, end).search(/\S/);
      out += `${text.slice(start, at)}0`;
    }
    const piece = text.slice(placeholder ? text.indexOf('\n', start) >>> 0 : start, end);
    out += piece.replace(/[^\r\n]+/g, '');
    from = end;
  };
  for (const piece of pieces) {
    if (!piece.walk && !piece.imports) drop(piece.start, piece.end, false);
    else if (piece.walk && piece.methods) {
      const left = piece.methods.filter((m) => !kept(m));
      const empty = left.length === piece.methods.length && !piece.other;
      left.forEach((m, i) => drop(m.start, m.end, empty && i === 0));
    }
  }
  return from === 0 ? text : out + text.slice(from);
}

/** The pieces' words by first row, for the analysis (run.ts `known`). */
function knownScans(text: string, pieces: Piece[]): KnownScans {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  const rowOf = (offset: number) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };
  /** A piece by its first row, with the last row its text reaches (line breaks after it excluded). */
  const byRow = <T extends { start: number; end: number }>(list: T[]) => new Map(list.map((p) => [rowOf(p.start), { piece: p, endRow: rowOf(Math.max(p.start, p.end - 1)) }]));
  const units = byRow(pieces);
  return {
    unit(row, endRow) {
      const u = units.get(row);
      return u && endRow <= u.endRow ? u.piece.scan : undefined;
    },
    classOf(row, endRow) {
      const u = units.get(row);
      if (!u || endRow > u.endRow || !u.piece.methods || !u.piece.rest) return undefined;
      const methods = byRow(u.piece.methods);
      return {
        rest: u.piece.rest,
        // What the tree will hold: a walked class's methods that stay, or all of one kept whole.
        methodCount: u.piece.walk ? u.piece.methods.filter(kept).length : u.piece.methods.length,
        method(mRow, mEndRow) {
          const m = methods.get(mRow);
          return m && mEndRow <= m.endRow ? m.piece.scan : undefined;
        },
      };
    },
  };
}

/**
 * A tree for analysing `text` once with `rules` (no later edits), and the text to analyse with
 * it: the sparse text and what deciding it learnt, unless that has a syntax error, when the whole
 * file is parsed so that error recovery sees all of it.
 */
export function parseForAnalysis(text: string, rules: readonly Rule[], exhaustive: boolean): { tree: Tree; text: string; known?: KnownScans } {
  const plan = exhaustive ? null : sparsePlan(text, rules);
  if (plan) {
    const tree = parse(plan.text);
    if (!tree.rootNode.hasError) return { tree, text: plan.text, known: plan.known };
    tree.delete();
  }
  return { tree: parse(text), text };
}
