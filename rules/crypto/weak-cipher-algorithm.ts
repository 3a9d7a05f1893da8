import { matchesAny } from '../../server/src/engine/names';
import type { Rule } from '../../server/src/engine/rule';
import { sinkName } from '../support';
import { PYDES_CALLS, WEAK_CRYPTOGRAPHY, WEAK_CRYPTOGRAPHY_CALLS, WEAK_PYCRYPTO, WEAK_PYCRYPTO_CALLS } from './ciphers';

const rule: Rule = {
  code: 'SL803',
  name: 'weak-cipher-algorithm',
  category: 'crypto',
  summary: 'Data encrypted with a broken or 64-bit-block cipher (DES, 3DES, RC2, RC4, Blowfish, IDEA, CAST5, XOR)',
  severity: 'high',
  confidence: 'high',
  defaultLevel: 'warning',
  maxLevel: 'warning',
  cwe: [327],
  bandit: ['B304'],
  ruff: ['S304'],
  fix: 'none',
  explanation: {
    what:
      'A cipher object is created for a broken or outdated algorithm: PyCryptodome/PyCrypto `DES.new`, `DES3.new`, `ARC2.new`, `ARC4.new`, `Blowfish.new`, `CAST.new`, `XOR.new`; cryptography `algorithms.TripleDES`, `Blowfish`, `ARC4`, `IDEA`, `CAST5`, `RC2` (including their `decrepit` home); `pyDes.des`/`triple_des`.',
    why:
      'DES keys are brute-forced in hours. RC4 has keystream biases that leak plaintext (it is banned from TLS by RFC 7465). Triple DES, Blowfish, IDEA, CAST5 and RC2 have 64-bit blocks: after a few gigabytes under one key, block collisions leak plaintext (the Sweet32 attack), and NIST withdrew 3DES. XOR with a key is not encryption at all. Data protected with them should be treated as readable by a determined attacker.',
    example:
      'from Crypto.Cipher import DES3\n\n\ndef encrypt_password(key, iv, password):\n    cipher = DES3.new(key, DES3.MODE_CBC, iv)\n    return cipher.encrypt(pad(password))',
    useInstead:
      'import os\n\nfrom cryptography.hazmat.primitives.ciphers.aead import AESGCM\n\n\ndef encrypt_password(key, password):\n    nonce = os.urandom(12)\n    return nonce + AESGCM(key).encrypt(nonce, password, None)\n\n\n# or cryptography.fernet.Fernet for a ready-made recipe',
    references: [
      'https://cwe.mitre.org/data/definitions/327.html',
      'https://sweet32.info/',
      'https://www.rfc-editor.org/rfc/rfc7465',
      'https://csrc.nist.gov/news/2017/update-to-current-use-and-deprecation-of-tdea',
      'https://cryptography.io/en/latest/hazmat/primitives/symmetric-encryption/',
      'https://owasp.org/Top10/A02_2021-Cryptographic_Failures/',
    ],
  },
  triggers: [...new Set([...Object.keys(WEAK_PYCRYPTO), ...Object.keys(WEAK_CRYPTOGRAPHY)]), 'pyDes'],
  onCall(site, ctx) {
    let name: string | undefined;
    if (matchesAny(site.qname, WEAK_PYCRYPTO_CALLS)) name = WEAK_PYCRYPTO[site.qname!.split('.')[2]!];
    else if (matchesAny(site.qname, WEAK_CRYPTOGRAPHY_CALLS)) name = WEAK_CRYPTOGRAPHY[site.qname!.split('.').pop()!];
    else if (matchesAny(site.qname, PYDES_CALLS)) name = site.qname === 'pyDes.des' ? 'DES' : 'Triple DES';
    if (!name) return;
    ctx.report({
      node: site.node,
      message: `${sinkName(site)} encrypts with ${name}, which is broken or too weak (short key, 64-bit blocks or biased keystream): the data can be recovered. Use AES-GCM (cryptography's AESGCM) or ChaCha20-Poly1305, or Fernet.`,
    });
  },
};

export default rule;
