import type { Node } from 'web-tree-sitter';
import { compact, ensureImport, replaceNode, statementOf } from '../../server/src/engine/fixes';
import { lastSegment, matchesAny } from '../../server/src/engine/names';
import type { CallSite, Ctx, Rule } from '../../server/src/engine/rule';
import type { Fix } from '../../server/src/engine/types';
import { sinkName } from '../support';
import { functionWords, judge, SECURITY_WORDS, targetWords } from './context';

/** The module-level functions of `random` (a shared Mersenne Twister) and `random.Random()` objects. */
const FUNCTIONS = ['random', 'randint', 'randrange', 'choice', 'choices', 'sample', 'shuffle', 'getrandbits', 'uniform', 'randbytes', 'triangular'];
const RANDOM = [...FUNCTIONS.map((f) => `random.${f}`), ...FUNCTIONS.map((f) => `random.Random().${f}`), ...['rand', 'randint', 'choice', 'bytes', 'random'].map((f) => `numpy.random.${f}`)];

const simple = (n: Node | undefined): n is Node => !!n && (n.type === 'integer' || n.type === 'identifier' || (n.type === 'attribute' && !n.text.includes('(')));

/** The `secrets` spelling of a `random` call, or null when there is none worth offering. */
function replacement(site: CallSite, fn: string): { text: string; whole: boolean } | null {
  const [a, b] = site.positional;
  if (site.keywords.size && fn !== 'choices' && fn !== 'sample') return null;
  switch (fn) {
    case 'choice': return { text: 'secrets.choice', whole: false };
    case 'getrandbits': return { text: 'secrets.randbits', whole: false };
    case 'randbytes': return { text: 'secrets.token_bytes', whole: false };
    case 'randint':
      if (site.positional.length !== 2 || !simple(a) || !simple(b)) return null;
      if (a.type === 'integer' && b.type === 'integer') {
        const lo = Number(a.text); const span = Number(b.text) - lo + 1;
        return { text: lo === 0 ? `secrets.randbelow(${span})` : `${lo} + secrets.randbelow(${span})`, whole: true };
      }
      return { text: a.text === '0' ? `secrets.randbelow(${b.text} + 1)` : `${a.text} + secrets.randbelow(${b.text} - ${a.text} + 1)`, whole: true };
    case 'randrange':
      if (site.positional.length === 1 && simple(a)) return { text: `secrets.randbelow(${a.text})`, whole: true };
      if (site.positional.length === 2 && simple(a) && simple(b)) {
        if (a.type === 'integer' && b.type === 'integer') {
          const lo = Number(a.text);
          return { text: lo === 0 ? `secrets.randbelow(${b.text})` : `${lo} + secrets.randbelow(${Number(b.text) - lo})`, whole: true };
        }
        return { text: `${a.text} + secrets.randbelow(${b.text} - ${a.text})`, whole: true };
      }
      return null;
    case 'random': case 'choices': case 'sample': case 'shuffle': case 'uniform': case 'triangular':
      return { text: `secrets.SystemRandom().${fn}`, whole: false };
    default:
      return null;
  }
}

function buildFix(site: CallSite, ctx: Ctx): Fix | undefined {
  if (site.hasSplat || !site.callee || !site.qname?.startsWith('random.') || site.qname.startsWith('random.Random()')) return undefined;
  const fn = lastSegment(site.qname);
  const r = replacement(site, fn);
  if (!r) return undefined;
  const target = r.whole ? site.node : site.callee;
  // `a + secrets.randbelow(n)` inside a larger expression keeps its precedence in parentheses.
  const needsParens = r.whole && r.text.includes(' + ') && !['assignment', 'return_statement', 'argument_list', 'expression_statement', 'keyword_argument', 'pair', 'list', 'tuple', 'parenthesized_expression'].includes(site.node.parent?.type ?? '');
  return {
    title: `Use ${r.whole ? r.text.replace(/^.* \+ /, '').replace(/\(.*$/, '()') : `${r.text}()`} from the secrets module`,
    safe: true,
    edits: compact([replaceNode(target, needsParens ? `(${r.text})` : r.text), ensureImport(ctx.module, ctx.text, 'secrets')]),
  };
}

const PICKS = new Set(['choice', 'choices', 'sample', 'shuffle']);

/**
 * Whether the value is a secret, from the names around it (see context.ts). Two refinements:
 * a call whose result is thrown away (`random.shuffle(servers)`) takes no meaning from the
 * function's name, and a bare `key` picked from a collection (`key = random.choice(keys)`) is a
 * lookup key unless it is built character by character (`"".join(random.choice(...) ...)`).
 */
