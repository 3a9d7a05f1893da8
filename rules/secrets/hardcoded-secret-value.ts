import type { Rule } from '../../server/src/engine/rule';
import { credentialSite, inTestCode, isPlaceholder, literalText, SECRET_SHAPE_TEXT, secretShapeIn } from './secret-names';

const rule: Rule = {
  code: 'SL902',
  name: 'hardcoded-secret-value',
  category: 'secrets',
  summary: 'String literal shaped like a private key, cloud key or API token',
  severity: 'high',
  confidence: 'high',
  defaultLevel: 'error',
  maxLevel: 'error',
  cwe: [798, 321],
  bandit: [],
  ruff: [],
  fix: 'none',
  explanation: {
    what:
      'A string literal, whatever it is assigned to, has the shape of a secret: a PEM private key block (`-----BEGIN RSA PRIVATE KEY-----`), an AWS access key ID (`AKIA...`), a GitHub (`ghp_...`, `github_pat_...`), GitLab, Slack (`xoxb-...`, webhook URLs), Stripe (`sk_live_...`), Google (`AIza...`), OpenAI, SendGrid or Twilio key, or a URL with a password in it (`mysql+pymysql://nova:s3cret@db/nova`). Documentation examples (`AKIAIOSFODNN7EXAMPLE`) and placeholder passwords in URLs (`user:${PASS}@`, `user:password@`) are not reported, nor are URLs with passwords in docstrings; in test code the finding is information only. A literal already reported by hardcoded-password (SL901) is not reported twice.',
    why:
      'These strings grant access on their own: a private key impersonates the server or user it belongs to, a cloud or API key bills and reads data in someone\'s account, a database URL with its password opens the database. Committed once, they stay in the history and every clone; secret scanners run by attackers find them within minutes on public hosting (CWE-798, CWE-321).',
    example:
      'DB_CONNECTION = "mysql+pymysql://neutron:Ne7tr0nDB@controller/neutron"\nAWS_KEY_ID = "AKIAZ3MSJV4XQ4BC2K7Q"',
    useInstead:
      'CONF.register_opts([cfg.StrOpt("connection", secret=True)], group="database")\n# the value comes from neutron.conf or the environment, never from the source\naws_key_id = os.environ["AWS_ACCESS_KEY_ID"]',
    references: [
      'https://cwe.mitre.org/data/definitions/798.html',
      'https://cwe.mitre.org/data/definitions/321.html',
      'https://docs.aws.amazon.com/IAM/latest/UserGuide/security-creds.html',
      'https://docs.github.com/en/code-security/secret-scanning/introduction/supported-secret-scanning-patterns',
      'https://cheatsheetseries.owasp.org/cheatsheets/Secrets_Management_Cheat_Sheet.html',
    ],
  },
  triggerPattern: SECRET_SHAPE_TEXT,
  nodeTypes: ['string', 'concatenated_string'],
  onNode(node, ctx) {
    // The literal's text is no longer than its source.
    if (node.endIndex - node.startIndex < 16) return;
    // A key split over adjacent literals is looked at whole, at the concatenation.
    if (node.parent?.type === 'concatenated_string') return;
    // The whole literal's text (interpolations included): a key in an f-string is still a key.
    const text = literalText(node) ?? node.text;
    if (text.length < 16) return;
    const shape = secretShapeIn(text);
    if (!shape) return;
    // A docstring's `mysql://user:pass@host/db` is documentation of a format, not a credential in use.
    if (shape.level === 'warning' && node.parent?.type === 'expression_statement') return;
    const plain = literalText(node);
    if (plain !== null && !isPlaceholder(plain) && credentialSite(node, ctx)) return; // SL901's
    const test = inTestCode(node, ctx);
    ctx.report({
      node,
      level: test ? 'info' : shape.level,
      confidence: test ? 'low' : undefined,
      message: `String literal holds ${shape.what}${test ? ' (test code)' : ''}: anyone with the source, its history or a package can use it, and it cannot be rotated without a release. Load it from configuration marked secret, the environment or a secret store, and revoke this one.`,
    });
  },
};

export default rule;
