import type { Node } from 'web-tree-sitter';
import { rangeOf, taintLevel, traceFor } from '../../server/src/engine/dataflow';
import { matchesAny } from '../../server/src/engine/names';
import type { CallSite, Ctx, Rule } from '../../server/src/engine/rule';
import { replaceNode } from '../../server/src/engine/fixes';
import type { Fix } from '../../server/src/engine/types';
import { describeValue, isTrue, sinkName } from '../support';
import { appendArgument } from '../path/paths';

interface Loader {
  /** Qualified names of the loading calls. */
  names: string[];
  /** Keyword names the data (or the file holding it) may be passed by. */
  keywords: string[];
  /** The format, for the message. */
  what: string;
  /** Whether this particular call is dangerous (e.g. only without `weights_only=True`). */
  when?: (site: CallSite) => boolean;
  /** What a crafted input does; pickle's by default. */
  risk?: string;
  advice?: string;
  /** A rewrite that makes this call data-only. */
  fix?: (site: CallSite) => Fix | undefined;
}

/** `torch.load(f)` -> `torch.load(f, weights_only=True)`; `weights_only=False` -> `True`. */
function weightsOnlyFix(site: CallSite): Fix | undefined {
  const given = site.keywords.get('weights_only');
  const edit = given ? (given.type === 'false' ? replaceNode(given, 'True') : null) : appendArgument(site, 'weights_only=True');
  return edit ? { title: 'Load with weights_only=True', safe: false, edits: [edit] } : undefined;
}

/** `numpy.load(f, allow_pickle=True)` -> `allow_pickle=False`. */
function noPickleFix(site: CallSite): Fix | undefined {
  const given = site.keywords.get('allow_pickle');
  return given ? { title: 'Load with allow_pickle=False', safe: false, edits: [replaceNode(given, 'False')] } : undefined;
}

const PICKLE_LIKE = ['pickle', 'cPickle', '_pickle', 'dill', 'cloudpickle'];

/** Deserializers that can build arbitrary objects, as data (Bandit's style): a table, not code. */
const LOADERS: Loader[] = [
  {
    names: PICKLE_LIKE.flatMap((m) => [`${m}.load`, `${m}.loads`, `${m}.Unpickler`]),
    keywords: ['file', 'data', 'str', 's'],
    what: 'pickle data',
  },
  { names: ['jsonpickle.decode', 'jsonpickle.loads', 'jsonpickle.unpickler.decode'], keywords: ['string'], what: 'jsonpickle data' },
  {
    names: ['marshal.load', 'marshal.loads'],
    keywords: ['file', 'bytes'],
    what: 'marshal data',
    risk: 'marshal is not hardened against crafted input, which can crash the interpreter or smuggle in code objects',
  },
  { names: ['shelve.open', 'shelve.DbfilenameShelf'], keywords: ['filename'], what: 'a shelve database (pickled values)' },
  { names: ['pandas.read_pickle'], keywords: ['filepath_or_buffer', 'path'], what: 'a pickled DataFrame' },
  {
    names: ['joblib.load', 'sklearn.externals.joblib.load'],
    keywords: ['filename'],
    what: 'a joblib file (pickle inside)',
  },
  {
    names: ['torch.load'],
    keywords: ['f'],
    what: 'a PyTorch checkpoint (pickle inside)',
    // `weights_only=True` restricts the unpickler to tensors and plain containers.
    when: (site) => !isTrue(site.keywords.get('weights_only')) && !(site.hasSplat && !site.keywords.has('weights_only')),
    advice: 'Pass weights_only=True so only tensors and plain containers are loaded (the default from PyTorch 2.6).',
    fix: weightsOnlyFix,
  },
  {
    names: ['numpy.load'],
    keywords: ['file'],
    what: 'a NumPy file with allow_pickle=True',
    when: (site) => isTrue(site.keywords.get('allow_pickle')),
    advice: 'Use allow_pickle=False (the default, which refuses object arrays) and store object data as JSON or .npz of plain arrays.',
    fix: noPickleFix,
  },
];

const PICKLE_RISK =
  'loading it can call any importable Python function (the pickle REDUCE opcode), so whoever can write that data runs code in this process';
const DEFAULT_ADVICE =
  'Exchange data as JSON (or another data-only format), or sign it with hmac and verify the signature before loading.';

function dataArg(site: CallSite, loader: Loader): Node | undefined {
  if (site.positional[0]) return site.positional[0];
  for (const k of loader.keywords) {
    const v = site.keywords.get(k);
    if (v) return v;
  }
  return undefined;
}

function loaderFor(site: CallSite): Loader | undefined {
  return LOADERS.find((l) => matchesAny(site.qname, l.names));
}

