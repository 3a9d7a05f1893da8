// What a credential looks like: names that hold one (`db_password`, `apiKey`, `SECRET_KEY`),
// string values that are placeholders rather than secrets, value shapes that are secrets
// whatever their name (AWS key IDs, PEM private keys, vendor tokens), and test-looking code.
// Shared by hardcoded-password, hardcoded-secret-value, secret-in-log and secret-config-option-unmasked.
import type { Node } from 'web-tree-sitter';
import type { Ctx } from '../../server/src/engine/rule';
import { ADJACENT_LITERALS } from '../support';

/** Last words of a name that say the value is a credential. */
const SECRET_WORDS = new Set([
  'password', 'passwd', 'pwd', 'pass', 'passphrase', 'passcode', 'secret', 'token', 'apikey', 'credential', 'credentials',
  'creds', 'pw',
]);
/** `<qualifier>_key`: keys that are secrets (`api_key`, `secret_key`), unlike `dict_key` or `sort_key`. */
const KEY_QUALIFIERS = new Set([
  'api', 'access', 'secret', 'private', 'auth', 'encryption', 'signing', 'master', 'hmac', 'fernet', 'crypt',
  'shared', 'consumer', 'client', 'license', 'app', 'priv',
]);
/** Words before the secret word that make the name about something else (`reset_password_...`). */
const NOT_SECRET_PREFIX = new Set(['is', 'has', 'use', 'enable', 'enabled', 'num', 'max', 'min', 'no', 'show', 'require', 'requires', 'check', 'verify', 'validate', 'mask', 'masked', 'hide', 'allow', 'forgot', 'reset', 'change', 'expire', 'expired', 'rotate', 'get', 'set']);
/** Short names that mean something else in common code. */
const NOT_SECRET_NAMES = new Set(['pass', 'pw', 'pwd', 'token', 'tokens', 'creds']);

/** `dbPassword` -> [db, password]; `DB_PASSWORD` -> [db, password]; `admin-token` -> [admin, token]. */
export function words(name: string): string[] {
  return name
    .replace(/^[^A-Za-z0-9]+/, '')
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w.length > 0);
}

/**
 * Whether a variable, attribute, keyword or key named `name` holds a credential: its last word is
 * a secret word (`admin_password`, `auth_token`, `client_secret`, `apiKey`, `SECRET_KEY`).
 * Names where the secret word is followed by another word (`password_file`, `token_url`,
 * `secret_name`) are about the secret, not the secret itself. `loose` also takes a bare
 * `token` or `creds` (what a variable in a log call usually means by them).
 */
export function isSecretName(name: string, loose = false): boolean {
  const w = words(name);
  if (w.length === 0) return false;
  const last = w[w.length - 1];
  const before = w[w.length - 2];
  if (before && NOT_SECRET_PREFIX.has(before)) return false;
  if (w.length > 2 && NOT_SECRET_PREFIX.has(w[0])) return false;
  if (last === 'key' || last === 'keys') return !!before && KEY_QUALIFIERS.has(before);
  if (!SECRET_WORDS.has(last)) return /(password|passwd|passphrase|apikey|secretkey|accesskey|privatekey|accesstoken)s?$/.test(last);
  // `token` alone is a lexer's token, `pwd` the working directory, `pass` a game pass: too often not a credential.
  if (w.length === 1 && NOT_SECRET_NAMES.has(last) && !(loose && (last === 'token' || last === 'creds'))) return false;
  return true;
}

/** The name a target or key gives its value: `password`, `self.password` -> `password`, `conf["password"]` -> `password`. */
export function nameOf(node: Node | null | undefined): string | null {
  if (!node) return null;
  switch (node.type) {
    case 'identifier':
      return node.text;
    case 'attribute':
      return node.childForFieldName('attribute')?.text ?? null;
    case 'subscript': {
      const key = node.childForFieldName('subscript');
      return key ? literalText(key) : null;
    }
    case 'string':
      return literalText(node);
    default:
      return null;
  }
}

