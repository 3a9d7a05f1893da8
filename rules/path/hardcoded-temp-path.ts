import type { Node } from 'web-tree-sitter';
import { lastSegment, matchesAny } from '../../server/src/engine/names';
import type { CallSite, Ctx, Rule } from '../../server/src/engine/rule';
import type { Level } from '../../server/src/engine/types';
import { sinkName } from '../support';
import { assignedFrom, JOIN, PATH_CLASSES } from './paths';

/** Shared, world-writable directories. */
const SHARED_DIR = /^(\/tmp|\/var\/tmp|\/dev\/shm)(\/|$)/;

interface Use {
  names: string[];
  /** Positions/keywords of path arguments. */
  args: [number, string][];
  /** Whether the call creates or writes the file (else: reads or uses it). */
  writes: boolean | ((site: CallSite) => boolean);
}

function openWrites(site: CallSite): boolean {
  const mode = site.keywords.get('mode') ?? site.positional[1];
  if (!mode) return false;
  if (mode.type !== 'string') return true; // a computed mode: assume it may write
  return /[wa+]/.test(mode.text.slice(1, -1)) && !/x/.test(mode.text);
}

const USES: Use[] = [
  { names: ['open', 'builtins.open', 'io.open', 'codecs.open'], args: [[0, 'file']], writes: openWrites },
  { names: ['os.open'], args: [[0, 'path']], writes: (s) => !/O_EXCL/.test(s.positional[1]?.text ?? '') && /O_(CREAT|WRONLY|RDWR|TRUNC|APPEND)/.test(s.positional[1]?.text ?? '') },
  {
    names: ['os.makedirs', 'os.mkdir', 'os.mkfifo', 'os.mknod', 'logging.FileHandler', 'logging.handlers.RotatingFileHandler', 'logging.handlers.WatchedFileHandler', 'logging.handlers.TimedRotatingFileHandler', 'sqlite3.connect', 'shelve.open', 'dbm.open'],
    args: [[0, 'path'], [0, 'filename'], [0, 'database'], [0, 'name']],
    writes: true,
  },
  { names: ['shutil.copy', 'shutil.copy2', 'shutil.copyfile', 'shutil.copytree', 'shutil.move', 'os.rename', 'os.replace', 'os.symlink', 'os.link'], args: [[1, 'dst']], writes: true },
  { names: ['logging.basicConfig'], args: [[99, 'filename']], writes: true },
  { names: ['numpy.save', 'numpy.savez', 'numpy.savez_compressed', 'numpy.savetxt', 'pickle.dump', 'joblib.dump'], args: [[0, 'file'], [1, 'filename']], writes: true },
  { names: ['torch.save'], args: [[1, 'f']], writes: true },
  { names: ['os.chmod', 'os.chown', 'os.remove', 'os.unlink', 'shutil.rmtree', 'os.path.exists', 'os.path.isfile', 'os.listdir', 'os.stat'], args: [[0, 'path']], writes: false },
];

const PATH_WRITE_METHODS = new Set(['write_text', 'write_bytes', 'touch', 'mkdir', 'symlink_to', 'open']);
/** Methods of data objects that write a file named by their first argument: `df.to_csv("/tmp/x.csv")`, `img.save(...)`. */
const SAVE_METHODS = new Set(['to_csv', 'to_json', 'to_pickle', 'to_parquet', 'to_excel', 'to_hdf', 'savefig', 'save', 'save_pretrained', 'dump']);

/** The shared-directory literal `node` is built from: `"/tmp/x"`, `os.path.join("/tmp", "x")`, `f"/tmp/{n}"`, a constant holding one. */
function tempLiteral(node: Node | null | undefined, ctx: Ctx, depth = 0): { literal: Node; predictable: boolean } | null {
  if (!node || depth > 4) return null;
  switch (node.type) {
    case 'string': {
      const content = node.namedChildren.filter((c) => c?.type === 'string_content').map((c) => c!.text).join('');
      const first = node.namedChildren.find((c) => c?.type === 'string_content' || c?.type === 'interpolation');
      if (first?.type !== 'string_content' || !SHARED_DIR.test(first.text)) return null;
      const interpolated = node.namedChildren.some((c) => c?.type === 'interpolation');
      // The directory alone (`"/tmp"`) names no file; a file name in it is predictable unless computed.
      return { literal: node, predictable: !interpolated && !/^(\/tmp|\/var\/tmp|\/dev\/shm)\/?$/.test(content) };
    }
    case 'identifier': {
      const from = assignedFrom(node, ctx);
      return from ? tempLiteral(from, ctx, depth + 1) : null;
    }
    case 'call': {
      const q = ctx.names.resolve(node.childForFieldName('function'));
      if (!matchesAny(q, [...JOIN, ...PATH_CLASSES])) return null;
      const args = node.childForFieldName('arguments')?.namedChildren.filter((a): a is Node => !!a && a.type !== 'comment') ?? [];
      const base = tempLiteral(args[0], ctx, depth + 1);
      if (!base) return null;
      const rest = args.slice(1);
      return { literal: base.literal, predictable: rest.length > 0 ? rest.every((a) => a.type === 'string' && !a.namedChildren.some((c) => c?.type === 'interpolation')) : base.predictable };
    }
    case 'binary_operator': {
      // `"/tmp/" + name`, `Path("/tmp") / "x.sock"`
      const base = tempLiteral(node.childForFieldName('left'), ctx, depth + 1);
      if (!base) return null;
      const right = node.childForFieldName('right');
      return { literal: base.literal, predictable: right?.type === 'string' && !right.namedChildren.some((c) => c?.type === 'interpolation') };
    }
    case 'parenthesized_expression':
      return tempLiteral(node.namedChild(0), ctx, depth + 1);
    default:
      return null;
  }
}