/** Functions whose values are never real secrets: MIME boundaries, tests, fakes. */
const NOT_SECRET_FUNCTIONS = new Set(['boundary', 'test', 'tests', 'mock', 'fake', 'dummy', 'example', 'demo', 'fixture', 'factory']);

function makesSecret(site: CallSite): boolean {
  if (functionWords(site.node).some((w) => NOT_SECRET_FUNCTIONS.has(w))) return false;
  let deciding = targetWords(site.node);
  let verdict = judge(deciding);
  if (verdict === 'unknown') {
    const stmt = statementOf(site.node);
    if (stmt.type === 'expression_statement' && stmt.namedChild(0)?.id === site.node.id) return false;
    deciding = functionWords(site.node);
    verdict = judge(deciding);
  }
  if (verdict !== 'security') return false;
  const onlyKey = deciding.filter((w) => SECURITY_WORDS.has(w)).every((w) => w === 'key' || w === 'keys');
  if (onlyKey && PICKS.has(lastSegment(site.qname ?? ''))) {
    for (let p = site.node.parent; p && p.type !== 'block'; p = p.parent) {
      if (p.type === 'generator_expression' || p.type === 'list_comprehension') return true;
    }
    return false;
  }
  return true;
}

const rule: Rule = {
  code: 'SL807',
  name: 'insecure-random-for-secret',
  category: 'crypto',
  summary: 'Token, password, key or nonce generated with the predictable `random` module',
  severity: 'high',
  confidence: 'medium',
  defaultLevel: 'warning',
  maxLevel: 'warning',
  cwe: [330, 338],
  bandit: ['B311'],
  ruff: ['S311'],
  fix: 'sometimes',
  explanation: {
    what:
      'A function of the `random` module (`choice`, `choices`, `randint`, `randrange`, `getrandbits`, `random`, `sample`, `shuffle`, `randbytes`, also on `random.Random()` objects and `numpy.random`) makes a value that the surrounding names say is a secret: it is stored in, passed as or returned from something named for a token, password, key, salt, nonce, IV, session id, OTP/PIN, CSRF value, API key or challenge. Jitter, back-off delays, sampling, shuffling and test data are not reported, nor are values whose purpose the names do not tell.',
    why:
      '`random` is a Mersenne Twister: fast and statistically good, but not unpredictable. Its whole state is recovered from 624 consecutive 32-bit outputs (fewer with some effort), and it is seeded from the time or the PID in many deployments; after that every "random" password-reset token, session id or API key it produces, past and future, can be computed by an attacker.',
    example:
      'import random\nimport string\n\n\ndef reset_token():\n    return "".join(random.choice(string.ascii_letters + string.digits) for _ in range(32))',
    useInstead:
      'import secrets\n\n\ndef reset_token():\n    return secrets.token_urlsafe(32)\n\n\n# or "".join(secrets.choice(alphabet) for _ in range(32)), secrets.randbelow(10**6) for a PIN',
    fixSafety:
      'Safe: the fix calls the `secrets` module (the OS CSPRNG) with the same meaning: `random.choice` -> `secrets.choice`, `random.getrandbits` -> `secrets.randbits`, `random.randbytes` -> `secrets.token_bytes`, `random.randint(a, b)` -> `a + secrets.randbelow(b - a + 1)` (only when `a` and `b` are plain names or numbers, so nothing is evaluated twice), `random.randrange(n)` -> `secrets.randbelow(n)`, and `secrets.SystemRandom()` for `random()`, `choices`, `sample`, `shuffle` and `uniform`. The values keep their range and distribution; only a `random.seed()` made to repeat them stops working, which a secret must not do anyway.',
    references: [
      'https://cwe.mitre.org/data/definitions/330.html',
      'https://cwe.mitre.org/data/definitions/338.html',
      'https://docs.python.org/3/library/random.html',
      'https://docs.python.org/3/library/secrets.html',
      'https://peps.python.org/pep-0506/',
    ],
  },
  // `random.*`, `random.Random().*`, `numpy.random.*`.
  triggers: ['random'],
  onCall(site, ctx) {
    if (!matchesAny(site.qname, RANDOM)) return;
    if (!makesSecret(site)) return;
    ctx.report({
      node: site.node,
      message: `${sinkName(site)} makes a secret here (a token, password, key or nonce), but \`random\` is predictable: its state is recovered from a few hundred outputs and then every value can be computed. Use the secrets module (secrets.token_urlsafe(), secrets.choice(), secrets.randbelow()).`,
      fix: buildFix(site, ctx),
    });
  },
};

export default rule;
