// Which rules can report in a piece of code, from its words alone. Most code calls nothing a
// rule cares about: reading its words once in JS is far cheaper than walking its tree across
// the WASM boundary, so the walk skips rules, and whole top-level statements, whose trigger
// words do not appear. Words reached through import aliases count under their real names
// (`from subprocess import run as r`: `r` counts as `subprocess` and `run`).
import type { Rule } from './rule';
import type { TextSearch } from './textsearch';

/** What an imported name stands for (names.ts; sparse.ts reads it from the text alone). */
export interface AliasLookup {
  aliasOf(name: string): string | undefined;
}

/** What the words of one top-level statement say. */
export interface UnitScan {
  /** Indexes (into the rule list) of the rules whose triggers appear. */
  active: number[];
  /**
   * Calls whose same-module summaries it may read: `name` for `name(...)` (a module-level
   * function), `self.name` for `self.name(...)` (a method); calls on other objects have none.
   */
  calls: string[];
  /** Names of the functions and methods it defines. */
  defs: string[];
  /** It holds a suppression comment, whose use must be accounted for even if nothing runs there. */
  marker: boolean;
}

/** Words of suppression comments, in lower case (`# SecLens: ignore` counts too). */
const MARKERS = new Set(['nosec', 'noqa', 'nosemgrep', 'seclens']);
const WORD = /[A-Za-z_][A-Za-z0-9_]*/g;

const withoutCache = new WeakMap<UnitScan, { off: Uint8Array; scan: UnitScan }>();

export class TriggerIndex {
  private static readonly cache = new WeakMap<readonly Rule[], TriggerIndex>();
  private readonly byWord = new Map<string, number[]>();
  private readonly patterns: [number, RegExp][] = [];
  private readonly fileRulesOf = new WeakMap<UnitScan, number[]>();
  /** The last answer of `offIn` (never changed once returned). */
  private lastOff: Uint8Array | null = null;
  /** Rules without triggers: they run everywhere. */
  readonly always: number[] = [];
  /** The whole-file rules' words and patterns, as patterns over the whole text. */
  private readonly fileRules: RegExp[];

  private constructor(readonly rules: readonly Rule[]) {
    rules.forEach((rule, i) => {
      if (!rule.triggers && !rule.triggerPattern) {
        this.always.push(i);
        return;
      }
      for (const w of rule.triggers ?? []) {
        const list = this.byWord.get(w);
        if (list) list.push(i);
        else this.byWord.set(w, [i]);
      }
      if (rule.triggerPattern) this.patterns.push([i, rule.triggerPattern]);
    });
    const file = rules.filter((r) => r.onFile);
    this.fileRules = file.flatMap((r) => [
      ...(r.triggers?.length ? [new RegExp(`\\b(?:${r.triggers.join('|')})\\b`)] : []),
      ...(r.triggerPattern ? [new RegExp(r.triggerPattern.source, r.triggerPattern.flags.replace(/[gy]/g, ''))] : []),
      ...(!r.triggers && !r.triggerPattern ? [/[^]/] : []),
    ]);
  }

  /** Of the rules active in `scan`, the whole-file ones (`onFile`), once per scan. */
  fileRulesIn(scan: UnitScan): number[] {
    let out = this.fileRulesOf.get(scan);
    if (!out) this.fileRulesOf.set(scan, (out = scan.active.filter((i) => this.rules[i].onFile)));
    return out;
  }

  /**
   * The rules whose `fileTrigger` does not match `text`: they cannot report in that file. With
   * `search` (on the same text), tested from what the patterns found in the last text.
   */
  offIn(text: string, search?: TextSearch): Uint8Array | null {
    let off: Uint8Array | null = null;
    this.rules.forEach((r, i) => {
      if (r.fileTrigger && !(search ? search.test(r.fileTrigger) : r.fileTrigger.test(text))) (off ??= new Uint8Array(this.rules.length))[i] = 1;
    });
    // The same rules off as last time: the same array, so that `without` answers from its cache.
    const last = this.lastOff;
    if (off && last && (off as Uint8Array).every((v, i) => v === last[i])) return last;
    if (off) this.lastOff = off;
    return off;
  }

  /**
   * Whether a whole-file rule may report in `text`: its words or pattern appear anywhere (an
   * import alias names the real word in its import statement, so the text alone tells).
   */
  fileRuleMayReport(text: string): boolean {
    return this.fileRules.some((re) => re.test(text));
  }

  /** `scan` without the rules `off` turns off for the whole file (the same answer while `off` is the same array). */
  static without(scan: UnitScan, off: Uint8Array | null): UnitScan {
    if (!off) return scan;
    const known = withoutCache.get(scan);
    if (known?.off === off) return known.scan;
    const out = scan.active.some((i) => off[i]) ? { ...scan, active: scan.active.filter((i) => !off[i]) } : scan;
    withoutCache.set(scan, { off, scan: out });
    return out;
  }

  static of(rules: readonly Rule[]): TriggerIndex {
    let index = TriggerIndex.cache.get(rules);
    if (!index) {
      index = new TriggerIndex(rules);
      TriggerIndex.cache.set(rules, index);
    }
    return index;
  }