/** The content of a plain string literal (no interpolation); null for anything else. */
export function literalText(node: Node | null | undefined): string | null {
  if (!node) return null;
  if (node.type === 'concatenated_string') {
    const parts = node.namedChildren.filter((c) => c?.type !== 'comment').map((c) => literalText(c));
    return parts.every((p) => p !== null) ? parts.join('') : null;
  }
  if (node.type !== 'string') return null;
  if (node.namedChildren.some((c) => c?.type === 'interpolation')) return null;
  return node.namedChildren.filter((c) => c?.type === 'string_content' || c?.type === 'escape_sequence').map((c) => c!.text).join('');
}

const PLACEHOLDER_WORDS = new Set([
  'none', 'null', 'nil', 'undefined', 'true', 'false', 'yes', 'no', 'required', 'optional', 'hidden', 'redacted', 'masked',
  'placeholder', 'example', 'sample', 'todo', 'fixme', 'tbd', 'replaceme', 'replace', 'notset', 'unset',
  'default', 'password', 'passwd', 'token', 'apikey', 'string', 'str', 'text', 'value', 'empty', 'blank',
  'xxx', 'unknown', 'na', 'notapplicable', 'bearer', 'basic', 'digest', 'oauth', 'jwt',
  'keystone', 'noauth', 'plain', 'plaintext', 'sha256', 'md5', 'file', 'env', 'vault', 'prompt',
]);

/**
 * Whether a literal assigned to a credential name is a placeholder, a label or a reference to
 * where the secret lives, rather than the secret itself: empty, `<password>`, `${DB_PASS}`,
 * `{password}`, `%(password)s`, `xxx`, `***`, `your-password-here`, `password` (a field name),
 * `DB_PASSWORD` (an environment variable's name), a URL, a path, a header name, a sentence.
 */
/** One character repeated (`xxx`, `....`); a loop, since a backreference regex overflows the stack on a long string. */
function sameChar(v: string): boolean {
  for (let i = 1; i < v.length; i++) if (v.charCodeAt(i) !== v.charCodeAt(0)) return false;
  return true;
}

