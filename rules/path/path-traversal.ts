import type { Node } from 'web-tree-sitter';
import { rangeOf, sourcesFor, traceFor, union, type Value } from '../../server/src/engine/dataflow';
import { compact, ensureImport, insertAt } from '../../server/src/engine/fixes';
import { lastSegment, matchesAny } from '../../server/src/engine/names';
import type { CallSite, Ctx, Rule } from '../../server/src/engine/rule';
import type { Fix } from '../../server/src/engine/types';
import { describeValue, sinkName } from '../support';
import { assignedFrom, boundTo, JOIN, joinedParts, PATH_CLASSES, pathLevel } from './paths';

interface Sink {
  names: string[];
  /** Positions and keyword names of the path arguments. */
  args: [number, string][];
  what: string;
}

/** Calls that open, create, delete, move or serve the file named by an argument: data, not code. */
const SINKS: Sink[] = [
  { names: ['open', 'builtins.open', 'io.open', 'codecs.open', 'os.open', 'io.FileIO', 'aiofiles.open'], args: [[0, 'file']], what: 'opens' },
  {
    names: ['os.remove', 'os.unlink', 'os.rmdir', 'os.removedirs', 'shutil.rmtree'],
    args: [[0, 'path']],
    what: 'deletes',
  },
  { names: ['os.makedirs', 'os.mkdir', 'os.mkfifo', 'os.mknod'], args: [[0, 'name'], [0, 'path']], what: 'creates' },
  { names: ['os.chmod', 'os.chown', 'os.truncate', 'os.utime', 'os.listdir', 'os.scandir', 'os.walk'], args: [[0, 'path'], [0, 'top']], what: 'acts on' },
  {
    names: ['os.rename', 'os.replace', 'os.link', 'os.symlink', 'shutil.copy', 'shutil.copy2', 'shutil.copyfile', 'shutil.copytree', 'shutil.move'],
    args: [[0, 'src'], [1, 'dst']],
    what: 'copies or moves',
  },
  {
    names: ['flask.send_file', 'flask.helpers.send_file'],
    args: [[0, 'path_or_file'], [0, 'filename_or_fp']],
    what: 'sends',
  },
  {
    names: ['fastapi.responses.FileResponse', 'starlette.responses.FileResponse', 'django.views.static.serve'],
    args: [[0, 'path']],
    what: 'sends',
  },
];

/** Methods of `pathlib.Path` that touch the file system. */
const PATH_METHODS = new Set([
  'open', 'read_text', 'read_bytes', 'write_text', 'write_bytes', 'unlink', 'rmdir', 'mkdir', 'touch', 'rename', 'replace',
  'symlink_to', 'chmod', 'iterdir',
]);

/** Path methods whose names other types share (`str.replace`, `zipfile.ZipFile.open`). */
const AMBIGUOUS_METHODS = new Set(['open', 'rename', 'replace', 'chmod', 'mkdir', 'touch']);

/** `Path(...)`, `Path(a) / b`, `p.resolve()`. */
function isPathExpr(node: Node | null, ctx: Ctx): boolean {
  if (!node) return false;
  if (node.type === 'call') {
    const fn = node.childForFieldName('function');
    if (matchesAny(ctx.names.resolve(fn), PATH_CLASSES)) return true;
    return fn?.type === 'attribute' && ['resolve', 'absolute', 'joinpath', 'with_name', 'with_suffix'].includes(fn.childForFieldName('attribute')?.text ?? '') && isPathExpr(fn.childForFieldName('object'), ctx);
  }
  if (node.type === 'binary_operator' && node.childForFieldName('operator')?.type === '/') return isPathExpr(node.childForFieldName('left'), ctx);
  if (node.type === 'parenthesized_expression') return isPathExpr(node.namedChild(0), ctx);
  return false;
}

function argOf(site: CallSite, pos: number, kw: string): Node | undefined {
  return site.keywords.get(kw) ?? site.positional[pos];
}

