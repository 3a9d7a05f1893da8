import type { Node } from 'web-tree-sitter';
import { matchesAny } from '../../server/src/engine/names';
import type { CallSite, Ctx, Rule } from '../../server/src/engine/rule';
import { BLOCK_PYCRYPTO_CALLS, isConstantBytes, MODES } from './ciphers';
import { bindingOf } from './context';

/** cryptography modes whose first argument is the IV or nonce. */
const MODE_IV = ['CBC', 'CFB', 'CFB8', 'OFB', 'CTR', 'GCM', 'XTS'].map((m) => `${MODES}.${m}`);
/** AEAD objects whose `encrypt(nonce, data, aad)` takes the nonce first. */
const AEAD = ['AESGCM', 'AESCCM', 'AESOCB3', 'AESSIV', 'ChaCha20Poly1305', 'AESGCMSIV'].map((c) => `cryptography.hazmat.primitives.ciphers.aead.${c}().encrypt`);
const STREAM_PYCRYPTO = ['Crypto', 'Cryptodome'].flatMap((r) => ['ChaCha20', 'Salsa20', 'ChaCha20_Poly1305'].map((c) => `${r}.Cipher.${c}.new`));

const AEAD_CLASSES = AEAD.map((q) => q.replace(/\(\)\.encrypt$/, ''));

/** `aesgcm.encrypt(nonce, ...)` where `aesgcm = AESGCM(key)` earlier in the function. */
function isAeadObjectEncrypt(site: CallSite, ctx: Ctx): boolean {
  const callee = site.callee;
  if (callee?.type !== 'attribute' || callee.childForFieldName('attribute')?.text !== 'encrypt') return false;
  const bound = bindingOf(callee.childForFieldName('object'), ctx.module.roots[0]);
  return bound?.type === 'call' && matchesAny(ctx.names.resolve(bound.childForFieldName('function')), AEAD_CLASSES);
}

function ivArg(site: CallSite, ctx: Ctx): Node | undefined {
  if (isAeadObjectEncrypt(site, ctx)) return site.keywords.get('nonce') ?? site.positional[0];
  if (matchesAny(site.qname, MODE_IV)) return site.keywords.get('initialization_vector') ?? site.keywords.get('nonce') ?? site.keywords.get('tweak') ?? site.positional[0];
  if (matchesAny(site.qname, AEAD)) return site.keywords.get('nonce') ?? site.positional[0];
  if (matchesAny(site.qname, BLOCK_PYCRYPTO_CALLS)) return site.keywords.get('iv') ?? site.keywords.get('IV') ?? site.keywords.get('nonce') ?? site.positional[2];
  if (matchesAny(site.qname, STREAM_PYCRYPTO)) return site.keywords.get('nonce');
  return undefined;
}

const rule: Rule = {
  code: 'SL805',
  name: 'static-cipher-iv',
  category: 'crypto',
  summary: 'Cipher IV or nonce fixed in the code (zero bytes, a literal, a constant)',
  severity: 'high',
  confidence: 'high',
  defaultLevel: 'warning',
  maxLevel: 'warning',
  cwe: [329, 1204],
  bandit: [],
  ruff: [],
  fix: 'none',
  explanation: {
    what:
      'The initialisation vector or nonce given to a cipher is a constant: a bytes literal, `b"\\x00" * 16`, `bytes(16)`, `"...".encode()`, or a name bound to one. Checked for cryptography\'s `modes.CBC/CFB/OFB/CTR/GCM/XTS(iv)`, its AEAD objects\' `encrypt(nonce, ...)` (`AESGCM(key).encrypt`, `ChaCha20Poly1305(key).encrypt`), and PyCryptodome\'s `AES.new(key, mode, iv)` / `iv=` / `nonce=`.',
    why:
      'An IV must be unpredictable (CBC) and a nonce must never repeat under one key (CTR, GCM, ChaCha20). With a fixed IV, CBC leaks which messages share a prefix; with a fixed nonce, CTR and GCM reuse the keystream, so XOR of two ciphertexts gives the XOR of the plaintexts, and GCM\'s authentication key can be recovered and messages forged.',
    example:
      'from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes\n\nIV = b"\\x00" * 16\n\n\ndef encrypt(key, data):\n    enc = Cipher(algorithms.AES(key), modes.CBC(IV)).encryptor()\n    return enc.update(data) + enc.finalize()',
    useInstead:
      'import os\n\nfrom cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes\n\n\ndef encrypt(key, data):\n    iv = os.urandom(16)  # stored beside the ciphertext\n    enc = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()\n    return iv + enc.update(data) + enc.finalize()',
    references: [
      'https://cwe.mitre.org/data/definitions/329.html',
      'https://cwe.mitre.org/data/definitions/1204.html',
      'https://cryptography.io/en/latest/hazmat/primitives/symmetric-encryption/#modes',
      'https://csrc.nist.gov/pubs/sp/800/38/d/final',
    ],
  },
  // The modes taking an IV, AEAD objects' `encrypt`, PyCryptodome's ciphers by their package.
  triggers: ['CBC', 'CFB', 'CFB8', 'OFB', 'CTR', 'GCM', 'XTS', 'encrypt', 'Crypto', 'Cryptodome'],
  onCall(site, ctx) {
    const iv = ivArg(site, ctx);
    if (!iv || !isConstantBytes(iv, ctx)) return;
    ctx.report({
      node: iv,
      message: 'This IV/nonce is fixed in the code, so every message under the key reuses it: CBC then leaks equal prefixes, and CTR/GCM reuse the keystream (plaintexts recoverable, GCM tags forgeable). Generate a fresh one per message with os.urandom() and store it beside the ciphertext.',
    });
  },
};

export default rule;
