import type { Node } from 'web-tree-sitter';
import { compact, ensureImport, insertAt, replaceNode } from '../../server/src/engine/fixes';
import { matchesAny } from '../../server/src/engine/names';
import type { CallSite, Ctx, Rule } from '../../server/src/engine/rule';
import type { Fix } from '../../server/src/engine/types';
import { sinkName } from '../support';
import { importedName } from '../web/web';

/** Environments whose `autoescape` defaults to False. */
const ENVIRONMENTS = [
  'jinja2.Environment', 'jinja2.environment.Environment', 'jinja2.sandbox.SandboxedEnvironment',
  'jinja2.nativetypes.NativeEnvironment', 'jinja2.Overlay',
];

/** The expression for `select_autoescape()` in this file: the bare name when imported, else via `jinja2.`. */
function selectAutoescape(ctx: Ctx): { expr: string; edit: ReturnType<typeof ensureImport> } {
  if (importedName(ctx.module, 'select_autoescape')) return { expr: 'select_autoescape()', edit: null };
  return { expr: 'jinja2.select_autoescape()', edit: ensureImport(ctx.module, ctx.text, 'jinja2') };
}

function buildFix(site: CallSite, value: Node | undefined, ctx: Ctx): Fix | undefined {
  const { expr, edit } = selectAutoescape(ctx);
  const title = 'Turn on autoescaping for HTML and XML templates (autoescape=select_autoescape())';
  if (value) return { title, safe: false, edits: compact([replaceNode(value, expr), edit]) };
  const list = site.node.childForFieldName('arguments');
  if (!list || list.type !== 'argument_list') return undefined;
  const close = list.lastChild;
  if (close?.type !== ')') return undefined;
  // Insert after the last argument (before a trailing comma's successor) so formatting survives.
  const last = site.args[site.args.length - 1];
  if (!last) return { title, safe: false, edits: compact([insertAt({ line: close.startPosition.row, character: close.startPosition.column }, `autoescape=${expr}`), edit]) };
  if (site.hasSplat) return undefined;
  return { title, safe: false, edits: compact([insertAt({ line: last.endPosition.row, character: last.endPosition.column }, `, autoescape=${expr}`), edit]) };
}

const rule: Rule = {
  code: 'SL121',
  name: 'jinja-autoescape-disabled',
  category: 'injection',
  summary: 'Jinja2 Environment created without autoescaping',
  severity: 'medium',
  confidence: 'high',
  defaultLevel: 'warning',
  maxLevel: 'warning',
  cwe: [79, 116],
  bandit: ['B701'],
  ruff: ['S701'],
  fix: 'sometimes',
  explanation: {
    what:
      'A `jinja2.Environment` (or `SandboxedEnvironment`) is created without `autoescape=`, or with `autoescape=False`. Jinja2\'s own default is no escaping at all. `autoescape=True`, `autoescape=select_autoescape(...)` or any non-constant value (a function or a setting) is not reported. Flask\'s `render_template` configures its own environment with escaping and is not concerned.',
    why:
      'Without autoescaping every `{{ value }}` is pasted into the page as raw HTML, so a user name, a comment or a query parameter containing `<script>` runs in other users\' browsers (stored or reflected XSS, CWE-79). Remembering `|e` on every variable in every template does not scale; one miss is enough.',
    example:
      'from jinja2 import Environment, FileSystemLoader\n\nenv = Environment(loader=FileSystemLoader("templates"))',
    useInstead:
      'from jinja2 import Environment, FileSystemLoader, select_autoescape\n\nenv = Environment(loader=FileSystemLoader("templates"), autoescape=select_autoescape())\n# Mark trusted HTML with markupsafe.Markup, or |safe in the template, where it is really meant.',
    fixSafety:
      'Unsafe: the fix sets `autoescape=select_autoescape()` (adding `import jinja2` when `select_autoescape` is not imported). That escapes templates named `*.html`, `*.htm` and `*.xml` and templates made from strings, while `.txt`, `.conf` or `.j2` templates that render config files or e-mails stay unescaped. We chose it over `autoescape=True`, which would also escape `&`, `<` and quotes in those non-HTML outputs. Values that were deliberately rendered as HTML must then be marked with `Markup(...)` or `|safe`, otherwise they show up escaped.',
    references: [
      'https://cwe.mitre.org/data/definitions/79.html',
      'https://jinja.palletsprojects.com/en/latest/api/#autoescaping',
      'https://jinja.palletsprojects.com/en/latest/api/#jinja2.select_autoescape',
      'https://cheatsheetseries.owasp.org/cheatsheets/Cross_Site_Scripting_Prevention_Cheat_Sheet.html',
    ],
  },
  triggers: ['jinja2'],
  onCall(site, ctx) {
    if (!matchesAny(site.qname, ENVIRONMENTS)) return;
    const value = site.keywords.get('autoescape');
    if (value && value.type !== 'false') return;
    if (!value && (site.hasSplat || site.positional.length >= 13)) return; // passed positionally or in **kwargs
    ctx.report({
      node: value?.parent ?? site.node,
      message: `${sinkName(site)} ${value ? 'is created with autoescape=False' : 'is created without autoescape, and Jinja2 does not escape by default'}: every {{ value }} is inserted into the page as raw HTML, so data containing <script> becomes cross-site scripting. Pass autoescape=select_autoescape() (or True).`,
      fix: buildFix(site, value, ctx),
    });
  },
};

export default rule;
