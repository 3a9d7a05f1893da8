import { compact, ensureImport, replaceNode } from '../../server/src/engine/fixes';
import type { Rule } from '../../server/src/engine/rule';
import type { Fix } from '../../server/src/engine/types';
import { CREDENTIAL_TEXT, credentialSite, envName, inTestCode, isPlaceholder, literalText, words } from './secret-names';

/** Framework signing keys: hardcoded-secret-key (SL604) reports those, knowing the framework's settings. */
const WEB_SIGNING_KEYS = new Set(['SECRET_KEY', 'JWT_SECRET_KEY', 'WTF_CSRF_SECRET_KEY', 'SECURITY_PASSWORD_SALT', 'SESSION_SECRET', 'SIGNING_KEY']);

const rule: Rule = {
  code: 'SL901',
  name: 'hardcoded-password',
  category: 'secrets',
  summary: 'Password, token or key written into the source as a string literal',
  severity: 'high',
  confidence: 'medium',
  defaultLevel: 'warning',
  maxLevel: 'warning',
  cwe: [798, 259],
  bandit: ['B105', 'B106', 'B107'],
  ruff: ['S105', 'S106', 'S107'],
  fix: 'sometimes',
  explanation: {
    what:
      'A string literal is assigned to, passed as, defaulted for or compared with a name that holds a credential: a variable, attribute, dict key or keyword argument whose last word is `password`, `passwd`, `pwd`, `passphrase`, `secret`, `token`, `credentials`, `apikey`, or `<api|access|secret|private|auth|encryption|signing|...>_key` (`db_password = "..."`, `connect(password="...")`, `def login(user, password="...")`, `{"api_key": "..."}`, `os.environ.get("DB_PASSWORD", "...")`, `if token == "..."`, `auth=("admin", "...")`, `HTTPBasicAuth(user, "...")`, and the `default=` of an oslo.config option named like a password). Placeholders are not reported: empty strings, `<password>`, `${DB_PASS}`, `{password}`, `%s`, `xxx`, `***`, `your-password-here`, a field name or label such as `"password"` or `"X-Auth-Token"`, an environment variable name, a URL or a file path. Framework signing keys (`SECRET_KEY`, `JWT_SECRET_KEY`, ...) are left to hardcoded-secret-key (SL604). In test code (a module importing a test framework, `test_*` functions, `Test*` classes, `fake_*` helpers) findings are information only.',
    why:
      'A credential in the source is shared with everyone who can read the repository, its history, every packaged copy and every crash dump; it cannot be rotated without a release, and it is usually the same in every deployment, so one leak opens them all (CWE-798, CWE-259). Attackers scan public repositories and images for exactly these strings.',
    example:
      'class RabbitDriver(object):\n    def connect(self, host):\n        return kombu.Connection(hostname=host, userid="openstack", password="R4bb1tPa55")',
    useInstead:
      'import os\n\nclass RabbitDriver(object):\n    def connect(self, host):\n        return kombu.Connection(hostname=host, userid="openstack", password=os.environ["RABBIT_PASSWORD"])\n\n# or an oslo.config option with secret=True, or a secret store (Barbican, Vault)',
    fixSafety:
      'Unsafe: the literal is replaced with `os.environ["NAME"]` (NAME from the variable or key, e.g. `RABBIT_PASSWORD`) and `import os` is added. The program then needs that variable set wherever it runs, and raises `KeyError` where it is not. Not offered for default parameter values and option defaults (evaluated at import time), or when the literal is written into `os.environ` itself.',
    references: [
      'https://cwe.mitre.org/data/definitions/798.html',
      'https://cwe.mitre.org/data/definitions/259.html',
      'https://cheatsheetseries.owasp.org/cheatsheets/Secrets_Management_Cheat_Sheet.html',
      'https://docs.openstack.org/oslo.config/latest/reference/opts.html',
      'https://docs.python.org/3/library/os.html#os.environ',
    ],
  },
  triggerPattern: CREDENTIAL_TEXT,
  nodeTypes: ['string'],
  onNode(node, ctx) {
    // Where the string sits (a credential name) first: most strings sit nowhere of the kind.
    const site = credentialSite(node, ctx);
    if (!site || WEB_SIGNING_KEYS.has(envName(site.name))) return;
    const value = literalText(node);
    if (value === null || isPlaceholder(value)) return;
    // Tokens and keys are long random strings; `DONE_TOKEN = "done."` is a protocol marker. Passwords can be short words.
    if (/(token|secret|key|keys)$/.test(words(site.name).pop() ?? '') && !/pass|pwd|pw$/.test(site.name.toLowerCase()) && value.length < 8) return;
    const test = inTestCode(node, ctx);
    const env = envName(site.name);
    const fix: Fix | undefined = site.fixable
      ? { title: `Read ${site.name} from the environment (${env})`, safe: false, edits: compact([replaceNode(node, `os.environ["${env}"]`), ensureImport(ctx.module, ctx.text, 'os')]) }
      : undefined;
    ctx.report({
      node,
      level: test ? 'info' : 'warning',
      confidence: test ? 'low' : undefined,
      message: `Hard-coded credential ${site.how} \`${site.name}\`${test ? ' in test code' : ''}: anyone who can read the source, its history or a package has it, and it cannot be rotated without a release. Read it from the environment, an oslo.config option with secret=True, or a secret store.`,
      fix: test ? undefined : fix,
    });
  },
};

export default rule;
