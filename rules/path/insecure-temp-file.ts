import { compact, ensureImport, indentOf, insertAt, eol, replaceNode, statementOf, startsLine } from '../../server/src/engine/fixes';
import { matchesAny } from '../../server/src/engine/names';
import type { CallSite, Ctx, Rule } from '../../server/src/engine/rule';
import type { Fix } from '../../server/src/engine/types';
import { sinkName } from '../support';

const MKTEMP = ['tempfile.mktemp', 'os.tempnam', 'os.tmpnam'];

/**
 * `path = tempfile.mktemp(...)` -> `fd, path = tempfile.mkstemp(...)` + `os.close(fd)`: mkstemp
 * takes the same (suffix, prefix, dir) arguments in the same order.
 */
function mkstempFix(site: CallSite, ctx: Ctx): Fix | undefined {
  if (!matchesAny(site.qname, ['tempfile.mktemp']) || !site.callee) return undefined;
  const assignment = site.node.parent;
  if (assignment?.type !== 'assignment' || assignment.childForFieldName('right')?.id !== site.node.id) return undefined;
  const left = assignment.childForFieldName('left');
  if (!left || !['identifier', 'attribute'].includes(left.type) || assignment.childForFieldName('type')) return undefined;
  const stmt = statementOf(assignment);
  if (stmt.parent?.type !== 'block' && stmt.parent?.type !== 'module') return undefined;
  if (!startsLine(ctx.text, stmt) || stmt.endPosition.row !== site.node.endPosition.row) return undefined;
  // A fresh name for the descriptor; bail out rather than shadow one in use.
  const fd = 'tmp_fd';
  if (/\btmp_fd\b/.test(ctx.text)) return undefined;
  const callee = site.callee;
  const mkstemp = callee.type === 'attribute' ? `${callee.childForFieldName('object')!.text}.mkstemp` : 'tempfile.mkstemp';
  const endRow = stmt.endPosition.row;
  return {
    title: 'Create the file securely with tempfile.mkstemp()',
    safe: false,
    edits: compact([
      insertAt({ line: left.startPosition.row, character: left.startPosition.column }, `${fd}, `),
      replaceNode(callee, mkstemp),
      insertAt({ line: endRow + 1, character: 0 }, `${indentOf(ctx.text, stmt)}os.close(${fd})${eol(ctx.text)}`),
      callee.type === 'attribute' ? null : ensureImport(ctx.module, ctx.text, 'tempfile'),
      ensureImport(ctx.module, ctx.text, 'os'),
    ]),
  };
}

const rule: Rule = {
  code: 'SL704',
  name: 'insecure-temp-file',
  category: 'path',
  summary: 'temporary file name chosen with tempfile.mktemp() (race condition)',
  severity: 'medium',
  confidence: 'high',
  defaultLevel: 'warning',
  maxLevel: 'warning',
  cwe: [377],
  bandit: ['B306'],
  ruff: ['S306'],
  fix: 'sometimes',
  explanation: {
    what:
      '`tempfile.mktemp()` (and the Python 2 `os.tempnam()`/`os.tmpnam()`) returns a name that does not exist yet, without creating the file.',
    why:
      'Between choosing the name and creating the file, another local user can create that path first, typically as a symlink to a file the victim may write (`/etc/sudoers.d/x`, the user\'s `~/.bashrc`), or as a file they can read. The process then writes into the attacker\'s file or discloses data. `mkstemp()`, `NamedTemporaryFile()` and `TemporaryDirectory()` create the file atomically with `O_EXCL` and mode 0600.',
    example:
      'import tempfile\n\n\ndef dump_flows(bridge):\n    path = tempfile.mktemp(suffix=".flows")\n    with open(path, "w") as f:\n        f.write(bridge.dump_flows())\n    return path',
    useInstead:
      'import os\nimport tempfile\n\n\ndef dump_flows(bridge):\n    fd, path = tempfile.mkstemp(suffix=".flows")\n    with os.fdopen(fd, "w") as f:\n        f.write(bridge.dump_flows())\n    return path\n\n\n# or: with tempfile.NamedTemporaryFile("w", suffix=".flows", delete=False) as f: ...',
    fixSafety:
      'Unsafe: for `name = tempfile.mktemp(...)` the fix writes `tmp_fd, name = tempfile.mkstemp(...)` followed by `os.close(tmp_fd)` (adding `import os`); mkstemp takes the same `suffix`, `prefix` and `dir` arguments in the same order. The file now exists (empty, mode 0600) when the next line runs: code that expects the name to be free (creating a directory, a FIFO or a socket there, or a tool that refuses to overwrite) fails, and the file is not removed automatically.',
    references: [
      'https://cwe.mitre.org/data/definitions/377.html',
      'https://docs.python.org/3/library/tempfile.html#tempfile.mktemp',
      'https://docs.python.org/3/library/tempfile.html#tempfile.mkstemp',
    ],
  },
  triggers: ['mktemp', 'tempnam', 'tmpnam'],
  onCall(site, ctx) {
    if (!matchesAny(site.qname, MKTEMP)) return;
    ctx.report({
      node: site.callee ?? site.node,
      message: `${sinkName(site)} only picks a name: another local user can create that path (e.g. a symlink) before this process does, and the process then writes into their file. Use tempfile.mkstemp(), NamedTemporaryFile() or TemporaryDirectory(), which create it atomically with mode 0600.`,
      fix: mkstempFix(site, ctx),
    });
  },
};

export default rule;
