// One walk over the tree, every enabled rule riding it. The walk keeps the dataflow scopes up
// to date in source order (so a rule sees the bindings in force at its sink), collects comments
// for suppressions, and never recurses: a deeply nested file cannot overflow the stack.
import type { Node, QueryCapture, Tree } from 'web-tree-sitter';
import {
  clear, CONSTANT, type Summary, firstLine, Flow, INJECTION, isValidatingCall, newSource, rangeOf, Scope, union, withStep, type SinkKind, type Value,
} from './dataflow';
import { statementOf } from './fixes';
import { exits, guardedNames, pathGuardedNames } from './guards';
import { DEFINITIONS, isModuleCode, ModuleTrees } from './trees';
import { Names } from './names';
import { language, query } from './parser';
import type { CallSite, Ctx, Report, Rule } from './rule';
import { Suppressions, type UnusedSuppression } from './suppressions';
import { mergeScans, planWalks, TriggerIndex, type KnownScans, type PlanMethod, type PlanUnit, type UnitScan } from './triggers';
import { parameters } from './syntax';
import { diffText, lineStarts, type TextDiff } from './textdiff';
import { TextSearch, type SearchMemo } from './textsearch';
import { LEVEL_RANK, minLevel, type Finding, type Pos, type TextRange, type TraceStep } from './types';

export interface AnalyzeOptions {
  ignoreSuppressions?: boolean;
  /** Called when a rule throws; the other rules still run. */
  onRuleError?: (rule: Rule, error: unknown) => void;
  /** Receives the `seclens: ignore` names that silenced nothing (not called with ignoreSuppressions). */
  onUnusedSuppressions?: (unused: UnusedSuppression[]) => void;
  /**
   * The previous analysis of this document (same rules), updated in place: top-level
   * definitions whose text, position (modulo lines moved by the edit) and entry state are
   * unchanged reuse their findings instead of being walked again.
   */
  state?: AnalysisState;
  /**
   * Every rule on every statement, ignoring the rules' trigger words: what the tests and the
   * benchmark compare the normal analysis with (also SECLENS_EXHAUSTIVE=1).
   */
  exhaustive?: boolean;
  /**
   * With `state`: stop walking at the first top-level statement reached after this time
   * (`performance.now()`), leaving `state.partial` set. The findings then cover the statements
   * before it; the next call with the same state and text goes on from there, reusing them.
   */
  deadline?: number;
  /** The words of the definitions, when the caller read them already (sparse.ts); else read here. */
  known?: KnownScans;
}

/** SECLENS_EXHAUSTIVE=1: every rule on every statement unless the caller says otherwise. */
export const EXHAUSTIVE = typeof process !== 'undefined' && process.env?.SECLENS_EXHAUSTIVE === '1';

/** What one top-level definition gave, in the coordinates of the text it was analysed in. */
interface UnitCache {
  startRow: number;
  endRow: number;
  text: string;
  /** Offset of its first character in the text. */
  startIndex: number;
  /** Hash of everything that flowed into it: imports, module statements, earlier summaries. */
  entryKey: string;
  findings: Finding[];
  /** Its comments as `Suppressions.add` saw them (row, column, text), replayed on reuse. */
  suppressions: [number, number, string][];
  summaries: [string, Summary][];
  /** Its import aliases in order, and their key relative to its first row. */
  aliases: [string, string][];
  importKey: string;
  /** The same-module summaries its walk looked up, with what they were (`-`: none). */
  consulted: [string, string][];
  /** Walked (false: no rule could report in it and nothing needed its summaries). */
  walked: boolean;
  /** Names defined by the methods its walk left out (no rule's words in them, not called). */
  skippedMethods?: string[];
  /** The rows its positions are on (`rowsHeld`), computed when first needed. */
  rows?: Int32Array;
  /** Its words as the last analysis read them (reused while its text and the aliases are the same). */
  raw?: RawScan;
}

/**
 * `u` with every field in one order, so that all cached units share one shape: the loop over
 * them on every keystroke then reads and writes their fields without a generic lookup.
 */
function unitCache(u: UnitCache): UnitCache {
  return {
    startRow: u.startRow,
    endRow: u.endRow,
    text: u.text,
    startIndex: u.startIndex,
    entryKey: u.entryKey,
    findings: u.findings,
    suppressions: u.suppressions,
    summaries: u.summaries,
    aliases: u.aliases,
    importKey: u.importKey,
    consulted: u.consulted,
    walked: u.walked,
    skippedMethods: u.skippedMethods,
    rows: u.rows,
    raw: u.raw,
  };
}

/** A definition's words: of the whole and, for a class, per method; `key` says under which aliases. */
interface RawScan {
  key: string;
  cls: ClassScan | null;
  scan: UnitScan;
}

/** Incremental analysis state of one document; opaque to callers. */
export interface AnalysisState {
  rules?: readonly Rule[];
  /** The text analysed last, and where its lines start (textdiff.ts compares the next with it). */
  text?: string;
  lineStarts?: Int32Array;
  /** What whole-text patterns found in `text` (textsearch.ts). */
  searches?: SearchMemo;
  units?: Map<number, UnitCache>;
  /**
   * `units` as an edit that added or removed lines left them, when they are still to be moved
   * (after the publication: `settle`, or the next analysis).
   */
  unitsLater?: () => Map<number, UnitCache>;
  /** Statistics of the last run, for tests and the benchmark. */
  walked?: number;
  reused?: number;
  /** Top-level statements not walked at all: no rule's trigger words appear in them. */
  skipped?: number;
  /** The last call walked the one definition an edit changed, and nothing else (QuickState). */
  alone?: boolean;
  /** The last call stopped at its deadline: the findings cover the start of the file only. */
  partial?: boolean;
  /** Every top-level statement's words by its text, walked or not (a slice does not rescan the rest). */
  scans?: Map<string, { scan: UnitScan; key: string }>;
  /** The same for class statements, split into methods, by the class's text. */
  classes?: Map<string, ClassScan>;
  /** What `planWalks` decided last time, and from what. */
  plan?: { units: PlanUnit[]; walks: boolean[]; needed: (boolean[] | null)[]; called: Set<string> };
  /** What an edit inside one definition needs to walk that definition alone (after a complete analysis). */
  quick?: QuickState;
}

/** A top-level statement of the last text: its span, and what its walk gave. */
interface Part {
  start: number;
  end: number;
  /** Its first row. */
  row: number;
  type: string;
  findings: Finding[];
  suppressions: [number, number, string][];
}

/**
 * The last complete analysis as an edit inside one definition needs it: every top-level
 * statement's findings and comments, and every module binding and summary in the order the walk
 * made them, so that a walk of that definition alone starts from what the whole walk had made
 * before it. When the definition then makes the same bindings and summaries as before, nothing
 * else can have changed (the other statements' text, the imports, the plan of walks and the
 * whole-file rules are checked first), and the other statements' findings stand, moved by the
 * lines the edit added or removed. Facts about the file (a module's lock prefixes, a Django
 * settings module) come from the module code or the statement checked (Ctx.moduleCode), which
 * such an edit leaves as they were.
 */
interface QuickState {
  parts: Part[];
  /** Each tree's span. */
  roots: [number, number][];
  /** Module bindings (`summary` false) and summaries set, in walk order; `at` is the part's index. */
  events: { at: number; summary: boolean; key: string; value: Value | Summary | undefined }[];
  names: Names;
  scanKey: string;
  /** What the units' `entryKey` is made of: the statements holding imports, the module statements' text, the line ending. */
  imports: [number, string][];
  moduleText: string;
  eol: string;
  entryKey: string;
  off: Uint8Array | null;
  /** Per rule: how many statements hold its words (whole-file rules run when some do). */
  fileCounts: Int32Array;
  moduleActive: number[];
  definitions: number;
}

// (Loops of their own: the generator's body is seldom optimised, and its for-of loops allocate.)
/** The bindings and summaries made before the statement at `index`. */
function replayEvents(events: QuickState['events'], index: number, summaries: Map<string, Summary>, env: Map<string, Value>): void {
  for (let i = 0; i < events.length; i++) {
    const e = events[i];
    if (e.at >= index) break;
    if (e.summary) summaries.set(e.key, e.value as Summary);
    else if (e.value) env.set(e.key, e.value as Value);
    else env.delete(e.key);
  }
}

/** The findings and comments of the statements `from` to `to` (excluded). */
function replayParts(parts: Part[], from: number, to: number, findings: Finding[], suppressions: Suppressions): void {
  for (let i = from; i < to; i++) {
    const part = parts[i];
    for (let j = 0; j < part.findings.length; j++) findings.push(part.findings[j]);
    for (let j = 0; j < part.suppressions.length; j++) {
      const [row, col, comment] = part.suppressions[j];
      suppressions.add(row, col, comment);
    }
  }
}

