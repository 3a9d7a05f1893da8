// One walk over the tree, every enabled rule riding it. The walk keeps the dataflow scopes up
// to date in source order (so a rule sees the bindings in force at its sink), collects comments
// for suppressions, and never recurses: a deeply nested file cannot overflow the stack.
import type { Node, Tree } from 'web-tree-sitter';
import {
  clear, CONSTANT, firstLine, Flow, INJECTION, isValidatingCall, newSource, rangeOf, Scope, union, withStep, type Value,
} from './dataflow';
import { statementOf } from './fixes';
import { exits, guardedNames } from './guards';
import { Names } from './names';
import { language, query } from './parser';
import type { CallSite, Ctx, Report, Rule } from './rule';
import { parseSuppression, suppresses, type Suppression } from './suppressions';
import { parameters } from './syntax';
import { LEVEL_RANK, minLevel, type Finding } from './types';

export interface AnalyzeOptions {
  ignoreSuppressions?: boolean;
  /** Called when a rule throws; the other rules still run. */
  onRuleError?: (rule: Rule, error: unknown) => void;
}

const BRANCHES = new Set(['if_statement', 'for_statement', 'while_statement', 'try_statement', 'match_statement', 'with_statement']);
const ENTER = new Set([
  'call', 'return_statement', 'comment', 'function_definition', 'class_definition', 'except_clause', ...BRANCHES,
]);
const LEAVE = new Set([
  'assignment', 'augmented_assignment', 'named_expression', 'if_statement', 'expression_statement',
  'function_definition', 'class_definition', 'except_clause', ...BRANCHES,
]);

const IMPORTS = new Set(['import_statement', 'import_from_statement']);

function callSite(node: Node, names: Names): CallSite {
  const callee = node.childForFieldName('function');
  const argList = node.childForFieldName('arguments');
  const args: Node[] = [];
  const positional: Node[] = [];
  const keywords = new Map<string, Node>();
  let hasSplat = false;
  if (argList?.type === 'argument_list') {
    for (const a of argList.namedChildren) {
      if (!a || a.type === 'comment') continue;
      args.push(a);
      if (a.type === 'keyword_argument') {
        const name = a.childForFieldName('name')?.text;
        const value = a.childForFieldName('value');
        if (name && value) keywords.set(name, value);
      } else if (a.type === 'list_splat' || a.type === 'dictionary_splat') {
        hasSplat = true;
      } else {
        positional.push(a);
      }
    }
  } else if (argList) {
    // `f(x for x in y)`: a bare generator is the single argument.
    args.push(argList);
    positional.push(argList);
  }
  return { node, qname: names.resolve(callee), callee, args, positional, keywords, hasSplat };
}

