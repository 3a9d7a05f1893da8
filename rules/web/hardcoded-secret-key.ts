import type { Node } from 'web-tree-sitter';
import { compact, ensureImport, replaceNode } from '../../server/src/engine/fixes';
import { matchesAny } from '../../server/src/engine/names';
import { topLevelOf } from '../../server/src/engine/trees';
import type { Ctx, Rule } from '../../server/src/engine/rule';
import type { Fix } from '../../server/src/engine/types';
import { inTestConfig, isDjangoSettings, settingsOf, stringValue } from './web';

/** Settings that sign sessions, cookies, tokens or CSRF values. */
const KEYS = new Set(['SECRET_KEY', 'JWT_SECRET_KEY', 'WTF_CSRF_SECRET_KEY', 'SECURITY_PASSWORD_SALT', 'SESSION_SECRET', 'SIGNING_KEY']);
const ENV_GET = ['os.environ.get', 'os.getenv', 'os.environ.setdefault'];
const FLASK_OR_DJANGO = /^\s*(from|import)\s+(flask|flask_\w+|django|fastapi|starlette)\b/m;
const CONFIG = /config|settings/i;

/** A literal key: a non-empty string or bytes constant. */
function literalKey(node: Node): boolean {
  const s = stringValue(node);
  return s !== null && s.trim().length > 0;
}

function envFix(key: string, value: Node, ctx: Ctx): Fix {
  return {
    title: `Read the key from the environment: os.environ["${key}"]`,
    safe: false,
    edits: compact([replaceNode(value, `os.environ["${key}"]`), ensureImport(ctx.module, ctx.text, 'os')]),
  };
}

function check(ctx: Ctx, node: Node, key: string, value: Node, where: string): void {
  if (!KEYS.has(key) || inTestConfig(node, ctx)) return;
  if (where === 'module' && !isDjangoSettings(ctx) && !FLASK_OR_DJANGO.test(ctx.moduleCode) && key !== 'SECRET_KEY') return;
  // A configuration class: the module imports a framework, or the class or the module code
  // says config or settings.
  if (where === 'class' && !FLASK_OR_DJANGO.test(ctx.moduleCode) && !CONFIG.test(ctx.moduleCode) && !CONFIG.test(topLevelOf(node).text)) return;
  if (literalKey(value)) {
    ctx.report({
      node: value,
      message: `${key} is hard-coded: everyone with the source (the repository, a wheel, a container image) can sign session cookies and tokens, so they can log in as any user; on Django it also opens password-reset links and on some setups code execution through signed pickles. Load it from the environment or a secrets store and rotate the leaked value.`,
      fix: envFix(key, value, ctx),
    });
    return;
  }
  // `os.environ.get("SECRET_KEY", "dev")`: a fixed key whenever the variable is missing.
  if (value.type === 'call' && matchesAny(ctx.names.resolve(value.childForFieldName('function')), ENV_GET)) {
    const fallback = value.childForFieldName('arguments')?.namedChildren.filter((c) => c && c.type !== 'comment')[1];
    if (fallback && literalKey(fallback)) {
      ctx.report({
        node: value,
        level: 'info',
        confidence: 'low',
        message: `${key} falls back to a hard-coded value when the environment variable is missing, so a deployment that forgets to set it runs with a public key. Fail instead: os.environ["${key}"].`,
      });
    }
  }
}

const rule: Rule = {
  code: 'SL604',
  name: 'hardcoded-secret-key',
  category: 'web',
  summary: 'Flask/Django SECRET_KEY written in the source',
  severity: 'high',
  confidence: 'high',
  defaultLevel: 'warning',
  maxLevel: 'warning',
  cwe: [798, 321],
  bandit: [],
  ruff: [],
  fix: 'sometimes',
  explanation: {
    what:
      'The key a web framework signs sessions and tokens with is a string literal: `SECRET_KEY = "..."` in a Django settings module or a Flask config class, `app.secret_key = "..."`, `app.config["SECRET_KEY"] = "..."`, `app.config.update(SECRET_KEY="...")` / `from_mapping(...)`; also `JWT_SECRET_KEY`, `WTF_CSRF_SECRET_KEY` and `SECURITY_PASSWORD_SALT`. Keys read from the environment, a file or a secrets manager, empty strings, test configuration classes (`TESTING = True`, `class TestConfig`) and test code are not reported. A literal fallback in `os.environ.get("SECRET_KEY", "dev")` gets an information hint.',
    why:
      'Flask keeps the session in a cookie signed with this key, and Django signs sessions, password-reset tokens and messages with it. Whoever knows the key forges a session cookie for any user id, admin included, and with pickle-based serializers gets code execution (CWE-798, CWE-321). A key in the source is known to everyone who can read the repository, a package or an image, and stays valid in every deployment that never overrode it.',
    example:
      'app = Flask(__name__)\napp.config["SECRET_KEY"] = "s3cr3t-k3y-2019"\n\n# settings.py\nSECRET_KEY = "django-insecure-8x$k!q2..."',
    useInstead:
      'app = Flask(__name__)\napp.config["SECRET_KEY"] = os.environ["SECRET_KEY"]\n\n# settings.py\nSECRET_KEY = os.environ["DJANGO_SECRET_KEY"]\n\n# make one with: python -c "import secrets; print(secrets.token_urlsafe(50))"',
    fixSafety:
      'Unsafe: the literal is replaced with `os.environ["<NAME>"]` (and `import os` added). The application then fails at start-up with `KeyError` until the variable is set in every environment, including developers\' shells and CI, and every existing session and signed token becomes invalid once the new key differs. The old key stays in the repository history: treat it as leaked and rotate it.',
    references: [
      'https://cwe.mitre.org/data/definitions/798.html',
      'https://flask.palletsprojects.com/en/latest/config/#SECRET_KEY',
      'https://docs.djangoproject.com/en/stable/ref/settings/#secret-key',
      'https://cheatsheetseries.owasp.org/cheatsheets/Secrets_Management_Cheat_Sheet.html',
    ],
  },
  // `app.secret_key = ...` is read as SECRET_KEY.
  triggers: [...KEYS, 'secret_key'],
  nodeTypes: ['assignment'],
  onNode(node, ctx) {
    for (const s of settingsOf(node)) check(ctx, node, s.key, s.value, s.where);
  },
  onCall(site, ctx) {
    if (site.callee?.type !== 'attribute' || !['update', 'from_mapping'].includes(site.callee.childForFieldName('attribute')?.text ?? '')) return;
    for (const s of settingsOf(site.node)) check(ctx, site.node, s.key, s.value, s.where);
  },
};

export default rule;
