import type { Node } from 'web-tree-sitter';
import { CONSTANT, firstLine, sourcesFor, taintLevel, union } from '../../server/src/engine/dataflow';
import { compact, ensureImport, insertBeforeStatement, lineText, statementOf } from '../../server/src/engine/fixes';
import { lastSegment, matchesAny } from '../../server/src/engine/names';
import type { CallSite, Ctx, Rule } from '../../server/src/engine/rule';
import type { Fix } from '../../server/src/engine/types';
import { isTrue, reportFlow, sinkName } from '../support';

/** Run an argument list directly; with `shell=True` they are SL101's (shell-command-injection). */
const SUBPROCESS = [
  'subprocess.run', 'subprocess.call', 'subprocess.check_call', 'subprocess.check_output', 'subprocess.Popen',
];
/** Wrappers that run a command as root or in a namespace: `execute(cmd_list, ...)` or `execute(*argv, ...)`. */
const WRAPPERS = [
  '*.utils.execute', '*.processutils.execute', '*.processutils.trycmd', '*.agent.common.utils.execute',
  '*.netns.execute', 'asyncio.create_subprocess_exec',
];
/** `pty.spawn(argv)`: runs the program on a pseudo-terminal. */
const PTY = ['pty.spawn'];
/** The `sh` library: `sh.Command(program)`, and `sh.<program>(*args)` / `from sh import git; git(...)`. */
const SH_NOT_PROGRAMS = new Set(['ErrorReturnCode', 'CommandNotFound', 'SignalException', 'RunningCommand', 'glob', 'contrib']);
/** plumbum's machine objects: `local["ip"]` is a command, `local[program]` one chosen by data. */
const PLUMBUM_LOCAL = ['plumbum.local', 'plumbum.machines.local', 'plumbum.machines.local.local'];

/** `os.exec*`, `os.spawn*`, `os.posix_spawn*`: where the command starts (after `mode`) and its shape. */
const EXEC: { names: string[]; from: number; shape: 'words' | 'words+env' | 'path+argv' }[] = [
  { names: ['os.execl', 'os.execlp'], from: 0, shape: 'words' },
  { names: ['os.execle', 'os.execlpe'], from: 0, shape: 'words+env' },
  { names: ['os.execv', 'os.execvp', 'os.execve', 'os.execvpe', 'os.posix_spawn', 'os.posix_spawnp'], from: 0, shape: 'path+argv' },
  { names: ['os.spawnl', 'os.spawnlp'], from: 1, shape: 'words' },
  { names: ['os.spawnle', 'os.spawnlpe'], from: 1, shape: 'words+env' },
  { names: ['os.spawnv', 'os.spawnvp', 'os.spawnve', 'os.spawnvpe'], from: 1, shape: 'path+argv' },
];

/** A node carrying the whole argv (`argv`), or one word of it (`word`; a list there is an argv too). */
interface Slot { node: Node; kind: 'argv' | 'word' }

/** Calls into a privsep daemon (root): every argument reaches a privileged process. */
function isPrivileged(qname: string): boolean {
  return lastSegment(qname).startsWith('priv_') || qname.includes('.privileged.') || qname.startsWith('privileged.') ||
    qname.includes('.privsep.') || qname.startsWith('privsep.');
}

/** Positional and `*splat` arguments, in order. */
function positionalAndSplat(site: CallSite): Node[] {
  return site.args.filter((a) => a.type !== 'keyword_argument' && a.type !== 'dictionary_splat');
}

/** `local["ip"]`, `local["ip"]["link"]`, `plumbum.cmd.ip`: a plumbum command object. */
export function isPlumbumCommand(node: Node | null | undefined, ctx: Ctx): boolean {
  if (!node) return false;
  if (node.type === 'subscript') {
    const value = node.childForFieldName('value');
    return matchesAny(ctx.names.resolve(value), PLUMBUM_LOCAL) || isPlumbumCommand(value, ctx);
  }
  const q = ctx.names.resolve(node);
  return !!q && /^plumbum\.cmd\.\w+$/.test(q);
}