  scan(text: string, names: AliasLookup): UnitScan {
    const on = new Uint8Array(this.rules.length);
    for (const i of this.always) on[i] = 1;
    const calls = new Set<string>();
    const defs: string[] = [];
    let marker = false;
    let prev = '';
    const mark = (w: string) => {
      const list = this.byWord.get(w);
      if (list) for (const i of list) on[i] = 1;
    };
    WORD.lastIndex = 0;
    for (let m = WORD.exec(text); m; m = WORD.exec(text)) {
      const w = m[0];
      mark(w);
      const real = names.aliasOf(w);
      if (real) for (const part of real.split('.')) mark(part);
      if (prev === 'def') defs.push(w);
      else if (w.length >= 4 && w.length <= 9 && MARKERS.has(w.toLowerCase())) marker = true;
      let j = WORD.lastIndex;
      while (text.charCodeAt(j) === 32) j++;
      // (`def name(` and `class Name(` name what they define: no call.)
      if (text.charCodeAt(j) === 40 && prev !== 'def' && prev !== 'class') {
        let k = m.index - 1;
        while (text.charCodeAt(k) === 32) k--;
        if (text.charCodeAt(k) !== 46) calls.add(w);
        else if (prev === 'self' && text.slice(k - 4, k).trimEnd() === 'self') calls.add(`self.${w}`);
      }
      prev = w;
    }
    for (const [i, re] of this.patterns) if (!on[i] && re.test(text)) on[i] = 1;
    const active: number[] = [];
    for (let i = 0; i < on.length; i++) if (on[i]) active.push(i);
    return { active, calls: [...calls], defs, marker };
  }
}

/** The scan of pieces as one. */
export function mergeScans(parts: UnitScan[], rules: number): UnitScan {
  const on = new Uint8Array(rules);
  const calls = new Set<string>();
  const defs: string[] = [];
  let marker = false;
  for (const p of parts) {
    for (const i of p.active) on[i] = 1;
    for (const c of p.calls) calls.add(c);
    defs.push(...p.defs);
    marker ||= p.marker;
  }
  const active: number[] = [];
  for (let i = 0; i < rules; i++) if (on[i]) active.push(i);
  return { active, calls: [...calls], defs, marker };
}


/**
 * The words of definitions read from the text before any tree existed (sparse.ts), by first
 * row. Each reaches to the last indented line after the definition, so it holds at least the
 * words of the tree's node when that node ends no later (`endRow`); otherwise it is not used.
 */
export interface KnownScans {
  /** The top-level definition starting at `row` (a class: as a whole). */
  unit(row: number, endRow: number): UnitScan | undefined;
  /** The class starting at `row`: the words of its statements other than methods, and of each method. */
  classOf(row: number, endRow: number): { rest: UnitScan; methodCount: number; method(row: number, endRow: number): UnitScan | undefined } | undefined;
}

/** A method as `planWalks` sees it; `needed` is its answer. */
export interface PlanMethod {
  scan: UnitScan;
  needed?: boolean;
}

/** A top-level statement as `planWalks` sees it; `walk` is its answer. */
export interface PlanUnit {
  /** A function or class definition (other statements are always walked). */
  def: boolean;
  /** A class: its methods are called as `self.name(...)`. */
  isClass: boolean;
  /** Its words (a class's: of the whole), without the rules turned off for the file. */
  scan: UnitScan;
  /** A class read method by method: the words of its other statements, and its methods. */
  rest?: UnitScan | null;
  methods?: PlanMethod[] | null;
  walk?: boolean;
}

const selfKeys = new WeakMap<string[], string[]>();
/** `self.name` for each name of `defs`, made once per scan (scans are reused across keystrokes). */
function selfNames(defs: string[]): string[] {
  let keys = selfKeys.get(defs);
  if (!keys) selfKeys.set(defs, (keys = defs.map((d) => `self.${d}`)));
  return keys;
}

/**
 * Which statements and methods to walk. Module statements always; a definition or method when
 * some walking rule's words (`walks`) or a suppression word appear in it; a walked class's other
 * statements with it; and, for their return summaries, every function or method that walked code
 * calls (`name(...)`, `self.name(...)`), transitively. A class woken by a call is walked whole.
 * The one decision both the analysis (run.ts, on the tree) and a scan's sparse text (sparse.ts,
 * before any tree) take. Returns the names walked code calls.
 */
export function planWalks(units: readonly PlanUnit[], walkRule: readonly boolean[]): Set<string> {
  const walks = (scan: UnitScan) => scan.marker || scan.active.some((i) => walkRule[i]);
  const waiting = new Map<string, { unit: PlanUnit; method?: PlanMethod }[]>();
  const wait = (defs: string[], self: boolean, entry: { unit: PlanUnit; method?: PlanMethod }) => {
    for (const key of self ? selfNames(defs) : defs) {
      const list = waiting.get(key);
      if (list) list.push(entry);
      else waiting.set(key, [entry]);
    }
  };
  const queue: string[][] = [];
  for (const u of units) {
    u.walk = !u.def || walks(u.scan);
    if (!u.walk) {
      wait(u.scan.defs, u.isClass, { unit: u });
      continue;
    }
    if (!u.rest || !u.methods) {
      queue.push(u.scan.calls);
      continue;
    }
    for (const m of u.methods) {
      m.needed = walks(m.scan);
      if (m.needed) queue.push(m.scan.calls);
      else wait(m.scan.defs, true, { unit: u, method: m });
    }
    queue.push(u.rest.calls);
  }
  const called = new Set<string>();
  while (queue.length > 0) {
    for (const c of queue.pop()!) {
      if (called.has(c)) continue;
      called.add(c);
      const helpers = waiting.get(c);
      if (!helpers) continue;
      waiting.delete(c);
      for (const { unit, method } of helpers) {
        if (method) {
          if (!method.needed) {
            method.needed = true;
            queue.push(method.scan.calls);
          }
        } else if (!unit.walk) {
          unit.walk = true;
          for (const m of unit.methods ?? []) m.needed = true;
          queue.push(unit.scan.calls);
        }
      }
    }
  }
  return called;
}
