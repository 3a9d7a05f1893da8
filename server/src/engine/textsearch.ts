// Whole-text pattern tests (a rule's `fileTrigger`, a whole-file rule's `triggerPattern`) kept up
// to date across edits without reading the whole text again. A pattern is split into what can be
// searched for apart:
// - alternatives: `A|B` matches where A or B does;
// - the "both somewhere" form `^(?=[^]*?A)[^]*?B`: A matches somewhere and B matches somewhere;
// - local parts: no anchor, lookaround or back-reference, so whether a match spans [a, b) depends
//   on the characters from a-1 to b alone (`\b` reads one character on each side).
// A local part's last match stays a match when it lies (with those neighbours) in the unchanged
// start or end of the text. A local part that had no match, and whose matches are at most `max`
// characters long, can only have gained one around the changed middle: only that window is
// searched (each hit there confirmed on the whole text, so the window's edges cannot invent one).
// Anything else is tested on the whole text, as before.
import type { TextDiff } from './textdiff';

/** The last match of a local part, as offsets into the text it was found in (null: none). */
export type SearchMemo = Map<RegExp, [number, number] | null>;

type Plan =
  | { kind: 'any'; parts: Plan[] }
  | { kind: 'all'; parts: Plan[] }
  | { kind: 'local'; key: RegExp; global: RegExp; sticky: RegExp; max: number }
  | { kind: 'whole'; re: RegExp };

const plans = new WeakMap<RegExp, Plan>();

/** `re` as parts searched apart (cached per pattern). */
export function planOf(re: RegExp): Plan {
  let plan = plans.get(re);
  if (!plan) {
    const flags = re.flags.replace(/[gyd]/g, '');
    plan = /[muv]/.test(flags) ? { kind: 'whole', re: new RegExp(re.source, flags) } : alternatives(re.source, flags);
    plans.set(re, plan);
  }
  return plan;
}

const BOTH = '^(?=[^]*?';

function alternatives(source: string, flags: string): Plan {
  const alts = splitTop(source);
  if (!alts) return { kind: 'whole', re: new RegExp(source, flags) };
  const parts = alts.map((alt): Plan => {
    if (alt.startsWith(BOTH)) {
      // `^(?=[^]*?A)[^]*?B`
      const close = groupEnd(alt, 1);
      const a = alt.slice(BOTH.length, close);
      const rest = alt.slice(close + 1);
      if (close > 0 && rest.startsWith('[^]*?')) return { kind: 'all', parts: [part(a, flags), part(rest.slice(5), flags)] };
    }
    return part(alt, flags);
  });
  return parts.length === 1 ? parts[0] : { kind: 'any', parts };
}

/** One alternative: a group of alternatives is split further; else local or whole. */
function part(source: string, flags: string): Plan {
  if (source.startsWith('(?:') && groupEnd(source, 0) === source.length - 1) {
    const inner = source.slice(3, -1);
    const alts = splitTop(inner);
    if (alts && alts.length > 1) return alternatives(inner, flags);
  }
  const max = maxLength(source);
  if (max === null) return { kind: 'whole', re: new RegExp(source, flags) };
  const key = new RegExp(source, flags);
  return { kind: 'local', key, global: new RegExp(source, flags + 'g'), sticky: new RegExp(source, flags + 'y'), max };
}

/** The top-level alternatives of `source` (null: unbalanced). */
function splitTop(source: string): string[] | null {
  const out: string[] = [];
  let depth = 0;
  let from = 0;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === '\\') i++;
    else if (c === '[') {
      i = classEnd(source, i);
      if (i < 0) return null;
    } else if (c === '(') depth++;
    else if (c === ')') {
      if (--depth < 0) return null;
    } else if (c === '|' && depth === 0) {
      out.push(source.slice(from, i));
      from = i + 1;
    }
  }
  if (depth !== 0) return null;
  out.push(source.slice(from));
  return out;
}

/** Index of the `]` closing the class opening at `i` (-1: none). */
function classEnd(source: string, i: number): number {
  // In JavaScript `[]` is an empty class and `[^]` any character: a `]` right after `[` closes it.
  let j = i + 1;
  if (source[j] === '^') j++;
  for (; j < source.length; j++) {
    if (source[j] === '\\') j++;
    else if (source[j] === ']') return j;
  }
  return -1;
}

/** Index of the `)` closing the group opening at `i` (-1: none). */
function groupEnd(source: string, i: number): number {
  let depth = 0;
  for (let j = i; j < source.length; j++) {
    const c = source[j];
    if (c === '\\') j++;
    else if (c === '[') {
      j = classEnd(source, j);
      if (j < 0) return -1;
    } else if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return j;
  }
  return -1;
}

/**
 * The longest match of a local pattern, in UTF-16 units (Infinity: unbounded); null when the
 * pattern is not local (anchors, lookaround, back-references) or not understood.
 */
