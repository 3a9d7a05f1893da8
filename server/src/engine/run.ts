// One walk over the tree, every enabled rule riding it. The walk keeps the dataflow scopes up
// to date in source order (so a rule sees the bindings in force at its sink), collects comments
// for suppressions, and never recurses: a deeply nested file cannot overflow the stack.
import type { Node, Tree } from 'web-tree-sitter';
import {
  clear, firstLine, Flow, INJECTION, isValidatingCall, newSource, rangeOf, Scope, union, withStep, type Value,
} from './dataflow';
import { statementOf } from './fixes';
import { Names } from './names';
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

/** Names a guard statement vouches for: `if not re.fullmatch(P, x): raise`, `if x not in ALLOWED: return`. */
function guardedNames(test: Node | null, names: Names, out: string[] = []): string[] {
  if (!test) return out;
  if (test.type === 'parenthesized_expression') return guardedNames(test.namedChild(0), names, out);
  if (test.type === 'boolean_operator') {
    guardedNames(test.childForFieldName('left'), names, out);
    guardedNames(test.childForFieldName('right'), names, out);
    return out;
  }
  if (test.type === 'not_operator') {
    const arg = test.childForFieldName('argument');
    if (arg?.type === 'call') {
      const q = names.resolve(arg.childForFieldName('function'));
      const method = q?.split('.').pop() ?? '';
      const validating = ['match', 'fullmatch', 'search'].includes(method) || isValidatingCall(q) || /^is(alnum|digit|decimal|identifier|alpha|ascii)$/.test(method);
      if (!validating) return out;
      const argsNode = arg.childForFieldName('arguments');
      for (const a of argsNode?.namedChildren ?? []) if (a?.type === 'identifier') out.push(a.text);
      // `x.isalnum()` vouches for x.
      const receiver = arg.childForFieldName('function')?.childForFieldName('object');
      if (receiver?.type === 'identifier' && method.startsWith('is')) out.push(receiver.text);
    }
    return out;
  }
  if (test.type === 'comparison_operator') {
    const ops = test.children.filter((c) => c && !c.isNamed).map((c) => c!.type).join(' ');
    const left = test.namedChild(0);
    if (ops === 'not in' && left?.type === 'identifier') out.push(left.text);
  }
  return out;
}

function exits(block: Node | null): boolean {
  const last = block?.namedChildren.filter((c) => c && c.type !== 'comment').pop();
  return !!last && ['raise_statement', 'return_statement', 'continue_statement', 'break_statement'].includes(last.type);
}

export function analyze(tree: Tree, text: string, rules: readonly Rule[], options: AnalyzeOptions = {}): Finding[] {
  const names = new Names(tree);
  const moduleScope = new Scope('module', tree.rootNode, '<module>', null);
  const flow = new Flow(names, moduleScope);
  const findings: Finding[] = [];
  const suppressions = new Map<number, Suppression>();
  const callRules = rules.filter((r) => r.onCall);
  const returnRules = rules.filter((r) => r.onReturn);

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

  /** Bindings hidden by `except ... as name`, restored when the clause ends. */
  const caught = new Map<number, { scope: Scope; name: string; old: Value | undefined }>();

  const validate = (name: string) => {
    const v = flow.scope.lookup(name);
    if (v) flow.scope.env.set(name, clear(v, INJECTION));
    flow.resetCache();
  };

  const enter = (node: Node) => {
    switch (node.type) {
      case 'call': {
        const site = callSite(node, names);
        run(callRules, (r) => r.onCall!(site, ctx));
        break;
      }
      case 'return_statement': {
        run(returnRules, (r) => r.onReturn!(node, ctx));
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
        parameters(node).forEach((param, i) => {
          if (!param || (inClass && i === 0 && !isStatic(node))) return;
          scope.env.set(param.name, newSource('param', param.name, false, param.node, `parameter \`${param.name}\` of \`${fname}()\``));
        });
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
      case 'function_definition': case 'class_definition':
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

  // Each step across the WASM boundary costs: read a node's type once, build a Node object only
  // for the types handled above, and remember it for the leave.
  const cursor = tree.walk();
  const open: (Node | null)[] = [];
  try {
    outer: for (;;) {
      const type = cursor.nodeType;
      const node = ENTER.has(type) || LEAVE.has(type) ? cursor.currentNode : null;
      if (node && ENTER.has(type)) enter(node);
      open.push(node && LEAVE.has(type) ? node : null);
      if (cursor.gotoFirstChild()) continue;
      for (;;) {
        const done = open.pop();
        if (done) leave(done);
        if (cursor.gotoNextSibling()) continue outer;
        if (!cursor.gotoParent()) break outer;
      }
    }
  } finally {
    cursor.delete();
  }

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

function isStatic(fn: Node): boolean {
  const decorated = fn.parent?.type === 'decorated_definition' ? fn.parent : null;
  return !!decorated?.namedChildren.some((d) => d?.type === 'decorator' && /staticmethod\s*$/.test(d.text));
}