/** The path arguments of a call, with the verb for the message. */
function pathArgs(site: CallSite, ctx: Ctx): { nodes: Node[]; what: string } | null {
  const sink = SINKS.find((s) => matchesAny(site.qname, s.names));
  if (sink) {
    const nodes = [...new Set(sink.args.map(([p, k]) => argOf(site, p, k)).filter((n): n is Node => !!n))];
    return { nodes, what: sink.what };
  }
  const callee = site.callee;
  if (callee?.type !== 'attribute') return null;
  const method = callee.childForFieldName('attribute')?.text ?? '';
  const receiver = callee.childForFieldName('object');
  if (!receiver) return null;
  // `Path(x).read_text()`, `Path(base, name).unlink()`
  if (PATH_METHODS.has(method) && receiver.type === 'call' && matchesAny(ctx.names.resolve(receiver.childForFieldName('function')), PATH_CLASSES)) {
    return { nodes: [receiver], what: method.startsWith('read') || method === 'open' || method === 'iterdir' ? 'reads' : 'writes' };
  }
  // `(Path(base) / name).write_text()`, or a variable built from Path: only request data counts.
  // `open`, `rename` and `replace` are also str/file methods: only when the receiver is visibly a Path.
  if (PATH_METHODS.has(method) && (receiver.type === 'identifier' || receiver.type === 'parenthesized_expression')) {
    if (AMBIGUOUS_METHODS.has(method) && !isPathExpr(receiver.type === 'identifier' ? boundTo(receiver, ctx) : receiver.namedChild(0), ctx)) return null;
    return { nodes: [receiver], what: 'acts on' };
  }
  // werkzeug's `FileStorage.save(dst)`: `request.files["f"].save(os.path.join(UPLOAD, name))`
  if (method === 'save' && site.positional[0]) return { nodes: [site.positional[0]], what: 'writes' };
  return null;
}

/**
 * The sink sits in the body of `if full.startswith(base):` (or `is_relative_to`, or
 * `os.path.commonpath([base, full]) == base`) for the variable it uses: checked on this branch.
 */
function checkedOnBranch(arg: Node): boolean {
  if (arg.type !== 'identifier') return false;
  const name = arg.text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const check = new RegExp(`(^|[^.\\w])${name}\\.(startswith|is_relative_to)\\(|commonpath\\(\\s*[[(][^)]*\\b${name}\\b[^)]*\\)\\s*==`);
  for (let n: Node | null = arg; n?.parent; n = n.parent) {
    const p: Node = n.parent;
    if (p.type === 'function_definition') return false;
    if (p.type === 'if_statement' && p.childForFieldName('consequence')?.id === n.id) {
      const cond = p.childForFieldName('condition');
      if (cond && cond.type !== 'not_operator' && check.test(cond.text)) return true;
    }
  }
  return false;
}

/** Parameters named as identifiers (`router_id`, `uuid`): validated ids in the code we target, not file names. */
const ID_NAME = /(^|_)(id|uuid|pk)$/i;

function onlyIdentifiers(value: Value): boolean {
  const sources = sourcesFor(value, 'path');
  return sources.length > 0 && sources.every((s) => s.kind === 'param' && ID_NAME.test(s.name));
}

/** `os.path.join(BASE, name)` -> `os.path.join(BASE, os.path.basename(name))` when the name is the last part. */
function basenameFix(built: Node, parts: Node[], ctx: Ctx): Fix | undefined {
  if (built.type !== 'call' || !matchesAny(ctx.names.resolve(built.childForFieldName('function')), JOIN)) return undefined;
  const args = built.childForFieldName('arguments')?.namedChildren.filter((a): a is Node => !!a && a.type !== 'comment') ?? [];
  const last = args[args.length - 1];
  if (parts.length !== 1 || parts[0].id !== last?.id) return undefined;
  if (!['identifier', 'attribute', 'subscript', 'call'].includes(last.type)) return undefined;
  return {
    title: `Keep only the file name: os.path.basename(${last.text.length > 30 ? '…' : last.text})`,
    safe: false,
    edits: compact([
      insertAt({ line: last.startPosition.row, character: last.startPosition.column }, 'os.path.basename('),
      insertAt({ line: last.endPosition.row, character: last.endPosition.column }, ')'),
      ensureImport(ctx.module, ctx.text, 'os'),
    ]),
  };
}

