import type { Node } from 'web-tree-sitter';
import { matchesAny } from '../../server/src/engine/names';
import type { Ctx, Rule } from '../../server/src/engine/rule';
import { JOIN, PATH_CLASSES, receiverFactory } from './paths';

/** Methods listing an archive's members: the loop variable is a member object or a member name. */
const MEMBER_OBJECTS = new Set(['getmembers', 'infolist']);
const MEMBER_NAMES = new Set(['namelist', 'getnames']);
/** Attributes of a member holding its name inside the archive. */
const NAME_ATTRS = new Set(['name', 'filename', 'path', 'orig_filename']);
/** Something in the loop writes files. */
const WRITES = /open\([^)]*["'][wax]b?\+?["']|makedirs|\.mkdir\(|write_bytes|write_text|copyfileobj|\.write\(|shutil\.(copy|move)/;
/** Something in the loop confines the path or the name. */
const CHECKS = /realpath|abspath|commonpath|is_relative_to|\.resolve\(\)|\.startswith\(|basename|secure_filename|["']\.\.["']|safe_join|isabs|is_within|within_dir|is_safe_path|subpath|inside_dir/;

/** What the loop variable stands for: a member object, a member name, or nothing we know. */
function iteration(right: Node | null, ctx: Ctx): 'object' | 'name' | null {
  if (!right) return null;
  if (right.type === 'call') {
    const fn = right.childForFieldName('function');
    const method = fn?.type === 'attribute' ? fn.childForFieldName('attribute')?.text ?? '' : '';
    if (MEMBER_OBJECTS.has(method)) return 'object';
    if (MEMBER_NAMES.has(method)) return 'name';
    return null;
  }
  // `for member in tar:` over a TarFile.
  return matchesAny(receiverFactory(right, ctx), ['tarfile.open', 'tarfile.TarFile', 'tarfile.TarFile.open']) ? 'object' : null;
}

/** `member.name` (or `name` for name loops) used as the part of a path appended to a directory. */
function memberPart(n: Node, variable: string, kind: 'object' | 'name'): boolean {
  if (kind === 'name') return n.type === 'identifier' && n.text === variable;
  return n.type === 'attribute' && n.childForFieldName('object')?.text === variable && NAME_ATTRS.has(n.childForFieldName('attribute')?.text ?? '');
}

function findJoin(body: Node, variable: string, kind: 'object' | 'name', ctx: Ctx): Node | null {
  let found: Node | null = null;
  const visit = (n: Node) => {
    if (found) return;
    if (n.type === 'call' && matchesAny(ctx.names.resolve(n.childForFieldName('function')), [...JOIN, ...PATH_CLASSES])) {
      const args = n.childForFieldName('arguments')?.namedChildren ?? [];
      if (args.slice(1).some((a) => a && memberPart(a, variable, kind))) found = n;
    } else if (n.type === 'binary_operator' && ['/', '+'].includes(n.childForFieldName('operator')?.type ?? '')) {
      const right = n.childForFieldName('right');
      if (right && memberPart(right, variable, kind)) found = n;
    } else if (n.type === 'string' && /[/\\]/.test(n.text)) {
      for (const c of n.namedChildren) {
        const e = c?.type === 'interpolation' ? c.childForFieldName('expression') ?? c.namedChild(0) : null;
        if (e && memberPart(e, variable, kind)) found = n;
      }
    }
    for (const c of n.namedChildren) if (c) visit(c);
  };
  visit(body);
  return found;
}

const rule: Rule = {
  code: 'SL703',
  name: 'archive-member-path-traversal',
  category: 'path',
  summary: 'archive member names joined into output paths without a containment check ("zip slip")',
  severity: 'high',
  confidence: 'medium',
  defaultLevel: 'warning',
  maxLevel: 'warning',
  cwe: [22],
  bandit: [],
  ruff: [],
  fix: 'none',
  explanation: {
    what:
      'A loop over the members of a zip or tar archive (`infolist()`, `namelist()`, `getmembers()`, `getnames()`, or the `TarFile` itself) joins a member\'s name (`member.name`, `info.filename`) onto a directory and writes files there, with no `realpath`/`abspath` + `startswith`/`commonpath` check, `is_relative_to`, `basename`/`secure_filename` or `".."` test in the loop. `ZipFile.extract()`/`extractall()` are not reported: they sanitise names themselves.',
    why:
      'Member names are whatever the archive\'s author wrote: `../../home/app/.bashrc` or `/etc/cron.d/job`. Copying members out by hand skips the sanitising that `ZipFile.extract()` and tarfile\'s "data" filter do, so a crafted archive (an upload, a plugin, a downloaded bundle) overwrites files outside the destination with the process\'s privileges.',
    example:
      'with zipfile.ZipFile(upload) as zf:\n    for info in zf.infolist():\n        target = os.path.join(dest, info.filename)\n        with zf.open(info) as src, open(target, "wb") as out:\n            shutil.copyfileobj(src, out)',
    useInstead:
      'with zipfile.ZipFile(upload) as zf:\n    zf.extractall(dest)  # names are sanitised\n\n# or, copying by hand:\nroot = os.path.realpath(dest)\nfor info in zf.infolist():\n    target = os.path.realpath(os.path.join(root, info.filename))\n    if os.path.commonpath([root, target]) != root:\n        raise ValueError(f"unsafe member {info.filename!r}")\n    ...',
    references: [
      'https://cwe.mitre.org/data/definitions/22.html',
      'https://security.snyk.io/research/zip-slip-vulnerability',
      'https://docs.python.org/3/library/zipfile.html#zipfile.ZipFile.extract',
      'https://docs.python.org/3/library/tarfile.html#extraction-filters',
    ],
  },
  // A loop over a member list names its method. A loop over a TarFile iterates a bare name,
  // which may be a module constant opened in another statement: such a loop and a write.
  triggers: [...MEMBER_OBJECTS, ...MEMBER_NAMES],
  triggerPattern: new RegExp(String.raw`^(?=[\s\S]*?\bfor[\s\\]+[^\s:,()]+[\s\\]+in[\s\\]+[^\s:,()[\].]+[\s\\]*:)[\s\S]*?(?:` + WRITES.source + ')'),
  nodeTypes: ['for_statement'],
  onNode(node, ctx) {
    const left = node.childForFieldName('left');
    if (left?.type !== 'identifier') return;
    const kind = iteration(node.childForFieldName('right'), ctx);
    const body = node.childForFieldName('body');
    if (!kind || !body) return;
    if (!WRITES.test(body.text) || CHECKS.test(body.text)) return;
    const join = findJoin(body, left.text, kind, ctx);
    if (!join) return;
    ctx.report({
      node: join,
      message: `The archive member name \`${left.text}${kind === 'object' ? '.…name' : ''}\` is joined into an output path and written without a containment check: a name such as \`../../etc/cron.d/x\` or an absolute name writes outside the destination ("zip slip"). Use ZipFile.extractall()/tarfile filter="data", or resolve the target with os.path.realpath() and check it with os.path.commonpath() before writing.`,
    });
  },
};

export default rule;
