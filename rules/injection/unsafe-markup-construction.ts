import type { Node } from 'web-tree-sitter';
import { compact, replaceNode } from '../../server/src/engine/fixes';
import { matchesAny } from '../../server/src/engine/names';
import type { CallSite, Ctx, Rule } from '../../server/src/engine/rule';
import type { Fix } from '../../server/src/engine/types';
import { reportFlow, sinkName } from '../support';
import { ensureFromImport, fstringTemplate } from '../web/web';

/** Calls that declare their argument to be trusted HTML, sent to the page unescaped. */
const MARKUP = ['markupsafe.Markup', 'jinja2.Markup', 'flask.Markup', 'jinja2.utils.Markup', 'webhelpers.html.literal', 'webhelpers2.html.literal'];
const DJANGO_SAFE = [
  'django.utils.safestring.mark_safe', 'django.utils.safestring.SafeString', 'django.utils.safestring.SafeText',
  'django.utils.safestring.SafeData', 'django.utils.html.mark_safe',
];
/** Calls that escape their arguments but trust their format string. */
const FORMAT_HTML = ['django.utils.html.format_html'];

/**
 * `Markup(f"<b>{name}</b>")` -> `Markup("<b>{}</b>").format(name)` and `mark_safe(f"...")` ->
 * `format_html("...", ...)`: the template stays trusted, the values are escaped.
 */
function buildFix(site: CallSite, arg: Node, ctx: Ctx): Fix | undefined {
  if (site.args.length !== 1 || !site.callee) return undefined;
  const t = fstringTemplate(arg);
  if (!t) return undefined;
  const args = t.args.map((a) => a.text).join(', ');
  if (matchesAny(site.qname, MARKUP)) {
    return {
      title: 'Escape the interpolated values: Markup(template).format(...)',
      safe: false,
      edits: [replaceNode(site.node, `${site.callee.text}(${t.template}).format(${args})`)],
    };
  }
  if (matchesAny(site.qname, ['django.utils.safestring.mark_safe', 'django.utils.html.mark_safe'])) {
    // format_html() fills `{}` fields only; conversions and specs need the hand-written version.
    if (t.args.some((a) => a.nextSibling && a.nextSibling.type !== '}')) return undefined;
    return {
      title: 'Escape the interpolated values: format_html(template, ...)',
      safe: false,
      edits: compact([replaceNode(site.node, `format_html(${t.template}, ${args})`), ensureFromImport(ctx.module, ctx.text, 'django.utils.html', 'format_html')]),
    };
  }
  return undefined;
}

const rule: Rule = {
  code: 'SL122',
  name: 'unsafe-markup-construction',
  category: 'injection',
  summary: 'Markup / mark_safe / format_html trusting HTML built from data',
  severity: 'medium',
  confidence: 'high',
  defaultLevel: 'warning',
  maxLevel: 'error',
  cwe: [79],
  bandit: ['B703', 'B704', 'B308'],
  ruff: ['S704', 'S308'],
  fix: 'sometimes',
  explanation: {
    what:
      'A string that is not a constant is declared safe HTML: `markupsafe.Markup(x)` (also `flask.Markup`, `jinja2.Markup`), Django\'s `mark_safe(x)` / `SafeString(x)`, or `format_html(x, ...)` whose format string is itself built from data. Constant markup is not reported, nor the escaping forms `Markup("<b>%s</b>") % name`, `Markup("<b>{}</b>").format(name)`, `format_html("<b>{}</b>", name)` and values that went through `escape()`.',
    why:
      'These calls switch the template engine\'s escaping off for the value. When any part of it comes from a user (a name, a comment, a query parameter), `<script>` or `<img onerror=...>` in that part runs in the browser of everyone who sees the page (CWE-79). The safe wrappers escape the values they interpolate; building the string first with an f-string, `+` or `%` outside the wrapper does not.',
    example:
      'from markupsafe import Markup\n\n\ndef user_badge(user):\n    return Markup(f"<span class=\'badge\'>{user.display_name}</span>")',
    useInstead:
      'from markupsafe import Markup\n\n\ndef user_badge(user):\n    return Markup("<span class=\'badge\'>{}</span>").format(user.display_name)\n\n\n# Django\nfrom django.utils.html import format_html\nformat_html("<span class=\'badge\'>{}</span>", user.display_name)',
    fixSafety:
      'Unsafe: an f-string passed to `Markup(...)` becomes `Markup("<template>").format(values)` and one passed to `mark_safe(...)` becomes `format_html("<template>", values)` (adding `from django.utils.html import format_html`). The literal HTML stays trusted and each interpolated value is escaped, so a value that really held intended HTML now shows as text; wrap such a value in `Markup`/`mark_safe` on its own after checking where it comes from.',
    references: [
      'https://cwe.mitre.org/data/definitions/79.html',
      'https://markupsafe.palletsprojects.com/en/latest/escaping/',
      'https://docs.djangoproject.com/en/stable/ref/utils/#django.utils.safestring.mark_safe',
      'https://docs.djangoproject.com/en/stable/ref/utils/#django.utils.html.format_html',
    ],
  },
  // `literal` of webhelpers is a common word: its package name is rarer.
  triggers: ['Markup', 'mark_safe', 'SafeString', 'SafeText', 'SafeData', 'format_html', 'webhelpers', 'webhelpers2'],
  onCall(site, ctx) {
    const isMarkup = matchesAny(site.qname, MARKUP);
    const isDjango = !isMarkup && matchesAny(site.qname, DJANGO_SAFE);
    const isFormat = !isMarkup && !isDjango && matchesAny(site.qname, FORMAT_HTML);
    if (!isMarkup && !isDjango && !isFormat) return;
    const arg = site.positional[0] ?? site.keywords.get('s') ?? site.keywords.get('format_string') ?? site.keywords.get('base');
    if (!arg) return;
    const fn = sinkName(site);
    reportFlow(ctx, arg, ctx.valueOf(arg), 'html', `the page, unescaped, via ${fn}`, (origin) =>
      isFormat
        ? `The format string of ${fn} is built from ${origin}: format_html() escapes only its arguments and trusts the format string, so that data reaches the page as raw HTML (XSS). Keep the format string constant and pass the values as arguments.`
        : `${fn} marks HTML built from ${origin} as safe, so the template engine inserts it unescaped: markup in that data (<script>, onerror=) runs in users' browsers (XSS). Keep the markup constant and let the wrapper escape the values: Markup("<b>{}</b>").format(x) or format_html("<b>{}</b>", x).`,
      buildFix(site, arg, ctx),
    );
  },
};

export default rule;