const rule: Rule = {
  code: 'SL701',
  name: 'path-traversal',
  category: 'path',
  summary: 'file opened, written, deleted or served at a path built from outside data',
  severity: 'high',
  confidence: 'medium',
  defaultLevel: 'warning',
  maxLevel: 'error',
  cwe: [22, 73],
  bandit: [],
  ruff: [],
  fix: 'sometimes',
  explanation: {
    what:
      'A path that carries outside data reaches a call that opens, creates, deletes, moves or sends a file: `open`, `io.open`, `os.open`, `os.remove/unlink/rmdir/makedirs/rename/replace`, `shutil.copy*/move/rmtree`, `pathlib.Path(...).open/read_text/write_text/...`, Flask `send_file`, Starlette/FastAPI `FileResponse`, werkzeug `FileStorage.save`. Request or socket data in the path is an error; a parameter, file contents, argv or environment joined onto a directory (`os.path.join(BASE, name)`, `Path(BASE) / name`, `f"{BASE}/{name}"`) is a warning; a whole path handed in by the caller (`def load(path): open(path)`), parameters named as identifiers (`router_id`, `uuid`, `pk`), a name behind a constant prefix in its component (`"qrouter-" + name`), directory listings, the command line and values of unknown origin are not reported. Values passed through `os.path.basename`, `secure_filename` or `safe_join`, or checked with `if not full.startswith(base): raise` (also `is_relative_to`, `os.path.commonpath(...) != base`, `".." in name`, an allowlist) are not reported. `send_from_directory` is safe and never reported.',
    why:
      '`os.path.join("/srv/uploads", name)` with `name = "../../etc/passwd"` or `"/etc/passwd"` (an absolute part discards everything before it) names a file outside the directory. Reading it leaks configuration and keys; writing or deleting it can plant code (a `.pth` file, a cron job, an SSH key) or destroy data, with the service\'s privileges.',
    example:
      '@app.route("/download")\ndef download():\n    name = request.args["name"]\n    return send_file(os.path.join(REPORT_DIR, name))\n\n\n@app.route("/upload", methods=["POST"])\ndef upload():\n    f = request.files["file"]\n    f.save(os.path.join(UPLOAD_DIR, f.filename))',
    useInstead:
      '@app.route("/download")\ndef download():\n    return send_from_directory(REPORT_DIR, request.args["name"])\n\n\n@app.route("/upload", methods=["POST"])\ndef upload():\n    f = request.files["file"]\n    f.save(os.path.join(UPLOAD_DIR, secure_filename(f.filename)))\n\n\n# when sub-directories are allowed, resolve and check containment:\nfull = os.path.realpath(os.path.join(BASE, rel))\nif os.path.commonpath([BASE, full]) != BASE:\n    abort(404)',
    fixSafety:
      'Unsafe: offered when the outside value is the last part of an `os.path.join(...)`, the fix wraps it in `os.path.basename(...)` (adding `import os` if needed), so only its final component is used and `../` or an absolute path cannot leave the directory. A value that legitimately names a file in a sub-directory (`"2024/report.pdf"`) now names `report.pdf` in the base directory instead; when sub-directories are wanted, resolve the path with `os.path.realpath` and check it with `os.path.commonpath` instead.',
    references: [
      'https://cwe.mitre.org/data/definitions/22.html',
      'https://owasp.org/www-community/attacks/Path_Traversal',
      'https://docs.python.org/3/library/os.path.html#os.path.join',
      'https://flask.palletsprojects.com/en/stable/api/#flask.send_from_directory',
      'https://werkzeug.palletsprojects.com/en/stable/utils/#werkzeug.utils.secure_filename',
    ],
  },
  triggers: [...new Set([...SINKS.flatMap((s) => s.names.map(lastSegment)), ...PATH_METHODS, 'save'])],
  onCall(site, ctx) {
    const sink = pathArgs(site, ctx);
    if (!sink) return;
    const generic = !SINKS.some((s) => matchesAny(site.qname, s.names)) && !(site.callee?.childForFieldName('object')?.type === 'call');
    for (const arg of sink.nodes) {
      const value = ctx.valueOf(arg);
      // How the path was built: here, or one assignment back (`path = os.path.join(BASE, name)`).
      const built = ['identifier'].includes(arg.type) ? assignedFrom(arg, ctx) ?? arg : arg;
      const parts = joinedParts(built, ctx);
      // For a joined path, what matters is what was appended, not who chose the base directory.
      const appended = parts.length > 0 ? union(parts.map((p) => ctx.valueOf(p))) : value;
      const level = pathLevel(value, parts.length > 0 && pathLevel(appended, true) !== null && !onlyIdentifiers(appended));
      if (!level || checkedOnBranch(arg)) continue;
      // Methods named like file operations on any object (`x.save()`, `p.unlink()`): only request data.
      if (generic && level !== 'error') continue;
      const origin = describeValue(level === 'error' ? value : appended, 'path');
      const fn = sinkName(site);
      const message = parts.length > 0
        ? `${fn} ${sink.what} a file whose name is joined from ${origin}: \`../\` or an absolute part escapes the intended directory. Use os.path.basename()/secure_filename() on the name, send_from_directory(), or resolve the path and check it stays inside the base directory.`
        : `${fn} ${sink.what} a file at a path taken from ${origin}: whoever controls it reaches any file this process can. Confine it to a directory (basename/secure_filename, or realpath + commonpath check) or to an allowlist.`;
      ctx.report({
        node: arg,
        level,
        confidence: level === 'error' ? 'high' : 'medium',
        message,
        trace: traceFor(level === 'error' ? value : appended, 'path', { range: rangeOf(arg), message: `reaches ${fn}` }),
        fix: basenameFix(built, parts, ctx),
      });
    }
  },
};

export default rule;
