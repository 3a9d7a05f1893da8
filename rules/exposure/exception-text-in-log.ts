import type { Node } from 'web-tree-sitter';
import type { SinkKind } from '../../server/src/engine/dataflow';
import { replaceNode } from '../../server/src/engine/fixes';
import { matchesAny } from '../../server/src/engine/names';
import type { Ctx, Rule } from '../../server/src/engine/rule';
import type { Fix, TextEdit } from '../../server/src/engine/types';
import { carriesExceptionText, caughtName, isLogCall, LOG_TRIGGER_PATTERN, LOG_TRIGGERS, reportFlow, sinkName, TEXT_OF } from '../support';

/** Expressions whose exception text sits in their parts: each part can be scrubbed on its own. */
const TRANSPARENT = new Set([
  'string', 'concatenated_string', 'interpolation', 'binary_operator', 'tuple', 'list', 'set', 'dictionary', 'pair',
  'parenthesized_expression', 'conditional_expression', 'expression_list', 'argument_list',
]);

/** `"...".format(e)`, `", ".join(...)`, `str("x: " + str(e))`: text built from the arguments. */
function buildsText(call: Node, ctx: Ctx, kind: SinkKind): boolean {
  const fn = call.childForFieldName('function');
  if (fn?.type === 'attribute') {
    const method = fn.childForFieldName('attribute')?.text;
    return (method === 'format' || method === 'join') && !carriesExceptionText(fn.childForFieldName('object'), ctx, kind);
  }
  return matchesAny(ctx.names.resolve(fn), TEXT_OF);
}

/**
 * Edits replacing every piece of exception text inside `node` with `type(e).__name__`; false
 * when some of it cannot be reached (a variable, an unknown call), so no fix is offered.
 */
function scrub(node: Node, ctx: Ctx, edits: TextEdit[]): boolean {
  if (!carriesExceptionText(node, ctx, 'log')) return true;
  const name = caughtName(node, ctx, 'log');
  if (name) {
    edits.push(replaceNode(node, `type(${name}).__name__`));
    return true;
  }
  if (node.type === 'keyword_argument') {
    const value = node.childForFieldName('value');
    return !!value && scrub(value, ctx, edits);
  }
  if (TRANSPARENT.has(node.type) || (node.type === 'call' && buildsText(node, ctx, 'log'))) {
    return node.namedChildren.every((c) => !c || scrub(c, ctx, edits));
  }
  return false;
}

const rule: Rule = {
  code: 'SL201',
  name: 'exception-text-in-log',
  category: 'exposure',
  summary: 'Text of a caught exception written to a log',
  severity: 'medium',
  confidence: 'medium',
  defaultLevel: 'warning',
  maxLevel: 'warning',
  cwe: [532, 209],
  bandit: [],
  ruff: [],
  fix: 'sometimes',
  explanation: {
    what:
      'The text of an exception caught with `except ... as e` is passed to a logger (`LOG.*`, `logger.*`, `logging.*`, `self.log.*`, `logging.getLogger(...).*`): `e`, `str(e)`, `repr(e)`, `e.args`, `e.message`, `e.strerror`, or an f-string, `%`, `.format()` or `+` that includes it, either in the message or as a `%`-style logger argument; also the formatted traceback (`traceback.format_exc()`, `traceback.format_exception(...)`), which ends with the same text. The exception type (`type(e).__name__`), `e.errno`, `e.returncode` and `e.exit_code` are not its text and are not flagged.',
    why:
      'An exception\'s message is written by whatever code raised it, not by you: it can hold command lines with passwords (`ProcessExecutionError` carries the command, stdout and stderr), connection strings, SQL with user data, file paths, tokens from a failed HTTP request or the content of a malformed input. Logs are kept long, shipped to shared aggregators and read by people and tools with less privilege than the service, so that text leaks there (CWE-532). Messages that echo attacker input can also forge or break log lines.',
    example:
      'try:\n    processutils.execute("ip", "link", "set", iface, "mtu", mtu, run_as_root=True)\nexcept processutils.ProcessExecutionError as e:\n    LOG.error("Failed to set MTU on %s: %s", iface, e)',
    useInstead:
      'try:\n    processutils.execute("ip", "link", "set", iface, "mtu", mtu, run_as_root=True)\nexcept processutils.ProcessExecutionError as e:\n    LOG.error("Failed to set MTU on %s: %s (exit code %s)", iface, type(e).__name__, e.exit_code)',
    fixSafety:
      'Safe: each piece of exception text in the logger arguments (`e`, `str(e)`, `e.args`, an f-string interpolation, a `%` or `.format()` argument) is replaced with `type(e).__name__`; the call and the rest of the message stay as they were, so only the logged text changes. No fix is offered when the text reaches the logger through a variable or an unknown function call.',
    references: [
      'https://cwe.mitre.org/data/definitions/532.html',
      'https://cwe.mitre.org/data/definitions/209.html',
      'https://docs.python.org/3/library/logging.html#logging.Logger.debug',
      'https://cheatsheetseries.owasp.org/cheatsheets/Logging_Cheat_Sheet.html',
    ],
  },
  triggers: LOG_TRIGGERS,
  triggerPattern: LOG_TRIGGER_PATTERN,
  onCall(site, ctx) {
    if (!isLogCall(site)) return;
    const args = site.positional;
    const first = args.find((a) => carriesExceptionText(a, ctx, 'log'));
    if (!first) return;
    const edits: TextEdit[] = [];
    const fixable = args.every((a) => scrub(a, ctx, edits));
    const fix: Fix | undefined = fixable && edits.length > 0 ? { title: 'Scrub exception text from logs', safe: true, edits } : undefined;
    reportFlow(ctx, first, ctx.valueOf(first), 'log', `the log via ${sinkName(site)}`, (origin) =>
      `Text of ${origin} is written to the log by ${sinkName(site)}: exception messages carry whatever the raiser put in them (command lines, paths, SQL, credentials, user input) and logs are kept and shared widely. Log the exception type (\`type(e).__name__\`) or a fixed message instead.`,
      fix,
    );
  },
};

export default rule;
