import type { Node } from 'web-tree-sitter';
import { insertAt, replaceNode } from '../../server/src/engine/fixes';
import { matchesAny } from '../../server/src/engine/names';
import type { CallSite, Rule } from '../../server/src/engine/rule';
import type { Fix } from '../../server/src/engine/types';
import { sinkName } from '../support';
import { stringValue } from '../web/web';

const MAKO = ['mako.template.Template', 'mako.lookup.TemplateLookup'];
/** Templates that clearly do not produce HTML: config files, scripts, plain text. */
const NOT_HTML = /\.(conf|cfg|ini|txt|sh|py|j2|ya?ml|json|sql|service|rules|toml|env)(\.mako)?$/i;

/** The template is known to render something other than HTML. */
function rendersNonHtml(site: CallSite): boolean {
  const file = stringValue(site.keywords.get('filename')) ?? stringValue(site.keywords.get('uri'));
  if (file !== null) return NOT_HTML.test(file);
  const text = stringValue(site.positional[0] ?? site.keywords.get('text'));
  return text !== null && !/<[a-zA-Z!/]/.test(text);
}

/** `default_filters=` missing -> add `['h']`; a list without `'h'` -> prepend it. */
function buildFix(site: CallSite, filters: Node | undefined): Fix | undefined {
  const title = "Escape every ${expression} by default (default_filters=['h'])";
  if (filters) {
    if (filters.type !== 'list') return undefined;
    const items = filters.namedChildren.filter((c) => c && c.type !== 'comment').map((c) => c!.text);
    return { title, safe: false, edits: [replaceNode(filters, `[${["'h'", ...items.filter((i) => !/^['"](str|unicode)['"]$/.test(i))].join(', ')}]`)] };
  }
  if (site.hasSplat) return undefined;
  const last = site.args[site.args.length - 1];
  if (!last) return undefined;
  return { title, safe: false, edits: [insertAt({ line: last.endPosition.row, character: last.endPosition.column }, ", default_filters=['h']")] };
}

const rule: Rule = {
  code: 'SL123',
  name: 'mako-template-unescaped',
  category: 'injection',
  summary: 'Mako template or lookup without HTML escaping',
  severity: 'medium',
  confidence: 'medium',
  defaultLevel: 'warning',
  maxLevel: 'warning',
  cwe: [79, 116],
  bandit: ['B702'],
  ruff: ['S702'],
  fix: 'sometimes',
  explanation: {
    what:
      "A `mako.template.Template` or `mako.lookup.TemplateLookup` is created without `default_filters` that include `'h'` (HTML escaping). Mako's default filter only converts values to text. Templates whose file name or text shows they render something other than HTML (`.conf`, `.cfg`, `.ini`, `.sh`, `.txt`, a text with no tags) get an information hint only.",
    why:
      "Mako inserts `${value}` verbatim unless a filter escapes it. A value from a user that contains `<script>` or an `onerror=` attribute then runs in other users' browsers (XSS, CWE-79). Adding `| h` to each expression by hand is easy to forget; `default_filters=['h']` escapes everything and `${value | n}` opts out where raw HTML is intended.",
    example:
      'from mako.lookup import TemplateLookup\n\nlookup = TemplateLookup(directories=["templates"])',
    useInstead:
      "from mako.lookup import TemplateLookup\n\nlookup = TemplateLookup(directories=[\"templates\"], default_filters=['h'])",
    fixSafety:
      "Unsafe: the fix adds `default_filters=['h']` (or puts `'h'` first in an existing list, replacing `'str'`/`'unicode'`, which `h` already implies). Every `${...}` is then HTML-escaped: templates that emit deliberate HTML from a variable must mark it `${value | n}`, and templates that render non-HTML text will show `&amp;`, `&lt;` and `&#39;` where they had `&`, `<` and quotes.",
    references: [
      'https://cwe.mitre.org/data/definitions/79.html',
      'https://docs.makotemplates.org/en/latest/filtering.html#the-default-filters-argument',
      'https://cheatsheetseries.owasp.org/cheatsheets/Cross_Site_Scripting_Prevention_Cheat_Sheet.html',
    ],
  },
  triggers: ['mako'],
  onCall(site, ctx) {
    if (!matchesAny(site.qname, MAKO)) return;
    const filters = site.keywords.get('default_filters');
    if (filters && (filters.type !== 'list' || /['"]h['"]/.test(filters.text))) return;
    if (!filters && site.hasSplat) return;
    const plain = rendersNonHtml(site);
    ctx.report({
      node: site.node,
      level: plain ? 'info' : 'warning',
      confidence: plain ? 'low' : undefined,
      message: `${sinkName(site)} does not HTML-escape \${...} expressions (Mako's default filter only converts to text), so data containing markup reaches the page as HTML (XSS). Pass default_filters=['h'] and opt out with \${x | n} where raw HTML is intended.`,
      fix: plain ? undefined : buildFix(site, filters),
    });
  },
};

export default rule;
