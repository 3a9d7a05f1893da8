import type { Node } from 'web-tree-sitter';
import { insertAt, replaceNode } from '../../server/src/engine/fixes';
import { matchesAny } from '../../server/src/engine/names';
import type { CallSite, Ctx, Rule } from '../../server/src/engine/rule';
import type { Fix } from '../../server/src/engine/types';
import { sinkName } from '../support';
import { purposeOf, stringText } from './context';

/** hashlib constructors of broken digests. */
const HASHLIB = ['hashlib.md5', 'hashlib.sha1', '_hashlib.openssl_md5', '_hashlib.openssl_sha1'];
/** Names `hashlib.new()` accepts for broken digests. */
const WEAK_NAMES = new Set(['md5', 'sha1', 'sha-1', 'sha', 'md4', 'md2', 'mdc2', 'md5-sha1', 'md5_sha1']);
/** PyCryptodome / PyCrypto modules of broken digests (`MD5.new()`). */
const PYCRYPTO = ['Crypto', 'Cryptodome'].flatMap((root) => ['MD2', 'MD4', 'MD5', 'SHA', 'SHA1'].map((h) => `${root}.Hash.${h}.new`));
/** cryptography's hash objects. */
const CRYPTOGRAPHY = ['MD5', 'SHA1'].map((h) => `cryptography.hazmat.primitives.hashes.${h}`);

const DISPLAY: Record<string, string> = { md5: 'MD5', sha1: 'SHA-1', sha: 'SHA-1', 'sha-1': 'SHA-1', md4: 'MD4', md2: 'MD2', mdc2: 'MDC-2', 'md5-sha1': 'MD5-SHA1', md5_sha1: 'MD5-SHA1' };
const display = (name: string) => DISPLAY[name.toLowerCase()] ?? name.toUpperCase();

function weakName(site: CallSite): { algo: string; nameNode?: Node } | null {
  if (matchesAny(site.qname, HASHLIB)) return { algo: display(site.qname!.replace(/^.*(md5|sha1)$/, '$1')) };
  if (matchesAny(site.qname, PYCRYPTO)) return { algo: display(site.qname!.split('.')[2]!) };
  if (matchesAny(site.qname, CRYPTOGRAPHY)) return { algo: display(site.qname!.split('.').pop()!) };
  if (site.qname === 'hashlib.new') {
    const name = site.keywords.get('name') ?? site.positional[0];
    if (name?.type !== 'string') return null;
    const algo = stringText(name).toLowerCase();
    return WEAK_NAMES.has(algo) ? { algo: display(algo), nameNode: name } : null;
  }
  return null;
}

/** `usedforsecurity=False` appended to the call, in the call's own layout. */
function appendKeyword(site: CallSite, arg: string): Fix | undefined {
  const list = site.node.childForFieldName('arguments');
  const close = list?.lastChild;
  if (list?.type !== 'argument_list' || close?.type !== ')') return undefined;
  const before = close.previousSibling;
  const text = !site.args.length ? arg : before?.type === ',' ? ` ${arg}` : `, ${arg}`;
  const at = before && site.args.length ? before.endPosition : close.startPosition;
  return {
    title: `Mark the digest as not for security (${arg})`,
    safe: true,
    edits: [insertAt({ line: at.row, character: at.column }, text)],
  };
}

/** `hashlib.md5(x)` -> `hashlib.sha256(x)`, `hashlib.new("sha1")` -> `hashlib.new("sha256")`, `hashes.SHA1()` -> `hashes.SHA256()`. */
function strongerFix(site: CallSite, nameNode: Node | undefined, ctx: Ctx): Fix | undefined {
  const title = 'Use SHA-256';
  if (nameNode) {
    const content = nameNode.namedChildren.find((c) => c?.type === 'string_content');
    return content ? { title, safe: false, edits: [replaceNode(content, 'sha256')] } : undefined;
  }
  const callee = site.callee;
  if (callee?.type !== 'attribute') return undefined;
  const module = ctx.names.resolve(callee.childForFieldName('object'));
  const attr = callee.childForFieldName('attribute')!;
  if (module === 'hashlib') return { title, safe: false, edits: [replaceNode(attr, 'sha256')] };
  if (module === 'cryptography.hazmat.primitives.hashes') return { title, safe: false, edits: [replaceNode(attr, 'SHA256')] };
  return undefined;
}

