import type { Node } from 'web-tree-sitter';
import { matchesAny } from '../../server/src/engine/names';
import type { CallSite, Rule } from '../../server/src/engine/rule';
import { sinkName } from '../support';
import { identifierWords, stringText, targetWords } from './context';

/** Fast general-purpose digests (the broken ones are weak-hash-algorithm's). */
const HASHLIB_FAST = ['sha224', 'sha256', 'sha384', 'sha512', 'sha3_224', 'sha3_256', 'sha3_384', 'sha3_512', 'blake2b', 'blake2s'];
const PYCRYPTO_FAST = ['SHA224', 'SHA256', 'SHA384', 'SHA512', 'SHA3_256', 'SHA3_512', 'BLAKE2b', 'BLAKE2s'];
const FAST = [
  ...HASHLIB_FAST.map((h) => `hashlib.${h}`),
  ...['Crypto', 'Cryptodome'].flatMap((r) => PYCRYPTO_FAST.map((h) => `${r}.Hash.${h}.new`)),
];
const FAST_NAMES = /^(sha(224|256|384|512)|sha3_(224|256|384|512)|blake2[bs]|sha512_256)$/i;
const PASSWORD = new Set(['password', 'passwords', 'passwd', 'pwd', 'pw', 'passphrase', 'pass']);
/** A password-reset token or an API key is random and high-entropy: a fast hash is right for it. */
const NOT_A_PASSWORD = new Set(['token', 'tokens', 'reset', 'key', 'apikey', 'nonce', 'otp', 'policy', 'length', 'len', 'expiry', 'expires', 'field', 'name']);
/** Hashing an existing hash (a migration, a cache key of it) is not hashing a password. */
const ALREADY_HASHED = new Set(['hash', 'hashed', 'digest', 'file', 'files', 'path', 'content', 'contents', 'open']);

function isFastHash(site: CallSite): boolean {
  if (matchesAny(site.qname, FAST)) return true;
  if (site.qname !== 'hashlib.new') return false;
  const name = site.keywords.get('name') ?? site.positional[0];
  return name?.type === 'string' && FAST_NAMES.test(stringText(name));
}

function mentionsPassword(ws: string[]): boolean {
  return ws.some((w) => PASSWORD.has(w)) && !ws.some((w) => NOT_A_PASSWORD.has(w));
}

/** The hashed data: the positional data argument (after the name for `hashlib.new`) or `data=`. */
function dataArgs(site: CallSite): Node[] {
  const pos = site.qname === 'hashlib.new' ? site.positional.slice(1) : site.positional;
  const kw = site.keywords.get('data') ?? site.keywords.get('string');
  return kw ? [...pos, kw] : pos;
}

/** Django hashers that store passwords as one fast digest. */
const WEAK_DJANGO_HASHERS = /\.(MD5|UnsaltedMD5|SHA1|UnsaltedSHA1|Crypt)PasswordHasher$/;

const rule: Rule = {
  code: 'SL802',
  name: 'fast-hash-for-password',
  category: 'crypto',
  summary: 'Password hashed with a fast digest instead of a password-hashing function',
  severity: 'high',
  confidence: 'medium',
  defaultLevel: 'warning',
  maxLevel: 'warning',
  cwe: [916, 759],
  bandit: [],
  ruff: [],
  fix: 'none',
  explanation: {
    what:
      'A password is digested with a fast general-purpose hash (`hashlib.sha256()`/`sha512()`/`sha3_*()`/`blake2*()`, `hashlib.new("sha256", ...)`, PyCryptodome `SHA256.new()`): the hashed data names a password (`password`, `passwd`, `pwd`, `passphrase`) or the result is stored as one (`password_hash = ...`). Password-reset tokens, API keys and nonces are not reported: they are random, and a fast digest is right for them. MD5 and SHA-1 of passwords are reported by weak-hash-algorithm. In Django settings, a `PASSWORD_HASHERS` list whose first (active) entry is the MD5, unsalted MD5/SHA-1, SHA-1 or crypt hasher is reported too.',
    why:
      'Password databases leak. A SHA-256 digest costs a GPU a few nanoseconds, so a leaked table of salted SHA-256 password hashes is cracked at billions of guesses per second and most human-chosen passwords fall within hours; unsalted ones fall to precomputed tables at once. Password-hashing functions (scrypt, bcrypt, argon2, PBKDF2 with a high iteration count) are deliberately slow and memory-hard, which makes each guess thousands to millions of times more expensive.',
    example:
      'import hashlib\n\n\ndef set_password(user, password):\n    user.password_hash = hashlib.sha256(password.encode()).hexdigest()',
    useInstead:
      'import hashlib\nimport os\n\n\ndef set_password(user, password):\n    salt = os.urandom(16)\n    user.password_salt = salt\n    user.password_hash = hashlib.scrypt(password.encode(), salt=salt, n=2**14, r=8, p=1)\n\n\n# or: passlib / argon2-cffi / bcrypt, or Django\'s make_password()',
    references: [
      'https://cwe.mitre.org/data/definitions/916.html',
      'https://cwe.mitre.org/data/definitions/759.html',
      'https://cheatsheetseries.owasp.org/cheatsheets/Password_Storage_Cheat_Sheet.html',
      'https://docs.python.org/3/library/hashlib.html#key-derivation',
      'https://docs.djangoproject.com/en/stable/topics/auth/passwords/',
    ],
  },
  // The digests' names (also as import aliases); the pattern: `hashlib.new("SHA256")` in any case.
  triggers: [...HASHLIB_FAST, ...PYCRYPTO_FAST, 'PASSWORD_HASHERS'],
  triggerPattern: /\b(?:sha(?:224|256|384|512|3_(?:224|256|384|512)|512_256)|blake2[bs])\b/i,
  nodeTypes: ['assignment'],
  onNode(node, ctx) {
    // Django settings: the first of PASSWORD_HASHERS hashes every new or changed password.
    if (!/(^|\.)PASSWORD_HASHERS$/.test(node.childForFieldName('left')?.text ?? '')) return;
    const list = node.childForFieldName('right');
    if (list?.type !== 'list' && list?.type !== 'tuple') return;
    const first = list.namedChildren.find((c) => c?.type !== 'comment');
    if (first?.type !== 'string' || !WEAK_DJANGO_HASHERS.test(stringText(first))) return;
    ctx.report({
      node: first,
      message: `${stringText(first).split('.').pop()} stores every new password as a single fast digest, cracked at billions of guesses per second once the user table leaks. Put django.contrib.auth.hashers.Argon2PasswordHasher (or PBKDF2PasswordHasher) first; keep the old hasher later in the list so existing passwords are upgraded at login.`,
    });
  },
  onCall(site, ctx) {
    if (!isFastHash(site)) return;
    const data = dataArgs(site);
    const inData = data.flatMap(identifierWords);
    const target = targetWords(site.node);
    const dataIsPassword = mentionsPassword(inData) && !inData.some((w) => ALREADY_HASHED.has(w));
    if (!dataIsPassword && !(mentionsPassword(target) && !inData.some((w) => NOT_A_PASSWORD.has(w) || ALREADY_HASHED.has(w)))) return;
    // A constant (a test vector, a sample) is no one's password.
    if (data.length && data.every((d) => d.type === 'string')) return;
    ctx.report({
      node: site.node,
      message: `This password is hashed with ${sinkName(site)}, a fast digest: a leaked hash is cracked at billions of guesses per second. Use a password-hashing function: hashlib.scrypt(), hashlib.pbkdf2_hmac() with a high iteration count, bcrypt or argon2 (passlib, Django's make_password()).`,
    });
  },
};

export default rule;
