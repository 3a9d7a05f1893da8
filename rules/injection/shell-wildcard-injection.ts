import type { Node } from 'web-tree-sitter';
import { insertAt } from '../../server/src/engine/fixes';
import type { Rule } from '../../server/src/engine/rule';
import type { Fix } from '../../server/src/engine/types';
import { sinkName } from '../support';
import { literalText } from './built-strings';
import { SHELL_TRIGGERS, shellCommand } from './shell-command-injection';

/** Tools whose options a file name can supply (`--checkpoint-action=exec=...`, `--reference=...`, `-e sh ...`). */
const TOOLS = new Set(['chown', 'chmod', 'chgrp', 'tar', 'rsync']);
/** Words that may come before the tool in a segment: `sudo -u root chown ...`, `LC_ALL=C tar ...`. */
const PREFIX = /^(sudo|nice|ionice|nohup|exec|time|env|-\S*|\w+=\S*)$/;
/** Ends one simple command and starts another. */
const SEGMENT = /;|&&|\|\||\||\n|`|\$\(|\(|\)/;

interface Risk { tool: string; word: string; optionsAfter: boolean }

/** The first tool in the command line that gets a glob expanding to bare file names. */
function findRisk(text: string): Risk | null {
  for (const segment of text.split(SEGMENT)) {
    const words = segment.trim().split(/\s+/).filter(Boolean);
    let i = 0;
    while (i < words.length && (PREFIX.test(words[i]) || ['-u', '-g'].includes(words[i - 1] ?? ''))) i++;
    const tool = (words[i] ?? '').replace(/^.*\//, '');
    if (!TOOLS.has(tool)) continue;
    for (let j = i + 1; j < words.length; j++) {
      const w = words[j];
      if (w === '--') break;
      if (/^[*?[]/.test(w)) return { tool, word: w, optionsAfter: words.slice(j + 1).some((x) => x.startsWith('-')) };
    }
  }
  return null;
}

/** Inserts `-- ` before the glob in a string literal as written, when nothing after it is an option. */
function buildFix(cmd: Node, risk: Risk): Fix | undefined {
  if (cmd.type !== 'string' || risk.optionsAfter) return undefined;
  const src = cmd.text;
  const toolAt = src.search(new RegExp(`(^|[\\s/'"])${risk.tool}\\s`));
  if (toolAt < 0) return undefined;
  const escaped = risk.word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const m = new RegExp(`\\s(${escaped})(?=[\\s'";&|]|$)`).exec(src.slice(toolAt));
  if (!m) return undefined;
  const offset = toolAt + m.index + 1;
  const before = src.slice(0, offset);
  const lines = before.split('\n');
  const line = cmd.startPosition.row + lines.length - 1;
  const character = lines.length === 1 ? cmd.startPosition.column + offset : lines[lines.length - 1].length;
  return {
    title: 'End the options with "--" before the wildcard',
    safe: true,
    edits: [insertAt({ line, character }, '-- ')],
  };
}

const rule: Rule = {
  code: 'SL104',
  name: 'shell-wildcard-injection',
  category: 'injection',
  summary: 'Shell wildcard expanded into the options of chown, chmod, tar or rsync',
  severity: 'medium',
  confidence: 'medium',
  defaultLevel: 'warning',
  maxLevel: 'warning',
  cwe: [155, 88],
  bandit: ['B609'],
  ruff: ['S609'],
  fix: 'sometimes',
  // The shell sinks' words rather than the tools': a tool's name can be split across literals.
  triggers: SHELL_TRIGGERS,
  explanation: {
    what:
      'A command line run through a shell (`os.system`, `os.popen`, `subprocess.*(..., shell=True)` and the other shell sinks of SL101) calls `chown`, `chmod`, `chgrp`, `tar` or `rsync` with an argument that starts with a wildcard (`*`, `*.log`, `?`, `[...]`) before any `--`. Wildcards after a directory (`/var/www/*`, `./*`) and argument lists without a shell (where `*` is not expanded) are not reported.',
    why:
      'The shell expands the wildcard to the file names in the current directory before the tool runs, and the tool cannot tell a file name from an option. Anyone who can create a file there chooses options: a file named `--checkpoint-action=exec=sh x.sh` makes `tar` run a script, `--reference=mine` makes `chown`/`chmod` copy the owner or mode of the attacker\'s file, and `-e sh x.sh` makes `rsync` run a program. Scheduled jobs that run these as root in upload or temporary directories are the classic target.',
    example: 'def backup_uploads():\n    os.chdir("/srv/uploads")\n    os.system("tar czf /backup/uploads.tgz *")',
    useInstead:
      'def backup_uploads():\n    os.chdir("/srv/uploads")\n    os.system("tar czf /backup/uploads.tgz -- *")\n\n# or name the directory: os.system("chmod 640 ./*")\n# or no shell at all: subprocess.run(["tar", "czf", "/backup/uploads.tgz", "-C", "/srv/uploads", "."])',
    fixSafety:
      'Safe: the fix inserts `--` before the wildcard when no option follows it, so every expanded name is taken as a file name. GNU and BSD `chown`, `chmod`, `chgrp`, `tar` and `rsync` all accept `--`; for names that do not start with `-` the command does exactly what it did before.',
    references: [
      'https://cwe.mitre.org/data/definitions/155.html',
      'https://cwe.mitre.org/data/definitions/88.html',
      'https://www.gnu.org/software/coreutils/manual/html_node/Common-options.html',
      'https://www.gnu.org/software/tar/manual/html_node/checkpoints.html',
    ],
  },
  onCall(site, ctx) {
    const found = shellCommand(site, ctx);
    const text = found ? literalText(found.cmd) : null;
    if (!found || text === null) return;
    const risk = findRisk(text);
    if (!risk) return;
    ctx.report({
      node: found.cmd,
      message: `\`${risk.tool}\` gets the wildcard \`${risk.word}\` through the shell in ${sinkName(site)}: a file named like an option (--checkpoint-action=..., --reference=...) becomes one. Put "--" before the wildcard or prefix it with a directory (./${risk.word}).`,
      fix: buildFix(found.cmd, risk),
    });
  },
};

export default rule;