/** The words of a plumbum subscript: `local[program]` (the program) or `cmd["link", "set", dev]` (arguments). */
function plumbumSlots(node: Node, ctx: Ctx): Slot[] | null {
  const value = node.childForFieldName('value');
  const index = node.childrenForFieldName('subscript').filter((c) => c.isNamed && c.type !== 'comment');
  if (matchesAny(ctx.names.resolve(value), PLUMBUM_LOCAL) || isPlumbumCommand(value, ctx)) {
    return index.flatMap((i) => (i.type === 'tuple' ? i.namedChildren.filter((c): c is Node => !!c) : [i])).map((n) => ({ node: n, kind: 'word' as const }));
  }
  return null;
}

function isShLibrary(q: string, ctx: Ctx): boolean {
  if (!/^sh\.\w+(\.\w+)*$/.test(q) || SH_NOT_PROGRAMS.has(q.split('.')[1])) return false;
  return /^[ \t]*(import[ \t]+sh\b|from[ \t]+sh[ \t]+import)/m.test(ctx.text);
}

/** Calls this rule checks as running a program with an argument list (SL101 leaves those to it). */
export function runsArgv(site: CallSite, ctx: Ctx): boolean {
  return slotsOf(site, ctx) !== null;
}

function slotsOf(site: CallSite, ctx: Ctx): Slot[] | null {
  const q = site.qname;
  // `site.qname` is the callee resolved already: only a subscript callee needs isPlumbumCommand's walk.
  if (site.callee?.type === 'subscript' ? isPlumbumCommand(site.callee, ctx) : !!q && /^plumbum\.cmd\.\w+$/.test(q)) {
    return positionalAndSplat(site).map((node) => ({ node, kind: 'word' }));
  }
  if (!q) return null;
  if (matchesAny(q, PTY)) {
    const argv = site.positional[0] ?? site.keywords.get('argv');
    return argv ? [{ node: argv, kind: argv.type === 'list' || argv.type === 'tuple' ? 'argv' : 'word' }] : [];
  }
  if (isShLibrary(q, ctx)) {
    if (q === 'sh.Command') return site.positional[0] ? [{ node: site.positional[0], kind: 'word' }] : [];
    return positionalAndSplat(site).map((node) => ({ node, kind: 'word' }));
  }
  if (matchesAny(q, SUBPROCESS)) {
    if (isTrue(site.keywords.get('shell'))) return null;
    const args = site.positional[0] ?? site.keywords.get('args');
    const slots: Slot[] = args ? [{ node: args, kind: 'argv' }] : [];
    const exe = site.keywords.get('executable');
    if (exe) slots.push({ node: exe, kind: 'word' });
    return slots;
  }
  for (const e of EXEC) {
    if (!matchesAny(q, e.names)) continue;
    const pos = site.positional;
    if (e.shape === 'path+argv') {
      const [path, argv] = [pos[e.from], pos[e.from + 1]];
      return [...(path ? [{ node: path, kind: 'word' as const }] : []), ...(argv ? [{ node: argv, kind: 'argv' as const }] : [])];
    }
    return pos.slice(e.from, e.shape === 'words+env' ? -1 : undefined).map((node) => ({ node, kind: 'word' as const }));
  }
  const wrapper = matchesAny(q, WRAPPERS);
  const asRoot = /^_?execute$/.test(lastSegment(q)) && isTrue(site.keywords.get('run_as_root'));
  if (wrapper || asRoot) {
    const pos = positionalAndSplat(site);
    const first = pos[0] ?? site.keywords.get('cmd') ?? site.keywords.get('cmds') ?? site.keywords.get('args');
    if (!first) return [];
    // neutron style `execute(["ip", ...], ...)` vs oslo style `execute("ip", ..., run_as_root=True)`.
    if (first.type === 'list' || first.type === 'tuple' || pos.length <= 1 || q.endsWith('.netns.execute')) {
      return [{ node: first, kind: 'argv' }];
    }
    return pos.map((node) => ({ node, kind: 'word' }));
  }
  if (isPrivileged(q)) {
    return site.args
      .map((a) => (a.type === 'keyword_argument' ? a.childForFieldName('value') : a))
      .filter((a): a is Node => !!a)
      .map((node) => ({ node, kind: 'word' }));
  }
  return null;
}

/**
 * A command line written as one string (`f"ping {host}"`, `"ip link set %s" % dev`). Without a
 * shell, POSIX runs the whole string as the program's name: it fails rather than taking options.
 */
