// A small analyser for regular expressions whose matching time can explode (catastrophic
// backtracking): a quantified group whose body can itself repeat (`(a+)+`, `(\w+\s?)*`), or
// whose alternatives overlap (`(a|a)*`, `(\w|\d)+`). Deliberately conservative: it reports
// only shapes that backtrack exponentially, not every polynomial case.

interface Item {
  /** The item can match more than one character by repeating (has an unbounded quantifier inside). */
  repeats: boolean;
  /** Characters the item may start with, coarse classes ('w' word, 'd' digit, 's' space, 'any' any, or a literal char). */
  first: Set<string>;
  /** Characters any part of the item may consist of. */
  chars: Set<string>;
  /** It may match the empty string. */
  empty: boolean;
  /** A sequence with a mandatory part no repeated part can match (`\w+\.`): its repetitions cannot be split two ways. */
  separated?: boolean;
}

const EMPTY = (): Item => ({ repeats: false, first: new Set(), chars: new Set(), empty: true });
const single = (cls: Set<string>): Item => ({ repeats: false, first: cls, chars: cls, empty: false });

const UNBOUNDED = /^(\*|\+|\{\d*,\})/;

function classOf(atom: string): Set<string> {
  if (atom === '.') return new Set([ANY]);
  if (/^\\[wW]$/.test(atom)) return new Set(['w', 'd']);
  if (/^\\[dD]$/.test(atom)) return new Set(['d']);
  if (/^\\[sS]$/.test(atom)) return new Set(['s']);
  if (atom.startsWith('[')) {
    const body = atom.slice(1, -1);
    if (body.startsWith('^')) return new Set([ANY]);
    const out = new Set<string>();
    if (/\\w|a-z|A-Z/.test(body)) out.add('w');
    if (/\\d|0-9|\\w/.test(body)) out.add('d');
    if (/\\s| /.test(body)) out.add('s');
    for (const ch of body.replace(/\\[wds]|[^\\]-[^\]]/g, '')) if (ch !== '\\') out.add(ch.toLowerCase());
    return out;
  }
  const ch = atom.startsWith('\\') ? atom.slice(1) : atom;
  return new Set([ch.toLowerCase()]);
}

const ANY = 'any';
const CLASSES = new Set(['w', 'd', 's', ANY]);
/** Whether a coarse class contains a literal character. */
function classHas(cls: string, ch: string): boolean {
  if (cls === ANY) return true;
  if (cls === 'w') return /^[a-z0-9_]$/.test(ch);
  if (cls === 'd') return /^[0-9]$/.test(ch);
  if (cls === 's') return /^\s$/.test(ch);
  return false;
}

function overlaps(a: Set<string>, b: Set<string>): boolean {
  if (a.has(ANY) || b.has(ANY)) return true;
  for (const x of a) {
    if (b.has(x)) return true;
    for (const y of b) {
      if (CLASSES.has(x) && !CLASSES.has(y) && classHas(x, y)) return true;
      if (CLASSES.has(y) && !CLASSES.has(x) && classHas(y, x)) return true;
      if ((x === 'w' && y === 'd') || (x === 'd' && y === 'w')) return true;
    }
  }
  return false;
}

class Parser {
  i = 0;
  found = false;
  constructor(readonly src: string) {}

  /** An alternation up to `)` or the end; returns its alternatives' summaries. */
  alternation(): Item[] {
    const alts: Item[] = [this.sequence()];
    while (this.src[this.i] === '|') {
      this.i++;
      alts.push(this.sequence());
    }
    return alts;
  }

