import type { Node } from 'web-tree-sitter';
import { matchesAny } from '../../server/src/engine/names';
import type { CallSite, Ctx, Rule } from '../../server/src/engine/rule';
import type { Fix } from '../../server/src/engine/types';
import { sinkName } from '../support';
import { appendArgument, receiverFactory } from './paths';

/** Calls that return a `tarfile.TarFile`. */
const TAR_FACTORIES = [
  'tarfile.open', 'tarfile.TarFile', 'tarfile.TarFile.open', 'tarfile.TarFile.taropen', 'tarfile.TarFile.gzopen',
  'tarfile.TarFile.bz2open', 'tarfile.TarFile.xzopen', 'tarfile.TarFile.zstopen',
];

/** `filter="data"` added as the last argument. */
function filterFix(site: CallSite): Fix | undefined {
  const edit = appendArgument(site, 'filter="data"');
  return edit ? { title: 'Extract with filter="data"', safe: false, edits: [edit] } : undefined;
}

/** A name such as `tar`, `tarball`, `tar_file` for an object bound elsewhere (a parameter), in a file that imports tarfile. */
const TAR_NAME = /^(self\.)?_*(tar|tarball|tarf|tar_?file|tar_?archive|tf)$/i;

function isTarFile(receiver: Node | null, ctx: Ctx): boolean {
  if (matchesAny(receiverFactory(receiver, ctx), TAR_FACTORIES)) return true;
  return !!receiver && TAR_NAME.test(receiver.text) && /^\s*(import tarfile|from tarfile import)/m.test(ctx.text) && !/zip/i.test(receiver.text);
}

const rule: Rule = {
  code: 'SL702',
  name: 'tarfile-extraction-without-filter',
  category: 'path',
  summary: 'tar archive extracted without an extraction filter',
  severity: 'high',
  confidence: 'high',
  defaultLevel: 'warning',
  maxLevel: 'warning',
  cwe: [22],
  bandit: ['B202'],
  ruff: ['S202'],
  fix: 'sometimes',
  explanation: {
    what:
      '`TarFile.extractall()` or `TarFile.extract()` on an archive opened with `tarfile.open()` (or a `TarFile` constructor) is called without `filter=`, and the file sets no `extraction_filter`. A `members=` argument other than `tar.getmembers()` is taken as a vetting generator and not reported. `shutil.unpack_archive()` without `filter=` is an audit hint.',
    why:
      'Without a filter, tarfile (before Python 3.14) writes each member where its name says: `../../etc/cron.d/x` or `/root/.ssh/authorized_keys` land outside the target directory, and symlink, hard-link and device members can point the next member anywhere or create special files. Anyone who can supply or alter the archive (an upload, a download, an image layer) can overwrite files with the privileges of the extracting process.',
    example:
      'import tarfile\n\n\ndef unpack_image(path, dest):\n    with tarfile.open(path) as tar:\n        tar.extractall(dest)',
    useInstead:
      'import tarfile\n\n\ndef unpack_image(path, dest):\n    with tarfile.open(path) as tar:\n        tar.extractall(dest, filter="data")',
    fixSafety:
      'Unsafe: the fix adds `filter="data"`. The "data" filter refuses absolute and `..` names, links that point outside the destination and device files, and drops set-uid bits and group/other write permission; an archive that relies on those (a root file system image) now raises `tarfile.FilterError`. The `filter` argument exists in Python 3.12+ and in the security releases 3.8.17, 3.9.17, 3.10.12 and 3.11.4 (and later of each series); on older interpreters the call raises `TypeError`, so check `hasattr(tarfile, "data_filter")` if you must support them.',
    references: [
      'https://cwe.mitre.org/data/definitions/22.html',
      'https://docs.python.org/3/library/tarfile.html#extraction-filters',
      'https://peps.python.org/pep-0706/',
      'https://docs.python.org/3/library/tarfile.html#tarfile.TarFile.extractall',
    ],
  },
  triggers: ['extractall', 'extract', 'unpack_archive'],
  onCall(site, ctx) {
    if (site.keywords.has('filter') || site.hasSplat) return;
    if (matchesAny(site.qname, ['shutil.unpack_archive'])) {
      if (/extraction_filter/.test(ctx.text)) return;
      ctx.report({
        node: site.callee ?? site.node,
        level: 'info',
        confidence: 'low',
        message: `${sinkName(site)} without filter= unpacks tar archives unfiltered before Python 3.14: member names such as \`../x\` and links can write outside the target directory. Pass filter="data" (Python 3.12+ and the 3.8-3.11 security releases).`,
      });
      return;
    }
    const callee = site.callee;
    if (callee?.type !== 'attribute') return;
    const method = callee.childForFieldName('attribute')?.text;
    if (method !== 'extractall' && method !== 'extract') return;
    if (!isTarFile(callee.childForFieldName('object'), ctx)) return;
    if (/extraction_filter\s*=/.test(ctx.text)) return;
    const members = site.keywords.get('members');
    if (members && !/\.getmembers\(\)$/.test(members.text)) return;
    ctx.report({
      node: callee,
      message: `${sinkName(site)} without filter= extracts members where their names and links point: \`../\`, absolute names and symlinks in the archive write outside the target directory. Pass filter="data" (Python 3.12+, and the security releases 3.8.17/3.9.17/3.10.12/3.11.4).`,
      fix: filterFix(site),
    });
  },
};

export default rule;
