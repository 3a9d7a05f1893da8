import { eol, indentOf, insertAt, replaceNode, startsLine } from '../../server/src/engine/fixes';
import { matchesAny } from '../../server/src/engine/names';
import type { CallSite, Rule } from '../../server/src/engine/rule';
import type { Fix, Pos, TextEdit } from '../../server/src/engine/types';
import { HTTPX_CALLS, REQUESTS_FUNCTIONS, sinkName } from '../support';

/** requests' module-level functions have no timeout unless one is passed. */
const REQUESTS = REQUESTS_FUNCTIONS;
/** httpx defaults to 5 seconds; only an explicit `timeout=None` removes it. */
const HTTPX = HTTPX_CALLS;
const TIMEOUT = '10';

const pos = (p: { row: number; column: number }): Pos => ({ line: p.row, character: p.column });

/** Edits appending `timeout=10` as the last argument, in the layout the call already uses. */
function appendTimeout(site: CallSite, text: string): TextEdit[] | null {
  const list = site.node.childForFieldName('arguments');
  const close = list?.lastChild;
  if (list?.type !== 'argument_list' || close?.type !== ')') return null;
  const arg = `timeout=${TIMEOUT}`;
  const last = site.args[site.args.length - 1];
  if (!last) return [insertAt(pos(close.startPosition), arg)];
  const comma = list.children.find((c) => c?.type === ',' && c.startIndex >= last.endIndex) ?? null;
  const nl = eol(text);
  const oneArgPerLine = startsLine(text, last) && last.startPosition.row > list.startPosition.row;
  if (oneArgPerLine && startsLine(text, close)) {
    // requests.get(\n    url,\n    headers=h,\n)  ->  a new line before the closing parenthesis.
    const line = insertAt({ line: close.startPosition.row, character: 0 }, `${indentOf(text, last)}${arg}${comma ? ',' : ''}${nl}`);
    return comma ? [line] : [insertAt(pos(last.endPosition), ','), line];
  }
  if (oneArgPerLine && !comma) return [insertAt(pos(last.endPosition), `,${nl}${indentOf(text, last)}${arg}`)];
  if (comma) return [insertAt(pos(comma.endPosition), ` ${arg},`)];
  return [insertAt(pos(last.endPosition), `, ${arg}`)];
}

const UNSAFE_FIX =
  'a slow endpoint that used to succeed may now time out; pick a value that fits the service';

const rule: Rule = {
  code: 'SL402',
  name: 'request-without-timeout',
  category: 'transport',
  summary: 'HTTP request that can wait forever',
  severity: 'low',
  confidence: 'high',
  defaultLevel: 'warning',
  maxLevel: 'warning',
  cwe: [400],
  bandit: ['B113'],
  ruff: ['S113'],
  fix: 'sometimes',
  explanation: {
    what:
      'A `requests` module function (`get`, `post`, `put`, `patch`, `delete`, `head`, `options`, `request`) is called without `timeout=` or with `timeout=None`, or an `httpx` function or client is given `timeout=None`. Calls passing `**kwargs` are not reported, since the timeout may be inside. httpx has a 5-second default, so only an explicit `None` is reported there.',
    why:
      'requests waits for the server forever by default. A peer that accepts the connection and then stops answering (overloaded, half-dead, or an attacker doing it on purpose) blocks the calling thread, worker or agent loop for good; a handful of such calls exhausts a worker pool and the service stops responding (CWE-400, and CWE-1088: synchronous access of a remote resource without a timeout).',
    example:
      'import requests\n\n\ndef notify_nova(url, events):\n    resp = requests.post(url, json={"events": events})\n    resp.raise_for_status()',
    useInstead:
      'import requests\n\n\ndef notify_nova(url, events):\n    # (connect, read) seconds\n    resp = requests.post(url, json={"events": events}, timeout=(3.05, 30))\n    resp.raise_for_status()',
    fixSafety: `Unsafe: the fix adds \`timeout=${TIMEOUT}\` as the last argument (or replaces \`timeout=None\`), keeping the call's layout; ${UNSAFE_FIX}, and the caller should be ready for \`requests.Timeout\`/\`httpx.TimeoutException\`.`,
    references: [
      'https://cwe.mitre.org/data/definitions/400.html',
      'https://cwe.mitre.org/data/definitions/1088.html',
      'https://requests.readthedocs.io/en/latest/user/advanced/#timeouts',
      'https://www.python-httpx.org/advanced/timeouts/',
      'https://owasp.org/www-community/attacks/Denial_of_Service',
    ],
  },
  // `requests.*`; httpx only with `timeout=None`.
  triggers: ['requests', 'httpx'],
  onCall(site, ctx) {
    const isRequests = matchesAny(site.qname, REQUESTS);
    if (!isRequests && !matchesAny(site.qname, HTTPX)) return;
    const timeout = site.keywords.get('timeout');
    const fn = sinkName(site);
    if (timeout?.type === 'none') {
      ctx.report({
        node: timeout.parent ?? timeout,
        message: `\`timeout=None\` lets ${fn} wait forever for a server that stops answering, tying up this thread or worker. Pass a finite timeout in seconds, e.g. timeout=${TIMEOUT}.`,
        fix: { title: `Set timeout=${TIMEOUT}`, safe: false, edits: [replaceNode(timeout, TIMEOUT)] },
      });
      return;
    }
    if (!isRequests || timeout) return;
    // `**kwargs` may carry the timeout.
    if (site.args.some((a) => a.type === 'dictionary_splat')) return;
    const edits = appendTimeout(site, ctx.text);
    const fix: Fix | undefined = edits ? { title: `Add timeout=${TIMEOUT}`, safe: false, edits } : undefined;
    ctx.report({
      node: site.callee ?? site.node,
      message: `${fn} has no timeout, so it waits forever for a server that stops answering, tying up this thread or worker. Pass timeout= in seconds (e.g. timeout=${TIMEOUT}, or a (connect, read) tuple).`,
      fix,
    });
  },
};

export default rule;
