import type { Node } from 'web-tree-sitter';
import { rangeOf, taintLevel, traceFor } from '../../server/src/engine/dataflow';
import { compact, ensureImport, removeArgument, replaceNode } from '../../server/src/engine/fixes';
import { matchesAny } from '../../server/src/engine/names';
import type { CallSite, Ctx, Rule } from '../../server/src/engine/rule';
import type { Fix, TextEdit } from '../../server/src/engine/types';
import { describeValue, sinkName } from '../support';
import { assignedFrom } from '../path/paths';

/** Functions whose safety depends on the Loader passed to them. */
const WITH_LOADER = ['yaml.load', 'yaml.load_all'];
/** Functions that always construct arbitrary Python objects (or, for full_load, most of them). */
const ALWAYS_UNSAFE = ['yaml.unsafe_load', 'yaml.unsafe_load_all', 'yaml.full_load', 'yaml.full_load_all'];
/** Loaders that build Python objects from `!!python/...` tags. */
const UNSAFE_LOADERS = [
  'yaml.Loader', 'yaml.UnsafeLoader', 'yaml.FullLoader', 'yaml.CLoader', 'yaml.CUnsafeLoader', 'yaml.CFullLoader',
  'yaml.loader.Loader', 'yaml.loader.UnsafeLoader', 'yaml.loader.FullLoader',
  'yaml.cyaml.CLoader', 'yaml.cyaml.CUnsafeLoader', 'yaml.cyaml.CFullLoader',
];
/** The safe replacement for each loading function. */
const SAFE_NAME: Record<string, string> = {
  load: 'safe_load',
  load_all: 'safe_load_all',
  unsafe_load: 'safe_load',
  unsafe_load_all: 'safe_load_all',
  full_load: 'safe_load',
  full_load_all: 'safe_load_all',
};

function loaderArg(site: CallSite): Node | undefined {
  return site.keywords.get('Loader') ?? site.positional[1];
}

/** The argument node as it sits in the list (`Loader=yaml.Loader`, not just its value). */
function argNodeOf(site: CallSite, value: Node): Node | undefined {
  return site.args.find((a) => a.id === value.id || (a.type === 'keyword_argument' && a.childForFieldName('value')?.id === value.id));
}

function buildFix(site: CallSite, loader: Node | undefined, ctx: Ctx): Fix | undefined {
  const callee = site.callee;
  if (!callee || !site.qname || site.hasSplat) return undefined;
  const func = site.qname.slice('yaml.'.length);
  const safe = SAFE_NAME[func];
  if (!safe) return undefined;
  const edits: (TextEdit | null)[] = [];
  if (callee.type === 'attribute' && ctx.names.resolve(callee.childForFieldName('object')) === 'yaml') {
    edits.push(replaceNode(callee.childForFieldName('attribute')!, safe));
  } else if (callee.type === 'identifier') {
    // `from yaml import load`: call through the module so the import of `load` can go later.
    edits.push(replaceNode(callee, `yaml.${safe}`), ensureImport(ctx.module, ctx.text, 'yaml'));
  } else {
    return undefined;
  }
  if (loader) {
    const arg = argNodeOf(site, loader);
    const removal = arg && removeArgument(ctx.text, site.args, arg);
    if (!removal) return undefined;
    edits.push(removal);
  }
  return { title: `Use yaml.${safe}()`, safe: true, edits: compact(edits) };
}