/** The first of `length` ascending items that `before` is false for (binary search); `length` if none. */
function firstNotBefore(length: number, before: (i: number) => boolean): number {
  let lo = 0;
  let hi = length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (before(mid)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Where the events of the statement at `index` start (they are in statement order). */
function firstEventOf(events: QuickState['events'], index: number): number {
  return firstNotBefore(events.length, (i) => events[i].at < index);
}

/** The events of the statement at `index`. */
function eventsOf(events: QuickState['events'], index: number): QuickState['events'] {
  const out: QuickState['events'] = [];
  for (let i = firstEventOf(events, index); i < events.length && events[i].at === index; i++) out.push(events[i]);
  return out;
}

/**
 * A statement made the same bindings and summaries (`made`), in the same order, as before the
 * edit: compared as text, rows included (the old ones moved by `lines`, if given). Summaries of
 * functions no code walked calls (`called`) are left out: nothing looks them up.
 */
function sameEvents(before: QuickState['events'], made: QuickState['events'], lines: LineMap | null, called: ReadonlySet<string>): boolean {
  const used = (e: QuickState['events'][number]) => !e.summary || called.has(e.key);
  if (!before.every(used) || !made.every(used)) {
    before = before.filter(used);
    made = made.filter(used);
  }
  if (before.length !== made.length) return false;
  for (let i = 0; i < before.length; i++) {
    const x = before[i];
    const y = made[i];
    if (x.summary !== y.summary || x.key !== y.key || !x.value !== !y.value) return false;
    if (!x.value || !y.value || x.value === y.value) continue;
    const was = lines ? summaryText(x.value, (r) => lines.toNew(r)) : described(x.value).text;
    if (was !== described(y.value).text) return false;
  }
  return true;
}

/** What `movedOn` gives. */
interface Moved {
  parts: Part[];
  units: Map<number, UnitCache> | (() => Map<number, UnitCache>);
  events: QuickState['events'];
  entryKey: string;
  delta: number;
}

/**
 * The last analysis's statements, units and events with the edited definition's unit in place
 * and those after it moved to the new text (offsets by `delta`, rows by `lines`), and the units'
 * entry key for the new rows; null when something after it held a position on the changed lines.
 * When lines were added or removed, `units` is a function: the statements' findings are moved
 * now (they are published), the rest of their units (summaries, lookups, rows) when first asked
 * for (AnalysisState.unitsLater), after the publication.
 */
function movedOn(q: QuickState, units: Map<number, UnitCache>, index: number, unit: UnitCache, lines: LineMap, delta: number): Moved | null {
  const old = q.parts[index];
  const edited: Part = { start: old.start, end: old.start + unit.text.length, row: unit.startRow, type: old.type, findings: unit.findings, suppressions: unit.suppressions };
  if (lines.sameRows) {
    // (In place: this is most keystrokes, and nothing can fail from here.)
    const parts = q.parts;
    parts[index] = edited;
    for (let j = index + 1; j < parts.length; j++) {
      parts[j].start += delta;
      parts[j].end += delta;
    }
    for (const u of units.values()) if (u.startIndex > old.start) u.startIndex += delta;
    units.set(unit.startRow, unit);
    return { parts, units, events: q.events, entryKey: q.entryKey, delta };
  }
  const parts = q.parts.slice(0, index);
  parts.push(edited);
  const move = new RowMover(lines);
  /** The definitions after the edit: their moved statement and their unit as it was. */
  const later: [Part, UnitCache][] = [];
  for (let j = index + 1; j < q.parts.length; j++) {
    const p = q.parts[j];
    const moved: Part = {
      start: p.start + delta,
      end: p.end + delta,
      row: move.row(p.row),
      type: p.type,
      findings: p.findings.map((f) => move.finding(f)),
      suppressions: p.suppressions.map(([r, c, t]): [number, number, string] => [move.row(r), c, t]),
    };
    if (DEFINITIONS.has(p.type)) {
      // (Every position it holds, its summaries' too, must have a counterpart: checked now.)
      const u = units.get(p.row);
      if (!u || !lines.untouched(u)) return null;
      later.push([moved, u]);
    }
    parts.push(moved);
  }
  const events = q.events.map((e) => (e.at <= index || !e.value ? e : { ...e, value: e.summary ? move.summary(e.value as Summary) : move.value(e.value as Value) }));
  if (!move.ok) return null;
  // The imports' rows are in the units' entry key.
  const entryKey = entryKeyOf(q.eol, q.imports, (k) => String(parts[k].row), q.moduleText);
  const movedUnits = () => {
    const out = new Map<number, UnitCache>();
    for (const [row, u] of units) if (row < old.row) out.set(row, u);
    out.set(unit.startRow, unit);
    for (const [p, u] of later) {
      // Its findings and comments are the statement's, moved above; its summaries those of the
      // events (the same mover shares them).
      const copy = lines.movedUnit(u, p.row, p.findings, p.suppressions, move);
      copy.startIndex = u.startIndex + delta;
      // What it looked up, as the whole analysis would now fingerprint it: in the new rows.
      copy.consulted = u.consulted.map(([k, f]) => [k, fingerprintToNew(f, lines)]);
      out.set(p.row, copy);
    }
    for (const u of out.values()) u.entryKey = entryKey;
    return out;
  };
  return { parts, units: movedUnits, events, entryKey, delta };
}

/** A fingerprint (`summaryText`) with its rows moved as `lines` moves them. */
function fingerprintToNew(f: string, lines: LineMap): string {
  if (!f.includes('"line":')) return f;
  return f.replace(/([{,])"line":(\d+)/g, (_, before: string, row: string) => {
    const n = lines.toNew(Number(row));
    return `${before}"line":${n < 0 ? '"?"' : n}`;
  });
}

/**
 * The statement (index into `q.parts`) an edit lies inside, with its new node; null unless the
 * trees are otherwise as before. Blank space added or removed between a definition and the next
 * statement (`blank`: the edit is spaces, tabs and line breaks only), such as an Enter after a
 * function's last line, counts as an edit of that definition, whose text it leaves as it was.
 */
function quickTarget(q: QuickState, diff: TextDiff, newLength: number, module: ModuleTrees, blank: boolean): { index: number; node: Node } | null {
  const editStart = diff.prefix;
  const editEnd = diff.oldLength - diff.suffix;
  const delta = newLength - diff.oldLength;
  const parts = q.parts;
  // The last part starting before the edit.
  const index = firstNotBefore(parts.length, (i) => parts[i].start < editStart) - 1;
  if (index < 0 || !DEFINITIONS.has(parts[index].type)) return null;
  const inGap = blank && editStart >= parts[index].end && (index + 1 === parts.length || editEnd <= parts[index + 1].start);
  if (editEnd > parts[index].end && !inGap) return null;
  const moved = (x: number) => (x >= editEnd ? x + delta : x);
  const roots = module.roots;
  if (roots.length !== q.roots.length) return null;
  let tree = -1;
  for (let i = 0; i < roots.length; i++) {
    const [start, end] = q.roots[i];
    if (roots[i].startIndex !== moved(start) || roots[i].endIndex !== moved(end)) return null;
    if (start <= parts[index].start && parts[index].start < end) tree = i;
  }
  if (tree < 0) return null;
  // The edited tree's statements are those of the last text, the edited one grown or shrunk.
  const [start, end] = q.roots[tree];
  let first = index;
  while (first > 0 && parts[first - 1].start >= start) first--;
  const children = module.childrenOfRoot(tree);
  if (first + children.length > parts.length || (first + children.length < parts.length && parts[first + children.length].start < end)) return null;
  for (let i = 0; i < children.length; i++) {
    const c = children[i];
    const p = parts[first + i];
    if (c.startIndex !== moved(p.start) || c.endIndex !== moved(p.end) || c.type !== p.type) return null;
  }
  return { index, node: children[index - first] };
}

const BRANCHES = new Set(['if_statement', 'for_statement', 'while_statement', 'try_statement', 'match_statement', 'with_statement']);
const ENTER = new Set([
  'call', 'return_statement', 'comment', 'function_definition', 'class_definition', 'except_clause', ...BRANCHES,
]);
const LEAVE = new Set([
  'assignment', 'augmented_assignment', 'named_expression', 'if_statement',
  'function_definition', 'class_definition', 'except_clause', ...BRANCHES,
]);

const IMPORTS = new Set(['import_statement', 'import_from_statement']);
const IMPORTS_QUERY = '(import_statement) @import_statement\n(import_from_statement) @import_from_statement';

/** The hooks of some of the rules, indexed for the walk. */
interface RuleSet {
  rules: Rule[];
  callRules: Rule[];
  returnRules: Rule[];
  nodeRules: Map<string, Rule[]>;
  enterTypes: Set<string>;
  /** The walk's query: the node types the engine and these rules handle (a string literal is
   * only returned to JS where a rule looks at strings). */
  query: ReturnType<typeof query>;
  /** The same without comments, for code with no suppression marker (a tenth of all nodes walked). */
  quiet: ReturnType<typeof query>;
}

const ruleSets = new WeakMap<readonly Rule[], Map<string, RuleSet>>();
/** The rules at `indexes` of `all`, indexed once per distinct subset. */
function ruleSet(all: readonly Rule[], indexes: readonly number[] | null): RuleSet {
  let sets = ruleSets.get(all);
  if (!sets) ruleSets.set(all, (sets = new Map()));
  const key = indexes ? indexes.join(',') : '*';
  let set = sets.get(key);
  if (!set) {
    const rules = indexes ? indexes.map((i) => all[i]) : [...all];
    const nodeRules = new Map<string, Rule[]>();
    for (const r of rules) {
      if (!r.onNode) continue;
      for (const t of r.nodeTypes ?? []) nodeRules.set(t, [...(nodeRules.get(t) ?? []), r]);
    }
    set = {
      rules,
      callRules: rules.filter((r) => r.onCall),
      returnRules: rules.filter((r) => r.onReturn),
      nodeRules,
      enterTypes: new Set([...ENTER, ...nodeRules.keys()]),
      ...walkQueries([...nodeRules.keys()]),
    };
    sets.set(key, set);
  }
  return set;
}

/**
 * A call as rules see it. Most rules stop at the callee's name, so the arguments are read from
 * the tree (each read crosses into WASM) only when a rule first asks for them.
 */
class LazyCallSite implements CallSite {
  readonly callee: Node | null;
  readonly qname: string | null;
  private parts?: { args: Node[]; positional: Node[]; keywords: Map<string, Node>; hasSplat: boolean };

  constructor(readonly node: Node, names: Names) {
    this.callee = node.childForFieldName('function');
    this.qname = names.resolve(this.callee);
  }

  get args(): Node[] {
    return this.read().args;
  }

  get positional(): Node[] {
    return this.read().positional;
  }

  get keywords(): Map<string, Node> {
    return this.read().keywords;
  }

  get hasSplat(): boolean {
    return this.read().hasSplat;
  }

  private read() {
    if (this.parts) return this.parts;
    const argList = this.node.childForFieldName('arguments');
    const parts = { args: [] as Node[], positional: [] as Node[], keywords: new Map<string, Node>(), hasSplat: false };
    if (argList?.type === 'argument_list') {
      for (const a of argList.namedChildren) {
        if (!a || a.type === 'comment') continue;
        parts.args.push(a);
        if (a.type === 'keyword_argument') {
          const name = a.childForFieldName('name')?.text;
          const value = a.childForFieldName('value');
          if (name && value) parts.keywords.set(name, value);
        } else if (a.type === 'list_splat' || a.type === 'dictionary_splat') {
          parts.hasSplat = true;
        } else {
          parts.positional.push(a);
        }
      }
    } else if (argList) {
      // `f(x for x in y)`: a bare generator is the single argument.
      parts.args.push(argList);
      parts.positional.push(argList);
    }
    return (this.parts = parts);
  }
}

/**
 * The findings of `text`. With `options.deadline` (and `state`), possibly those of its start
 * only (`state.partial`): `analysis` goes on from there without starting over.
 */
export function analyze(tree: Tree | ModuleTrees, text: string, rules: readonly Rule[], options: AnalyzeOptions = {}): Finding[] {
  const step = analysis(tree, text, rules, options).next();
  return step.value;
}

/**
 * The analysis as slices: without a deadline it returns at once; with one (and `state`) it
 * yields the findings so far whenever the deadline has passed, committing what it has walked
 * to `state`, and takes the next deadline from `next()`. Resume it only while the tree and text
 * are unchanged; for newer text start a new one with the same state, which reuses the slices done.
 */
export function analysis(trees: Tree | ModuleTrees, text: string, rules: readonly Rule[], options: AnalyzeOptions = {}): Generator<Finding[], Finding[], number | undefined> {
  if (options.state) settle(options.state);
  return analysisOf(trees, text, rules, options, true);
}

/**
 * Finishes what the last analysis left for after its publication (`unitsLater`). Should that
 * fail, the state is emptied (the next analysis starts afresh) and the error thrown.
 */
export function settle(state: AnalysisState): void {
  const later = state.unitsLater;
  if (!later) return;
  state.unitsLater = undefined;
  try {
    state.units = later();
  } catch (error) {
    for (const key of Object.keys(state)) delete state[key as keyof AnalysisState];
    throw error;
  }
}

/** `analysis`; `quickOk` false when walking one edited definition alone turned out not to do. */
function* analysisOf(trees: Tree | ModuleTrees, text: string, rules: readonly Rule[], options: AnalyzeOptions, quickOk: boolean): Generator<Finding[], Finding[], number | undefined> {
  // One compiled query (cached per set of node types) returns, from inside WASM, exactly the
  // nodes the walk handles and the imports, in document order; a stack of open nodes emulates
  // enter and leave. A cursor walk would cross the WASM boundary at every node of the tree.

  // ---- Incremental plan: which top-level definitions can reuse their last findings ----
  const state = options.state;
  const exhaustive = options.exhaustive ?? EXHAUSTIVE;
  // Line starts and the scan cache key serve the next analysis only: not computed without state.
  const old = state && state.rules === rules && state.text !== undefined && state.lineStarts && state.units ? { units: state.units } : null;
  const diff = old ? diffText(state!.text!, state!.lineStarts!, text) : null;
  const starts = diff ? diff.starts : state ? lineStarts(text) : null;
  const lineMap = diff ? new LineMap(diff.prefixRows, diff.oldSuffixRow, diff.newSuffixRow) : null;
  const toOld = (row: number) => (lineMap ? lineMap.toOld(row) : -1);
  const module = ModuleTrees.of(trees);
  // An edit inside one definition (most keystrokes): that definition alone is walked, from what
  // the last analysis had made before it (QuickState). Anything it changes that later statements
  // could see sends the analysis down the whole path below. (A carriage return changes the
  // file's line ending, which every unit's entry key holds.)
  const q = quickOk && state?.quick && state.rules === rules && diff && !exhaustive && !options.known ? state.quick : undefined;
  const changed = q ? state!.text!.slice(diff!.prefix, diff!.oldLength - diff!.suffix) + text.slice(diff!.prefix, text.length - diff!.suffix) : '';
  const quick = q && !/\r/.test(changed) ? quickTarget(q, diff!, text.length, module, /^[ \t\n]*$/.test(changed)) : null;
  const units = quick ? [quick.node] : module.children;
  /** The cached unit's text is `t` (at `start`): known from the diff when both lie in the unchanged start or end. */
  const sameText = (c: UnitCache, start: number, t: string): boolean => {
    if (c.text.length !== t.length) return false;
    if (diff) {
      if (start + t.length <= diff.prefix && c.startIndex === start) return true;
      if (start >= text.length - diff.suffix && c.startIndex === start - (text.length - diff.oldLength)) return true;
    }
    return c.text === t;
  };
  const plans = units.map((node) => {
    const startRow = node.startPosition.row;
    const endRow = node.endPosition.row;
    const def = DEFINITIONS.has(node.type);
    const unitText = node.text;
    let cached: UnitCache | undefined;
    if (def && old) {
      const o = toOld(startRow);
      const c = o >= 0 && toOld(endRow) === o + (endRow - startRow) ? old.units.get(o) : undefined;
      if (c && c.endRow - c.startRow === endRow - startRow && sameText(c, node.startIndex, unitText)) cached = c;
    }
    return { node, startRow, endRow, def, text: unitText, cached, imports: null as Node[] | null, scan: null as UnitScan | null, walk: true, methods: null as MethodPart[] | null, raw: undefined as RawScan | undefined };
  });
  // Names come from every import of the file, in order: cached units give their aliases.
  const names = quick ? q!.names : new Names(null, []);
  const importsQuery = query(IMPORTS_QUERY);
  // (A function of its own: the generator's body is seldom optimised, and this runs per statement.)
  /** The statements holding imports: their index and imports relative to their first row (QuickState.imports). */
  const importParts: [number, string][] = [];
  const readImports = (p: (typeof plans)[number], k: number) => {
    let rel: string;
    if (p.cached) {
      const aliases = p.cached.aliases;
      for (let i = 0; i < aliases.length; i++) names.setAlias(aliases[i][0], aliases[i][1]);
      rel = p.cached.importKey;
    } else {
      p.imports = p.text.includes('import') ? importsQuery.captures(p.node).map((c) => c.node) : [];
      for (const n of p.imports) names.addImport(n);
      rel = p.imports.map((n) => `${n.startPosition.row - p.startRow}:${n.text}`).join('\n');
    }
    if (rel) importParts.push([k, rel]);
  };
  if (!quick) plans.forEach(readImports);
  else {
    // The file's imports are as they were: the edited definition's are.
    const p = plans[0];
    p.imports = p.text.includes('import') ? importsQuery.captures(p.node).map((c) => c.node) : [];
    const key = p.imports.map((n) => `${n.startPosition.row - p.startRow}:${n.text}`).join('\n');
    if (state!.units!.get(p.startRow)?.importKey !== key) return yield* analysisOf(trees, text, rules, options, false);
  }

  // ---- Which statements to walk, with which rules (see triggers.ts) ----
  const triggers = TriggerIndex.of(rules);
  const scanKey = exhaustive || !state ? '' : quick ? q!.scanKey : hash('aliases', names.key());
  let moduleActive: number[] | null = null;
  const walkRule = walkRules(rules);
  const oldScans = state?.rules === rules ? state.scans : undefined;
  const scans = new Map<string, { scan: UnitScan; key: string }>();
  const oldClasses = state?.rules === rules ? state.classes : undefined;
  const classes = new Map<string, ClassScan>();
  // Rules whose file-wide condition fails cannot report anywhere in this text.
  // Whole-text patterns are tested from what they found in the last text (textsearch.ts).
  const search = new TextSearch(text, diff, diff ? state!.searches : undefined);
  const off = exhaustive ? null : triggers.offIn(text, search);
  /** The words of a piece of the file, from the last analysis when its text is unchanged. */
  const rawScanOf = (piece: string): UnitScan => {
    const o = oldScans?.get(piece) ?? scans.get(piece);
    const scan = o && o.key === scanKey ? o.scan : triggers.scan(piece, names);
    if (state) scans.set(piece, { scan, key: scanKey });
    return scan;
  };
  /**
   * A class statement's methods with their words, the words of the rest and of the whole (null
   * for other statements), from the last analysis when the class's text is unchanged.
   */
  const known = exhaustive ? undefined : options.known;
  /** A class's words from `known`, when every method the tree has is one it read. */
  const knownClass = (node: Node, startRow: number, endRow: number): { methods: MethodPart[]; rest: UnitScan; whole: UnitScan } | null => {
    const k = known?.classOf(startRow, endRow);
    if (!k) return null;
    const spans = methodsOf(node);
    if (spans.length === 0 || spans.length !== k.methodCount) return null;
    const scans: UnitScan[] = [];
    for (const [, , row, end] of spans) {
      const scan = k.method(row, end);
      if (!scan) return null;
      scans.push(scan);
    }
    return {
      methods: spans.map(([start, end], i) => ({ start, end, scan: TriggerIndex.without(scans[i], off), needed: false })),
      rest: TriggerIndex.without(k.rest, off),
      whole: TriggerIndex.without(mergeScans([k.rest, ...scans], rules.length), off),
    };
  };
  /** A class's words as read from its text (null: not a class), from the last analysis when unchanged. */
  const rawClassOf = (node: Node, unitText: string): ClassScan | null => {
    if (!CLASS_TEXT.test(unitText)) return null;
    const o = oldClasses?.get(unitText) ?? classes.get(unitText);
    let c = o && o.key === scanKey ? o : undefined;
    if (!c) {
      const spans = methodsOf(node);
      if (spans.length === 0) c = { key: scanKey, methods: [], rest: null, whole: null };
      else {
        let restText = '';
        let from = 0;
        const methods: [number, number, UnitScan][] = [];
        for (const [start, end] of spans) {
          restText += unitText.slice(from, start);
          from = end;
          methods.push([start, end, rawScanOf(unitText.slice(start, end))]);
        }
        const rest = rawScanOf(restText + unitText.slice(from));
        c = { key: scanKey, methods, rest, whole: mergeScans([rest, ...methods.map((m) => m[2])], rules.length) };
      }
    }
    if (state) classes.set(unitText, c);
    return c;
  };
  /** A class's words without the rules turned off for the file (null: no methods). */
  const classParts = (c: ClassScan | null): { methods: MethodPart[]; rest: UnitScan; whole: UnitScan } | null => {
    if (!c?.rest || !c.whole) return null;
    return {
      methods: c.methods.map(([start, end, scan]) => ({ start, end, scan: TriggerIndex.without(scan, off), needed: false })),
      rest: TriggerIndex.without(c.rest, off),
      whole: TriggerIndex.without(c.whole, off),
    };
  };
  // Per rule: 1 when its words appear somewhere in the file (for onFile).
  const fileActive = new Uint8Array(rules.length);
  /** Per rule: how many statements hold its words (QuickState.fileCounts). */
  let fileCounts = new Int32Array(rules.length);
  /** Names called by the code walked (so every method or function they name is walked too). */
  let calledNames = new Set<string>();
  /** The edited definition's words, when it is walked alone. */
  let quickPlanUnit: PlanUnit | undefined;
  if (!exhaustive) {
    const moduleOn = new Uint8Array(rules.length);
    for (const i of triggers.always) if (!off?.[i]) moduleOn[i] = fileActive[i] = 1;
    const units = plans.map((p) => {
      // A class is one statement, but most of its methods are harmless: each method is read
      // alone, and what is left of the class (its other statements) is walked with it.
      // A definition unchanged since the last analysis (same text, same aliases) has its words
      // at hand: no lookup by its text (hashing every definition's text costs more than the rest).
      let cls: ReturnType<typeof classParts> = null;
      let scan: UnitScan;
      const raw = !known && p.cached?.raw?.key === scanKey ? p.cached.raw : undefined;
      if (raw) {
        cls = classParts(raw.cls);
        scan = cls?.whole ?? TriggerIndex.without(raw.scan, off);
        p.raw = raw;
      } else {
        const isClass = p.def && CLASS_TEXT.test(p.text);
        const fromKnown = isClass && known ? knownClass(p.node, p.startRow, p.endRow) : null;
        const rawClass = isClass && !fromKnown ? rawClassOf(p.node, p.text) : null;
        cls = fromKnown ?? classParts(rawClass);
        const read = !cls ? known?.unit(p.startRow, p.endRow) : undefined;
        if (cls) scan = cls.whole;
        else if (read) scan = TriggerIndex.without(read, off);
        else {
          const whole = rawScanOf(p.text);
          scan = TriggerIndex.without(whole, off);
          if (p.def && state && !known) p.raw = { key: scanKey, cls: rawClass, scan: whole };
        }
        if (rawClass?.whole && state && !known) p.raw = { key: scanKey, cls: rawClass, scan: rawClass.whole };
      }
      p.scan = scan;
      for (const i of triggers.fileRulesIn(scan)) {
        fileActive[i] = 1;
        fileCounts[i]++;
      }
      if (!p.def) for (const i of scan.active) moduleOn[i] = 1;
      p.methods = cls?.methods ?? null;
      const isClass = raw ? raw.cls !== null : CLASS_TEXT.test(p.text);
      const unit: PlanUnit = { def: p.def, isClass, scan, rest: cls?.rest, methods: p.methods };
      return { plan: p, unit };
    });
    const planUnits = units.map((u) => u.unit);
    const memo = state?.rules === rules ? state.plan : undefined;
    if (quick) {
      // No rule switched off or on for the file, and the walks of every other statement as before.
      const i = quick.index;
      if (!memo || !(off === q!.off || (off && q!.off && sameList(off, q!.off)))) return yield* analysisOf(trees, text, rules, options, false);
      const unit = planUnits[0];
      if (samePlanUnit(memo.units[i], unit)) {
        unit.walk = memo.walks[i];
        unit.methods?.forEach((m, j) => (m.needed = memo.needed[i]![j]));
        calledNames = memo.called;
      } else {
        // Its words changed (a call or a rule's word typed): the plan again, with it. Names it
        // now calls or no longer calls matter only where they change another statement's walk.
        const all = memo.units.slice();
        all[i] = unit;
        calledNames = planWalks(all, walkRule);
        for (let j = 0; j < all.length; j++) {
          if (j === i) continue;
          if (!!all[j].walk !== memo.walks[j] || all[j].methods?.some((m, k) => !!m.needed !== memo.needed[j]![k])) return yield* analysisOf(trees, text, rules, options, false);
        }
      }
      quickPlanUnit = unit;
      // Which whole-file rules may run: the statements holding their words, counted.
      fileCounts = q!.fileCounts.slice();
      for (const r of triggers.fileRulesIn(memo.units[i].scan)) fileCounts[r]--;
      for (const r of triggers.fileRulesIn(unit.scan)) fileCounts[r]++;
      fileActive.fill(0);
      for (const r of triggers.always) if (!off?.[r]) fileActive[r] = 1;
      for (let r = 0; r < rules.length; r++) if (fileCounts[r] > 0) fileActive[r] = 1;
      for (const r of q!.moduleActive) moduleOn[r] = 1;
    } else if (memo && samePlan(memo.units, planUnits)) {
      // The words of every statement as last time (a keystroke seldom changes them): the same walks.
      planUnits.forEach((u, i) => {
        u.walk = memo.walks[i];
        u.methods?.forEach((m, j) => (m.needed = memo.needed[i]![j]));
      });
      calledNames = memo.called;
    } else {
      calledNames = planWalks(planUnits, walkRule);
    }
    if (state && !quick) {
      state.plan = { units: planUnits, walks: planUnits.map((u) => !!u.walk), needed: planUnits.map((u) => u.methods?.map((m) => !!m.needed) ?? null), called: calledNames };
    }
    for (const { plan, unit } of units) plan.walk = !!unit.walk;
    // A whole-file rule's pattern may match between statements (blank space belongs to none).
    rules.forEach((r, i) => {
      if (r.onFile && !fileActive[i] && !off?.[i] && r.triggerPattern && search.test(r.triggerPattern)) fileActive[i] = 1;
    });
    moduleActive = [];
    for (let i = 0; i < rules.length; i++) if (moduleOn[i]) moduleActive.push(i);
    if (state && !quick) {
      state.scans = scans;
      state.classes = classes;
    }
  }
  const setFor = (indexes: readonly number[] | null) => (exhaustive ? ruleSet(rules, null) : ruleSet(rules, indexes));

  const moduleScope = new Scope('module', module.roots[0], '<module>', null);
  const flow = new Flow(names, moduleScope);
  const findings: Finding[] = [];
  const suppressions = new Suppressions();
  if (quick) {
    // What the whole walk had made when it reached the edited definition.
    replayEvents(q!.events, quick.index, flow.summaries, moduleScope.env);
    replayParts(q!.parts, 0, quick.index, findings, suppressions);
  }
  // Module bindings and summaries as they are made, by statement (QuickState.events).
  let partIndex = 0;
  const events: QuickState['events'] = [];
  if (state) {
    const env = moduleScope.env;
    const envSet = env.set.bind(env);
    const envDelete = env.delete.bind(env);
    env.set = (key: string, value: Value) => (events.push({ at: partIndex, summary: false, key, value }), envSet(key, value));
    env.delete = (key: string) => (events.push({ at: partIndex, summary: false, key, value: undefined }), envDelete(key));
    const summariesSet = flow.summaries.set.bind(flow.summaries);
    flow.summaries.set = (key: string, value: Summary) => (events.push({ at: partIndex, summary: true, key, value }), summariesSet(key, value));
  }
  let active = setFor(moduleActive);

  let current: Rule | null = null;
  let moduleCode: string | undefined;
  // An edit walked alone changed no module statement: the last complete analysis's code.
  const moduleCodeNow = () => (moduleCode ??= quick ? q!.moduleText : moduleCodeOf(plans));
  const ctx: Ctx = {
    text,
    get moduleCode() {
      return moduleCodeNow();
    },
    module,
    names,
    flow,
    get scope() {
      return flow.scope;
    },
    valueOf: (node) => flow.valueOf(node),
    report(r: Report) {
      if (!current) return;
      const rule = current;
      const stmt = statementOf(r.node);
      findings.push({
        rule: rule.name,
        code: rule.code,
        range: r.range ?? rangeOf(r.node),
        message: r.message,
        level: minLevel(r.level ?? rule.defaultLevel, rule.maxLevel),
        severity: rule.severity,
        confidence: r.confidence ?? rule.confidence,
        cwe: rule.cwe,
        fix: r.fix,
        trace: r.trace,
        suppressLines: [...new Set([stmt.startPosition.row, stmt.endPosition.row, r.range?.start.line ?? r.node.startPosition.row])],
      });
    },
  };

  const run = (list: Rule[], fn: (rule: Rule) => void) => {
    for (const rule of list) {
      current = rule;
      try {
        fn(rule);
      } catch (error) {
        options.onRuleError?.(rule, error);
      }
    }
    current = null;
  };

  const bind = (target: Node | null, value: Value, at: Node) => {
    if (!target) return;
    if (target.type === 'identifier') {
      flow.scope.bind(target.text, withStep(value, { range: rangeOf(at), message: `\`${target.text}\` ← \`${firstLine(at.text)}\`` }));
    } else if (['pattern_list', 'tuple_pattern', 'list_pattern', 'tuple', 'list', 'parenthesized_expression', 'as_pattern_target', 'list_splat_pattern'].includes(target.type)) {
      for (const t of target.namedChildren) bind(t, value, at);
    }
    flow.resetCache();
  };

  let unitSummaries: [string, Summary][] = [];
  let unitSuppressions: [number, number, string][] = [];
  /** Values returned by each function being walked, keyed by its node id. */
  const returns = new Map<number, Value[]>();
  /** On leaving a module-level function or a method: what it returns, for the calls after it. */
  const summarize = (fn: Node) => {
    const values = returns.get(fn.id) ?? [];
    returns.delete(fn.id);
    const parent = flow.scope.parent;
    const name = fn.childForFieldName('name')?.text;
    // Generators return what they yield, which the walk does not collect.
    if (!name || !parent || parent.kind === 'function' || /\byield\b/.test(fn.text)) return;
    const key = parent.kind === 'class' ? `self.${name}` : name;
    const all = values.length === 0 ? CONSTANT : union(values);
    const params = all.sources.filter((s) => s.kind === 'param');
    const summary: Summary = {
      kind: all.sources.length === 0 ? 'constant' : 'value',
      value: { sources: all.sources.filter((s) => s.kind !== 'param') },
      passesArgs: params.length > 0,
      clears: INJECTION.filter((k) => params.every((p) => p.cleared.has(k))),
    };
    flow.summaries.set(key, summary);
    unitSummaries.push([key, summary]);
  };

  /** Bindings hidden by `except ... as name`, restored when the clause ends. */
  const caught = new Map<number, { scope: Scope; name: string; old: Value | undefined }>();

  const validate = (name: string, kinds: readonly SinkKind[] = INJECTION) => {
    const v = flow.scope.lookup(name);
    if (v) flow.scope.env.set(name, clear(v, kinds));
    flow.resetCache();
  };

  // The node's type comes from the query's capture name: asking the node crosses into WASM.
  const enter = (node: Node, type: string) => {
    const visitors = active.nodeRules.get(type);
    if (visitors) run(visitors, (r) => r.onNode!(node, ctx));
    switch (type) {
      case 'call': {
        let qname: string | null;
        if (active.callRules.length > 0) {
          const site = new LazyCallSite(node, names);
          run(active.callRules, (r) => r.onCall!(site, ctx));
          qname = site.qname;
        } else qname = names.resolve(node.childForFieldName('function'));
        // `ipaddress.ip_address(addr)` or `validate_name(name)` as a statement raises on bad
        // input: after it, the argument is valid (see leave).
        validating = isValidatingCall(qname) && node.parent?.type === 'expression_statement';
        break;
      }
      case 'return_statement': {
        run(active.returnRules, (r) => r.onReturn!(node, ctx));
        const fn = flow.scope.func;
        if (fn) returns.set(fn.node.id, [...(returns.get(fn.node.id) ?? []), flow.valueOf(node.namedChild(0))]);
        break;
      }
      case 'comment':
        suppressions.add(node.startPosition.row, node.startPosition.column, node.text);
        unitSuppressions.push([node.startPosition.row, node.startPosition.column, node.text]);
        break;
      case 'function_definition': {
        const fname = node.childForFieldName('name')?.text ?? '<lambda>';
        const inClass = flow.scope.kind === 'class';
        const scope = new Scope('function', node, fname, flow.scope);
        const params = parameters(node).filter((p, i) => p && !(inClass && i === 0 && !isStatic(node)));
        const route = isRouteHandler(node);
        const lambda = params[0]?.name === 'event' && params[1]?.name === 'context';
        const errorHandler = isErrorHandler(node);
        for (const param of params) {
          if (!param) continue;
          if (errorHandler && !ROUTE_NON_INPUT.has(param.name)) {
            // `@app.errorhandler(500) def on_error(e)`: the framework passes the exception.
            scope.env.set(param.name, newSource('exception', param.name, false, param.node, `exception \`${param.name}\` passed to error handler \`${fname}()\``));
          } else if (route && !ROUTE_NON_INPUT.has(param.name)) {
            scope.env.set(param.name, newSource('request', param.name, true, param.node, `route parameter \`${param.name}\` of \`${fname}()\` (request data)`));
          } else if (lambda && param.name === 'event') {
            scope.env.set(param.name, newSource('request', 'event', true, param.node, `Lambda \`event\` of \`${fname}()\` (request data)`));
          } else {
            scope.env.set(param.name, newSource('param', param.name, false, param.node, `parameter \`${param.name}\` of \`${fname}()\``));
          }
        }
        flow.scope = scope;
        flow.resetCache();
        break;
      }
      case 'class_definition': {
        flow.scope = new Scope('class', node, node.childForFieldName('name')?.text ?? '<class>', flow.scope);
        flow.resetCache();
        break;
      }
      case 'except_clause': {
        const value = node.childForFieldName('value');
        const alias = value?.type === 'as_pattern' ? value.childForFieldName('alias')?.namedChild(0) : null;
        if (alias?.type === 'identifier') {
          caught.set(node.id, { scope: flow.scope, name: alias.text, old: flow.scope.env.get(alias.text) });
          flow.scope.env.set(alias.text, newSource('exception', alias.text, false, alias, `exception \`${alias.text}\` caught here`));
          flow.resetCache();
        }
        break;
      }
      case 'for_statement': {
        flow.scope.branchDepth++;
        bind(node.childForFieldName('left'), flow.valueOf(node.childForFieldName('right')), node.childForFieldName('left') ?? node);
        break;
      }
      case 'with_statement': {
        flow.scope.branchDepth++;
        // Only this statement's items: a `with` nested in the body binds when the walk reaches it.
        const clause = node.namedChildren.find((c) => c?.type === 'with_clause');
        for (const item of clause?.namedChildren ?? []) {
          const value = item?.type === 'with_item' ? item.childForFieldName('value') : null;
          if (value?.type === 'as_pattern') bind(value.childForFieldName('alias'), flow.valueOf(value.namedChild(0)), value);
        }
        break;
      }
      default:
        if (BRANCHES.has(type)) flow.scope.branchDepth++;
    }
  };

  const leave = (node: Node, type: string) => {
    switch (type) {
      case 'except_clause': {
        // Python unbinds `e` when the handler ends: what follows sees the earlier binding, if any.
        const c = caught.get(node.id);
        if (c) {
          if (c.old) c.scope.env.set(c.name, c.old);
          else c.scope.env.delete(c.name);
          caught.delete(node.id);
          flow.resetCache();
        }
        break;
      }
      case 'assignment': {
        let right = node.childForFieldName('right');
        while (right?.type === 'assignment') right = right.childForFieldName('right');
        if (right) bind(node.childForFieldName('left'), flow.valueOf(right), node);
        break;
      }
      case 'augmented_assignment': {
        const left = node.childForFieldName('left');
        bind(left, union([flow.valueOf(left), flow.valueOf(node.childForFieldName('right'))]), node);
        break;
      }
      case 'named_expression':
        bind(node.childForFieldName('name'), flow.valueOf(node.childForFieldName('value')), node);
        break;
      case 'call': {
        // A validating call as a statement (flagged on entering it) has returned.
        const first = node.childForFieldName('arguments')?.namedChild(0);
        if (first?.type === 'identifier') validate(first.text);
        break;
      }
      case 'function_definition':
        summarize(node);
        flow.scope = flow.scope.parent ?? moduleScope;
        flow.resetCache();
        break;
      case 'class_definition':
        flow.scope = flow.scope.parent ?? moduleScope;
        flow.resetCache();
        break;
      case 'if_statement':
        flow.scope.branchDepth--;
        if (exits(node.childForFieldName('consequence'))) {
          for (const name of guardedNames(node.childForFieldName('condition'), names)) validate(name);
          for (const name of pathGuardedNames(node.childForFieldName('condition'), names)) validate(name, ['path']);
        }
        break;
      default:
        if (BRANCHES.has(type)) flow.scope.branchDepth--;
    }
  };

  const open: { node: Node; type: string; start: number; end: number; leave: boolean }[] = [];
  /** Set by `enter` for a validating call made as a statement: its leaving validates the argument. */
  let validating = false;
  const close = (upTo: number, start: number, zeroWidth: boolean) => {
    while (open.length > 0) {
      const top = open[open.length - 1];
      // Closed once the next node starts at or after its end; a zero-width node at the very end
      // of an open node (a MISSING token) may still be inside it.
      if (top.end > start) break;
      if (top.end === start && zeroWidth && top.start < top.end && isInside(top.node, upTo)) break;
      open.pop();
      if (top.leave) leave(top.node, top.type);
    }
  };
  const walk = (captures: QueryCapture[]) => {
    for (const { name: type, node } of captures) {
      const enterTypes = active.enterTypes;
      if (!enterTypes.has(type) && !LEAVE.has(type)) continue;
      const start = node.startIndex;
      const end = node.endIndex;
      close(node.id, start, start === end);
      validating = false;
      if (enterTypes.has(type)) enter(node, type);
      open.push({ node, type, start, end, leave: LEAVE.has(type) || validating });
    }
    close(-1, Infinity, false);
  };

  // Which summaries a definition's walk looks up: its findings depend on those, not on the others.
  // The same for module-level bindings: a definition depends on the module names it reads.
  let consulted: Map<string, string> | null = null;
  const summariesGet = flow.summaries.get.bind(flow.summaries);
  flow.summaries.get = (key: string) => {
    const value = summariesGet(key);
    // A summary the definition being walked made itself (a method it called after defining it)
    // depends on nothing outside it but what it looks up anyway: the value before it was never seen.
    if (consulted && !consulted.has(`s:${key}`) && !(value && unitSummaries.some(([k, v]) => k === key && v === value))) {
      consulted.set(`s:${key}`, fingerprint(`s:${key}`, false));
    }
    return value;
  };
  const moduleGet = moduleScope.env.get.bind(moduleScope.env);
  moduleScope.env.get = (name: string) => {
    if (consulted && !consulted.has(`v:${name}`)) consulted.set(`v:${name}`, fingerprint(`v:${name}`, false));
    return moduleGet(name);
  };
  /** A summary or binding as text, in this text's rows or (`toOldRows`) the last analysis's. */
  const fpOld = new WeakMap<object, string>();
  const fingerprint = (key: string, toOldRows: boolean): string => {
    const v = key.startsWith('s:') ? summariesGet(key.slice(2)) : moduleGet(key.slice(2));
    if (!v) return '-';
    const own = described(v);
    // Most keystrokes move no row the value mentions: its text is then the same in both.
    if (!toOldRows || own.rows.every((r) => toOld(r) === r)) return own.text;
    let f = fpOld.get(v);
    if (f === undefined) {
      f = summaryText(v, toOld);
      fpOld.set(v, f);
    }
    return f;
  };

  // The first tree's root stands for the module (rules read its statements through ctx.module).
  const root = module.roots[0];
  if (active.enterTypes.has(root.type)) enter(root, root.type);
  // Each top-level statement in order. Module statements are always walked; a definition is
  // reused when the file's imports, module code and line ending (hashed in old and new
  // coordinates) and every summary and module binding its walk looked up are as they were.
  // Fixes write the file's own line ending (`eol(text)`): a whole-file fact in the key too.
  const eolKey = search.test(CRLF) ? 'crlf' : 'lf';
  // Module statements by text (their rows reach a definition only through the bindings it reads):
  // rules read facts about the file from them (Ctx.moduleCode, e.g. lockers built at module
  // level), so a change to module code re-runs every definition, as a change to the imports does.
  // Only statements at column 0 (moduleCodeOf). The bindings made there reach a definition only
  // through its lookups, which it checks anyway.
  const moduleText = state && !quick ? moduleCodeNow() : '';
  // Only an incremental analysis compares them (an edit walked alone changed none of it).
  const chainOld = quick ? q!.entryKey : state ? entryKeyOf(eolKey, importParts, (k) => rowKey(toOld(plans[k].startRow)), moduleText) : '';
  const chainNew = quick ? q!.entryKey : state ? entryKeyOf(eolKey, importParts, (k) => String(plans[k].startRow), moduleText) : '';
  /** Per statement walked: what it gave (QuickState.parts). */
  const partsOut: { findings: Finding[]; suppressions: [number, number, string][] }[] = [];
  const nextUnits = new Map<number, UnitCache>();
  let walked = 0;
  let reused = 0;
  let skipped = 0;
  const byRule = rulesByName(rules);
  const fileRules = rules.filter((r, i) => r.onFile && (exhaustive || fileActive[i] === 1));
  const commit = (partial: boolean) => {
    if (!state) return;
    if (partial) {
      // The statements not reached keep their words for the next call (by text, as unchanged
      // definitions are not looked up there).
      for (const p of plans) {
        if (!p.raw || nextUnits.has(p.startRow)) continue;
        if (p.raw.cls?.whole) classes.set(p.text, p.raw.cls);
        else scans.set(p.text, { scan: p.raw.scan, key: p.raw.key });
      }
    }
    committed(state, nextUnits, reused, partial, false);
    state.quick = undefined;
  };
  /** The text this analysis read, and what it did, as the next one starts from. */
  const committed = (state: AnalysisState, units: Map<number, UnitCache>, reused: number, partial: boolean, alone: boolean) => {
    state.rules = rules;
    state.text = text;
    state.searches = search.next;
    state.lineStarts = starts!;
    state.units = units;
    state.walked = walked;
    state.reused = reused;
    state.skipped = skipped;
    state.partial = partial;
    state.alone = alone;
  };
  /** The findings so far, with the whole-file checks, deduplicated, suppressed and sorted. */
  const result = (partial: boolean): Finding[] => {
    const mark = findings.length;
    run(fileRules, (r) => r.onFile!(ctx));
    const fromFile = findings.splice(mark);
    const all = findings.concat(fromFile);
    // The first finding of a rule at a range (no key strings: this runs on every keystroke).
    // (Most lines hold one finding: it is kept alone, not in a list.)
    const seen = new Map<number, Finding | Finding[]>();
    const same = (f: Finding, g: Finding) =>
      g.rule === f.rule && g.range.start.character === f.range.start.character && g.range.end.line === f.range.end.line && g.range.end.character === f.range.end.character;
    const kept = all.filter((f) => {
      const line = f.range.start.line;
      const onLine = seen.get(line);
      if (onLine === undefined) seen.set(line, f);
      else if (Array.isArray(onLine)) {
        if (onLine.some((g) => same(f, g))) return false;
        onLine.push(f);
      } else {
        if (same(f, onLine)) return false;
        seen.set(line, [onLine, f]);
      }
      return options.ignoreSuppressions || !suppressions.covers(f, byRule.get(f.rule)!);
    });
    // A suppression may yet be used by the part not analysed.
    if (!options.ignoreSuppressions && !partial) options.onUnusedSuppressions?.(suppressions.unused());
    return kept.sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character || LEVEL_RANK[b.level] - LEVEL_RANK[a.level]);
  };

  // A file-wide suppression may sit anywhere: such files are analysed whole, never in part.
  let deadline = state && options.deadline !== undefined && !search.test(IGNORE_FILE) ? options.deadline : undefined;
  let walkedBefore = 0;
  /** A definition walked or left out afresh: what follows may see other summaries than last time. */
  let fresh = false;
  /**
   * The cached unit of `p` moved to its new rows, its findings, comments and summaries added,
   * when nothing it depends on changed; else null. (Apart from the generator, which V8 seldom
   * keeps optimised, as this runs for every definition on every keystroke.)
   */
  const reuse = (p: (typeof plans)[number]): UnitCache | null => {
    const c = p.cached;
    if (!c || !lineMap || !(c.walked || !p.walk) || c.entryKey !== chainOld) return null;
    if (c.skippedMethods) for (const n of c.skippedMethods) if (calledNames.has(n)) return null;
    // Before the first changed row, after definitions all reused, everything a definition could
    // look up is as it was: its summaries and bindings come from the unchanged text before it.
    const before = !fresh && p.endRow < lineMap.firstChangedRow;
    if (!before) {
      for (const [k, f] of c.consulted) if (fingerprint(k, true) !== f) return null;
    }
    const unit = lineMap.unitToNew(c, p.startRow);
    if (!unit) return null;
    if (!unit.walked) skipped++;
    reused++;
    for (const f of unit.findings) findings.push(f);
    for (const [row, col, comment] of unit.suppressions) suppressions.add(row, col, comment);
    const summaries = flow.summaries;
    for (let i = 0; i < unit.summaries.length; i++) summaries.set(unit.summaries[i][0], unit.summaries[i][1]);
    unit.entryKey = chainNew;
    unit.startIndex = p.node.startIndex;
    if (unit.raw !== p.raw) unit.raw = p.raw;
    if (!lineMap.sameRows) unit.consulted = unit.consulted.map(([k]) => [k, fingerprint(k, false)]);
    return unit;
  };
  for (let k = 0; k < plans.length; k++) {
    const p = plans[k];
    if (deadline !== undefined && walked > walkedBefore && performance.now() > deadline) {
      commit(true);
      deadline = yield result(true);
      walkedBefore = walked;
    }
    flow.resetCache();
    partIndex = quick ? quick.index : k;
    if (!p.def) {
      active = setFor(moduleActive);
      // Its own lists: a definition nested in it (`if ...: def f()`) summarises into them.
      const from = findings.length;
      unitSummaries = [];
      unitSuppressions = [];
      walk((p.scan && !p.scan.marker && !exhaustive ? active.quiet : active.query).captures(p.node));
      partsOut[k] = { findings: findings.slice(from), suppressions: unitSuppressions };
      continue;
    }
    let unit = reuse(p);
    if (unit) {
      nextUnits.set(p.startRow, unit);
      partsOut[k] = unit;
      continue;
    }
    if (!p.walk) {
      fresh = true;
      skipped++;
      // What the next analysis reuses: only an incremental analysis keeps it.
      if (!state) continue;
      const imports = p.imports ?? importsQuery.captures(p.node).map((c) => c.node);
      unit = unitCache({
        startRow: p.startRow,
        startIndex: p.node.startIndex,
        endRow: p.endRow,
        text: p.text,
        entryKey: chainNew,
        findings: [],
        suppressions: [],
        summaries: [],
        aliases: Names.aliasesOf(imports),
        importKey: imports.map((n) => `${n.startPosition.row - p.startRow}:${n.text}`).join('\n'),
        consulted: [],
        walked: false,
        raw: p.raw,
      });
    } else {
      fresh = true;
      walked++;
      active = setFor(p.scan?.active ?? null);
      const base = p.node.startIndex;
      const skip = (p.methods ?? []).filter((m) => !m.needed).map((m) => ({ start: base + m.start, end: base + m.end, names: m.scan.defs.map((d) => `self.${d}`) }));
      const captures = capturesOutside(p.scan && !p.scan.marker && !exhaustive ? active.quiet : active.query, p.node, skip);
      const from = findings.length;
      unitSummaries = [];
      unitSuppressions = [];
      consulted = state ? new Map() : null;
      walk(captures);
      const looked = [...(consulted ?? [])];
      consulted = null;
      if (!state) continue;
      const imports = skip.length === 0
        ? captures.filter((c) => IMPORTS.has(c.name)).map((c) => c.node)
        : p.imports ?? (p.text.includes('import') ? importsQuery.captures(p.node).map((c) => c.node) : []);
      unit = unitCache({
        startRow: p.startRow,
        startIndex: p.node.startIndex,
        endRow: p.endRow,
        text: p.text,
        entryKey: chainNew,
        findings: findings.slice(from),
        suppressions: unitSuppressions,
        summaries: unitSummaries,
        aliases: Names.aliasesOf(imports),
        importKey: imports.map((n) => `${n.startPosition.row - p.startRow}:${n.text}`).join('\n'),
        consulted: [],
        walked: true,
        skippedMethods: skip.flatMap((m) => m.names),
        raw: p.raw,
      });
      // What it looked up, as it was when it looked.
      unit.consulted = looked;
    }
    nextUnits.set(p.startRow, unit);
    partsOut[k] = unit;
  }
  if (quick) {
    // The edited definition made what it made before, as later statements see it: theirs stand
    // (moved down or up when the edit added or removed lines).
    const i = quick.index;
    const rowsMoved = !lineMap!.sameRows;
    const unit = nextUnits.get(plans[0].startRow)!;
    const before = eventsOf(q!.events, i);
    const after = sameEvents(before, events, rowsMoved ? lineMap! : null, calledNames) ? movedOn(q!, state!.units!, i, unit, lineMap!, text.length - diff!.oldLength) : null;
    if (!after) return yield* analysisOf(trees, text, rules, options, false);
    // The edited definition's own events (only those of statements after it were moved).
    after.events.splice(firstEventOf(after.events, i), before.length, ...events);
    replayParts(after.parts, i + 1, after.parts.length, findings, suppressions);
    const edited = quick.node.startIndex;
    q!.parts = after.parts;
    q!.events = after.events;
    q!.roots = q!.roots.map(([start, end]) => [start > edited ? start + after.delta : start, end > edited ? end + after.delta : end]);
    q!.fileCounts = fileCounts;
    q!.entryKey = after.entryKey;
    const plan = state!.plan!;
    plan.units[i] = quickPlanUnit!;
    plan.walks[i] = !!quickPlanUnit!.walk;
    plan.needed[i] = quickPlanUnit!.methods?.map((m) => !!m.needed) ?? null;
    plan.called = calledNames;
    if (typeof after.units === 'function') {
      committed(state!, state!.units!, q!.definitions - 1, false, true);
      state!.unitsLater = after.units;
    } else committed(state!, after.units, q!.definitions - 1, false, true);
    return result(false);
  }
  commit(false);
  if (state) {
    state.quick = {
      parts: plans.map((p, k) => ({ start: p.node.startIndex, end: p.node.startIndex + p.text.length, row: p.startRow, type: p.node.type, findings: partsOut[k].findings, suppressions: partsOut[k].suppressions })),
      roots: module.roots.map((r) => [r.startIndex, r.endIndex]),
      events,
      names,
      scanKey,
      imports: importParts,
      moduleText,
      eol: eolKey,
      entryKey: chainNew,
      off,
      fileCounts,
      moduleActive: moduleActive ?? [],
      definitions: plans.filter((p) => p.def).length,
    };
  }
  return result(false);
}

// Whole-text facts tested on every keystroke: through TextSearch, which reads only around the edit.
const CRLF = /\r\n/;
const IGNORE_FILE = /ignore-file/;

const byNameCache = new WeakMap<readonly Rule[], Map<string, Rule>>();
function rulesByName(rules: readonly Rule[]): Map<string, Rule> {
  let m = byNameCache.get(rules);
  if (!m) byNameCache.set(rules, (m = new Map(rules.map((r) => [r.name, r]))));
  return m;
}

const walkRuleCache = new WeakMap<readonly Rule[], boolean[]>();
/** Per rule: it visits nodes during the walk (else it only looks at the whole file). */
function walkRules(rules: readonly Rule[]): boolean[] {
  let w = walkRuleCache.get(rules);
  if (!w) walkRuleCache.set(rules, (w = rules.map((r) => !!(r.onCall || r.onNode || r.onReturn))));
  return w;
}

function sameList<T>(a: ArrayLike<T>, b: ArrayLike<T>): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The same words as far as `planWalks` reads them. */
function sameScan(a: UnitScan | null | undefined, b: UnitScan | null | undefined): boolean {
  if (a === b) return true;
  if (!a || !b) return false;
  return a.marker === b.marker && sameList(a.active, b.active) && sameList(a.calls, b.calls) && sameList(a.defs, b.defs);
}

/** `planWalks` would decide for `b` as it did for `a`. */
function samePlan(a: readonly PlanUnit[], b: readonly PlanUnit[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!samePlanUnit(a[i], b[i])) return false;
  return true;
}

/** `planWalks` would see the same in `y` as in `x`. */
function samePlanUnit(x: PlanUnit, y: PlanUnit): boolean {
  if (x.def !== y.def || x.isClass !== y.isClass || !sameScan(x.scan, y.scan) || !sameScan(x.rest, y.rest)) return false;
  const xm = x.methods;
  const ym = y.methods;
  // Read whole (no methods list) in both, or not comparable.
  if (!xm || !ym) return !xm && !ym;
  if (xm.length !== ym.length) return false;
  for (let j = 0; j < xm.length; j++) if (!sameScan(xm[j].scan, ym[j].scan)) return false;
  return true;
}

/** Parameters of a route handler that are not request data. */
const ROUTE_NON_INPUT = new Set(['request', 'req', 'db', 'session', 'background_tasks', 'response', 'current_user', 'user']);
/** Decorated as a web route: `@app.route`, `@bp.get`, `@router.post(...)`, `@app.api_route`, `@view_config`. */
const ROUTE_DECORATOR = /^@\s*[\w.]*\b(route|get|post|put|patch|delete|api_route|websocket|view_config)\s*\(/;

/** Flask `@app.errorhandler(...)`/`@bp.app_errorhandler(...)`, FastAPI/Starlette `@app.exception_handler(...)`. */
const ERROR_HANDLER_DECORATOR = /^@\s*[\w.]*\b(errorhandler|app_errorhandler|exception_handler)\s*\(/;

function isErrorHandler(fn: Node): boolean {
  const decorated = fn.parent?.type === 'decorated_definition' ? fn.parent : null;
  return !!decorated?.namedChildren.some((d) => d?.type === 'decorator' && ERROR_HANDLER_DECORATOR.test(d.text));
}

const walkQueryCache = new Map<string, { query: ReturnType<typeof query>; quiet: ReturnType<typeof query> }>();
/**
 * The walk's queries for rules that also visit nodes of `nodeTypes`: one pattern per node type,
 * the capture named after the type; `quiet` leaves comments out. Many sets of rules share a set
 * of node types: built once per set of types.
 */
function walkQueries(nodeTypes: string[]): { query: ReturnType<typeof query>; quiet: ReturnType<typeof query> } {
  const key = nodeTypes.sort().join(',');
  let q = walkQueryCache.get(key);
  if (!q) {
    const lang = language();
    const of = (types: string[]) => query([...new Set([...types, ...LEAVE, ...IMPORTS])].filter((t) => lang.idForNodeType(t, true) !== null).sort().map((t) => `(${t}) @${t}`).join('\n'));
    const all = [...ENTER, ...nodeTypes];
    q = { query: of(all), quiet: of(all.filter((t) => t !== 'comment' || nodeTypes.includes(t))) };
    walkQueryCache.set(key, q);
  }
  return q;
}

/** A method of a class, at offsets into the class's text. */
interface MethodPart extends PlanMethod {
  start: number;
  end: number;
}

/** A top-level statement that is a class (decorators first). */
const CLASS_TEXT = /^(@[^\n]*\n\s*)*class\b/;

/** The methods of a class statement, at offsets into its text, with their first and last rows. */
function methodsOf(node: Node): [start: number, end: number, row: number, endRow: number][] {
  const spans: [number, number, number, number][] = [];
  let cls: Node | null = node;
  if (cls.type === 'decorated_definition') cls = cls.childForFieldName('definition');
  const body = cls?.type === 'class_definition' ? cls.childForFieldName('body') : null;
  const base = node.startIndex;
  for (const m of body?.namedChildren ?? []) {
    if (m && (m.type === 'function_definition' || m.type === 'decorated_definition')) spans.push([m.startIndex - base, m.endIndex - base, m.startPosition.row, m.endPosition.row]);
  }
  return spans;
}

/** What a class's words say, by its text: per method, the rest, and the whole (null: no methods). */
interface ClassScan {
  key: string;
  methods: [start: number, end: number, scan: UnitScan][];
  rest: UnitScan | null;
  whole: UnitScan | null;
}

/**
 * The query's captures in `node` outside the `skip` ranges (sorted, disjoint), in document order.
 * Each gap is queried apart so that skipped code never crosses into JS; a node spanning a skipped
 * range (the class itself) comes back from several gaps and is kept once.
 */
function capturesOutside(q: ReturnType<typeof query>, node: Node, skip: { start: number; end: number }[]): QueryCapture[] {
  if (skip.length === 0) return q.captures(node);
  const out: QueryCapture[] = [];
  const seen = new Set<number>();
  let from = node.startIndex;
  const end = node.endIndex;
  for (const gap of [...skip, { start: end, end }]) {
    if (gap.start > from) {
      for (const c of q.captures(node, { startIndex: from, endIndex: gap.start })) {
        if (seen.has(c.node.id)) continue;
        const a = c.node.startIndex;
        if (skip.some((k) => a >= k.start && a < k.end && c.node.endIndex <= k.end)) continue;
        seen.add(c.node.id);
        out.push(c);
      }
    }
    from = gap.end;
  }
  return out;
}

/** `outer` is an ancestor of the node with id `id` (rare: only for zero-width nodes). */
function isInside(outer: Node, id: number): boolean {
  const stack: Node[] = [outer];
  while (stack.length) {
    const n = stack.pop()!;
    for (const c of n.children) {
      if (!c) continue;
      if (c.id === id) return true;
      // Only a child ending where `outer` ends can hold a zero-width node at that position.
      if (c.endIndex === outer.endIndex) stack.push(c);
    }
  }
  return false;
}

function isRouteHandler(fn: Node): boolean {
  const decorated = fn.parent?.type === 'decorated_definition' ? fn.parent : null;
  return !!decorated?.namedChildren.some((d) => d?.type === 'decorator' && ROUTE_DECORATOR.test(d.text));
}

function isStatic(fn: Node): boolean {
  const decorated = fn.parent?.type === 'decorated_definition' ? fn.parent : null;
  return !!decorated?.namedChildren.some((d) => d?.type === 'decorator' && /staticmethod\s*$/.test(d.text));
}

/** The module statements' text (isModuleCode), as the entry key and Ctx.moduleCode hold it. */
function moduleCodeOf(plans: readonly { node: Node; text: string }[]): string {
  let out = '';
  for (const p of plans) {
    if (!isModuleCode(p.node)) continue;
    out = out ? `${out}\n${p.text}` : p.text;
  }
  return out;
}

/**
 * What a definition's reuse depends on beyond its own lookups: the file's line ending, each
 * statement holding imports (its row, by `rowOf` its index, and its imports) and the module
 * statements' text.
 */
function entryKeyOf(eol: string, imports: readonly [number, string][], rowOf: (index: number) => string, moduleText: string): string {
  let text = '';
  for (const [k, rel] of imports) text += `${rowOf(k)}|${rel}\n`;
  return hash(eol, `${text}\n${moduleText}`);
}

function rowKey(row: number): string {
  return row < 0 ? '?' : String(row);
}

/** 53-bit string hash (cyrb53), chained: collisions are negligible for a cache key. */
function hash(seed: string, text: string): string {
  let h1 = 0xdeadbeef ^ seed.length;
  let h2 = 0x41c6ce57 ^ seed.length;
  const all = seed + '\u0000' + text;
  for (let i = 0; i < all.length; i++) {
    const c = all.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(36);
}

const descriptions = new WeakMap<object, { text: string; rows: number[] }>();
/** A summary or binding as text in its own rows, and the rows it mentions (values never change once made). */
function described(v: object): { text: string; rows: number[] } {
  let d = descriptions.get(v);
  if (!d) {
    const rows: number[] = [];
    d = { text: summaryText(v, (r) => (rows.push(r), r)), rows };
    descriptions.set(v, d);
  }
  return d;
}

/** A summary as text, rows mapped by `row` (-1: no counterpart, which never compares equal). */
function summaryText(summary: object, row: (r: number) => number): string {
  return JSON.stringify(summary, (k, v) => {
    if (k === 'line' && typeof v === 'number') {
      const r = row(v);
      return r < 0 ? '?' : r;
    }
    if (v instanceof Set) return [...v].sort();
    return v;
  });
}

/** Every row a unit's findings, summaries and suppressions hold a position on, ascending. */
function rowsHeld(u: UnitCache): Int32Array {
  const rows = new Set<number>();
  const range = (r: TextRange) => {
    rows.add(r.start.line);
    rows.add(r.end.line);
  };
  const steps = (t: TraceStep[] | undefined) => t?.forEach((s) => range(s.range));
  for (const f of u.findings) {
    range(f.range);
    steps(f.trace);
    f.fix?.edits.forEach((e) => range(e.range));
    f.suppressLines?.forEach((r) => rows.add(r));
  }
  for (const [, v] of u.summaries) for (const src of v.value.sources) steps(src.trace);
  for (const [r] of u.suppressions) rows.add(r);
  return Int32Array.from(rows).sort();
}

/**
 * Rows of the old text -> rows of the new one: lines before the first changed line keep their
 * row, lines after the last changed line move by the change in line count, lines in between
 * have no counterpart.
 */
class LineMap {
  constructor(
    private readonly prefix: number,
    private readonly oldSuffixStart: number,
    private readonly newSuffixStart: number,
  ) {}

  /** The first row (in both texts) that is not the same line as before. */
  get firstChangedRow(): number {
    return this.prefix;
  }

  /** No line was added or removed: rows outside the changed lines are the same in both texts. */
  get sameRows(): boolean {
    return this.oldSuffixStart === this.newSuffixStart;
  }

  toOld(row: number): number {
    if (row < this.prefix) return row;
    if (row >= this.newSuffixStart) return row - this.newSuffixStart + this.oldSuffixStart;
    return -1;
  }

  /** No position the unit holds lies on a changed line. */
  untouched(u: UnitCache): boolean {
    const rows = (u.rows ??= rowsHeld(u));
    // The first row held at or after the first changed row must come after the changed rows.
    const first = firstNotBefore(rows.length, (i) => rows[i] < this.prefix);
    if (first === rows.length) return true;
    const row = rows[first];
    if (row < this.oldSuffixStart) return false;
    // A point outside the unit's lines on the first line after the change (a fix's import after the
    // file's imports, a line a fix adds after a statement): with lines inserted right before it, it
    // is unsaid on which side of them that point now is. A fresh walk says.
    return row !== this.oldSuffixStart || (row >= u.startRow && row <= u.endRow);
  }

  toNew(row: number): number {
    if (row < this.prefix) return row;
    if (row >= this.oldSuffixStart) return row - this.oldSuffixStart + this.newSuffixStart;
    return -1;
  }

  /** The cached unit moved to `startRow`, or null when some position it holds has no counterpart. */
  unitToNew(u: UnitCache, startRow: number): UnitCache | null {
    if (!this.untouched(u)) return null;
    // The common keystroke adds no line: rows outside the changed lines stay, nothing is copied.
    if (this.oldSuffixStart === this.newSuffixStart) return u;
    // Nor does a unit whose every position lies before the change (rows are ascending).
    const held = u.rows!;
    if (startRow === u.startRow && (held.length === 0 || held[held.length - 1] < this.prefix)) return u;
    const move = new RowMover(this);
    const findings = u.findings.map((f) => move.finding(f));
    const suppressions = u.suppressions.map(([r, c, t]): [number, number, string] => [move.row(r), c, t]);
    const moved = this.movedUnit(u, startRow, findings, suppressions, move);
    return move.ok ? moved : null;
  }

  /** The unit at `startRow` with these findings and comments (already moved), its summaries and rows moved. */
  movedUnit(u: UnitCache, startRow: number, findings: Finding[], suppressions: [number, number, string][], move: RowMover): UnitCache {
    const summaries = u.summaries.map(([k, v]): [string, Summary] => [k, move.summary(v)]);
    // Every row it holds has a counterpart (`untouched`), and rows keep their order.
    let rows: Int32Array | undefined;
    if (u.rows) {
      rows = new Int32Array(u.rows.length);
      for (let i = 0; i < rows.length; i++) rows[i] = this.toNew(u.rows[i]);
    }
    // The fields in `unitCache`'s order (one shape for all units), without a spread copy first.
    return {
      startRow,
      endRow: startRow + (u.endRow - u.startRow),
      text: u.text,
      startIndex: u.startIndex,
      entryKey: u.entryKey,
      findings,
      suppressions,
      summaries,
      aliases: u.aliases,
      importKey: u.importKey,
      consulted: u.consulted,
      walked: u.walked,
      skippedMethods: u.skippedMethods,
      rows,
      raw: u.raw,
    };
  }
}

/** Copies of positions and what holds them, rows moved by a LineMap; `ok` turns false at a row with no counterpart. */
class RowMover {
  ok = true;
  /** Summaries already moved: a unit's summaries are also the module's events (QuickState). */
  private readonly summaries = new Map<Summary, Summary>();

  constructor(private readonly map: LineMap) {}

  row(r: number): number {
    const n = this.map.toNew(r);
    if (n < 0) this.ok = false;
    return n;
  }

  pos(p: Pos): Pos {
    return { line: this.row(p.line), character: p.character };
  }

  range(r: TextRange): TextRange {
    return { start: this.pos(r.start), end: this.pos(r.end) };
  }

  step(t: TraceStep): TraceStep {
    return { range: this.range(t.range), message: t.message };
  }

  steps(trace: TraceStep[]): TraceStep[] {
    const out: TraceStep[] = new Array(trace.length);
    for (let i = 0; i < trace.length; i++) out[i] = this.step(trace[i]);
    return out;
  }

  // (Built field by field, like the findings the walk reports: a spread copy is several times
  // slower, and an Enter in a large file moves every finding after it.)
  finding(f: Finding): Finding {
    const moved: Finding = {
      rule: f.rule,
      code: f.code,
      range: this.range(f.range),
      message: f.message,
      level: f.level,
      severity: f.severity,
      confidence: f.confidence,
      cwe: f.cwe,
      fix: f.fix && { title: f.fix.title, safe: f.fix.safe, edits: f.fix.edits.map((e) => ({ range: this.range(e.range), newText: e.newText })) },
      trace: f.trace && this.steps(f.trace),
      suppressLines: f.suppressLines?.map((r) => this.row(r)),
    };
    if (f.fingerprint !== undefined) moved.fingerprint = f.fingerprint;
    return moved;
  }

  value(v: Value): Value {
    // (Values and summaries are never changed once made: one that holds no row is shared.)
    if (v.sources.length === 0) return v;
    return { sources: v.sources.map((src) => ({ kind: src.kind, name: src.name, strong: src.strong, trace: this.steps(src.trace), cleared: src.cleared })) };
  }

  summary(s: Summary): Summary {
    if (s.value.sources.length === 0) return s;
    let moved = this.summaries.get(s);
    if (!moved) {
      moved = { kind: s.kind, value: this.value(s.value), passesArgs: s.passesArgs, clears: s.clears };
      this.summaries.set(s, moved);
    }
    return moved;
  }
}