export function maxLength(source: string): number | null {
  let i = 0;
  const seq = (): number | null => {
    let best = 0;
    let total = 0;
    for (;;) {
      if (i >= source.length || source[i] === ')') return Math.max(best, total);
      if (source[i] === '|') {
        best = Math.max(best, total);
        total = 0;
        i++;
        continue;
      }
      const t = term();
      if (t === null) return null;
      const q = quantifier(t);
      if (q === null) return null;
      total += q;
    }
  };
  const term = (): number | null => {
    const c = source[i];
    if (c === '^' || c === '$') return null;
    if (c === '\\') {
      const e = source[i + 1];
      if (e === undefined || /[1-9k]/.test(e)) return null;
      i += 2;
      if (e === 'b' || e === 'B') return 0;
      if (e === 'x') i += 2;
      else if (e === 'u') i += 4;
      else if (e === 'c') i += 1;
      return 1;
    }
    if (c === '[') {
      const end = classEnd(source, i);
      if (end < 0) return null;
      i = end + 1;
      return 1;
    }
    if (c === '(') {
      if (source.startsWith('(?:', i)) i += 3;
      else if (source.startsWith('(?<', i) && !/^\(\?<[=!]/.test(source.slice(i, i + 4))) {
        const close = source.indexOf('>', i);
        if (close < 0) return null;
        i = close + 1;
      } else if (source[i + 1] === '?') return null;
      else i++;
      const inner = seq();
      if (inner === null || source[i] !== ')') return null;
      i++;
      return inner;
    }
    i++;
    return 1;
  };
  const quantifier = (len: number): number | null => {
    const c = source[i];
    let out = len;
    if (c === '*' || c === '+') {
      i++;
      out = len === 0 ? 0 : Infinity;
    } else if (c === '?') {
      i++;
    } else if (c === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(source.slice(i));
      if (!m) return out; // a literal `{`, counted by the next term
      i += m[0].length;
      const upper = m[2] === undefined ? Number(m[1]) : m[3] === '' ? Infinity : Number(m[3]);
      out = len === 0 ? 0 : len * upper;
    } else return out;
    if (source[i] === '?') i++;
    return out;
  };
  const max = seq();
  return max === null || i !== source.length ? null : max;
}

/**
 * Tests patterns on `text`, reusing what they found in the last text (`memo`, valid for the text
 * `diff` starts from). `next` collects what they find here, for the next text.
 */
export class TextSearch {
  readonly next: SearchMemo = new Map();

  constructor(
    private readonly text: string,
    private readonly diff: TextDiff | null,
    private readonly memo: SearchMemo | undefined,
  ) {}

  test(re: RegExp): boolean {
    return this.run(planOf(re));
  }

  private run(plan: Plan): boolean {
    switch (plan.kind) {
      case 'any':
        return plan.parts.some((p) => this.run(p));
      case 'all':
        return plan.parts.every((p) => this.run(p));
      case 'whole':
        return plan.re.test(this.text);
      case 'local': {
        if (this.next.has(plan.key)) return this.next.get(plan.key) !== null;
        const hit = this.local(plan);
        this.next.set(plan.key, hit);
        return hit !== null;
      }
    }
  }

  private local(plan: { key: RegExp; global: RegExp; sticky: RegExp; max: number }): [number, number] | null {
    const { text, diff } = this;
    const last = diff ? this.memo?.get(plan.key) : undefined;
    if (!diff || last === undefined) return this.whole(plan.global);
    const newLen = text.length;
    const oldLen = diff.oldLength;
    if (last) {
      const [a, b] = last;
      // The match and its neighbours are in the unchanged start, or in the unchanged end.
      if (b < diff.prefix) return last;
      if (a - 1 >= oldLen - diff.suffix) return [a + newLen - oldLen, b + newLen - oldLen];
      return this.whole(plan.global);
    }
    if (plan.max === Infinity) return this.whole(plan.global);
    // No match before: a new one overlaps the changed middle, starting within `max` of it.
    const from = Math.max(0, diff.prefix - plan.max - 1);
    const to = Math.min(newLen, newLen - diff.suffix + plan.max + 2);
    const window = text.slice(from, to);
    const re = plan.global;
    re.lastIndex = 0;
    for (let m = re.exec(window); m; m = re.exec(window)) {
      const at = from + m.index;
      plan.sticky.lastIndex = at;
      const real = plan.sticky.exec(text);
      if (real) return [at, at + real[0].length];
      re.lastIndex = m.index + 1;
    }
    return null;
  }

  private whole(re: RegExp): [number, number] | null {
    re.lastIndex = 0;
    const m = re.exec(this.text);
    return m ? [m.index, m.index + m[0].length] : null;
  }
}
