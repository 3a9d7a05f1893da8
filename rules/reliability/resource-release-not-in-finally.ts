import type { Node } from 'web-tree-sitter';
import { firstLine } from '../../server/src/engine/dataflow';
import { eol, indentOf, lineText, startsLine } from '../../server/src/engine/fixes';
import { lastSegment, matchesAny } from '../../server/src/engine/names';
import type { Ctx, Rule } from '../../server/src/engine/rule';
import type { Fix } from '../../server/src/engine/types';

/** Calls whose result is a context manager that closes it: `x = open(p)` becomes `with open(p) as x:`. */
const WITHABLE = ['open', 'io.open', 'codecs.open', 'socket.socket', 'socket.create_connection', 'gzip.open', 'bz2.open', 'tarfile.open', 'zipfile.ZipFile'];
/** Acquire/release pairs on one argument rather than on the result. */
const PAIRED: { acquire: RegExp; release: RegExp; what: string }[] = [
  { acquire: /(^|\.)netns\.add$/, release: /(^|\.)netns\.delete$/, what: 'network namespace' },
  { acquire: /(^|\.)(create_network_namespace|create_netns|add_namespace)$/, release: /(^|\.)(delete_network_namespace|remove_netns|delete_namespace)$/, what: 'network namespace' },
];
/** Results released by a call on a module: `fd = os.open(...)` ... `os.close(fd)`. */
const RELEASED_BY: { acquire: string[]; release: string[]; what: string }[] = [
  { acquire: ['os.open', 'os.dup', 'os.openpty'], release: ['os.close'], what: 'file descriptor' },
  { acquire: ['tempfile.mkdtemp'], release: ['shutil.rmtree'], what: 'temporary directory' },
  { acquire: ['tempfile.mkstemp'], release: ['os.close', 'os.unlink', 'os.remove'], what: 'temporary file' },
];
const RELEASE_METHODS = new Set(['close', 'release', 'shutdown', 'disconnect', 'terminate', 'unlock']);
/** Factories of things that hold an OS resource (descriptor, socket, connection, process); in-memory buffers are not among them. */
const RESOURCE_FACTORY = /^(open|\w+_open|open_\w+|fdopen|urlopen|connect|\w+_connect|create_connection|socket|socketpair|makefile|mmap|Session|\w*Client|\w*Connection|get_connection|_get_connection|TemporaryFile|NamedTemporaryFile|Popen|ZipFile|TarFile|TextFile|FTP|FTP_TLS|SMTP|SMTP_SSL|IMAP4|IMAP4_SSL|POP3|Telnet)$/;
const IN_MEMORY = ['io.StringIO', 'io.BytesIO', 'StringIO.StringIO', 'cStringIO.StringIO', 'six.StringIO', 'six.BytesIO'];

interface Acquire {
  /** The acquiring call (reported). */
  call: Node;
  /** `f` of `f = open(p)`; the lock expression of `lock.acquire()`; the argument of `netns.add(ns)`. */
  key: string;
  what: string;
  /** The statement releasing it, given a later statement of the same block. */
  releasedBy(stmt: Node): boolean;
  /** `with <head>:` when the pair can become a with statement. */
  withHead?: string;
}

function soleCall(stmt: Node): Node | null {
  const e = stmt.type === 'expression_statement' ? stmt.namedChild(0) : null;
  return e?.type === 'call' ? e : null;
}

function args(call: Node): Node[] {
  return (call.childForFieldName('arguments')?.namedChildren ?? []).filter((a): a is Node => !!a && a.type !== 'comment');
}