function isStringCommand(node: Node): boolean {
  switch (node.type) {
    case 'string': case 'concatenated_string':
      return true;
    case 'parenthesized_expression':
      return !!node.namedChild(0) && isStringCommand(node.namedChild(0)!);
    case 'binary_operator': {
      const op = node.childForFieldName('operator')?.type;
      const left = node.childForFieldName('left');
      const right = node.childForFieldName('right');
      if (op === '%') return left?.type === 'string';
      return op === '+' && [left, right].some((n) => !!n && isStringCommand(n));
    }
    case 'call': {
      const fn = node.childForFieldName('function');
      return fn?.type === 'attribute' && fn.childForFieldName('attribute')?.text === 'format' && fn.childForFieldName('object')?.type === 'string';
    }
    default:
      return false;
  }
}

/** The words of an argument list that count: after a literal `--` nothing can become an option. */
function elementsOf(slot: Slot): Node[] | null {
  if (slot.node.type === 'list' || slot.node.type === 'tuple') {
    const out: Node[] = [];
    for (const c of slot.node.namedChildren) {
      if (!c || c.type === 'comment') continue;
      if (c.type === 'string' && /^[rbuRBU]*(['"])--\1$/.test(c.text)) break;
      out.push(c);
    }
    return out;
  }
  return slot.kind === 'word' ? [slot.node] : null;
}

// ---- The fix: one guard per parameter feeding the arguments ----

type Guard = 'ip' | 'network' | 'int' | 'iface' | 'name';

const UNCHECKABLE = new Set([
  'cmd', 'cmds', 'command', 'commands', 'args', 'argv', 'cmdline', 'path', 'file', 'filename', 'fname', 'binary',
  'exe', 'executable', 'program', 'prog', 'script', 'helper', 'url', 'uri', 'dir', 'directory', 'src', 'dst', 'source',
  'dest', 'options', 'opts', 'params', 'env', 'data', 'content', 'body', 'value', 'val', 'values', 'text', 'kwargs',
]);
const NUMERIC = new Set([
  'mtu', 'vlan_id', 'vid', 'segmentation_id', 'seg_id', 'vni', 'tag', 'timeout', 'count', 'ttl', 'metric', 'priority',
  'pid', 'retries', 'interval', 'ofport', 'ip_version', 'version', 'tos', 'mark', 'weight', 'port_number', 'port_num',
]);
const NUMERIC_TAIL = new Set(['mtu', 'timeout', 'count', 'ttl', 'metric', 'pid', 'num', 'number', 'priority', 'version', 'seconds', 'secs', 'delay']);
const NETWORK = new Set(['cidr', 'subnet', 'network', 'prefix', 'net', 'ip_network', 'ip_net']);
const ADDRESS = new Set(['ip', 'addr', 'address', 'gateway', 'gw', 'next_hop', 'nexthop', 'via']);
const IFACE_TOKEN = new Set([
  'iface', 'ifname', 'interface', 'if', 'dev', 'device', 'devname', 'port', 'tap', 'bridge', 'br', 'vlan', 'veth', 'nic',
]);

/** Which check suits a parameter, from its name (and a `: int` annotation); null when none does. */
export function guardFor(name: string, annotation: string | null): Guard | null {
  if (annotation === 'int') return 'int';
  if (annotation && /^(typing\.)?(list|List|tuple|Tuple|Sequence|Iterable|dict|Dict|Mapping|bytes)\b/.test(annotation)) return null;
  const n = name.replace(/^_+/, '').toLowerCase();
  const tokens = n.split('_');
  const tail = tokens[tokens.length - 1];
  if (UNCHECKABLE.has(n) || UNCHECKABLE.has(tail)) return null;
  if (NUMERIC.has(n) || NUMERIC_TAIL.has(tail)) return 'int';
  const hardware = tokens.some((t) => /^(mac|hw|ether|lladdr|email|mail)/.test(t));
  if (!hardware) {
    if (NETWORK.has(n) || tail === 'cidr') return 'network';
    if (ADDRESS.has(n) || tokens[0] === 'ip' || tail === 'ip' || ['address', 'addr', 'gateway', 'gw'].includes(tail)) return 'ip';
  }
  if (!['id', 'ids', 'uuid', 'uuids'].includes(tail) && tokens.some((t) => IFACE_TOKEN.has(t))) return 'iface';
  return 'name';
}

const SAFE_NAME = (max: number) => `r"[A-Za-z0-9_][A-Za-z0-9_.:@-]{0,${max}}"`;

function guardLines(name: string, guard: Guard, unit: string): string[] {
  switch (guard) {
    case 'ip': return [`ipaddress.ip_address(${name})`];
    case 'network': return [`ipaddress.ip_network(${name}, strict=False)`];
    case 'int': return [`int(${name})`];
    case 'iface': case 'name':
      return [
        `if not re.fullmatch(${SAFE_NAME(guard === 'iface' ? 14 : 254)}, ${name}):`,
        `${unit}raise ValueError("invalid ${name}")`,
      ];
  }
}

/** The file's indentation unit, from the statement's indentation relative to its block's owner. */
function indentUnit(text: string, stmt: Node): string {
  const owner = stmt.parent?.type === 'block' ? stmt.parent.parent : null;
  if (!owner) return '    ';
  const own = lineText(text, stmt.startPosition.row).slice(0, stmt.startPosition.column);
  const outer = lineText(text, owner.startPosition.row).slice(0, owner.startPosition.column);
  return own.startsWith(outer) && own.length > outer.length && own.trim() === '' ? own.slice(outer.length) : '    ';
}

/** A reference to a variable (not a keyword name or an attribute name). */
function isReference(id: Node): boolean {
  const p = id.parent;
  if (p?.type === 'keyword_argument' && p.childForFieldName('name')?.id === id.id) return false;
  if (p?.type === 'attribute' && p.childForFieldName('attribute')?.id === id.id) return false;
  return true;
}

/** `x`, `str(x)`, `"%s" % x`, `f"{x}"`, `"{}".format(x)`, `"tap" + x` inside one word: x is a string there. */
function isScalarUse(id: Node, word: Node): boolean {
  let n = id;
  while (n.id !== word.id) {
    const p = n.parent;
    if (!p) return false;
    switch (p.type) {
      case 'interpolation': case 'string': case 'parenthesized_expression': case 'concatenated_string':
        break;
      case 'binary_operator': {
        const op = p.childForFieldName('operator')?.type;
        if (op === '%' && p.childForFieldName('left')?.type === 'string' && p.childForFieldName('right')?.id === n.id) break;
        if (op === '+') break;
        return false;
      }
      case 'tuple':
        if (p.parent?.type === 'binary_operator' && p.parent.childForFieldName('operator')?.type === '%') break;
        return false;
      case 'keyword_argument':
        if (p.childForFieldName('value')?.id !== n.id) return false;
        break;
      case 'argument_list': {
        const fn = p.parent?.childForFieldName('function');
        const isStr = fn?.type === 'identifier' && fn.text === 'str' && p.namedChildren.length === 1;
        const isFormat = fn?.type === 'attribute' && fn.childForFieldName('attribute')?.text === 'format' &&
          fn.childForFieldName('object')?.type === 'string';
        if (!isStr && !isFormat) return false;
        break;
      }
      case 'call':
        if (p.childForFieldName('arguments')?.id !== n.id) return false;
        break;
      default:
        return false;
    }
    n = p;
  }
  return true;
}

interface Param { name: string; annotation: string | null }

/** Parameters visible here, innermost function first, each in declaration order. */
function visibleParams(ctx: Ctx): Param[] {
  const out: Param[] = [];
  for (let s: typeof ctx.scope | null = ctx.scope; s; s = s.parent) {
    if (s.kind !== 'function') continue;
    for (const p of s.node.childForFieldName('parameters')?.namedChildren ?? []) {
      if (!p) continue;
      const id = p.type === 'identifier' ? p : p.type === 'typed_parameter' ? p.namedChildren.find((c) => c?.type === 'identifier') : p.childForFieldName('name');
      if (!id || id.type !== 'identifier' || out.some((o) => o.name === id.text)) continue;
      out.push({ name: id.text, annotation: p.childForFieldName('type')?.text ?? null });
    }
  }
  return out;
}

/**
 * Guards for every parameter feeding the words, or undefined when one of them cannot be checked
 * as a plain string before the call (it reaches the words through another variable, an attribute,
 * a subscript or a call, or it is the whole list).
 */
function buildFix(site: CallSite, slots: Slot[], ctx: Ctx): Fix | undefined {
  const words: Node[] = [];
  for (const slot of slots) {
    const els = elementsOf(slot);
    if (els) words.push(...els);
    else if (sourcesFor(ctx.valueOf(slot.node), 'args').some((s) => s.kind === 'param')) return undefined;
  }
  const params = new Set<string>();
  for (const word of words) {
    if (!sourcesFor(ctx.valueOf(word), 'args').some((s) => s.kind === 'param')) continue;
    const ids = [word, ...word.descendantsOfType('identifier')].filter((n): n is Node => n?.type === 'identifier' && isReference(n));
    for (const id of ids) {
      const own = sourcesFor(ctx.valueOf(id), 'args').filter((s) => s.kind === 'param');
      if (own.length === 0) continue;
      // The name must be the parameter itself, used as a string.
      if (own.some((s) => s.name !== id.text) || !isScalarUse(id, word)) return undefined;
      params.add(id.text);
    }
  }
  if (params.size === 0) return undefined;
  const declared = visibleParams(ctx);
  const ordered = declared.filter((p) => params.has(p.name));
  if (ordered.length !== params.size) return undefined;
  const guards = ordered.map((p) => ({ name: p.name, guard: guardFor(p.name, p.annotation) }));
  if (guards.some((g) => g.guard === null)) return undefined;
  const stmt = statementOf(site.node);
  const unit = indentUnit(ctx.text, stmt);
  const insert = insertBeforeStatement(ctx.text, site.node, guards.flatMap((g) => guardLines(g.name, g.guard!, unit)));
  if (!insert) return undefined;
  const needs = (kinds: Guard[]) => guards.some((g) => kinds.includes(g.guard!));
  return {
    title: 'Wrap subprocess args in validation',
    safe: false,
    edits: compact([
      needs(['ip', 'network']) ? ensureImport(ctx.module, ctx.text, 'ipaddress') : null,
      needs(['iface', 'name']) ? ensureImport(ctx.module, ctx.text, 're') : null,
      insert,
    ]),
  };
}

const rule: Rule = {
  code: 'SL102',
  name: 'unvalidated-command-argument',
  category: 'injection',
  summary: 'Command argument list built from unvalidated data',
  severity: 'medium',
  confidence: 'medium',
  defaultLevel: 'warning',
  maxLevel: 'error',
  cwe: [88, 78],
  bandit: ['B111', 'B603', 'B606'],
  ruff: ['S603', 'S606'],
  fix: 'sometimes',
  // A dotted part of each sink (the first where the last is common); `run_as_root`; `priv_*` helpers.
  triggers: [
    'subprocess', 'pty', 'sh', 'plumbum', 'execute', 'trycmd', 'create_subprocess_exec', 'run_as_root', 'privileged', 'privsep',
    ...EXEC.flatMap((e) => e.names.map(lastSegment)),
  ],
  triggerPattern: /\bpriv_/,
  explanation: {
    what:
      'A program is run with an argument list (no shell) and some of its arguments come from a function parameter or from attacker-controlled data: `subprocess.run/call/check_call/check_output/Popen` without `shell=True`, `asyncio.create_subprocess_exec`, `os.exec*`, `os.spawn*`, `os.posix_spawn*`, `pty.spawn`, the `sh` library (`sh.Command(x)`, `sh.git(...)`), plumbum (`local[program]`, `local["ip"][args]`, `plumbum.cmd.ip(...)`), and the OpenStack wrappers that run commands as root or inside a network namespace (`utils.execute`, `processutils.execute`, `IPWrapper().netns.execute`, privsep entry points under `privileged` modules and `priv_*` helpers, any `execute(..., run_as_root=True)`). Arguments of unknown origin are reported at information level only. A program named without its full path (`["ip", ...]`, Bandit B607) is not reported: it is how system code is written, and whoever can change `PATH` or write to a directory in it already runs code as this user (rootwrap and sudo reset `PATH` for root).',
    why:
      'No shell is involved, so `;` or `$( )` do nothing, but the program still parses its arguments. A value starting with `-` becomes an option (`--output=/etc/shadow`, `ip netns exec -all`, `git clone --upload-pack=...`: argument injection, CWE-88); a value naming another device, namespace or file makes a root-run tool act on something the caller should not reach; a parameter choosing the program itself runs anything (CWE-78). In agents that call these helpers as root, every caller-supplied interface name, namespace, address or key is input to a privileged command.',
    example:
      'def enable_proxy_arp(iface):\n    utils.execute(["sysctl", "-w", "net.ipv4.conf.%s.proxy_arp=1" % iface], run_as_root=True)',
    useInstead:
      'IFACE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.:@-]{0,14}")\n\ndef enable_proxy_arp(iface):\n    if not IFACE.fullmatch(iface):\n        raise ValueError("invalid iface")\n    utils.execute(["sysctl", "-w", "net.ipv4.conf.%s.proxy_arp=1" % iface], run_as_root=True)\n\ndef add_route(cidr, gateway):\n    ipaddress.ip_network(cidr, strict=False)  # raises ValueError\n    ipaddress.ip_address(gateway)\n    utils.execute(["ip", "route", "replace", cidr, "via", gateway], run_as_root=True)\n\n# or end the options before free-form values:\nsubprocess.run(["rm", "-f", "--", path])',
    fixSafety:
      'Unsafe: the fix inserts, before the call, one check per parameter used as a word of the command: `ipaddress.ip_address(x)` for address-like names, `ipaddress.ip_network(x, strict=False)` for CIDR-like names, `int(x)` for numeric names, and otherwise `re.fullmatch` against a conservative name pattern (15 characters for interface-like names, the kernel limit; 255 for namespaces and other names) that cannot start with `-`. Values the command used to accept may now raise `ValueError` (a name with other characters, an address with a zone or extra spaces) or `TypeError` (`None`). It is offered only when each such parameter appears in the argument list itself as a string (not through another variable, an attribute, a subscript or a call) and its name says what it holds; paths, commands and free-form values get no automatic check.',
    references: [
      'https://cwe.mitre.org/data/definitions/88.html',
      'https://cwe.mitre.org/data/definitions/78.html',
      'https://docs.python.org/3/library/subprocess.html#security-considerations',
      'https://docs.python.org/3/library/ipaddress.html#ipaddress.ip_address',
      'https://docs.openstack.org/oslo.concurrency/latest/reference/processutils.html',
      'https://docs.openstack.org/oslo.privsep/latest/user/index.html',
      'https://plumbum.readthedocs.io/en/latest/local_commands.html',
      'https://owasp.org/www-community/attacks/Command_Injection',
    ],
  },
  onCall(site, ctx) {
    // A wrapper's `shell=True` (processutils) does parse a string: SL101 does not see those, so keep them.
    const shell = isTrue(site.keywords.get('shell'));
    const slots = slotsOf(site, ctx)?.filter((slot) => slot.kind === 'word' || shell || !isStringCommand(slot.node));
    if (!slots || slots.length === 0) return;
    checkWords(slots, sinkName(site), ctx, (chosen) => buildFix(site, chosen, ctx));
  },
  nodeTypes: ['subscript'],
  onNode(node, ctx) {
    const slots = plumbumSlots(node, ctx);
    if (slots && slots.length > 0) checkWords(slots, `the plumbum command \`${firstLine(node.childForFieldName('value')?.text ?? '')}\``, ctx);
  },
};

/** Reports the most telling non-constant word of a command's argument list, if any. */
function checkWords(slots: Slot[], sink: string, ctx: Ctx, fix?: (slots: Slot[]) => Fix | undefined): void {
  const words = slots.map((slot) => {
    const els = elementsOf(slot);
    const value = els ? (els.length > 0 ? union(els.map((e) => ctx.valueOf(e))) : CONSTANT) : ctx.valueOf(slot.node);
    return { slot, value, level: taintLevel(value, 'args') };
  });
  const rank = { error: 3, warning: 2, info: 1 } as const;
  const worst = words.reduce<(typeof words)[number] | null>(
    (best, w) => (w.level && (!best || rank[w.level] > rank[best.level!]) ? w : best), null);
  if (!worst) return;
  const value = union(words.filter((w) => w.level).map((w) => w.value));
  reportFlow(ctx, worst.slot.node, value, 'args', `the command run by ${sink}`, (origin) =>
    `Command argument built from ${origin} is passed to ${sink}: a value starting with "-" becomes an option and any other value changes what the command acts on (often as root). Check it first (ipaddress.ip_address(), a strict re.fullmatch() pattern or an allow-list), or end options with "--".`,
    fix?.(slots),
  );
}

export default rule;