export function analyze(tree: Tree, text: string, rules: readonly Rule[], options: AnalyzeOptions = {}): Finding[] {
  // One compiled query (cached per set of node types) returns, from inside WASM, exactly the
  // nodes the walk handles and the imports, in document order; a stack of open nodes emulates
  // enter and leave. A cursor walk would cross the WASM boundary at every node of the tree.
  const nodeTypes = new Set<string>();
  for (const r of rules) if (r.onNode) for (const t of r.nodeTypes ?? []) nodeTypes.add(t);
  const captures = walkQuery(new Set([...ENTER, ...nodeTypes])).captures(tree.rootNode);
  const names = new Names(tree, captures.filter((c) => IMPORTS.has(c.name)).map((c) => c.node));
  const moduleScope = new Scope('module', tree.rootNode, '<module>', null);
  const flow = new Flow(names, moduleScope);
  const findings: Finding[] = [];
  const suppressions = new Map<number, Suppression>();
  const callRules = rules.filter((r) => r.onCall);
  const returnRules = rules.filter((r) => r.onReturn);
  const nodeRules = new Map<string, Rule[]>();
  for (const r of rules) {
    if (!r.onNode) continue;
    for (const t of r.nodeTypes ?? []) nodeRules.set(t, [...(nodeRules.get(t) ?? []), r]);
  }
  const enterTypes = new Set([...ENTER, ...nodeRules.keys()]);

  let current: Rule | null = null;
  const ctx: Ctx = {
    text,
    tree,
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
        range: rangeOf(r.node),
        message: r.message,
        level: minLevel(r.level ?? rule.defaultLevel, rule.maxLevel),
        severity: rule.severity,
        confidence: r.confidence ?? rule.confidence,
        cwe: rule.cwe,
        fix: r.fix,
        trace: r.trace,
        suppressLines: [...new Set([stmt.startPosition.row, stmt.endPosition.row, r.node.startPosition.row])],
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
    flow.summaries.set(key, {
      kind: all.sources.length === 0 ? 'constant' : 'value',
      value: { sources: all.sources.filter((s) => s.kind !== 'param') },
      passesArgs: params.length > 0,
      clears: INJECTION.filter((k) => params.every((p) => p.cleared.has(k))),
    });
  };

  /** Bindings hidden by `except ... as name`, restored when the clause ends. */
  const caught = new Map<number, { scope: Scope; name: string; old: Value | undefined }>();

  const validate = (name: string) => {
    const v = flow.scope.lookup(name);
    if (v) flow.scope.env.set(name, clear(v, INJECTION));
    flow.resetCache();
  };

  const enter = (node: Node) => {
    const visitors = nodeRules.get(node.type);
    if (visitors) run(visitors, (r) => r.onNode!(node, ctx));
    switch (node.type) {
      case 'call': {
        const site = callSite(node, names);
        run(callRules, (r) => r.onCall!(site, ctx));
        break;
      }
      case 'return_statement': {
        run(returnRules, (r) => r.onReturn!(node, ctx));
        const fn = flow.scope.func;
        if (fn) returns.set(fn.node.id, [...(returns.get(fn.node.id) ?? []), flow.valueOf(node.namedChild(0))]);
        break;
      }
      case 'comment': {
        const s = parseSuppression(node.text);
        if (s) suppressions.set(node.startPosition.row, s);
        break;
      }
      case 'function_definition': {
        const fname = node.childForFieldName('name')?.text ?? '<lambda>';
        const inClass = flow.scope.kind === 'class';
        const scope = new Scope('function', node, fname, flow.scope);
        const params = parameters(node).filter((p, i) => p && !(inClass && i === 0 && !isStatic(node)));
        const route = isRouteHandler(node);
        const lambda = params[0]?.name === 'event' && params[1]?.name === 'context';
        for (const param of params) {
          if (!param) continue;
          if (route && !ROUTE_NON_INPUT.has(param.name)) {
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
        if (BRANCHES.has(node.type)) flow.scope.branchDepth++;
    }
  };

  const leave = (node: Node) => {
    switch (node.type) {
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
      case 'expression_statement': {
        // `ipaddress.ip_address(addr)` or `validate_name(name)` as a statement raises on bad input.
        const call = node.namedChild(0);
        if (call?.type === 'call' && isValidatingCall(names.resolve(call.childForFieldName('function')))) {
          const first = call.childForFieldName('arguments')?.namedChild(0);
          if (first?.type === 'identifier') validate(first.text);
        }
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
        }
        break;
      default:
        if (BRANCHES.has(node.type)) flow.scope.branchDepth--;
    }
  };

  const open: { node: Node; type: string; start: number; end: number; leave: boolean }[] = [];
  const close = (upTo: number, start: number, zeroWidth: boolean) => {
    while (open.length > 0) {
      const top = open[open.length - 1];
      // Closed once the next node starts at or after its end; a zero-width node at the very end
      // of an open node (a MISSING token) may still be inside it.
      if (top.end > start) break;
      if (top.end === start && zeroWidth && top.start < top.end && isInside(top.node, upTo)) break;
      open.pop();
      if (top.leave) leave(top.node);
    }
  };
  for (const { name: type, node } of captures) {
    if (!enterTypes.has(type) && !LEAVE.has(type)) continue;
    const start = node.startIndex;
    const end = node.endIndex;
    close(node.id, start, start === end);
    if (enterTypes.has(type)) enter(node);
    open.push({ node, type, start, end, leave: LEAVE.has(type) });
  }
  close(-1, Infinity, false);
  run(rules.filter((r) => r.onFile), (r) => r.onFile!(ctx));

  const byRule = new Map(rules.map((r) => [r.name, r]));
  const seen = new Set<string>();
  return findings
    .filter((f) => {
      const key = `${f.rule}:${f.range.start.line}:${f.range.start.character}:${f.range.end.line}:${f.range.end.character}`;
      if (seen.has(key)) return false;
      seen.add(key);
      if (options.ignoreSuppressions) return true;
      const rule = byRule.get(f.rule)!;
      return !(f.suppressLines ?? []).some((line) => {
        const s = suppressions.get(line);
        return s && suppresses(s, rule);
      });
    })
    .sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character || LEVEL_RANK[b.level] - LEVEL_RANK[a.level]);
}

/** Parameters of a route handler that are not request data. */
const ROUTE_NON_INPUT = new Set(['request', 'req', 'db', 'session', 'background_tasks', 'response', 'current_user', 'user']);
/** Decorated as a web route: `@app.route`, `@bp.get`, `@router.post(...)`, `@app.api_route`, `@view_config`. */
const ROUTE_DECORATOR = /^@\s*[\w.]*\b(route|get|post|put|patch|delete|api_route|websocket|view_config)\s*\(/;

/** The walk's query: one pattern per node type, the capture named after the type. */
function walkQuery(types: Set<string>): ReturnType<typeof query> {
  const lang = language();
  const names = [...new Set([...types, ...LEAVE, ...IMPORTS])].filter((t) => lang.idForNodeType(t, true) !== null).sort();
  return query(names.map((t) => `(${t}) @${t}`).join('\n'));
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
