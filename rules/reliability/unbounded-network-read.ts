import type { Node } from 'web-tree-sitter';
import { insertAt } from '../../server/src/engine/fixes';
import type { CallSite, Ctx, Rule } from '../../server/src/engine/rule';
import type { Fix } from '../../server/src/engine/types';

/** Streams of a request body or a connection: `self.rfile`, `environ["wsgi.input"]`, `request.stream`, `req.body_file`. */
const STREAM = /((^|\.)(rfile|body_file|wsgi_input)|^(flask\.)?(request|req)\.stream|\[\s*['"]wsgi\.input['"]\s*\])$/;
/** Text that says a size came from the peer: a header, a length prefix read off the wire. */
const PEER_SIZE = /content[-_]length|CONTENT_LENGTH|headers|\.recv\(|unpack|\.read\(\s*\d\s*\)|getheader|json|request\./i;
/** The methods checked: everything else is left before any parent walk. */
const READS = new Set(['recv', 'recvfrom', 'read', 'readline', 'readlines']);
/** Same limit as http.server's own request-line cap. */
const LINE_CAP = '65537';

function enclosingFunction(node: Node): Node | null {
  for (let p = node.parent; p; p = p.parent) if (p.type === 'function_definition') return p;
  return null;
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Names bound from `x.makefile(...)` in the function: file objects over a socket. */
function socketFiles(fn: Node | null): Set<string> {
  const out = new Set<string>();
  for (const m of (fn?.text ?? '').matchAll(/([\w.]+)\s*=\s*[\w.()]+\.makefile\(/g)) out.add(m[1]);
  return out;
}

/**
 * A size argument the peer chose (`int(self.headers["Content-Length"])`, or a name assigned
 * from one) that is neither capped with `min()` nor compared against a limit in the function.
 */
function peerChosenSize(arg: Node, fn: Node | null): boolean {
  if (/\bmin\s*\(/.test(arg.text)) return false;
  const text = fn?.text ?? '';
  if (arg.type === 'identifier') {
    const name = escape(arg.text);
    const assigned = [...text.matchAll(new RegExp(`\\b${name}\\b[\\s,)\\]]*=(?!=)([^\\n]*)`, 'g'))].map((m) => m[1]);
    if (!assigned.some((a) => PEER_SIZE.test(a)) || assigned.some((a) => /\bmin\s*\(/.test(a))) return false;
    return !new RegExp(`\\b${name}\\s*(>|>=|<|<=)|(>|>=|<|<=)\\s*${name}\\b`).test(text);
  }
  return PEER_SIZE.test(arg.text) && /\b(int|long)\s*\(/.test(arg.text);
}

/** The accumulator a loop adds received data to, unless the loop checks its length. */
function unboundedAccumulation(recv: Node): boolean {
  let loop: Node | null = null;
  for (let p = recv.parent; p && p.type !== 'function_definition'; p = p.parent) {
    if (p.type === 'while_statement') {
      loop = p;
      break;
    }
  }
  if (!loop) return false;
  const body = loop.childForFieldName('body');
  const condition = loop.childForFieldName('condition')?.text ?? '';
  // The received chunk, directly or through the name it is bound to.
  const stmt = recv.parent?.type === 'assignment' ? recv.parent : null;
  const chunk = stmt?.childForFieldName('left')?.type === 'identifier' ? stmt.childForFieldName('left')!.text : null;
  const carries = (n: Node | null) => !!n && (n.id === recv.id || (chunk !== null && new RegExp(`\\b${escape(chunk)}\\b`).test(n.text)) || n.text === recv.text);
  const accumulators: string[] = [];
  for (const a of body?.descendantsOfType('augmented_assignment') ?? []) {
    if (a && a.childForFieldName('operator')?.text === '+=' && carries(a.childForFieldName('right'))) accumulators.push(a.childForFieldName('left')!.text);
  }
  for (const c of body?.descendantsOfType('call') ?? []) {
    const f = c?.childForFieldName('function');
    if (f?.type === 'attribute' && ['append', 'extend'].includes(f.childForFieldName('attribute')?.text ?? '') &&
      carries(c!.childForFieldName('arguments'))) accumulators.push(f.childForFieldName('object')!.text);
  }
  if (accumulators.length === 0) return false;
  const loopText = `${condition}\n${body?.text ?? ''}`;
  // A length check on the accumulator or a byte counter bounds the loop.
  return !accumulators.some((acc) => new RegExp(`len\\(\\s*${escape(acc)}\\s*\\)|${escape(acc)}\\.tell\\(\\)|\\b(total|received|size|count|nbytes|length)\\w*\\s*(>|>=|<|<=)`).test(loopText) ||
    /\b(MAX|LIMIT)\w*/.test(loopText));
}

function report(ctx: Ctx, site: CallSite, message: string, fix?: Fix): void {
  ctx.report({ node: site.node, message, fix });
}

const rule: Rule = {
  code: 'SL504',
  name: 'unbounded-network-read',
  category: 'reliability',
  summary: 'Network or request input read without a size limit',
  severity: 'medium',
  confidence: 'medium',
  defaultLevel: 'warning',
  maxLevel: 'warning',
  cwe: [400, 770],
  bandit: [],
  ruff: [],
  fix: 'sometimes',
  // `recv`, or the streams STREAM and socketFiles recognise.
  triggers: ['recv', 'recvfrom', 'makefile', 'rfile', 'body_file', 'wsgi_input', 'wsgi'],
  // `request.stream` (STREAM) is an attribute, whatever `request` is imported as.
  triggerPattern: /\.[\s\\]*stream\b/,
  explanation: {
    what:
      'Input from a peer is read with no upper bound: a `while` loop that keeps appending `sock.recv()` data to a buffer (`data += chunk`, `chunks.append(chunk)`) without checking its length; a request body read to the end (`self.rfile.read()`, `environ["wsgi.input"].read()`, `request.stream.read()`, `req.body_file.read()`, `json.load(self.rfile)`); a read or `recv` whose size comes from the peer (`self.rfile.read(int(self.headers["Content-Length"]))`, a length prefix) and is neither capped with `min()` nor compared with a limit; and `readline()` without a size on `self.rfile` or on a socket\'s `makefile()`.',
    why:
      'Whoever is on the other end decides how much this process allocates (CWE-400, CWE-770): one request with `Content-Length: 10000000000`, a body that never ends, a line without a newline or a length prefix of 4 GiB makes the service buffer it all, until memory runs out and the agent or API worker is killed — a denial of service that takes one connection.',
    example:
      'class MetadataHandler(http.server.BaseHTTPRequestHandler):\n    def do_POST(self):\n        body = self.rfile.read(int(self.headers["Content-Length"]))\n        line = self.rfile.readline()',
    useInstead:
      'MAX_BODY = 1024 * 1024\n\nclass MetadataHandler(http.server.BaseHTTPRequestHandler):\n    def do_POST(self):\n        length = int(self.headers["Content-Length"])\n        if length > MAX_BODY:\n            self.send_error(413)\n            return\n        body = self.rfile.read(length)\n        line = self.rfile.readline(65537)',
    fixSafety:
      'Unsafe: `readline()` becomes `readline(65537)` (the limit http.server uses for request lines). A longer line is then returned in pieces instead of whole, so code that expects one complete line gets a truncated one; check for a missing newline and reject the input. Other reads get no automatic fix: the right limit and the reaction to exceeding it (413, closing the connection) depend on the protocol.',
    references: [
      'https://cwe.mitre.org/data/definitions/400.html',
      'https://cwe.mitre.org/data/definitions/770.html',
      'https://docs.python.org/3/library/socket.html#socket.socket.recv',
      'https://docs.python.org/3/library/http.server.html#http.server.BaseHTTPRequestHandler.rfile',
      'https://flask.palletsprojects.com/en/latest/config/#MAX_CONTENT_LENGTH',
      'https://cheatsheetseries.owasp.org/cheatsheets/Denial_of_Service_Cheat_Sheet.html',
    ],
  },
  onCall(site, ctx) {
    const fn = site.callee;
    if (site.qname === 'json.load') {
      const stream = site.positional[0];
      if (stream && STREAM.test(stream.text.replace(/\s+/g, ''))) {
        report(ctx, site, `\`json.load(${stream.text})\` reads the whole request body into memory with no limit: a client can send an endless or huge body and exhaust memory. Check Content-Length against a maximum and read at most that many bytes.`);
      }
      return;
    }
    if (fn?.type !== 'attribute') return;
    const method = fn.childForFieldName('attribute')?.text ?? '';
    if (!READS.has(method)) return;
    const object = fn.childForFieldName('object')!;
    const objectText = (site.qname ?? object.text).replace(/\s+/g, '').replace(/\.(read|readline|recv|recvfrom)$/, '');
    const func = enclosingFunction(site.node);
    const size = site.positional[0] ?? site.keywords.get('size') ?? site.keywords.get('bufsize');
    if (method === 'recv' || method === 'recvfrom') {
      if (size && peerChosenSize(size, func)) {
        report(ctx, site, `\`${object.text}.${method}()\` allocates a buffer of a size the peer sent, with no cap: a length prefix of a few GiB exhausts memory. Compare the size with a maximum first (or use min()).`);
      } else if (unboundedAccumulation(site.node)) {
        report(ctx, site, `Data from \`${object.text}.${method}()\` is accumulated in a loop with no limit on the total: a peer that keeps sending grows the buffer until memory runs out. Stop (and fail) once the buffer passes a maximum size.`);
      }
      return;
    }
    if (method !== 'read' && method !== 'readline' && method !== 'readlines') return;
    const stream = STREAM.test(objectText) || (object.type === 'identifier' || object.type === 'attribute') && socketFiles(func).has(object.text);
    if (!stream) return;
    if (method === 'read') {
      if (!size || size.text === '-1' || size.type === 'none') {
        report(ctx, site, `\`${object.text}.read()\` reads the connection or request body to its end with no limit: a client can send an endless or huge body and exhaust memory. Read at most a maximum number of bytes (after checking Content-Length).`);
      } else if (peerChosenSize(size, func)) {
        report(ctx, site, `\`${object.text}.read()\` reads as many bytes as the client's Content-Length says, with no cap: one request claiming gigabytes exhausts memory. Reject lengths above a maximum (413) before reading.`);
      }
    } else if (method === 'readline' || method === 'readlines') {
      if (size) return;
      const args = site.node.childForFieldName('arguments');
      const fix: Fix | undefined = method === 'readline' && args && site.args.length === 0
        ? { title: `Limit the line to ${LINE_CAP} bytes`, safe: false, edits: [insertAt({ line: args.endPosition.row, character: args.endPosition.column - 1 }, LINE_CAP)] }
        : undefined;
      report(ctx, site, `\`${object.text}.${method}()\` without a size reads until a newline arrives, however long: a peer that never sends one makes the buffer grow until memory runs out. Pass a maximum line length.`, fix);
    }
  },
};

export default rule;
