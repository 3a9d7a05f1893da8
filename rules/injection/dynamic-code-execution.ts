import type { Node } from 'web-tree-sitter';
import { compact, ensureImport, replaceNode } from '../../server/src/engine/fixes';
import { matchesAny } from '../../server/src/engine/names';
import type { CallSite, Ctx, Rule } from '../../server/src/engine/rule';
import type { Fix } from '../../server/src/engine/types';
import { reportFlow, sinkName } from '../support';

/** The builtins that compile or run Python source text. */
const EVAL = ['eval', 'builtins.eval', '__builtin__.eval'];
const EXEC = ['exec', 'builtins.exec', '__builtin__.exec'];
const COMPILE = ['compile', 'builtins.compile', '__builtin__.compile'];

/** The source argument: positional, or `source=` (compile accepts it by keyword). */
function sourceArg(site: CallSite): Node | undefined {
  return site.positional[0] ?? site.keywords.get('source');
}

/** A code object from `compile(...)`: the compile call is checked itself, so `exec(compile(...))` is reported once. */
function isCompileCall(node: Node, ctx: Ctx): boolean {
  return node.type === 'call' && matchesAny(ctx.names.resolve(node.childForFieldName('function')), COMPILE);
}

/** `eval(x)` alone (no globals/locals, no splat) -> `ast.literal_eval(x)`. */
function literalEvalFix(site: CallSite, ctx: Ctx): Fix | undefined {
  if (!matchesAny(site.qname, EVAL) || !site.callee) return undefined;
  if (site.args.length !== 1 || site.positional.length !== 1 || site.hasSplat) return undefined;
  return {
    title: 'Parse the value with ast.literal_eval() instead of eval()',
    safe: false,
    edits: compact([replaceNode(site.callee, 'ast.literal_eval'), ensureImport(ctx.module, ctx.text, 'ast')]),
  };
}

const rule: Rule = {
  code: 'SL103',
  name: 'dynamic-code-execution',
  category: 'injection',
  summary: 'eval(), exec() or compile() on non-constant text',
  severity: 'high',
  confidence: 'high',
  defaultLevel: 'warning',
  maxLevel: 'error',
  cwe: [95],
  bandit: ['B307', 'B102'],
  ruff: ['S307', 'S102'],
  fix: 'sometimes',
  // The builtins by their bare names (`re.compile`, `model.eval()` are other functions), or through `builtins`.
  triggers: ['builtins', '__builtin__'],
  // Called by name: the name, then (maybe past space, a line continuation or a comment) `(`.
  triggerPattern: /(?<!\.[ \t]*)\b(?:eval|exec|compile)(?:[\s\\]|#[^\n]*)*\(/,
  explanation: {
    what:
      'Python source text that is not a constant is compiled or run with the builtins `eval()`, `exec()` or `compile()` (also when imported from `builtins`). Constant strings are not reported, and neither is `ast.literal_eval()`.',
    why:
      'The text runs as Python with the full privileges of the process: an attacker who controls any part of it can call `__import__("os").system(...)`, read files or open sockets. Restricting `__builtins__` in the globals dict does not help, because the object graph (`().__class__.__base__.__subclasses__()`) leads back to everything. Data should be parsed, never executed.',
    example:
      'def parse_limits(raw):\n    # raw comes from a config option such as "{\'cpu\': 2, \'ram\': 4096}"\n    return eval(raw)\n\n\ndef run_hook(hook_source):\n    exec(hook_source, {"agent": agent})',
    useInstead:
      'import ast\nimport json\n\n\ndef parse_limits(raw):\n    return ast.literal_eval(raw)  # literals only: str, numbers, tuples, lists, dicts, sets, None, bools\n\n\n# or, for data exchanged with other programs:\nlimits = json.loads(raw)\n\n# for a choice of behaviour, a dispatch table rather than code:\nHOOKS = {"restart": restart_agent, "resync": resync_ports}\nHOOKS[hook_name]()',
    fixSafety:
      'Unsafe: the fix (offered for `eval(x)` with a single argument) rewrites it to `ast.literal_eval(x)` and adds `import ast`. Afterwards only Python literals (strings, bytes, numbers, tuples, lists, dicts, sets, booleans, `None`) are accepted; names, calls, attribute access, comprehensions and most operators raise `ValueError`. That is exactly the input that was dangerous, but legitimate callers that relied on it will break.',
    references: [
      'https://cwe.mitre.org/data/definitions/95.html',
      'https://docs.python.org/3/library/functions.html#eval',
      'https://docs.python.org/3/library/ast.html#ast.literal_eval',
      'https://owasp.org/www-community/attacks/Code_Injection',
    ],
  },
  onCall(site, ctx) {
    if (!matchesAny(site.qname, [...EVAL, ...EXEC, ...COMPILE])) return;
    const source = sourceArg(site);
    if (!source || isCompileCall(source, ctx)) return;
    const fn = sinkName(site);
    const verb = matchesAny(site.qname, COMPILE) ? 'compiled for execution by' : 'executed by';
    reportFlow(ctx, source, ctx.valueOf(source), 'code', `the Python interpreter via ${fn}`, (origin) =>
      `Python code built from ${origin} is ${verb} ${fn}: whoever controls that text can run any code in this process. Parse data instead (ast.literal_eval() for Python literals, json.loads() for JSON) or map names to functions with a dict.`,
      literalEvalFix(site, ctx),
    );
  },
};

export default rule;
