import { matchesAny } from '../../server/src/engine/names';
import type { Rule } from '../../server/src/engine/rule';
import { BLOCK_PYCRYPTO_CALLS, MODES, pycryptoMode } from './ciphers';

const rule: Rule = {
  code: 'SL804',
  name: 'ecb-cipher-mode',
  category: 'crypto',
  summary: 'Block cipher used in ECB mode, which leaks patterns of the plaintext',
  severity: 'medium',
  confidence: 'high',
  defaultLevel: 'warning',
  maxLevel: 'warning',
  cwe: [327],
  bandit: ['B305'],
  ruff: ['S305'],
  fix: 'none',
  explanation: {
    what:
      'A block cipher runs in Electronic Codebook mode: cryptography\'s `modes.ECB()`, PyCryptodome\'s `AES.new(key, AES.MODE_ECB)` (and the same for DES, DES3, ARC2, Blowfish, CAST), or PyCrypto\'s `AES.new(key)` with no mode, whose default is ECB.',
    why:
      'ECB encrypts each block on its own, so equal plaintext blocks give equal ciphertext blocks: the structure of the data shows through (the famous "ECB penguin"), records can be compared, and blocks can be cut, reordered and replayed without the key. ECB also provides no integrity at all.',
    example:
      'from Crypto.Cipher import AES\n\n\ndef seal(key, data):\n    return AES.new(key, AES.MODE_ECB).encrypt(pad(data, 16))',
    useInstead:
      'from Crypto.Cipher import AES\n\n\ndef seal(key, data):\n    cipher = AES.new(key, AES.MODE_GCM)  # random nonce\n    ciphertext, tag = cipher.encrypt_and_digest(data)\n    return cipher.nonce + tag + ciphertext',
    references: [
      'https://cwe.mitre.org/data/definitions/327.html',
      'https://csrc.nist.gov/pubs/sp/800/38/a/final',
      'https://cryptography.io/en/latest/hazmat/primitives/symmetric-encryption/#cryptography.hazmat.primitives.ciphers.modes.ECB',
      'https://owasp.org/Top10/A02_2021-Cryptographic_Failures/',
    ],
  },
  // `modes.ECB`; PyCryptodome's block ciphers by their package.
  triggers: ['ECB', 'Crypto', 'Cryptodome'],
  onCall(site, ctx) {
    const message = 'ECB mode encrypts equal blocks to equal ciphertext, so patterns in the data show through and blocks can be swapped or replayed. Use an authenticated mode: AES-GCM (cryptography\'s AESGCM, or AES.MODE_GCM) with a fresh nonce per message.';
    if (site.qname === `${MODES}.ECB`) {
      ctx.report({ node: site.node, message });
      return;
    }
    if (!matchesAny(site.qname, BLOCK_PYCRYPTO_CALLS) || site.hasSplat) return;
    const mode = pycryptoMode(site);
    if (!mode) {
      // PyCryptodome requires a mode; PyCrypto, which accepts none, defaults to ECB.
      if (site.positional.length === 1) ctx.report({ node: site.node, message: `No mode is given, and PyCrypto then uses ECB. ${message}` });
      return;
    }
    if (/(^|\.)MODE_ECB$/.test(mode.text) || mode.text === '1') ctx.report({ node: mode, message });
  },
};

export default rule;
