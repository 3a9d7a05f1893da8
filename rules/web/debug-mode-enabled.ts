import type { Node } from 'web-tree-sitter';
import { replaceNode } from '../../server/src/engine/fixes';
import type { Ctx, Rule } from '../../server/src/engine/rule';
import { isTrue } from '../support';
import { inDevConfig, inTestConfig, isDjangoSettings, settingsOf } from './web';

/** `app.run(...)`, `socketio.run(app, ...)`, `run_simple(...)`: Flask/Werkzeug development servers. */
const DEV_SERVER = /^(self\.)?_*(app|application|flask_app|api|server|socketio|sio)\.run$|^(werkzeug\.serving\.)?run_simple$/;
const FLASK_FILE = /^\s*(from|import)\s+(flask|flask_\w+|werkzeug)\b/m;

function report(ctx: Ctx, node: Node, message: string, value: Node): void {
  // A development config class is meant to debug: a hint, and no fix that would defeat it.
  if (inDevConfig(node)) {
    ctx.report({ node, message: `${message} (A development configuration: make sure production never selects it.)`, level: 'info', confidence: 'low' });
    return;
  }
  ctx.report({ node, message, fix: { title: 'Turn the debugger off (False)', safe: true, edits: [replaceNode(value, 'False')] } });
}

const rule: Rule = {
  code: 'SL603',
  name: 'debug-mode-enabled',
  category: 'web',
  summary: 'Flask debugger or Django DEBUG turned on in code',
  severity: 'high',
  confidence: 'medium',
  defaultLevel: 'warning',
  maxLevel: 'warning',
  cwe: [489, 215, 94],
  bandit: ['B201'],
  ruff: ['S201'],
  fix: 'sometimes',
  explanation: {
    what:
      'Debug mode is switched on with a literal `True`: Flask\'s `app.run(debug=True)` (also `socketio.run(app, debug=True)` and Werkzeug\'s `run_simple(..., use_debugger=True)`), `app.debug = True`, `app.config["DEBUG"] = True` or `app.config.update(DEBUG=True)`, and `DEBUG = True` in a Django settings module (recognised by `INSTALLED_APPS`, `MIDDLEWARE`, `ROOT_URLCONF` and the like). Values read from the environment or a command-line flag, test configuration classes and test code are not reported; development configuration classes (`DevelopmentConfig`, `LocalConfig`) get an information hint.',
    why:
      'The Werkzeug debugger that Flask\'s debug mode turns on gives anyone who can trigger an error an interactive Python console in the browser: remote code execution, only guarded by a PIN that leaks through the same error pages. Django\'s `DEBUG = True` shows settings, SQL queries, file paths and source code on every error page and keeps every query in memory (CWE-489, CWE-215). Code that turns debugging on is one deployment away from doing so in production.',
    example:
      'if __name__ == "__main__":\n    app.run(host="127.0.0.1", port=8080, debug=True)\n\n# settings.py\nDEBUG = True',
    useInstead:
      'if __name__ == "__main__":\n    app.run(host="127.0.0.1", port=8080, debug=os.environ.get("FLASK_DEBUG") == "1")\n\n# settings.py\nDEBUG = os.environ.get("DJANGO_DEBUG") == "1"\n\n# or start the dev server with: flask --app agent run --debug',
    fixSafety:
      'Safe: the fix replaces the literal `True` with `False` (in `app.run(debug=...)`, `app.debug`, `app.config["DEBUG"]`, Django\'s `DEBUG`). The application works the same; developers lose the interactive debugger and auto-reloader (Flask) or the detailed error pages (Django) until they switch them on from the environment or the `--debug` flag.',
    references: [
      'https://cwe.mitre.org/data/definitions/489.html',
      'https://flask.palletsprojects.com/en/latest/debugging/',
      'https://werkzeug.palletsprojects.com/en/latest/debug/#debugger-pin',
      'https://docs.djangoproject.com/en/stable/ref/settings/#debug',
      'https://docs.djangoproject.com/en/stable/howto/deployment/checklist/',
    ],
  },
  // `DEBUG = True`, `app.config["DEBUG"]`, `app.debug = True`, `app.run(debug=True)`, `run_simple(..., use_debugger=True)`.
  triggers: ['DEBUG', 'debug', 'use_debugger'],
  nodeTypes: ['assignment'],
  onNode(node, ctx) {
    for (const s of settingsOf(node)) {
      if (s.key !== 'DEBUG' || !isTrue(s.value)) continue;
      if (s.where === 'module' && !isDjangoSettings(ctx)) continue;
      if (s.where === 'class' && !FLASK_FILE.test(ctx.moduleCode) && !isDjangoSettings(ctx)) continue;
      if (inTestConfig(node, ctx)) continue;
      const what = s.where === 'module' ? 'DEBUG = True in a Django settings module shows settings, SQL, paths and source code on every error page' : 'Flask debug mode turns on the Werkzeug debugger, an in-browser Python console for anyone who can trigger an error';
      report(ctx, node, `${what}. Read it from the environment (default off) instead of hard-coding True.`, s.value);
    }
  },
  onCall(site, ctx) {
    if (site.callee?.type === 'attribute' && ['update', 'from_mapping'].includes(site.callee.childForFieldName('attribute')?.text ?? '')) {
      for (const s of settingsOf(site.node)) {
        if (s.key !== 'DEBUG' || !isTrue(s.value) || inTestConfig(site.node, ctx)) continue;
        report(ctx, s.value.parent ?? s.value, 'Flask debug mode turns on the Werkzeug debugger, an in-browser Python console for anyone who can trigger an error. Read DEBUG from the environment (default off).', s.value);
      }
      return;
    }
    if (!DEV_SERVER.test(site.callee?.text ?? '') && !(site.qname === 'werkzeug.serving.run_simple')) return;
    if (!FLASK_FILE.test(ctx.moduleCode) || inTestConfig(site.node, ctx)) return;
    for (const key of ['debug', 'use_debugger']) {
      const value = site.keywords.get(key);
      if (!isTrue(value)) continue;
      report(ctx, value!.parent ?? value!, `\`${site.callee!.text}(${key}=True)\` starts the Werkzeug debugger: anyone who can reach the server and trigger an error gets an interactive Python console (remote code execution). Turn it on from the environment or \`flask run --debug\` on a developer machine only.`, value!);
    }
  },
};

export default rule;