const rule: Rule = {
  code: 'SL801',
  name: 'weak-hash-algorithm',
  category: 'crypto',
  summary: 'MD5, SHA-1 or another broken digest used where collisions matter',
  severity: 'medium',
  confidence: 'medium',
  defaultLevel: 'warning',
  maxLevel: 'warning',
  cwe: [327, 328],
  bandit: ['B303', 'B324'],
  ruff: ['S303', 'S324'],
  fix: 'sometimes',
  explanation: {
    what:
      'A broken digest (MD5, SHA-1, MD4, MD2) is created with `hashlib.md5()`/`sha1()`, `hashlib.new("md5")`, PyCryptodome\'s `Crypto.Hash.MD5`/`SHA`/`SHA1`/`MD4`/`MD2` or cryptography\'s `hashes.MD5()`/`hashes.SHA1()`. The level follows what the digest is for, read from the names around it: a variable, argument, keyword or function named for passwords, tokens, signatures, secrets, HMACs or authentication makes it a warning; checksums, ETags, cache keys, file and chunk digests and de-duplication are not reported; anything else is an audit hint. `usedforsecurity=False` is never reported.',
    why:
      'MD5 and SHA-1 collisions can be computed cheaply (chosen-prefix collisions for both), and MD5 preimage resistance is weakened too. A signature, integrity check or token built on them lets an attacker produce a second input with the same digest: a forged document that verifies, a tampered artifact that passes the check. Hashing passwords with them is worse still: they are fast, so stolen hashes are cracked at billions of guesses per second. For non-security uses they are fine, and saying so with `usedforsecurity=False` also keeps the code working on FIPS-mode systems where these digests are blocked.',
    example:
      'import hashlib\n\n\ndef sign_request(secret, body):\n    return hashlib.md5(secret + body).hexdigest()\n\n\ndef object_etag(data):\n    return hashlib.md5(data).hexdigest()',
    useInstead:
      'import hashlib\nimport hmac\n\n\ndef sign_request(secret, body):\n    return hmac.new(secret, body, hashlib.sha256).hexdigest()\n\n\ndef object_etag(data):\n    return hashlib.md5(data, usedforsecurity=False).hexdigest()',
    fixSafety:
      'In a security context the fix switches to SHA-256 (`hashlib.sha256`, `hashlib.new("sha256")`, `hashes.SHA256()`). Unsafe: the digests change, so stored hashes, signatures or tokens made with the old algorithm stop matching, and a password hash still needs a slow KDF rather than SHA-256. For a digest of unknown purpose the fix adds `usedforsecurity=False` to the hashlib call, which is safe (same digest) on Python 3.9 and later.',
    references: [
      'https://cwe.mitre.org/data/definitions/327.html',
      'https://cwe.mitre.org/data/definitions/328.html',
      'https://docs.python.org/3/library/hashlib.html#hashlib.new',
      'https://csrc.nist.gov/projects/hash-functions',
      'https://owasp.org/Top10/A02_2021-Cryptographic_Failures/',
    ],
  },
  // The digests' names (also as import aliases); the pattern: `hashlib.new("MD5")` in any case.
  triggers: ['md5', 'sha1', 'openssl_md5', 'openssl_sha1', 'MD2', 'MD4', 'MD5', 'SHA', 'SHA1'],
  triggerPattern: /\b(?:md[245]|sha1?|mdc2|md5_sha1)\b/i,
  onCall(site, ctx) {
    const weak = weakName(site);
    if (!weak) return;
    const usedFor = site.keywords.get('usedforsecurity');
    if (usedFor?.type === 'false') return;
    const data = site.positional.filter((a) => a.id !== weak.nameNode?.id);
    const purpose = purposeOf(site.node, [...data, ...(site.keywords.has('data') ? [site.keywords.get('data')!] : [])], false);
    if (purpose === 'benign') return;
    const isHashlib = site.qname?.startsWith('hashlib.') ?? false;
    if (purpose === 'security') {
      ctx.report({
        node: site.node,
        message: `${weak.algo} via ${sinkName(site)} protects a secret, signature or credential here, but ${weak.algo} collisions are cheap to compute and it is fast to brute-force. Use SHA-256 (HMAC-SHA256 for signatures, hashlib.scrypt/bcrypt/argon2 for passwords).`,
        level: 'warning',
        fix: strongerFix(site, weak.nameNode, ctx),
      });
      return;
    }
    ctx.report({
      node: site.node,
      message: `${weak.algo} via ${sinkName(site)} is broken for security uses (cheap collisions). If this digest is only a checksum or cache key, say so with usedforsecurity=False; otherwise use SHA-256.`,
      level: 'info',
      confidence: 'low',
      fix: isHashlib && !usedFor && !site.hasSplat ? appendKeyword(site, 'usedforsecurity=False') : undefined,
    });
  },
};

export default rule;
