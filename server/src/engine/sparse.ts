// The text a headless scan parses: the file with every top-level definition that the analysis
// would not walk (see triggers.ts) blanked to spaces, line breaks kept, so offsets and rows are
// unchanged and the tree holds only what can report. Parsing is the largest cost of a scan, and
// most definitions call nothing a rule cares about. Deciding needs the file's statements before
// any tree exists, so a small Python tokenizer finds them; when it is unsure it gives up and the
// whole file is parsed.
import type { Tree } from 'web-tree-sitter';
import { parse } from './parser';
import type { Rule } from './rule';
import { TriggerIndex, type AliasLookup, type UnitScan } from './triggers';

/** A statement: offsets into the text, from its first character to its last line's end. */
export interface Statement {
  start: number;
  end: number;
  /** `def` and `async def`, `class`, each with any decorators before it; else `other`. */
  kind: 'def' | 'class' | 'other';
}

const INTERESTING = /[#'"\\()[\]{}\n]/g;
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
    // Inside brackets or after a backslash the line continues the statement, whatever its indent.
    const inside = depth > 0 || continued;
    let p = lineStart;
    for (let c = text.charCodeAt(p); c === 32 || c === 9; c = text.charCodeAt(++p));
    const c = p < to ? text.charCodeAt(p) : 10;
    const indent = p - lineStart;
    let opens = false;
    let extend = inside;
    if (!inside) {
      if (c === 12) {
        // A form feed resets the indentation count: unsure unless the line is blank.
        if (/\S/.test(text.slice(p + 1, text.indexOf('\n', p) >>> 0))) return null;
      } else if (c === 35) {
        extend = base !== null && indent > base.length;
      } else if (c !== 10 && c !== 13) {
        if (base === null && indent > 0) base = text.slice(lineStart, p);
        if (base === null) extend = true; // the class's header
        else if (!text.startsWith(base, lineStart)) return null;
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
    INTERESTING.lastIndex = p;
    let lineEnd = to;
    for (;;) {
      const m = INTERESTING.exec(text);
      if (!m || m.index >= to) break;
      const i = m.index;
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
        INTERESTING.lastIndex = i + 1;
        continue;
      }
      if (ch === 40 || ch === 91 || ch === 123) depth++;
      else if (ch === 41 || ch === 93 || ch === 125) {
        if (--depth < 0) return null;
      } else {
        // A string: to its closing quote, across lines when triple-quoted.
        const end = stringEnd(text, i);
        if (end < 0 || end > to) return null;
        INTERESTING.lastIndex = end;
        continue;
      }
      INTERESTING.lastIndex = i + 1;
    }
    if (current && (opens || extend)) current.end = lineEnd;
    lineStart = lineEnd;
  }
  if (depth > 0 || continued || decorating) return null;
  return out;
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

/** A piece of code the analysis may leave out, and what deciding needs to know of it. */
interface Piece {
  start: number;
  end: number;
  scan: UnitScan;
  /** 0 left out, 1 walked, 2 kept only for the names its imports bind (names.ts). */
  keep: 0 | 1 | 2;
  /** A class whose methods are decided one by one (as run.ts does once the class is walked). */
  methods?: Piece[];
}

/**
 * The text to parse for analysing `text` with `rules`: the same text with the code the analysis
 * would not walk blanked (top-level definitions, and methods of walked classes), or `text`
 * itself when nothing can be left out or it cannot tell. It decides as run.ts does, from a
 * superset of the words (aliases read from the text, whole classes scanned at once), so the
 * analysis of its tree, given the original text, finds what it would on the whole file
 * (bench/exhaustive-check.mjs compares the two on any tree).
 */
export function leftOut(text: string, rules: readonly Rule[]): Blank[] {
  const triggers = TriggerIndex.of(rules);
  // Whole-file rules look at the whole tree: where one may report, nothing is left out.
  if (triggers.fileRuleMayReport(text)) return [];
  const stmts = statements(text);
  if (!stmts) return [];
  const names = importAliases(text);
  const walkRule = rules.map((r) => !!(r.onCall || r.onNode || r.onReturn));
  const off = triggers.offIn(text);
  const walks = (scan: UnitScan) => scan.marker || scan.active.some((i) => walkRule[i] && !off?.[i]);
  const waiting = new Map<string, Piece[]>();
  const wait = (scan: UnitScan, piece: Piece, self: boolean) => {
    for (const d of scan.defs) {
      const key = self ? `self.${d}` : d;
      const list = waiting.get(key);
      if (list) list.push(piece);
      else waiting.set(key, [piece]);
    }
  };
  const queue: string[][] = [];
  /** Kept because its words call for a walk, or walked code calls it. */
  const walk = (piece: Piece) => {
    piece.keep = 1;
    queue.push(piece.scan.calls);
  };
  const pieces: Piece[] = [];
  for (const s of stmts) {
    if (s.kind === 'other') continue;
    const own = text.slice(s.start, s.end);
    const piece: Piece = { start: s.start, end: s.end, scan: triggers.scan(own, names), keep: 0 };
    pieces.push(piece);
    const body = s.kind === 'class' && walks(piece.scan) ? statements(text, s.start, s.end, true) : null;
    if (body) {
      // Walked: its other statements always, each method as its own words or callers say.
      piece.keep = 1;
      piece.methods = [];
      let rest = '';
      let from = s.start;
      for (const m of body) {
        if (m.kind !== 'def') continue;
        const method: Piece = { start: m.start, end: m.end, scan: triggers.scan(text.slice(m.start, m.end), names), keep: 0 };
        piece.methods.push(method);
        rest += text.slice(from, m.start);
        from = m.end;
        if (walks(method.scan)) walk(method);
        else {
          if (IMPORT_WORD.test(text.slice(m.start, m.end))) method.keep = 2;
          wait(method.scan, method, true);
        }
      }
      queue.push(triggers.scan(rest + text.slice(from, s.end), names).calls);
    } else if (walks(piece.scan)) walk(piece);
    else {
      if (IMPORT_WORD.test(own)) piece.keep = 2;
      wait(piece.scan, piece, s.kind === 'class');
    }
  }
  // Helpers that walked code calls are walked for their return summaries (as run.ts decides).
  const called = new Set<string>();
  while (queue.length > 0) {
    for (const c of queue.pop()!) {
      if (called.has(c)) continue;
      called.add(c);
      for (const piece of waiting.get(c) ?? []) if (piece.keep !== 1) walk(piece);
    }
  }
  const out: Blank[] = [];
  for (const piece of pieces) {
    if (!piece.keep) out.push({ start: piece.start, end: piece.end, placeholder: false });
    else if (piece.methods) {
      const left = piece.methods.filter((m) => !m.keep);
      if (left.length === 0) continue;
      const empty = left.length === piece.methods.length && !hasOtherStatement(text, piece);
      left.forEach((m, i) => out.push({ start: m.start, end: m.end, placeholder: empty && i === 0 }));
    }
  }
  return out;
}

/** A stretch of the text left out, in order; `placeholder`: its first statement becomes `0`. */
export interface Blank {
  start: number;
  end: number;
  placeholder: boolean;
}

/** `text` with the `blanks` turned to spaces (line ends kept, so every offset and row is unchanged). */
export function sparseText(text: string, rules: readonly Rule[]): string {
  const blanks = leftOut(text, rules);
  if (blanks.length === 0) return text;
  let out = '';
  let from = 0;
  for (const { start, end, placeholder } of blanks) {
    let spaces = text.slice(start, end).replace(/[^\r\n]/g, ' ');
    if (placeholder) {
      // A class body left with no statement would not parse: `0` stands in, an inert expression.
      const at = text.slice(start, end).search(/\S/);
      spaces = `${spaces.slice(0, at)}0${spaces.slice(at + 1)}`;
    }
    out += text.slice(from, start) + spaces;
    from = end;
  }
  return out + text.slice(from);
}

/** The class has a statement in its body besides its methods (a docstring, an attribute). */
function hasOtherStatement(text: string, cls: Piece): boolean {
  const body = statements(text, cls.start, cls.end, true);
  return !!body && body.slice(1).some((s) => s.kind !== 'def');
}

/**
 * A tree for analysing `text` once with `rules` (no later edits): of the sparse text, unless
 * that has a syntax error, when the whole file is parsed so error recovery sees all of it.
 */
export function parseForAnalysis(text: string, rules: readonly Rule[], exhaustive: boolean): Tree {
  const sparse = exhaustive ? text : sparseText(text, rules);
  if (sparse === text) return parse(text);
  const tree = parse(sparse);
  if (!tree.rootNode.hasError) return tree;
  tree.delete();
  return parse(text);
}
