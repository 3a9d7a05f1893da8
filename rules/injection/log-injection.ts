import type { Node } from 'web-tree-sitter';
import { sourcesFor, traceFor, rangeOf } from '../../server/src/engine/dataflow';
import type { Rule } from '../../server/src/engine/rule';
import type { Fix, TextEdit } from '../../server/src/engine/types';
import { describeValue, isLogCall, LOG_TRIGGER_PATTERN, LOG_TRIGGERS } from '../support';
import { isDirectText, stringValue } from '../web/web';

/**
 * The pieces of a log call that end up in the line as text, each with the edit that makes it
 * print as `repr()` (quoted, CR/LF shown as `\r\n`): f-string fields get `!r`, `%s` fields of the
 * format string become `%r`. Null edit: no mechanical rewrite.
 */
interface Piece { node: Node; edit: TextEdit | null }

function fstringPieces(str: Node, out: Piece[]): void {
  for (const p of str.namedChildren) {
    if (p?.type !== 'interpolation') continue;
    const expr = p.childForFieldName('expression') ?? p.namedChild(0);
    if (!expr) continue;
    const next = expr.nextSibling;
    if (next?.type === 'type_conversion') continue; // `{x!r}` already quoted; `!s`/`!a` rare
    out.push({ node: expr, edit: next?.type === '}' ? { range: rangeOf(expr), newText: `${expr.text}!r` } : null });
  }
}

