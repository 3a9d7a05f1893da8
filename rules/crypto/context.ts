// What a value is for, judged from the names around it: the variable it is stored in, the
// keyword or dictionary key it is passed as, the function it is computed or returned in, and
// (for hashes) the data it digests. Crypto rules use it to tell `token = random.choice(...)`
// from `delay = random.uniform(...)`, and `md5(password)` from `md5(file_bytes)`.
import type { Node } from 'web-tree-sitter';
import { statementOf } from '../../server/src/engine/fixes';
import { descendantsIn } from '../../server/src/engine/trees';

/** `resetPasswordToken` / `reset_password_token` -> `reset password token`. */
export function words(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

export const SECURITY_WORDS: ReadonlySet<string> = new Set([
  'password', 'passwords', 'passwd', 'pwd', 'pw', 'passphrase', 'secret', 'secrets', 'token', 'tokens', 'salt', 'nonce',
  'otp', 'totp', 'hotp', 'pin', 'csrf', 'xsrf', 'session', 'sessionid', 'sid', 'apikey', 'credential', 'credentials',
  'cred', 'creds', 'auth', 'authenticate', 'authentication', 'signature', 'sign', 'signed', 'sig', 'hmac',
  'cookie', 'challenge', 'activation', 'verification', 'invite', 'mfa', 'privkey', 'iv', 'key', 'keys',
  'cipher', 'encrypt', 'decrypt', 'crypt', 'captcha',
]);
/** Words that make `key` mean a lookup key rather than a cryptographic one. */
const LOOKUP = new Set(['cache', 'sort', 'dict', 'shard', 'partition', 'bucket', 'lookup', 'index', 'primary', 'foreign', 'idempotency', 'routing', 'row', 'map', 'group', 'redis', 'memcache', 'memo']);
/** Words that say the value is not a secret: checksums, cache keys, jitter, test data. */
const BENIGN = new Set([
  'checksum', 'checksums', 'etag', 'etags', 'cache', 'cached', 'caching', 'dedup', 'dedupe', 'deduplicate', 'fingerprint',
  'chunk', 'chunks', 'file', 'files', 'filename', 'content', 'contents', 'md5sum', 'shard', 'bucket', 'partition',
  'delay', 'jitter', 'backoff', 'sleep', 'timeout', 'interval', 'retry', 'retries', 'wait', 'sample', 'sampling',
  'shuffle', 'shuffled', 'test', 'tests', 'mock', 'fake', 'dummy', 'color', 'colour', 'weight', 'weights', 'port',
  'image', 'download', 'upload', 'blob', 'object', 'segment', 'manifest', 'lock', 'idempotency', 'unique', 'uniq',
  'seed', 'boundary', 'filler', 'padding', 'probability', 'percent', 'ratio', 'offset', 'splay', 'spread', 'skew', 'latency', 'demo', 'example',
]);

export type Verdict = 'security' | 'benign' | 'unknown';

/**
 * `keyIsSecret`: whether a bare `key` means a secret (`key = random...` makes one) or, as for a
 * digest, most likely a lookup key (`key = md5(url)`).
 */
export function judge(ws: string[], keyIsSecret = true): Verdict {
  if (ws.some((w) => BENIGN.has(w))) return 'benign';
  const isKey = (w: string) => w === 'key' || w === 'keys';
  const security = ws.some((w) => SECURITY_WORDS.has(w) && !(isKey(w) && (!keyIsSecret || ws.some((x) => LOOKUP.has(x)))));
  return security ? 'security' : 'unknown';
}

function nameWords(node: Node | null): string[] {
  if (!node) return [];
  if (node.type === 'identifier') return words(node.text);
  if (node.type === 'attribute') return words(node.childForFieldName('attribute')?.text ?? '');
  if (node.type === 'subscript') {
    const idx = node.childForFieldName('subscript');
    return [...nameWords(node.childForFieldName('value')), ...(idx?.type === 'string' ? words(stringText(idx)) : [])];
  }
  if (node.type === 'pattern_list' || node.type === 'tuple_pattern' || node.type === 'tuple') {
    return node.namedChildren.flatMap((c) => nameWords(c));
  }
  return [];
}

export function stringText(node: Node): string {
  return node.namedChildren.filter((c) => c?.type === 'string_content').map((c) => c!.text).join('');
}

export function enclosingFunction(node: Node): Node | null {
  for (let p = node.parent; p; p = p.parent) if (p.type === 'function_definition') return p;
  return null;
}

/**
 * The names that say what the value of `node` is for: the assignment target, keyword names and
 * dictionary keys between `node` and its statement, and (for `return`) the function's name.
 */
export function targetWords(node: Node): string[] {
  const stmt = statementOf(node);
  const out: string[] = [];
  for (let n: Node | null = node; n && n.id !== stmt.parent?.id; n = n.parent) {
    const p: Node | null = n.parent;
    if (!p) break;
    if (p.type === 'keyword_argument' && p.childForFieldName('value')?.id === n.id) out.push(...words(p.childForFieldName('name')?.text ?? ''));
    if (p.type === 'pair' && p.childForFieldName('value')?.id === n.id) {
      const k = p.childForFieldName('key');
      if (k?.type === 'string') out.push(...words(stringText(k)));
    }
    if ((p.type === 'assignment' || p.type === 'augmented_assignment') && p.childForFieldName('right')?.id === n.id) {
      out.push(...nameWords(p.childForFieldName('left')));
    }
    // `time.sleep(random.uniform(0, 2))`: the callee says what the argument is for.
    if (p.type === 'argument_list' && p.parent?.type === 'call') {
      const fn = p.parent.childForFieldName('function');
      const name = fn?.type === 'attribute' ? fn.childForFieldName('attribute')?.text : fn?.text;
      out.push(...words(name ?? ''));
    }
    if (p.type === 'return_statement') {
      const fn = enclosingFunction(p);
      out.push(...words(fn?.childForFieldName('name')?.text ?? ''));
    }
    if (p.type === 'block' || p.type === 'module') break;
  }
  return out;
}

/** Words of every identifier (and attribute name) inside `node`. */
export function identifierWords(node: Node): string[] {
  const out: string[] = [];
  for (const id of node.descendantsOfType(['identifier'])) {
    if (id) out.push(...words(id.text));
  }
  return out;
}

export function functionWords(node: Node): string[] {
  const fn = enclosingFunction(node);
  return words(fn?.childForFieldName('name')?.text ?? '');
}

/**
 * What the value built at `node` is for. The names closest to it decide first (its target, then
 * the data, for hashes); the enclosing function's name decides only when those say nothing.
 */
export function purposeOf(node: Node, data: Node[] = [], keyIsSecret = true): Verdict {
  const near = judge(targetWords(node), keyIsSecret);
  if (near !== 'unknown') return near;
  const inData = judge(data.flatMap(identifierWords), keyIsSecret);
  if (inData !== 'unknown') return inData;
  return judge(functionWords(node), keyIsSecret);
}

/**
 * The value last assigned to the plain name `node` before it, in its function (or at module
 * level): `aesgcm` in `aesgcm = AESGCM(key); aesgcm.encrypt(...)`. Null when there is none.
 */
export function bindingOf(node: Node | null | undefined, root: Node): Node | null {
  if (node?.type !== 'identifier') return null;
  const fn = enclosingFunction(node);
  for (const scope of fn ? [fn, root] : [root]) {
    let found: Node | null = null;
    for (const a of descendantsIn(scope, 'assignment')) {
      if (!a || a.startIndex > node.startIndex) continue;
      if (scope === root && fn && enclosingFunction(a)) continue;
      if (a.childForFieldName('left')?.text === node.text) found = a.childForFieldName('right');
    }
    if (found) return found;
  }
  return null;
}