  sequence(): Item {
    const seq = EMPTY();
    const items: Item[] = [];
    while (this.i < this.src.length && this.src[this.i] !== '|' && this.src[this.i] !== ')') {
      const item = this.quantified();
      if (!item) continue;
      items.push(item);
      if (seq.empty) for (const f of item.first) seq.first.add(f);
      for (const c of item.chars) seq.chars.add(c);
      seq.repeats ||= item.repeats;
      seq.empty &&= item.empty;
    }
    const repeated = new Set(items.filter((i) => i.repeats).flatMap((i) => [...i.chars]));
    seq.separated = items.some((i) => !i.empty && !i.repeats && i.chars.size > 0 && !overlaps(i.chars, repeated));
    return seq;
  }

  quantified(): Item | null {
    const atom = this.atom();
    if (!atom) return null;
    const rest = this.src.slice(this.i);
    const q = /^(\*|\+|\?|\{\d*(,\d*)?\})\??\+?/.exec(rest);
    if (!q) return atom.item;
    this.i += q[0].length;
    const unbounded = UNBOUNDED.test(q[1]);
    if (unbounded && atom.group) {
      // (x+)+ : the body can repeat, and so can the group: exponential ways to split the input.
      if (atom.alts.some((a) => a.repeats && !a.separated)) this.found = true;
      // (a|ab)* or (\w|\d)+: overlapping alternatives under a repeat.
      const alts = atom.alts;
      for (let a = 0; a < alts.length && !this.found; a++) {
        for (let b = a + 1; b < alts.length; b++) if (overlaps(alts[a].first, alts[b].first)) { this.found = true; break; }
      }
    }
    return {
      repeats: atom.item.repeats || unbounded,
      first: atom.item.first,
      chars: atom.item.chars,
      empty: atom.item.empty || q[1] === '*' || q[1] === '?' || q[1].startsWith('{0'),
    };
  }

  atom(): { item: Item; group: boolean; alts: Item[] } | null {
    const c = this.src[this.i];
    if (c === '(') {
      this.i++;
      let lookaround = false;
      if (this.src[this.i] === '?') {
        const m = /^\?(:|P<\w+>|<\w+>|[=!]|<[=!]|[aiLmsux-]+[:)])/.exec(this.src.slice(this.i));
        if (m) {
          lookaround = /^\?(<?[=!])$/.test(m[0]);
          this.i += m[0].length;
          if (m[0].endsWith(')')) return null; // inline flags `(?i)`
        }
      }
      const alts = this.alternation();
      if (this.src[this.i] === ')') this.i++;
      if (lookaround) return { item: EMPTY(), group: false, alts: [] };
      const item: Item = {
        repeats: alts.some((a) => a.repeats),
        first: new Set(alts.flatMap((a) => [...a.first])),
        chars: new Set(alts.flatMap((a) => [...a.chars])),
        empty: alts.some((a) => a.empty),
      };
      return { item, group: true, alts };
    }
    if (c === '[') {
      let j = this.i + 1;
      if (this.src[j] === '^') j++;
      if (this.src[j] === ']') j++;
      while (j < this.src.length && this.src[j] !== ']') j += this.src[j] === '\\' ? 2 : 1;
      const atom = this.src.slice(this.i, j + 1);
      this.i = j + 1;
      return { item: single(classOf(atom)), group: false, alts: [] };
    }
    if (c === '\\') {
      const atom = this.src.slice(this.i, this.i + 2);
      this.i += 2;
      if (/^\\[bBAZ]$/.test(atom)) return { item: EMPTY(), group: false, alts: [] };
      return { item: single(classOf(atom)), group: false, alts: [] };
    }
    this.i++;
    if (c === '^' || c === '$') return { item: EMPTY(), group: false, alts: [] };
    return { item: single(classOf(c)), group: false, alts: [] };
  }
}

/** Whether the pattern has a nested or overlapping repetition that backtracks exponentially. */
export function isCatastrophic(pattern: string): boolean {
  if (pattern.length > 2000) return false;
  const p = new Parser(pattern);
  try {
    while (p.i < pattern.length) {
      p.alternation();
      if (pattern[p.i] === ')') p.i++;
    }
  } catch {
    return false;
  }
  return p.found;
}