/** The conversion of each `%` field of a literal format string and the column of its letter (null when not a plain one-line literal). */
function percentFields(fmt: Node): { conv: string; col: number | null }[] | null {
  const text = stringValue(fmt);
  if (text === null) return null;
  const plain = fmt.type === 'string' && fmt.startPosition.row === fmt.endPosition.row && !text.includes('\\');
  const open = plain ? /^[a-zA-Z]*["']/.exec(fmt.text)![0].length : 0;
  const fields: { conv: string; col: number | null }[] = [];
  const re = /%(\([^)]*\))?[-#0 +]*(\*|\d+)?(\.(\*|\d+))?[hlL]?([diouxXeEfFgGcrsa%])/g;
  for (const m of text.matchAll(re)) {
    if (m[5] === '%') continue;
    if (m[1]) return null; // mapping keys: leave them
    fields.push({ conv: m[5], col: plain ? fmt.startPosition.column + open + m.index! + m[0].length - 1 : null });
  }
  return fields;
}

function pieces(site: { positional: Node[] }, isLogMethod: boolean): Piece[] {
  const out: Piece[] = [];
  const args = site.positional.slice(isLogMethod ? 1 : 0);
  const msg = args[0];
  if (!msg) return out;
  if (msg.type === 'string' && msg.namedChildren.some((c) => c?.type === 'interpolation')) {
    fstringPieces(msg, out);
  } else if (msg.type === 'string' || msg.type === 'concatenated_string') {
    const fields = percentFields(msg);
    args.slice(1).forEach((a, i) => {
      if (fields && i >= fields.length) return;
      const f = fields?.[i];
      if (f && f.conv !== 's') return; // %r quotes, %d/%f need numbers
      const row = msg.startPosition.row;
      const edit = f && f.col !== null ? { range: { start: { line: row, character: f.col }, end: { line: row, character: f.col + 1 } }, newText: 'r' } : null;
      out.push({ node: a, edit });
    });
  } else {
    // `"..." + x`, `"%s" % x`, `"{}".format(x)`, a variable: the whole message.
    out.push({ node: msg, edit: null });
  }
  return out;
}

const rule: Rule = {
  code: 'SL126',
  name: 'log-injection',
  category: 'injection',
  summary: 'Request data written into a log line unquoted (forged log entries)',
  severity: 'low',
  confidence: 'medium',
  defaultLevel: 'warning',
  maxLevel: 'warning',
  cwe: [117],
  bandit: [],
  ruff: [],
  fix: 'sometimes',
  explanation: {
    what:
      'Web request data (query and form fields, headers, cookies, route parameters, the request body) is written into a log message as plain text: an f-string field, a `%s` argument, `+` or `.format()`. Only the data itself (or text built from it in place) counts, not the result of another call made with it. Fields logged with `%r` or `{x!r}`, values passed through `int()`, `urllib.parse.quote()`, an allowlist check, or `.replace("\\r", "").replace("\\n", "")` are not reported. To keep the noise down only request data is reported, as a warning: not route parameters (path segments, mostly ids checked by the route\'s converter) nor `request.remote_addr` (set by the server), not parameters of functions, command-line or file input, nor values of unknown origin, which would put a hint on nearly every log call.',
    why:
      'A value such as `bob\\n2024-05-01 12:00:00 INFO admin logged in` writes a second, forged entry into the log (CWE-117): it can hide an attack, frame another user, or inject terminal escape sequences and markup into log viewers. Logging `%r` shows the value quoted with `\\n` spelled out, so one request stays one line.',
    example:
      '@app.route("/login", methods=["POST"])\ndef login():\n    user = request.form["user"]\n    LOG.info(f"Login attempt for {user}")',
    useInstead:
      '@app.route("/login", methods=["POST"])\ndef login():\n    user = request.form["user"]\n    LOG.info("Login attempt for %r", user)',
    fixSafety:
      'Unsafe: the fix changes the field to its `repr()`: `{user}` becomes `{user!r}` and `%s` becomes `%r`. The line keeps its meaning but the value now appears quoted (`\'bob\'`), with CR, LF and other control characters escaped; dashboards or alerts that parse the old format may need updating. No fix is offered for messages built with `+`, `%` or `.format()` before the call.',
    references: [
      'https://cwe.mitre.org/data/definitions/117.html',
      'https://owasp.org/www-community/attacks/Log_Injection',
      'https://cheatsheetseries.owasp.org/cheatsheets/Logging_Cheat_Sheet.html',
      'https://docs.python.org/3/howto/logging.html#optimization',
    ],
  },
  triggers: LOG_TRIGGERS,
  triggerPattern: LOG_TRIGGER_PATTERN,
  onCall(site, ctx) {
    if (!isLogCall(site) || site.hasSplat) return;
    const isLogMethod = site.callee?.childForFieldName('attribute')?.text === 'log';
    // Request data only, and not route parameters: path segments are mostly ids (`<int:id>`),
    // and logging them is everywhere. Parameters and values of unknown origin: nothing.
    const fromRequest = (n: Node) => sourcesFor(ctx.valueOf(n), 'logline').some((s) => s.kind === 'request' && !/\.remote_addr$/.test(s.name) && !s.trace[0]?.message.startsWith('route parameter'));
    const stripped = (n: Node) => /\.replace\(\s*["']\\r["']/.test(n.text) && /\.replace\(\s*["']\\n["']/.test(n.text);
    const hits = pieces(site, isLogMethod).filter((p) => !stripped(p.node) && isDirectText(p.node, ctx) && fromRequest(p.node));
    if (hits.length === 0) return;
    const shown = hits[0];
    const value = ctx.valueOf(shown.node);
    const edits = hits.map((p) => p.edit);
    const fix: Fix | undefined = edits.every((e) => e) ? { title: 'Log the value with repr() (%r / !r) so CR/LF cannot start a new line', safe: false, edits: edits as TextEdit[] } : undefined;
    ctx.report({
      node: shown.node,
      message: `${describeValue(value, 'logline').replace(/^./, (c) => c.toUpperCase())} is written into a log line as plain text: a CR/LF in it forges extra log entries. Log it with %r (or {x!r}) so it is quoted and newlines are escaped, or strip "\\r" and "\\n" first.`,
      trace: traceFor(value, 'logline', { range: rangeOf(shown.node), message: 'reaches the log line' }),
      fix,
    });
  },
};

export default rule;