function acquireOf(stmt: Node, ctx: Ctx): Acquire | null {
  if (stmt.type !== 'expression_statement') return null;
  const e = stmt.namedChild(0);
  if (e?.type === 'call') {
    const call = e;
    const fn = call.childForFieldName('function');
    if (fn?.type !== 'attribute') return null;
    const method = fn.childForFieldName('attribute')?.text;
    const object = fn.childForFieldName('object')!;
    if (method === 'acquire' && args(call).length === 0) {
      const key = object.text;
      return {
        call, key, what: 'lock',
        releasedBy: (s) => soleCall(s)?.childForFieldName('function')?.text.replace(/\s+/g, '') === `${key.replace(/\s+/g, '')}.release`,
        withHead: key,
      };
    }
    const q = ctx.names.resolve(fn) ?? fn.text;
    const pair = PAIRED.find((p) => p.acquire.test(q));
    const first = args(call)[0];
    if (pair && first && first.type !== 'keyword_argument') {
      return {
        call, key: first.text, what: pair.what,
        releasedBy: (s) => {
          const c = soleCall(s);
          const f = c?.childForFieldName('function');
          return !!c && !!f && pair.release.test(ctx.names.resolve(f) ?? f.text) && args(c)[0]?.text === first.text;
        },
      };
    }
    return null;
  }
  const a = e;
  if (a?.type !== 'assignment') return null;
  const left = a.childForFieldName('left');
  const right = a.childForFieldName('right');
  if (!left || (left.type !== 'identifier' && left.type !== 'attribute') || right?.type !== 'call') return null;
  const key = left.text;
  const q = ctx.names.resolve(right.childForFieldName('function'));
  const by = RELEASED_BY.find((r) => matchesAny(q, r.acquire));
  if (by) {
    return {
      call: right, key, what: by.what,
      releasedBy: (s) => {
        const c = soleCall(s);
        return !!c && matchesAny(ctx.names.resolve(c.childForFieldName('function')), by.release) && args(c)[0]?.text === key;
      },
    };
  }
  const withable = matchesAny(q, WITHABLE);
  if (!withable && (matchesAny(q, IN_MEMORY) || !RESOURCE_FACTORY.test(lastSegment(q ?? '')))) return null;
  return {
    call: right, key, what: withable ? (q === 'socket.socket' || q === 'socket.create_connection' ? 'socket' : 'file') : `\`${lastSegment(q ?? 'resource')}()\` result`,
    releasedBy: (s) => {
      const f = soleCall(s)?.childForFieldName('function');
      return f?.type === 'attribute' && f.childForFieldName('object')?.text === key && RELEASE_METHODS.has(f.childForFieldName('attribute')?.text ?? '');
    },
    withHead: withable && left.type === 'identifier' ? `${right.text} as ${key}` : undefined,
  };
}

/** Rebinds `key` (then the later release is about another object). */
function rebinds(stmt: Node, key: string): boolean {
  const a = stmt.type === 'expression_statement' ? stmt.namedChild(0) : null;
  return (a?.type === 'assignment' || a?.type === 'augmented_assignment') && a.childForFieldName('left')?.text === key;
}

/** Something in these statements can raise: a call, a subscript, a raise, an assert, an await. */
function canRaise(stmts: Node[]): boolean {
  return stmts.some((s) => s.type === 'raise_statement' || s.type === 'assert_statement' || s.type === 'return_statement' ||
    s.descendantsOfType(['call', 'subscript', 'await', 'raise_statement', 'return_statement', 'break_statement', 'continue_statement']).length > 0);
}

/** The whole of a statement sits on its own lines (a trailing comment allowed on the first one only). */
function ownLines(ctx: Ctx, s: Node, commentOk: boolean): boolean {
  if (!startsLine(ctx.text, s)) return false;
  const rest = lineText(ctx.text, s.endPosition.row).slice(s.endPosition.column).trim();
  return rest === '' || (commentOk && rest.startsWith('#'));
}

/** `with` rewrite: the statements between move into the block, one indentation level deeper. */
function withFix(ctx: Ctx, acq: Acquire, stmt: Node, between: Node[], release: Node): Fix | undefined {
  if (!acq.withHead || !ownLines(ctx, stmt, true) || !ownLines(ctx, release, false)) return undefined;
  if (stmt.endPosition.row !== stmt.startPosition.row || release.endPosition.row !== release.startPosition.row) return undefined;
  // Re-indenting a multi-line string would change its value.
  if (between.some((b) => b.descendantsOfType(['string']).some((s) => s && s.startPosition.row !== s.endPosition.row))) return undefined;
  if (between.length === 0) return undefined;
  const indent = indentOf(ctx.text, stmt);
  const unit = indent.includes('\t') ? '\t' : '    ';
  const nl = eol(ctx.text);
  const comment = lineText(ctx.text, stmt.startPosition.row).slice(stmt.endPosition.column);
  const lines: string[] = [`${indent}with ${acq.withHead}:${comment}`];
  for (let row = stmt.startPosition.row + 1; row < release.startPosition.row; row++) {
    const line = lineText(ctx.text, row);
    lines.push(line.trim() === '' ? line : unit + line);
  }
  return {
    title: `Use \`with\` so the ${acq.what} is released on every path`,
    safe: true,
    edits: [{
      range: { start: { line: stmt.startPosition.row, character: 0 }, end: { line: release.startPosition.row + 1, character: 0 } },
      newText: lines.join(nl) + nl,
    }],
  };
}

