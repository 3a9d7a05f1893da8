import type { Node } from 'web-tree-sitter';
import { taintLevel } from '../../server/src/engine/dataflow';
import { matchesAny } from '../../server/src/engine/names';
import type { CallSite, Rule } from '../../server/src/engine/rule';
import { reportFlow, sinkName } from '../support';

const RENDER_STRING = ['flask.render_template_string', 'flask.templating.render_template_string', 'flask.stream_template_string'];
/** Calls whose first argument is template source that the engine compiles and runs. */
const TEMPLATE_SOURCE = [
  'flask.render_template_string', 'flask.templating.render_template_string', 'flask.stream_template_string',
  'jinja2.Template', 'jinja2.environment.Template', 'jinja2.Environment().from_string', 'jinja2.sandbox.SandboxedEnvironment().from_string',
  'mako.template.Template', 'django.template.Template', 'django.template.base.Template', 'django.template.engines.from_string',
  'tornado.template.Template', 'chameleon.PageTemplate',
];

function templateArg(site: CallSite): Node | undefined {
  return site.positional[0] ?? site.keywords.get('source') ?? site.keywords.get('text') ?? site.keywords.get('template_string');
}

function isSink(site: CallSite): boolean {
  if (matchesAny(site.qname, TEMPLATE_SOURCE)) return true;
  if (site.qname !== null && !site.qname.endsWith('.from_string')) return false; // before reading nodes
  return site.callee?.type === 'attribute' && site.callee.childForFieldName('attribute')?.text === 'from_string';
}

const rule: Rule = {
  code: 'SL120',
  name: 'server-side-template-injection',
  category: 'injection',
  summary: 'Template source built from request data (render_template_string, Template, from_string)',
  severity: 'high',
  confidence: 'high',
  defaultLevel: 'warning',
  maxLevel: 'error',
  cwe: [1336, 94],
  bandit: [],
  ruff: [],
  fix: 'none',
  explanation: {
    what:
      'The source text of a template, rather than the data rendered into it, is not a constant: `flask.render_template_string(src)`, `jinja2.Template(src)`, `env.from_string(src)` (any `.from_string()`), `mako.template.Template(src)`, `django.template.Template(src)` or `tornado.template.Template(src)` with `src` built from request data (error), a parameter (warning) or something unknown (information). A constant template with variables passed as keyword arguments is the safe form and is not reported, nor is template text read from a file (that is how templates are loaded).',
    why:
      'Template languages are programming languages. Whoever writes the template can reach Python objects from it: `{{ cycler.__init__.__globals__.os.popen("id").read() }}` in Jinja2 or `${__import__("os").system("id")}` in Mako runs commands on the server (server-side template injection, CWE-1336). Even without code execution the template can read `config` (the Flask `SECRET_KEY`) and other context. Autoescaping does not help: it escapes data, not template code.',
    example:
      '@app.route("/hello")\ndef hello():\n    name = request.args.get("name", "world")\n    return render_template_string(f"<h1>Hello {name}!</h1>")',
    useInstead:
      '@app.route("/hello")\ndef hello():\n    name = request.args.get("name", "world")\n    return render_template_string("<h1>Hello {{ name }}!</h1>", name=name)',
    references: [
      'https://cwe.mitre.org/data/definitions/1336.html',
      'https://owasp.org/www-project-web-security-testing-guide/latest/4-Web_Application_Security_Testing/07-Input_Validation_Testing/18-Testing_for_Server-side_Template_Injection',
      'https://flask.palletsprojects.com/en/latest/api/#flask.render_template_string',
      'https://jinja.palletsprojects.com/en/latest/sandbox/',
    ],
  },
  // The last part of each TEMPLATE_SOURCE name, and any `.from_string()`.
  triggers: ['render_template_string', 'stream_template_string', 'Template', 'PageTemplate', 'from_string'],
  onCall(site, ctx) {
    if (!isSink(site)) return;
    const src = templateArg(site);
    if (!src) return;
    const fn = sinkName(site);
    // Templates are files: reading one from disk is how they are meant to be loaded.
    const value = ctx.valueOf(src);
    let notFiles = { sources: value.sources.filter((s) => s.kind !== 'file') };
    // Template classes built from a helper's parameter are how template text from files and
    // config is rendered: a hint. render_template_string/from_string exist to take strings.
    const constructor = !matchesAny(site.qname, RENDER_STRING) && !(site.callee?.type === 'attribute' && site.callee.childForFieldName('attribute')?.text === 'from_string');
    if (constructor && taintLevel(notFiles, 'template') === 'warning') notFiles = { sources: notFiles.sources.map((s) => ({ ...s, kind: 'unknown' as const })) };
    reportFlow(ctx, src, notFiles, 'template', `the template engine via ${fn}`, (origin) =>
      `Template source built from ${origin} is compiled by ${fn}: whoever controls it writes template code, which can read the app's config and run commands on the server (SSTI). Keep the template constant and pass the values as variables (\`render_template_string("Hello {{ name }}", name=name)\`).`,
    );
  },
};

export default rule;