function report(site: CallSite, loader: Loader, data: Node, ctx: Ctx): void {
  const value = ctx.valueOf(data);
  const taint = taintLevel(value, 'code');
  if (!taint) return; // a literal in the source: nobody else wrote it
  ctx.report({
    node: site.callee ?? site.node,
    level: taint === 'info' ? 'warning' : taint,
    confidence: taint === 'info' ? 'medium' : 'high',
    message: `${sinkName(site)} deserializes ${loader.what} from ${describeValue(value, 'code')}: ${loader.risk ?? PICKLE_RISK}. ${loader.advice ?? DEFAULT_ADVICE}`,
    trace: traceFor(value, 'code', { range: rangeOf(data), message: `deserialized by ${sinkName(site)}` }),
    fix: site.hasSplat ? undefined : loader.fix?.(site),
  });
}

const rule: Rule = {
  code: 'SL302',
  name: 'unsafe-deserialization',
  category: 'deserialization',
  summary: 'pickle-based deserialization of non-constant data',
  severity: 'high',
  confidence: 'high',
  defaultLevel: 'warning',
  maxLevel: 'error',
  cwe: [502],
  bandit: ['B301', 'B302', 'B614'],
  ruff: ['S301', 'S302'],
  fix: 'sometimes',
  explanation: {
    what:
      'Data that is not a constant is loaded with a deserializer that can build arbitrary objects: `pickle`/`cPickle`/`_pickle`/`dill`/`cloudpickle` `load`, `loads` and `Unpickler`, `jsonpickle.decode`, `marshal.load(s)`, `shelve.open`, `pandas.read_pickle`, `joblib.load`, `torch.load` without `weights_only=True`, and `numpy.load(..., allow_pickle=True)`.',
    why:
      'A pickle stream is a small program: its `REDUCE` opcode calls any importable function with arguments chosen by whoever wrote the stream, e.g. `os.system("...")`, during loading and before any of your checks run. `marshal` is not meant for untrusted data and can crash the interpreter. Files, caches, message queues, cookies and model downloads are all places an attacker may be able to write, so an unknown origin is reported as a warning; data from a request is an error.',
    example:
      'import pickle\n\n\n@app.route("/session/restore", methods=["POST"])\ndef restore():\n    state = pickle.loads(base64.b64decode(request.form["state"]))\n    ...\n\n\nmodel = torch.load(checkpoint_path)',
    useInstead:
      'import hashlib\nimport hmac\nimport json\n\n\n@app.route("/session/restore", methods=["POST"])\ndef restore():\n    state = json.loads(request.form["state"])\n    ...\n\n\n# when pickle cannot be avoided, authenticate it first:\ndef load_signed(blob, key):\n    sig, payload = blob[:32], blob[32:]\n    if not hmac.compare_digest(sig, hmac.new(key, payload, hashlib.sha256).digest()):\n        raise ValueError("bad signature")\n    return pickle.loads(payload)\n\n\nmodel = torch.load(checkpoint_path, weights_only=True)',
    fixSafety:
      'Unsafe. For `torch.load` the fix adds `weights_only=True` (or turns `weights_only=False` into `True`): the unpickler then accepts only tensors, primitive types, dicts, lists, tuples and types registered with `torch.serialization.add_safe_globals`, so checkpoints that pickle whole `nn.Module` objects or custom classes fail to load until those classes are allow-listed or the model is saved as a `state_dict`. The argument exists since PyTorch 1.13 (and is the default from 2.6). For `numpy.load` the fix sets `allow_pickle=False`: files holding object arrays then raise `ValueError`. Other loaders have no data-only mode and get no fix.',
    references: [
      'https://cwe.mitre.org/data/definitions/502.html',
      'https://docs.python.org/3/library/pickle.html',
      'https://docs.python.org/3/library/marshal.html',
      'https://pytorch.org/docs/stable/generated/torch.load.html',
      'https://numpy.org/doc/stable/reference/generated/numpy.load.html',
      'https://cheatsheetseries.owasp.org/cheatsheets/Deserialization_Cheat_Sheet.html',
    ],
  },
  // A module of each loader; `numpy.load` only with `allow_pickle=True`, `torch.load` by its module.
  triggers: [...PICKLE_LIKE, 'jsonpickle', 'marshal', 'shelve', 'read_pickle', 'joblib', 'torch', 'allow_pickle'],
  onCall(site, ctx) {
    const loader = loaderFor(site);
    if (!loader || (loader.when && !loader.when(site))) return;
    const data = dataArg(site, loader);
    if (data) report(site, loader, data, ctx);
  },
};

export default rule;
