// One walk over the tree, every enabled rule riding it. The walk keeps the dataflow scopes up
// to date in source order (so a rule sees the bindings in force at its sink), collects comments
// for suppressions, and never recurses: a deeply nested file cannot overflow the stack.
import type { Node, QueryCapture, Tree } from 'web-tree-sitter';
import {
  clear, CONSTANT, type Summary, firstLine, Flow, INJECTION, isValidatingCall, newSource, rangeOf, Scope, union, withStep, type SinkKind, type Value,
} from './dataflow';
import { statementOf } from './fixes';
import { exits, guardedNames, pathGuardedNames } from './guards';
import { ModuleTrees } from './trees';
import { Names } from './names';
import { language, query } from './parser';
import type { CallSite, Ctx, Report, Rule } from './rule';
import { Suppressions, type UnusedSuppression } from './suppressions';
import { mergeScans, planWalks, TriggerIndex, type KnownScans, type PlanMethod, type PlanUnit, type UnitScan } from './triggers';
import { parameters } from './syntax';
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
}

/** Incremental analysis state of one document; opaque to callers. */
export interface AnalysisState {
  rules?: readonly Rule[];
  lines?: string[];
  units?: Map<number, UnitCache>;
  /** Statistics of the last run, for tests and the benchmark. */
  walked?: number;
  reused?: number;
  /** Top-level statements not walked at all: no rule's trigger words appear in them. */
  skipped?: number;
  /** The last call stopped at its deadline: the findings cover the start of the file only. */
  partial?: boolean;
  /** Every top-level statement's words by its text, walked or not (a slice does not rescan the rest). */
  scans?: Map<string, { scan: UnitScan; key: string }>;
  /** The same for class statements, split into methods, by the class's text. */
  classes?: Map<string, ClassScan>;
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
export function* analysis(trees: Tree | ModuleTrees, text: string, rules: readonly Rule[], options: AnalyzeOptions = {}): Generator<Finding[], Finding[], number | undefined> {
  // One compiled query (cached per set of node types) returns, from inside WASM, exactly the
  // nodes the walk handles and the imports, in document order; a stack of open nodes emulates
  // enter and leave. A cursor walk would cross the WASM boundary at every node of the tree.

  // ---- Incremental plan: which top-level definitions can reuse their last findings ----
  const state = options.state;
  const exhaustive = options.exhaustive ?? EXHAUSTIVE;
  // Lines and the scan cache key serve the next analysis only: not computed without state.
  const lines = state ? text.split('\n') : [];
  const old = state && state.rules === rules && state.lines && state.units ? { lines: state.lines, units: state.units } : null;
  const lineMap = old ? LineMap.between(old.lines, lines) : null;
  const toOld = (row: number) => (lineMap ? lineMap.toOld(row) : -1);
  const module = ModuleTrees.of(trees);
  const units = module.children;
  const plans = units.map((node) => {
    const startRow = node.startPosition.row;
    const endRow = node.endPosition.row;
    const def = DEFINITIONS.has(node.type);
    const unitText = node.text;
    let cached: UnitCache | undefined;
    if (def && old) {
      const o = toOld(startRow);
      const c = o >= 0 && toOld(endRow) === o + (endRow - startRow) ? old.units.get(o) : undefined;
      if (c && c.endRow - c.startRow === endRow - startRow && c.text === unitText) cached = c;
    }
    return { node, startRow, endRow, def, text: unitText, cached, imports: null as Node[] | null, scan: null as UnitScan | null, walk: true, methods: null as MethodPart[] | null };
  });
  // Names come from every import of the file, in order: cached units give their aliases.
  const names = new Names(null, []);
  const importsQuery = query(IMPORTS_QUERY);
  let importsOld = '';
  let importsNew = '';
  for (const p of plans) {
    let rel: string;
    if (p.cached) {
      for (const [a, qn] of p.cached.aliases) names.setAlias(a, qn);
      rel = p.cached.importKey;
    } else {
      p.imports = p.text.includes('import') ? importsQuery.captures(p.node).map((c) => c.node) : [];
      for (const n of p.imports) names.addImport(n);
      rel = p.imports.map((n) => `${n.startPosition.row - p.startRow}:${n.text}`).join('\n');
    }
    if (rel) {
      importsOld += `${rowKey(toOld(p.startRow))}|${rel}\n`;
      importsNew += `${p.startRow}|${rel}\n`;
    }
  }

  // ---- Which statements to walk, with which rules (see triggers.ts) ----
  const triggers = TriggerIndex.of(rules);
  const scanKey = exhaustive || !state ? '' : hash('aliases', names.key());
  let moduleActive: number[] | null = null;
  const walkRule = rules.map((r) => !!(r.onCall || r.onNode || r.onReturn));
  const oldScans = state?.rules === rules ? state.scans : undefined;
  const scans = new Map<string, { scan: UnitScan; key: string }>();
  const oldClasses = state?.rules === rules ? state.classes : undefined;
  const classes = new Map<string, ClassScan>();
  // Rules whose file-wide condition fails cannot report anywhere in this text.
  const off = exhaustive ? null : triggers.offIn(text);
  /** The words of a piece of the file, from the last analysis when its text is unchanged. */
  const rawScanOf = (piece: string): UnitScan => {
    const o = oldScans?.get(piece) ?? scans.get(piece);
    const scan = o && o.key === scanKey ? o.scan : triggers.scan(piece, names);
    if (state) scans.set(piece, { scan, key: scanKey });
    return scan;
  };
  const scanOf = (piece: string): UnitScan => TriggerIndex.without(rawScanOf(piece), off);
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
  const classScanOf = (node: Node, unitText: string, startRow: number, endRow: number): { methods: MethodPart[]; rest: UnitScan; whole: UnitScan } | null => {
    if (!CLASS_TEXT.test(unitText)) return null;
    const fromKnown = known && knownClass(node, startRow, endRow);
    if (fromKnown) return fromKnown;
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
    if (!c.rest || !c.whole) return null;
    return {
      methods: c.methods.map(([start, end, scan]) => ({ start, end, scan: TriggerIndex.without(scan, off), needed: false })),
      rest: TriggerIndex.without(c.rest, off),
      whole: TriggerIndex.without(c.whole, off),
    };
  };
  // Per rule: 1 when its words appear somewhere in the file (for onFile).
  const fileActive = new Uint8Array(rules.length);
  /** Names called by the code walked (so every method or function they name is walked too). */
  const calledNames = new Set<string>();
  if (!exhaustive) {
    const moduleOn = new Uint8Array(rules.length);
    for (const i of triggers.always) if (!off?.[i]) moduleOn[i] = fileActive[i] = 1;
    const units = plans.map((p) => {
      // A class is one statement, but most of its methods are harmless: each method is read
      // alone, and what is left of the class (its other statements) is walked with it.
      const cls = p.def ? classScanOf(p.node, p.text, p.startRow, p.endRow) : null;
      const read = !cls ? known?.unit(p.startRow, p.endRow) : undefined;
      const scan = (p.scan = cls?.whole ?? (read ? TriggerIndex.without(read, off) : scanOf(p.text)));
      for (const i of scan.active) fileActive[i] = 1;
      if (!p.def) for (const i of scan.active) moduleOn[i] = 1;
      p.methods = cls?.methods ?? null;
      const unit: PlanUnit = { def: p.def, isClass: CLASS_TEXT.test(p.text), scan, rest: cls?.rest, methods: p.methods };
      return { plan: p, unit };
    });
    for (const c of planWalks(units.map((u) => u.unit), walkRule)) calledNames.add(c);
    for (const { plan, unit } of units) plan.walk = !!unit.walk;
    // A whole-file rule's pattern may match between statements (blank space belongs to none).
    rules.forEach((r, i) => {
      if (r.onFile && !fileActive[i] && !off?.[i] && r.triggerPattern?.test(text)) fileActive[i] = 1;
    });
    moduleActive = [];
    for (let i = 0; i < rules.length; i++) if (moduleOn[i]) moduleActive.push(i);
    if (state) {
      state.scans = scans;
      state.classes = classes;
    }
  }
  const setFor = (indexes: readonly number[] | null) => (exhaustive ? ruleSet(rules, null) : ruleSet(rules, indexes));

  const moduleScope = new Scope('module', module.roots[0], '<module>', null);
  const flow = new Flow(names, moduleScope);
  const findings: Finding[] = [];
  const suppressions = new Suppressions();
  let active = setFor(moduleActive);

  let current: Rule | null = null;
  const ctx: Ctx = {
    text,
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
    if (consulted && !consulted.has(`s:${key}`)) consulted.set(`s:${key}`, fingerprint(`s:${key}`, false));
    return summariesGet(key);
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
  const eolKey = text.includes('\r\n') ? 'crlf' : 'lf';
  // Module statements by text (their rows reach a definition only through the bindings it reads):
  // some rules look at the whole file (e.g. lockers built at module level), so a change to module
  // code re-runs every definition, as a change to the imports does.
  const moduleText = state ? plans.filter((p) => !p.def).map((p) => p.text).join('\n') : '';
  // Only an incremental analysis compares them.
  const chainOld = state ? hash(eolKey, `${importsOld}\n${moduleText}`) : '';
  const chainNew = state ? hash(eolKey, `${importsNew}\n${moduleText}`) : '';
  const nextUnits = new Map<number, UnitCache>();
  let walked = 0;
  let reused = 0;
  let skipped = 0;
  const byRule = new Map(rules.map((r) => [r.name, r]));
  const fileRules = rules.filter((r, i) => r.onFile && (exhaustive || fileActive[i] === 1));
  const commit = (partial: boolean) => {
    if (!state) return;
    state.rules = rules;
    state.lines = lines;
    state.units = nextUnits;
    state.walked = walked;
    state.reused = reused;
    state.skipped = skipped;
    state.partial = partial;
  };
  /** The findings so far, with the whole-file checks, deduplicated, suppressed and sorted. */
  const result = (partial: boolean): Finding[] => {
    const mark = findings.length;
    run(fileRules, (r) => r.onFile!(ctx));
    const fromFile = findings.splice(mark);
    const all = findings.concat(fromFile);
    const seen = new Set<string>();
    const kept = all.filter((f) => {
      const key = `${f.rule}:${f.range.start.line}:${f.range.start.character}:${f.range.end.line}:${f.range.end.character}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return options.ignoreSuppressions || !suppressions.covers(f, byRule.get(f.rule)!);
    });
    // A suppression may yet be used by the part not analysed.
    if (!options.ignoreSuppressions && !partial) options.onUnusedSuppressions?.(suppressions.unused());
    return kept.sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character || LEVEL_RANK[b.level] - LEVEL_RANK[a.level]);
  };

  // A file-wide suppression may sit anywhere: such files are analysed whole, never in part.
  let deadline = state && options.deadline !== undefined && !/ignore-file/.test(text) ? options.deadline : undefined;
  let walkedBefore = 0;
  for (const p of plans) {
    if (deadline !== undefined && walked > walkedBefore && performance.now() > deadline) {
      commit(true);
      deadline = yield result(true);
      walkedBefore = walked;
    }
    flow.resetCache();
    if (!p.def) {
      active = setFor(moduleActive);
      walk((p.scan && !p.scan.marker && !exhaustive ? active.quiet : active.query).captures(p.node));
      continue;
    }
    let unit: UnitCache | null = null;
    if (p.cached && (p.cached.walked || !p.walk) && !p.cached.skippedMethods?.some((n) => calledNames.has(n)) && p.cached.entryKey === chainOld && lineMap && p.cached.consulted.every(([k, f]) => fingerprint(k, true) === f)) {
      unit = lineMap.unitToNew(p.cached, p.startRow);
    }
    if (unit) {
      if (!unit.walked) skipped++;
      reused++;
      findings.push(...unit.findings);
      for (const [row, col, comment] of unit.suppressions) suppressions.add(row, col, comment);
      for (const [k, v] of unit.summaries) flow.summaries.set(k, v);
      unit.entryKey = chainNew;
      if (!lineMap?.sameRows) unit.consulted = unit.consulted.map(([k]) => [k, fingerprint(k, false)]);
    } else if (!p.walk) {
      skipped++;
      // What the next analysis reuses: only an incremental analysis keeps it.
      if (!state) continue;
      const imports = p.imports ?? importsQuery.captures(p.node).map((c) => c.node);
      unit = {
        startRow: p.startRow,
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
      };
    } else {
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
      unit = {
        startRow: p.startRow,
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
      };
      // What it looked up, as it was when it looked.
      unit.consulted = looked;
    }
    nextUnits.set(p.startRow, unit);
  }
  commit(false);
  return result(false);
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

/** Top-level statements that are definitions: their findings can be reused across edits. */
const DEFINITIONS = new Set(['function_definition', 'class_definition', 'decorated_definition']);


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

/**
 * Rows of the old text -> rows of the new one: lines before the first changed line keep their
 * row, lines after the last changed line move by the change in line count, lines in between
 * have no counterpart.
 */
class LineMap {
  private constructor(
    private readonly prefix: number,
    private readonly oldSuffixStart: number,
    private readonly newSuffixStart: number,
  ) {}

  static between(a: string[], b: string[]): LineMap {
    let p = 0;
    const max = Math.min(a.length, b.length);
    while (p < max && a[p] === b[p]) p++;
    let s = 0;
    while (s < max - p && a[a.length - 1 - s] === b[b.length - 1 - s]) s++;
    return new LineMap(p, a.length - s, b.length - s);
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
  private untouched(u: UnitCache): boolean {
    const ok = (row: number) => row < this.prefix || row >= this.oldSuffixStart;
    const range = (r: TextRange) => ok(r.start.line) && ok(r.end.line);
    const steps = (t: TraceStep[] | undefined) => !t || t.every((s) => range(s.range));
    return (
      u.findings.every((f) => range(f.range) && steps(f.trace) && (!f.fix || f.fix.edits.every((e) => range(e.range))) && (!f.suppressLines || f.suppressLines.every(ok))) &&
      u.summaries.every(([, v]) => v.value.sources.every((src) => steps(src.trace))) &&
      u.suppressions.every(([r]) => ok(r))
    );
  }

  toNew(row: number): number {
    if (row < this.prefix) return row;
    if (row >= this.oldSuffixStart) return row - this.oldSuffixStart + this.newSuffixStart;
    return -1;
  }

  /** The cached unit moved to `startRow`, or null when some position it holds has no counterpart. */
  unitToNew(u: UnitCache, startRow: number): UnitCache | null {
    // The common keystroke adds no line: rows outside the changed lines stay, nothing is copied.
    if (this.oldSuffixStart === this.newSuffixStart) return this.untouched(u) ? u : null;
    let ok = true;
    const pos = (p: Pos): Pos => {
      const line = this.toNew(p.line);
      if (line < 0) ok = false;
      return { line, character: p.character };
    };
    const range = (r: TextRange): TextRange => ({ start: pos(r.start), end: pos(r.end) });
    const step = (t: TraceStep): TraceStep => ({ ...t, range: range(t.range) });
    const row = (r: number) => {
      const n = this.toNew(r);
      if (n < 0) ok = false;
      return n;
    };
    const findings = u.findings.map((f) => ({
      ...f,
      range: range(f.range),
      trace: f.trace?.map(step),
      fix: f.fix && { ...f.fix, edits: f.fix.edits.map((e) => ({ ...e, range: range(e.range) })) },
      suppressLines: f.suppressLines?.map(row),
    }));
    const summaries = u.summaries.map(([k, v]): [string, Summary] => [k, {
      ...v,
      value: { sources: v.value.sources.map((src) => ({ ...src, trace: src.trace.map(step) })) },
    }]);
    const suppressions = u.suppressions.map(([r, c, t]): [number, number, string] => [row(r), c, t]);
    if (!ok) return null;
    return { ...u, startRow, endRow: startRow + (u.endRow - u.startRow), findings, summaries, suppressions };
  }
}
