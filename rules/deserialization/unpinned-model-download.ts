import type { Node } from 'web-tree-sitter';
import { matchesAny } from '../../server/src/engine/names';
import type { CallSite, Rule } from '../../server/src/engine/rule';
import type { Level } from '../../server/src/engine/types';
import { isTrue, sinkName } from '../support';
import { assignedFrom } from '../path/paths';

/** Hugging Face downloads that fetch a repository's current files unless a revision is given. */
const DOWNLOADS = [
  'huggingface_hub.hf_hub_download', 'huggingface_hub.snapshot_download', 'huggingface_hub.file_download.hf_hub_download',
  'datasets.load_dataset',
];
/** `datasets.load_dataset`'s packaged builders read local files, not a Hub repository. */
const LOCAL_BUILDERS = new Set(['json', 'csv', 'parquet', 'text', 'arrow', 'imagefolder', 'audiofolder', 'pandas', 'webdataset', 'sql', 'generator']);
const COMMIT = /^[0-9a-f]{40}$/;
const BRANCH = /^(main|master|dev|develop|latest|head)$/i;

function repoArg(site: CallSite): Node | undefined {
  return site.positional[0] ?? site.keywords.get('pretrained_model_name_or_path') ?? site.keywords.get('repo_id') ?? site.keywords.get('path') ?? site.keywords.get('model_name_or_path');
}

function literal(node: Node | undefined): string | null {
  if (node?.type !== 'string' || node.namedChildren.some((c) => c?.type === 'interpolation')) return null;
  return node.namedChildren.filter((c) => c?.type === 'string_content').map((c) => c!.text).join('');
}

const rule: Rule = {
  code: 'SL304',
  name: 'unpinned-model-download',
  category: 'deserialization',
  summary: 'Hugging Face model or dataset downloaded without a pinned revision',
  severity: 'medium',
  confidence: 'medium',
  defaultLevel: 'warning',
  maxLevel: 'warning',
  cwe: [494],
  bandit: ['B615'],
  ruff: [],
  fix: 'none',
  explanation: {
    what:
      '`from_pretrained(...)` (transformers, diffusers, peft, sentence-transformers, ...), `huggingface_hub.hf_hub_download`/`snapshot_download` or `datasets.load_dataset` fetch a Hub repository without `revision=` or with a branch name (`"main"`). A repository id written in the code is a warning; an id in a variable (possibly a local directory) is an audit hint. Local paths, `local_files_only=True`, revisions that look like a tag or commit, and `load_dataset`\'s local builders (`"json"`, `"csv"`, ...) are not reported.',
    why:
      'Without a pinned revision, every run downloads whatever the repository holds now. Whoever can push to it (its owner, a compromised account, a renamed or re-registered namespace) changes the weights, the tokenizer or, with pickle-based checkpoints and `trust_remote_code`, the code that runs in your process. A commit hash makes the download reproducible and reviewable.',
    example:
      'from transformers import AutoModel, AutoTokenizer\n\ntokenizer = AutoTokenizer.from_pretrained("acme/intent-classifier")\nmodel = AutoModel.from_pretrained("acme/intent-classifier")',
    useInstead:
      'from transformers import AutoModel, AutoTokenizer\n\nREVISION = "4f2b1c9e8d7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c"  # a reviewed commit\ntokenizer = AutoTokenizer.from_pretrained("acme/intent-classifier", revision=REVISION)\nmodel = AutoModel.from_pretrained("acme/intent-classifier", revision=REVISION, use_safetensors=True)',
    references: [
      'https://cwe.mitre.org/data/definitions/494.html',
      'https://huggingface.co/docs/huggingface_hub/guides/download#from-specific-version',
      'https://huggingface.co/docs/transformers/main_classes/model#transformers.PreTrainedModel.from_pretrained',
      'https://huggingface.co/docs/hub/security',
    ],
  },
  triggers: ['from_pretrained', 'hf_hub_download', 'snapshot_download', 'load_dataset'],
  onCall(site, ctx) {
    const method = site.callee?.type === 'attribute' ? site.callee.childForFieldName('attribute')?.text : null;
    if (method !== 'from_pretrained' && !matchesAny(site.qname, DOWNLOADS)) return;
    if (site.hasSplat || isTrue(site.keywords.get('local_files_only'))) return;
    const repo = repoArg(site);
    if (!repo) return;
    // `MODEL_ID = "org/name"` at module level counts as written in the code.
    const id = literal(repo) ?? literal(assignedFrom(repo, ctx) ?? undefined);
    if (id !== null) {
      // Local directories and files: `./models/bert`, `/opt/models/x`, `~/m`, `C:\\m`.
      if (/^[./~]|^[A-Za-z]:\\|\\/.test(id) || id.split('/').length > 2) return;
      if (matchesAny(site.qname, ['datasets.load_dataset']) && LOCAL_BUILDERS.has(id)) return;
    }
    const revision = site.keywords.get('revision');
    let level: Level = id !== null ? 'warning' : 'info';
    let why = 'without a revision';
    if (revision) {
      const rev = literal(revision);
      if (rev === null || COMMIT.test(rev)) return;
      if (!BRANCH.test(rev)) return; // a tag: pinned by convention
      why = `at the moving branch "${rev}"`;
      level = id !== null ? 'warning' : 'info';
    }
    ctx.report({
      node: site.callee ?? site.node,
      level,
      message: `${sinkName(site)} downloads ${id !== null ? `"${id}"` : `the repository named by \`${repo.text}\``} from the Hugging Face Hub ${why}: whatever the repository holds at run time (new weights, code, pickles) is loaded. Pass revision="<commit sha>" to pin a reviewed version.`,
    });
  },
};

export default rule;