const rule: Rule = {
  code: 'SL503',
  name: 'resource-release-not-in-finally',
  category: 'reliability',
  summary: 'Lock, file, socket or namespace released in straight-line code that an exception skips',
  severity: 'low',
  confidence: 'medium',
  defaultLevel: 'warning',
  maxLevel: 'warning',
  cwe: [404, 772],
  bandit: [],
  ruff: [],
  fix: 'sometimes',
  // The release side as a call (`x.close(`, `lock.release(`, `os.close(`, `close(` after `from
  // os import close`), never the word in `def close(self):` or a comment; or, where the release
  // is a common word (`os.remove`, `shutil.rmtree`, `netns.delete`) or an alias (`from os import
  // close as c`), the acquiring call's name (`os.open`, `os.dup`, `tempfile.mkstemp`, ...).
  triggers: ['open', 'dup', 'openpty', 'netns', 'create_network_namespace', 'create_netns', 'add_namespace', 'mkdtemp', 'mkstemp'],
  triggerPattern: /\.[\s\\]*(?:close|release|shutdown|disconnect|terminate|unlock)[\s\\]*\(|(?<![\w.])close[\s\\]*\(/,
  explanation: {
    what:
      'A resource is acquired and released in the same block with code that can raise in between, and the release is not in a `finally` clause or a `with` statement: `lock.acquire()` ... `lock.release()`; `f = open(p)` ... `f.close()`; `sock = socket.socket()` ... `sock.close()`; a connection, client, process or temporary file from a factory (`x = sqlite3.connect()`, `urlopen()`, `paramiko.SSHClient()`, `subprocess.Popen()`, ...) ... `x.close()`; `ip.netns.add(ns)` ... `ip.netns.delete(ns)`; `create_network_namespace(ns)` ... `delete_network_namespace(ns)`; `fd = os.open()` ... `os.close(fd)`; `d = tempfile.mkdtemp()` ... `shutil.rmtree(d)`. Pairs with nothing that can raise between them, and releases placed in `finally` (or resources managed by `with`) are not reported.',
    why:
      'When the code between acquire and release raises (or returns early), the release never runs (CWE-404, CWE-772). A lock stays held and every later caller deadlocks; a namespace, its interfaces and its iptables state stay behind on the host; file descriptors and sockets leak until the process hits its limit. In long-running agents these leaks accumulate until the service fails in ways far from their cause.',
    example:
      'def sync_router(self, router_id):\n    self._lock.acquire()\n    self._apply(router_id)\n    self._lock.release()',
    useInstead:
      'def sync_router(self, router_id):\n    with self._lock:\n        self._apply(router_id)\n\n# and for resources without a context manager:\nip.netns.add(ns)\ntry:\n    configure(ns)\nfinally:\n    ip.netns.delete(ns)',
    fixSafety:
      'Safe: for `lock.acquire()`/`lock.release()`, `open(...)`, `socket.socket(...)` and the other known context managers (`socket.create_connection`, `gzip.open`, `tarfile.open`, `zipfile.ZipFile`, ...), the acquire becomes a `with` statement holding the statements in between (re-indented one level) and the release is removed. On the normal path the resource is released at the same point as before; the only change is that it is now also released when the code in between raises or returns. No fix is offered when a multi-line string sits in between (re-indenting would change it), when the statements share lines with others, or for namespaces, descriptors and other pairs without a context manager: use `try`/`finally` there.',
    references: [
      'https://cwe.mitre.org/data/definitions/404.html',
      'https://cwe.mitre.org/data/definitions/772.html',
      'https://docs.python.org/3/reference/compound_stmts.html#the-with-statement',
      'https://docs.python.org/3/library/threading.html#using-locks-conditions-and-semaphores-in-the-with-statement',
      'https://peps.python.org/pep-0343/',
    ],
  },
  nodeTypes: ['block', 'module'],
  onNode(node, ctx) {
    // An acquisition, something between, a release: three statements at least (most blocks have fewer).
    const children = node.type === 'module' ? ctx.module.namedChildren : node.namedChildren;
    if (children.length < 3) return;
    const stmts = children.filter((c): c is Node => !!c && c.type !== 'comment');
    // The last two statements have no release with a statement between after them.
    for (let i = 0; i < stmts.length - 2; i++) {
      const acq = acquireOf(stmts[i], ctx);
      if (!acq) continue;
      for (let j = i + 1; j < stmts.length; j++) {
        if (acq.releasedBy(stmts[j])) {
          const between = stmts.slice(i + 1, j);
          if (!canRaise(between)) break;
          ctx.report({
            node: acq.call,
            // The release by its text, not its line: findings an edit only moved keep their messages.
            message: `The ${acq.what} \`${acq.key}\` is released by \`${firstLine(stmts[j].text)}\` in straight-line code: if anything in between raises or returns, the release is skipped and the ${acq.what} leaks${acq.what === 'lock' ? ' (held forever: later callers deadlock)' : ''}. Use a \`with\` statement or release it in \`finally\`.`,
            fix: withFix(ctx, acq, stmts[i], between, stmts[j]),
          });
          break;
        }
        if (rebinds(stmts[j], acq.key)) break;
      }
    }
  },
};

export default rule;