const rule: Rule = {
  code: 'SL301',
  name: 'unsafe-yaml-load',
  category: 'deserialization',
  summary: 'YAML loaded with a loader that can build arbitrary Python objects',
  severity: 'high',
  confidence: 'high',
  defaultLevel: 'warning',
  maxLevel: 'error',
  cwe: [502],
  bandit: ['B506'],
  ruff: ['S506'],
  fix: 'sometimes',
  explanation: {
    what:
      'A YAML document that is not a constant is parsed by PyYAML with a loader that understands the `!!python/...` tags: `yaml.load()` or `yaml.load_all()` without a `Loader` or with `Loader`, `UnsafeLoader`, `FullLoader`, `CLoader` (and their C variants), or `yaml.unsafe_load()`, `yaml.full_load()` and their `_all` forms. `yaml.safe_load()` and `Loader=yaml.SafeLoader`, `CSafeLoader` or `BaseLoader` are not reported.',
    why:
      'These loaders turn tags such as `!!python/object/apply:os.system ["id"]` into Python calls while the document is parsed, so whoever can write the YAML (an API body, an uploaded template, a config file in a shared directory) runs code in this process. `FullLoader` was meant to be safer but has had several code-execution bypasses (CVE-2020-1747, CVE-2020-14343). YAML is so often read from files and requests of unknown provenance that an unknown origin is reported as a warning, not as a hint.',
    example:
      'import yaml\n\n\ndef load_port_profile(path):\n    with open(path) as f:\n        return yaml.load(f, Loader=yaml.Loader)',
    useInstead:
      'import yaml\n\n\ndef load_port_profile(path):\n    with open(path) as f:\n        return yaml.safe_load(f)\n\n# with libyaml when available:\n# yaml.load(f, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))',
    fixSafety:
      'Safe for documents that only use the standard YAML tags (maps, sequences, strings, numbers, booleans, null, timestamps, binary, sets): `yaml.safe_load()` returns the same data for them. Documents with `!!python/...` tags are rejected with a `ConstructorError` instead of building objects. The fix renames the call (`load` -> `safe_load`, `load_all` -> `safe_load_all`, `unsafe_load`/`full_load` -> `safe_load`), drops the `Loader` argument, and for `from yaml import load` calls `yaml.safe_load` and adds `import yaml`. The C-accelerated `CLoader` becomes the pure-Python `SafeLoader`, which is slower on large documents.',
    references: [
      'https://cwe.mitre.org/data/definitions/502.html',
      'https://pyyaml.org/wiki/PyYAMLDocumentation',
      'https://github.com/yaml/pyyaml/wiki/PyYAML-yaml.load(input)-Deprecation',
      'https://owasp.org/www-community/vulnerabilities/Deserialization_of_untrusted_data',
      'https://cheatsheetseries.owasp.org/cheatsheets/Deserialization_Cheat_Sheet.html',
    ],
  },
  triggers: ['yaml'],
  onCall(site, ctx) {
    const always = matchesAny(site.qname, ALWAYS_UNSAFE);
    if (!always && !matchesAny(site.qname, WITH_LOADER)) return;
    const loader = loaderArg(site);
    const fn = sinkName(site);
    let why: string;
    if (always) {
      why = /full_load/.test(site.qname ?? '')
        ? `${fn} uses FullLoader, which resolves \`!!python/...\` tags and has had code-execution bypasses`
        : `${fn} builds arbitrary Python objects from \`!!python/...\` tags`;
    } else if (!loader) {
      // `**kwargs` may carry a safe Loader.
      if (site.hasSplat) return;
      why = `${fn} without a Loader falls back to an unsafe one (Loader before PyYAML 5.1, FullLoader up to 5.4; PyYAML 6 requires the argument)`;
    } else {
      // A loader kept in a variable first: `loader = yaml.Loader; yaml.load(f, Loader=loader)`.
      const from = loader.type === 'identifier' ? assignedFrom(loader, ctx) : null;
      const q = ctx.names.resolve(from && ['attribute', 'identifier'].includes(from.type) ? from : loader);
      // A custom or computed loader (`getattr(yaml, "CSafeLoader", yaml.SafeLoader)`) is not judged.
      if (!q || !matchesAny(q, UNSAFE_LOADERS)) return;
      const shown = loader.text === q ? `\`${q}\`` : `\`${loader.text}\` (\`${q}\`)`;
      why = `the loader ${shown} builds Python objects from \`!!python/...\` tags`;
    }
    const stream = site.positional[0] ?? site.keywords.get('stream');
    if (!stream) return;
    const value = ctx.valueOf(stream);
    const taint = taintLevel(value, 'code');
    if (!taint) return; // a literal document in the source
    const level = taint === 'info' ? 'warning' : taint;
    ctx.report({
      node: site.callee ?? site.node,
      level,
      confidence: taint === 'info' ? 'medium' : 'high',
      message: `YAML from ${describeValue(value, 'code')} is loaded unsafely: ${why}, so a crafted document runs code while it is parsed. Use yaml.safe_load() (or Loader=yaml.SafeLoader).`,
      trace: traceFor(value, 'code', { range: rangeOf(stream), message: `parsed by ${fn}` }),
      fix: buildFix(site, loader, ctx),
    });
  },
};

export default rule;
