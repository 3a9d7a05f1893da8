import { replaceNode } from '../../server/src/engine/fixes';
import { matchesAny } from '../../server/src/engine/names';
import type { CallSite, Rule } from '../../server/src/engine/rule';
import { sinkName } from '../support';
import { modeValue, octal } from './modes';

/**
 * `old = os.umask(0)` directly followed by `os.umask(old)`: the idiom for reading the current
 * umask, which leaves it unchanged.
 */
function readsUmask(site: CallSite): boolean {
  const assignment = site.node.parent;
  const target = assignment?.type === 'assignment' ? assignment.childForFieldName('left') : null;
  if (target?.type !== 'identifier') return false;
  const stmt = assignment!.parent;
  let next = stmt?.nextNamedSibling ?? null;
  while (next?.type === 'comment') next = next.nextNamedSibling;
  return !!next && new RegExp(`^(os\\.)?umask\\(\\s*${target.text}\\s*\\)$`).test(next.text.trim());
}

const rule: Rule = {
  code: 'SL707',
  name: 'permissive-umask',
  category: 'path',
  summary: 'umask that lets new files be created world-writable',
  severity: 'medium',
  confidence: 'high',
  defaultLevel: 'warning',
  maxLevel: 'warning',
  cwe: [732],
  bandit: [],
  ruff: [],
  fix: 'always',
  explanation: {
    what: '`os.umask()` is set to a constant that does not mask the world-write bit (`os.umask(0)`, `os.umask(0o020)`). The idiom that reads the current mask, `old = os.umask(0)` directly followed by `os.umask(old)`, is not reported.',
    why:
      'The umask is what turns the default modes of `open()` (0o666) and `os.makedirs()` (0o777) into safe ones. With the world-write bit unmasked, every file, directory, socket and log the process creates afterwards, including those made by libraries, is writable by every local user, who can then alter configuration, logs or state the service trusts.',
    example: 'def daemonize():\n    if os.fork():\n        os._exit(0)\n    os.setsid()\n    os.umask(0)',
    useInstead: 'def daemonize():\n    if os.fork():\n        os._exit(0)\n    os.setsid()\n    os.umask(0o022)  # or 0o077 for a service that shares nothing',
    fixSafety:
      'Unsafe: the fix sets the mask to `0o022` (new files 0o644, directories 0o755). Code that relied on the old mask to make files group- or world-writable on purpose (a shared spool directory) must now set those modes explicitly with `os.chmod`.',
    references: [
      'https://cwe.mitre.org/data/definitions/732.html',
      'https://docs.python.org/3/library/os.html#os.umask',
      'https://man7.org/linux/man-pages/man2/umask.2.html',
    ],
  },
  triggers: ['umask'],
  onCall(site, ctx) {
    if (!matchesAny(site.qname, ['os.umask', 'posix.umask'])) return;
    const mask = site.positional[0] ?? site.keywords.get('mask');
    const value = modeValue(mask, ctx);
    if (!mask || value === null || value & 0o002) return;
    if (readsUmask(site)) return;
    ctx.report({
      node: mask,
      message: `${sinkName(site)} sets the umask to ${octal(value)}, so files and directories created afterwards with default modes are world-writable. Use 0o022 (or 0o077) and set wider modes explicitly where needed.`,
      fix: { title: 'Set the umask to 0o022', safe: false, edits: [replaceNode(mask, '0o022')] },
    });
  },
};

export default rule;