const rule: Rule = {
  code: 'SL705',
  name: 'hardcoded-temp-path',
  category: 'path',
  summary: 'fixed file name in a shared temporary directory (/tmp, /var/tmp, /dev/shm)',
  severity: 'medium',
  confidence: 'medium',
  defaultLevel: 'warning',
  maxLevel: 'warning',
  cwe: [377, 379],
  bandit: ['B108'],
  ruff: ['S108'],
  fix: 'none',
  explanation: {
    what:
      'A path in `/tmp`, `/var/tmp` or `/dev/shm` written in the source reaches a call that uses it as a file: `open`, `os.open`, `os.makedirs`, `shutil.copy`/`move` destinations, `Path(...).write_text/touch/mkdir`, log file handlers and `logging.basicConfig(filename=...)`, `sqlite3.connect`, `numpy.save`, `torch.save`, `pickle.dump`, and `.to_csv()`/`.savefig()`/`.save()` with a literal path. Creating or writing a fixed, predictable name is a warning; reading it, computed names (`f"/tmp/{uuid4()}"`) and the bare directory are audit hints. Strings in docstrings, messages and `dir=` arguments of `tempfile` are not reported.',
    why:
      'Every local user can create files in these directories. If another user creates the predictable name first (a symlink to `~/.ssh/authorized_keys`, or a file they own), the service writes through their link or into their file, or reads data they planted; a pre-created name also blocks the service (denial of service).',
    example:
      'PID_FILE = "/tmp/l3-agent.pid"\n\n\ndef write_pid():\n    with open(PID_FILE, "w") as f:\n        f.write(str(os.getpid()))',
    useInstead:
      'PID_FILE = "/run/neutron/l3-agent.pid"  # a directory owned by the service\n\n\n# or, for scratch data:\nwith tempfile.NamedTemporaryFile("w", prefix="l3-agent-") as f:\n    ...',
    references: [
      'https://cwe.mitre.org/data/definitions/377.html',
      'https://cwe.mitre.org/data/definitions/379.html',
      'https://docs.python.org/3/library/tempfile.html',
    ],
  },
  // The /tmp literal may be a module constant: only the call's name is sure to be here.
  triggers: [...new Set([...USES.flatMap((u) => u.names.map(lastSegment)), ...PATH_WRITE_METHODS, ...SAVE_METHODS])],
  // Every finding is a literal whose first text starts with a SHARED_DIR (`/var/tmp` holds `/tmp`).
  fileTrigger: /\/tmp|\/dev\/shm/,
  onCall(site, ctx) {
    let args: Node[] = [];
    let writes = false;
    const use = USES.find((u) => matchesAny(site.qname, u.names));
    if (use) {
      args = [...new Set(use.args.map(([p, k]) => site.keywords.get(k) ?? site.positional[p]).filter((n): n is Node => !!n))];
      writes = typeof use.writes === 'function' ? use.writes(site) : use.writes;
    } else if (site.callee?.type === 'attribute' && PATH_WRITE_METHODS.has(site.callee.childForFieldName('attribute')?.text ?? '')) {
      const receiver = site.callee.childForFieldName('object');
      if (receiver?.type === 'call' && matchesAny(ctx.names.resolve(receiver.childForFieldName('function')), PATH_CLASSES)) {
        args = [receiver];
        writes = site.callee.childForFieldName('attribute')?.text !== 'open' || /["'][wa]/.test(site.positional[0]?.text ?? '');
      }
    } else if (site.callee?.type === 'attribute' && SAVE_METHODS.has(site.callee.childForFieldName('attribute')?.text ?? '') && site.positional[0]) {
      // Only a literal here: `x.save(path)` on an unknown object is too vague to follow through names.
      if (site.positional[0].type === 'string') {
        args = [site.positional[0]];
        writes = true;
      }
    }
    for (const arg of args) {
      const found = tempLiteral(arg, ctx);
      if (!found) continue;
      const level: Level = writes && found.predictable ? 'warning' : 'info';
      ctx.report({
        node: arg,
        level,
        message: level === 'warning'
          ? `${sinkName(site)} creates or writes the fixed path ${found.literal.text} in a world-writable directory: another local user can create that name first (e.g. a symlink) and redirect or block the write. Use a directory owned by the service (/run/<service>, /var/lib/<service>) or tempfile.mkstemp()/NamedTemporaryFile().`
          : `${sinkName(site)} uses ${found.literal.text} in a shared temporary directory: another local user may have created or replaced it. Prefer tempfile or a directory owned by the service.`,
      });
    }
  },
};

export default rule;
