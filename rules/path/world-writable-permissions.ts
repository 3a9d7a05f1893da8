import type { Node } from 'web-tree-sitter';
import { replaceNode } from '../../server/src/engine/fixes';
import { matchesAny } from '../../server/src/engine/names';
import type { CallSite, Ctx, Rule } from '../../server/src/engine/rule';
import type { Fix } from '../../server/src/engine/types';
import { sinkName } from '../support';
import { modeValue, octal, STAT_BITS } from './modes';

/** Calls that set a mode directly (not filtered by the umask), and where the mode sits. */
const CHMODS: { names: string[]; pos: number }[] = [
  { names: ['os.chmod', 'os.lchmod', 'os.fchmod', 'posix.chmod'], pos: 1 },
];

function modeArg(site: CallSite): Node | undefined {
  const table = CHMODS.find((c) => matchesAny(site.qname, c.names));
  if (table) return site.keywords.get('mode') ?? site.positional[table.pos];
  // `Path(p).chmod(0o777)`, `path.chmod(mode=0o666)`, paramiko `sftp.chmod(path, 0o777)`.
  const callee = site.callee;
  if (callee?.type === 'attribute' && callee.childForFieldName('attribute')?.text === 'chmod') {
    return site.keywords.get('mode') ?? site.positional[site.positional.length - 1];
  }
  return undefined;
}

/**
 * The same mode without world write: an integer literal is rewritten in octal; a `|` chain of
 * `stat` constants loses `S_IWOTH` (and `S_IRWXO` becomes `S_IROTH | S_IXOTH`).
 */
function dropWorldWrite(mode: Node, value: number, ctx: Ctx): Fix | undefined {
  let text: string | null = null;
  if (mode.type === 'integer') {
    text = octal(value & ~0o002);
  } else if (mode.type === 'binary_operator') {
    const leaves: Node[] = [];
    const walk = (n: Node): boolean => {
      if (n.type === 'binary_operator' && n.childForFieldName('operator')?.type === '|') {
        return walk(n.childForFieldName('left')!) && walk(n.childForFieldName('right')!);
      }
      if (n.type === 'attribute' || n.type === 'identifier' || n.type === 'integer') {
        leaves.push(n);
        return true;
      }
      return false;
    };
    if (!walk(mode)) return undefined;
    const parts: string[] = [];
    for (const leaf of leaves) {
      const v = modeValue(leaf, ctx);
      const name = leaf.type === 'integer' ? null : ctx.names.resolve(leaf)?.replace(/^stat\./, '');
      if (name === 'S_IWOTH') continue;
      if (name === 'S_IRWXO') {
        const prefix = leaf.text.slice(0, leaf.text.length - 'S_IRWXO'.length);
        parts.push(`${prefix}S_IROTH`, `${prefix}S_IXOTH`);
      } else if (leaf.type === 'integer' && v !== null) {
        if (v & ~0o002) parts.push(octal(v & ~0o002));
      } else if (v !== null && (v & 0o002) && name && STAT_BITS[name] === undefined) {
        return undefined;
      } else {
        parts.push(leaf.text);
      }
    }
    if (parts.length === 0) return undefined;
    text = parts.join(' | ');
  }
  if (text === null) return undefined;
  return { title: `Drop world write: ${text}`, safe: false, edits: [replaceNode(mode, text)] };
}

const rule: Rule = {
  code: 'SL706',
  name: 'world-writable-permissions',
  category: 'path',
  summary: 'file or directory made writable by every local user',
  severity: 'medium',
  confidence: 'high',
  defaultLevel: 'warning',
  maxLevel: 'warning',
  cwe: [732],
  bandit: ['B103'],
  ruff: ['S103'],
  fix: 'sometimes',
  explanation: {
    what:
      '`os.chmod`, `os.lchmod`, `os.fchmod`, `Path.chmod` or an SFTP `chmod` sets a constant mode that includes write permission for others (`0o777`, `0o666`, `stat.S_IWOTH`, `stat.S_IRWXO`). A world-writable directory with the sticky bit (`0o1777`, like `/tmp`) is only an audit hint. Modes given to `os.makedirs`, `os.mkdir` or `os.open` are not reported: the umask filters those.',
    why:
      'Any local account, including a compromised low-privilege service, can then change the file: rewrite a config or script that a privileged process later reads or runs, replace a socket or PID file, or plant files in the directory. For files that hold secrets, the same mode also makes them readable by everyone.',
    example:
      'def setup_socket(path):\n    server.bind(path)\n    os.chmod(path, 0o777)\n\n\nos.chmod(conf_file, stat.S_IRWXU | stat.S_IRWXG | stat.S_IRWXO)',
    useInstead:
      'def setup_socket(path):\n    server.bind(path)\n    os.chmod(path, 0o770)  # owner and group; put the clients in the group\n\n\nos.chmod(conf_file, stat.S_IRUSR | stat.S_IWUSR)',
    fixSafety:
      'Unsafe: the fix removes only the world-write bit (`0o777` -> `0o775`, `0o666` -> `0o664`, `stat.S_IWOTH` dropped, `stat.S_IRWXO` -> `stat.S_IROTH | stat.S_IXOTH`). Other users that legitimately wrote to the file or directory lose that ability and must be given access through a group instead; consider tightening further (0o755/0o644 or 0o750/0o640).',
    references: [
      'https://cwe.mitre.org/data/definitions/732.html',
      'https://docs.python.org/3/library/os.html#os.chmod',
      'https://docs.python.org/3/library/stat.html',
      'https://wiki.sei.cmu.edu/confluence/display/c/FIO06-C.+Create+files+with+appropriate+access+permissions',
    ],
  },
  triggers: ['chmod', 'lchmod', 'fchmod'],
  onCall(site, ctx) {
    const mode = modeArg(site);
    if (!mode) return;
    const value = modeValue(mode, ctx);
    if (value === null || value > 0o7777 || !(value & 0o002)) return;
    const sticky = (value & 0o1000) !== 0;
    ctx.report({
      node: mode,
      level: sticky ? 'info' : 'warning',
      message: sticky
        ? `${sinkName(site)} sets ${octal(value)}: world-writable with the sticky bit, like /tmp. Every local user can create files here; make sure names are unpredictable and files are opened with O_EXCL.`
        : `${sinkName(site)} sets ${octal(value)}, which lets every local user modify it (world write): replace a config, script or socket that this service trusts. Grant access through the owner or a group instead (e.g. ${octal(value & ~0o022)} or ${octal(value & ~0o002)}).`,
      fix: sticky ? undefined : dropWorldWrite(mode, value, ctx),
    });
  },
};

export default rule;