export function isPlaceholder(value: string): boolean {
  const v = value.trim();
  if (v.length < 3) return true;
  if (/\\[wdsWDSbB]|\[\^|\(\?[:=!<P]|\.\*|\.\+/.test(v)) return true; // a regular expression
  if (sameChar(v) || /\*{3}/.test(v)) return true; // xxx, ***, ...., masked ":****"
  if (/^[<\[({].*[>\])}]$/.test(v)) return true; // <password>, [token], {secret}
  if (/\$\{?[A-Za-z_]|%\(?\w*\)?[sdr]|\{\{|\{[\w.]*\}|\{\d*\}/.test(v)) return true; // ${VAR}, $VAR, %s, %(x)s, {{ x }}, {x}, {}
  if (/:\/\//.test(v) && !/:\/\/[^/\s:@]+:[^/\s@]+@/.test(v)) return true; // a URL without credentials
  if (/^(\/|~\/|\.\.?\/|[A-Za-z]:\\)/.test(v) || /\.(pem|key|crt|cer|txt|json|ya?ml|conf|cfg|ini|env|p12|pfx|jks|db)$/i.test(v)) return true;
  if (/\s/.test(v)) return true; // a label or a sentence: passwords with spaces are rare, prompts are common
  if (/^X-[A-Za-z-]+$/i.test(v) || /^[A-Z][a-z]+(-[A-Z][a-z]+)+$/.test(v)) return true; // X-Auth-Token, Proxy-Authorization
  if (/^[A-Z][A-Z0-9]*(_[A-Z0-9]+)+$/.test(v)) return true; // DB_PASSWORD: an environment variable's name
  const w = words(v);
  const joined = w.join('');
  // A default that ships and works until someone changes it is a hard-coded password (CWE-1392).
  if (joined === 'changeme' || joined === 'changeit') return false;
  if (PLACEHOLDER_WORDS.has(joined)) return true;
  if (/^(your|my|the|some|enter|insert|put|add|replace|set|fill)/.test(joined) && /(password|passwd|secret|token|key|pass|here|me|this)$/.test(joined)) return true;
  // `id_rsa`, `user_id`: an identifier or file name, not a password.
  if (/^[a-z]+(_[a-z]+)+$/.test(v)) return true;
  // `db_password`, `os-password`, `auth.token`: a key or option name that mentions the secret.
  if (/^[a-z]+([_.-][a-z]+)+$/.test(v) && w.some((x) => SECRET_WORDS.has(x) || x === 'key')) return true;
  // An identifier-like single word naming a secret kind (`password`, `Token`, `apiKey`).
  if (isSecretName(v) && /^[A-Za-z]+$/.test(v) && PLACEHOLDER_WORDS.has(w[w.length - 1])) return true;
  return false;
}

// ---- Value shapes that are secrets whatever the name ----

export interface SecretShape {
  what: string;
  re: RegExp;
  /** Error for keys that grant access on their own; warning for credentials inside a URL. */
  level: 'error' | 'warning';
}

export const SECRET_SHAPES: SecretShape[] = [
  // The header and at least a line of key material: a lone header is a marker a parser looks for.
  { what: 'a PEM private key', re: /-----BEGIN (RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP )?PRIVATE KEY( BLOCK)?-----[\s\S]{0,200}?[A-Za-z0-9+/=]{20,}/, level: 'error' },
  { what: 'an AWS access key ID', re: /\b(AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[0-9A-Z]{16}\b/, level: 'error' },
  { what: 'a GitHub token', re: /\b(gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{50,255})\b/, level: 'error' },
  { what: 'a GitLab token', re: /\bglpat-[A-Za-z0-9_-]{20,}\b/, level: 'error' },
  { what: 'a Slack token', re: /\bxox[abposr]-[0-9A-Za-z-]{10,}\b/, level: 'error' },
  { what: 'a Slack webhook URL', re: /https:\/\/hooks\.slack\.com\/services\/T[A-Z0-9]+\/B[A-Z0-9]+\/[A-Za-z0-9]{16,}/, level: 'error' },
  { what: 'a Stripe secret key', re: /\b(sk|rk)_live_[0-9A-Za-z]{20,}\b/, level: 'error' },
  { what: 'a Google API key', re: /\bAIza[0-9A-Za-z_-]{35}\b/, level: 'error' },
  { what: 'an OpenAI API key', re: /\bsk-(proj-)?[A-Za-z0-9_-]{20,}T3BlbkFJ[A-Za-z0-9_-]{20,}\b/, level: 'error' },
  { what: 'a SendGrid API key', re: /\bSG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}\b/, level: 'error' },
  { what: 'a Twilio API key', re: /\bSK[0-9a-f]{32}\b/, level: 'error' },
  { what: 'a password inside a URL', re: /\b[a-z][a-z0-9+.-]*:\/\/[^/\s:@'"]+:([^/\s@'"]+)@[^\s'"]+/i, level: 'warning' },
];

/** A fragment's characters, with adjacent literals allowed between any two of them. */
const splittable = (atoms: string[]) => atoms.join(`${ADJACENT_LITERALS}?`);
const chars = (fragment: string) => splittable([...fragment].map((c) => c.replace(/[.]/g, '\\.')));

/**
 * Text that holds a secret shape: a fragment every shape above must contain (the URL one whole).
 * The shapes are looked for in the raw text of a literal (escapes as written), or of adjacent
 * literals joined, so the fragment is in the source as is, or split by the quotes, space and
 * comments between adjacent literals.
 */
export const SECRET_SHAPE_TEXT = new RegExp(
  [
    ...['PRIVATE KEY', 'AKIA', 'ASIA', 'AGPA', 'AIDA', 'AROA', 'ANPA', 'ANVA', 'AIPA', 'github_pat_', 'glpat-', 'hooks.slack.com', '_live_', 'AIza', 'T3BlbkFJ', 'SG.'].map(chars),
    splittable(['g', 'h', '[pousr]', '_']),
    splittable(['x', 'o', 'x', '[abposr]', '-']),
    splittable(['S', 'K', '[0-9a-f]']),
    // `scheme://user:password@`, from the `://` on.
    splittable([':', String.raw`\/`, String.raw`\/`, `(?:[^/\\s:@'"]|${ADJACENT_LITERALS})+:`, `(?:[^/\\s@'"]|${ADJACENT_LITERALS})+@`]),
  ].join('|'),
);

/** Passwords in URLs that are placeholders: `user:password@`, `user:${PASS}@`, `:***@`, `:%s@`. */
export function urlPasswordIsPlaceholder(url: string): boolean {
  const m = /:\/\/[^/\s:@'"]+:([^/\s@'"]+)@/.exec(url);
  if (!m) return true;
  const pw = decodeURIComponent(m[1].replace(/%(?![0-9A-Fa-f]{2})/g, '%25'));
  return isPlaceholder(pw) || /^(pass|pw|pwd|secret|password|passwd|pass(word)?\d?|changeme)$/i.test(pw) || /%|\{|\$/.test(m[1]);
}

/** The first secret shape found in `value`, ignoring documentation examples (`AKIAIOSFODNN7EXAMPLE`). */
export function secretShapeIn(value: string): SecretShape | null {
  for (const s of SECRET_SHAPES) {
    const m = s.re.exec(value);
    if (!m) continue;
    if (/EXAMPLE|example|XXXXXXXX|xxxxxxxx|0{16}|1234567890abcdef/i.test(m[0])) continue;
    if (s.what === 'a password inside a URL' && urlPasswordIsPlaceholder(m[0])) continue;
    return s;
  }
  return null;
}

// ---- Tests: fake credentials are expected there ----

const TEST_MODULES = /^(unittest|pytest|testtools|oslotest|mock|unittest\.mock|nose|tempest|fixtures)(\.|$)/;
const testCache = new WeakMap<object, boolean>();

/** The file imports a test framework: fixtures hold fake credentials by design. */
function isTestModule(ctx: Ctx): boolean {
  let hit = testCache.get(ctx.module);
  if (hit === undefined) {
    hit = false;
    // Every tree's statements: an open document is parsed in groups of them.
    for (const stmt of ctx.module.namedChildren) {
      if (stmt?.type === 'import_statement') {
        hit = stmt.childrenForFieldName('name').some((n) => TEST_MODULES.test((n.type === 'aliased_import' ? n.childForFieldName('name') : n)?.text ?? ''));
      } else if (stmt?.type === 'import_from_statement') {
        hit = TEST_MODULES.test(stmt.childForFieldName('module_name')?.text ?? '');
      }
      if (hit) break;
    }
    testCache.set(ctx.module, hit);
  }
  return hit;
}

/** Inside a test: a test module, a `test_*` function, a `Test*` / `*TestCase` class, or a `fake_*` name. */
export function inTestCode(node: Node, ctx: Ctx): boolean {
  if (isTestModule(ctx)) return true;
  for (let p = node.parent; p; p = p.parent) {
    if (p.type === 'function_definition' && /^(test_|_?fake_|_?mock_|setUp)/.test(p.childForFieldName('name')?.text ?? '')) return true;
    if (p.type === 'class_definition' && /(^Test|Test(s|Case)?$|^Fake|^Mock)/.test(p.childForFieldName('name')?.text ?? '')) return true;
  }
  return false;
}

// ---- Where a literal sits: the credential name it is assigned to, passed as, defaulted for or compared with ----

/** Option classes of oslo.config: their `default=` is the shipped value of the option named by the first argument. */
export function isOptClass(qname: string | null): boolean {
  return qname !== null && /(^|\.)cfg\.(Str|URI|List|Dict|)Opt$/.test(qname);
}

/** Calls whose second positional argument is a password: `HTTPBasicAuth(user, pw)`, `smtp.login(user, pw)`, `conn.simple_bind_s(dn, pw)`. */
const PASSWORD_CALLS = ['HTTPBasicAuth', 'HTTPDigestAuth', 'HTTPProxyAuth', 'BasicAuth', 'DigestAuth', 'login', 'simple_bind_s', 'simple_bind', 'bind_s'];
const POSITIONAL_PASSWORD = new RegExp(`(^|\\.)(${PASSWORD_CALLS.join('|')})$`);

/** `pass` -> `[pP][aA][sS][sS]`, for words in a case-sensitive pattern. */
const anyCase = (words: string) => words.replace(/[a-z]/g, (c) => `[${c}${c.toUpperCase()}]`);
/** Last words `isSecretName` takes only after another word of the name. */
const SHORT_WORDS = anyCase('pass|pwd?|token|creds');
const QUALIFIERS = anyCase([...KEY_QUALIFIERS].join('|'));

/**
 * What the text around a literal must contain for `credentialSite` to find a credential there:
 * a secret word of `isSecretName` in any case; `pass`, `pw(d)`, `token`, `creds` as the last word
 * of a longer name (after `_` or a camel-case boundary, as in `db_pass`, `dbPass`, or after any
 * other separator at the end of a string, as in `"db-pass"`: so never the `pass` statement or a
 * bare `self.token`); `<qualifier>_key`; an `auth=(` pair or a password-taking call.
 * Case-sensitive where a camel-case boundary decides.
 */
export const CREDENTIAL_TEXT = new RegExp(
  [
    anyCase('password|passwd|passphrase|passcode|secret|apikey|credential|accesskey|privatekey|accesstoken'),
    String.raw`_(?:${SHORT_WORDS})(?![A-Za-z0-9])|[a-z0-9](?:P[aA][sS][sS]|P[wW][dD]?|T[oO][kK][eE][nN]|C[rR][eE][dD][sS])(?![A-Za-z0-9])`,
    // (A name does not hold a line break: `pass` before a docstring on the next line is no name.)
    String.raw`\b(?:${SHORT_WORDS})[^A-Za-z0-9\n]*["']`,
    // `key` first, what stands before it in a lookbehind: far faster to scan for than the qualifiers.
    String.raw`${anyCase('key')}(?<=(?:${QUALIFIERS})(?:[^A-Za-z0-9]+|(?=K))${anyCase('key')})`,
    String.raw`\b(?:auth\s*=|${PASSWORD_CALLS.join('|')})\s*(?:#[^\n]*\s*)*\(`,
  ].join('|'),
);

export interface CredentialSite {
  /** The name that says the literal is a credential. */
  name: string;
  /** An environment variable can stand in for the literal here (not a default evaluated at definition time). */
  fixable: boolean;
  how: 'assigned to' | 'passed as' | 'the default of' | 'compared with';
}

function callOf(argList: Node | null): Node | null {
  return argList?.type === 'argument_list' && argList.parent?.type === 'call' ? argList.parent : null;
}

/** The credential name a string literal is bound to, or null when its place says nothing about secrets. */
export function credentialSite(str: Node, ctx: Ctx): CredentialSite | null {
  const p = str.parent;
  if (!p) return null;
  const isValue = (field: string) => p.childForFieldName(field)?.id === str.id;
  switch (p.type) {
    case 'assignment': {
      if (!isValue('right')) return null;
      const left = p.childForFieldName('left');
      const name = nameOf(left);
      if (!name || !isSecretName(name)) return null;
      // `os.environ["DB_PASSWORD"] = "..."`: still hard-coded, but the fix would read it from itself.
      const env = left?.type === 'subscript' && ctx.names.resolve(left.childForFieldName('value')) === 'os.environ';
      return { name, fixable: !env, how: 'assigned to' };
    }
    case 'keyword_argument': {
      if (!isValue('value')) return null;
      const kw = p.childForFieldName('name')?.text ?? '';
      // Both branches below need one of these: test the name before resolving the call.
      if (kw !== 'default' && !isSecretName(kw)) return null;
      const call = callOf(p.parent);
      if (call && isOptClass(ctx.names.resolve(call.childForFieldName('function')))) {
        if (kw !== 'default') return null;
        const first = call.childForFieldName('arguments')?.namedChildren.find((c) => c && c.type !== 'comment' && c.type !== 'keyword_argument');
        const optName = literalText(first) ?? literalText(call.childForFieldName('arguments')?.namedChildren.find((c) => c?.type === 'keyword_argument' && c.childForFieldName('name')?.text === 'name')?.childForFieldName('value'));
        return optName && isSecretName(optName) ? { name: optName, fixable: false, how: 'the default of' } : null;
      }
      return isSecretName(kw) ? { name: kw, fixable: true, how: 'passed as' } : null;
    }
    case 'default_parameter': case 'typed_default_parameter': {
      if (!isValue('value')) return null;
      const name = p.childForFieldName('name')?.text ?? '';
      return isSecretName(name) ? { name, fixable: false, how: 'the default of' } : null;
    }
    case 'pair': {
      if (!isValue('value')) return null;
      const name = literalText(p.childForFieldName('key'));
      return name && isSecretName(name) ? { name, fixable: true, how: 'assigned to' } : null;
    }
    case 'comparison_operator': {
      const ops = p.childrenForFieldName('operators').map((o) => o.type);
      if (ops.length !== 1 || !['==', '!='].includes(ops[0])) return null;
      const other = p.namedChildren.find((c) => c && c.id !== str.id && c.type !== 'comment');
      const name = nameOf(other);
      return name && other?.type !== 'string' && isSecretName(name) ? { name, fixable: true, how: 'compared with' } : null;
    }
    case 'tuple': {
      // `auth=("admin", "s3cret")`: requests' basic auth pair.
      const kw = p.parent?.type === 'keyword_argument' ? p.parent.childForFieldName('name')?.text : null;
      const items = p.namedChildren.filter((c) => c && c.type !== 'comment');
      return kw === 'auth' && items.length === 2 && items[1]!.id === str.id ? { name: 'auth_password', fixable: true, how: 'passed as' } : null;
    }
    case 'argument_list': {
      const call = callOf(p);
      const fn = call?.childForFieldName('function');
      // `os.environ.get("DB_PASSWORD", "s3cret")`, `conf.get("password", "s3cret")`: a hard-coded fallback.
      if (fn?.type === 'attribute' && /^(get|getenv|setdefault|pop)$/.test(fn.childForFieldName('attribute')?.text ?? '') || fn?.text === 'getenv') {
        const pos = p.namedChildren.filter((c) => c && c.type !== 'comment' && c.type !== 'keyword_argument');
        const key = literalText(pos[0]);
        return key && pos[1]?.id === str.id && isSecretName(key) ? { name: key, fixable: false, how: 'the default of' } : null;
      }
      if (!fn || !POSITIONAL_PASSWORD.test(fn.text)) return null;
      const pos = p.namedChildren.filter((c) => c && c.type !== 'comment' && c.type !== 'keyword_argument');
      // `ftp.login("anonymous", "guest@example.com")`: anonymous FTP asks for an e-mail address, not a secret.
      if (/^(anonymous|ftp)$/i.test(literalText(pos[0]) ?? '')) return null;
      return pos.length >= 2 && pos[1]!.id === str.id ? { name: 'password', fixable: true, how: 'passed as' } : null;
    }
    default:
      return null;
  }
}

/** `self.db_password` -> `DB_PASSWORD`: the environment variable the fix reads. */
export function envName(name: string): string {
  return words(name).join('_').toUpperCase();
}
