import type { Node } from 'web-tree-sitter';
import { replaceNode } from '../../server/src/engine/fixes';
import { matchesAny } from '../../server/src/engine/names';
import type { CallSite, Ctx, Rule } from '../../server/src/engine/rule';
import type { Fix } from '../../server/src/engine/types';
import { sinkName, topLevelAssignments } from '../support';

const ASYM = 'cryptography.hazmat.primitives.asymmetric';
/** Key generators taking a size in bits: where the size sits and the algorithm's name. */
const SIZED: { names: string[]; keyword: string; index: number; algo: string }[] = [
  { names: [`${ASYM}.rsa.generate_private_key`], keyword: 'key_size', index: 1, algo: 'RSA' },
  { names: [`${ASYM}.dsa.generate_private_key`, `${ASYM}.dsa.generate_parameters`], keyword: 'key_size', index: 0, algo: 'DSA' },
  { names: [`${ASYM}.dh.generate_parameters`], keyword: 'key_size', index: 1, algo: 'DH' },
  { names: ['Crypto', 'Cryptodome'].map((r) => `${r}.PublicKey.RSA.generate`), keyword: 'bits', index: 0, algo: 'RSA' },
  { names: ['Crypto', 'Cryptodome'].map((r) => `${r}.PublicKey.DSA.generate`), keyword: 'bits', index: 0, algo: 'DSA' },
  { names: ['paramiko.RSAKey.generate', 'paramiko.rsakey.RSAKey.generate'], keyword: 'bits', index: 0, algo: 'RSA' },
  { names: ['paramiko.DSSKey.generate', 'paramiko.dsskey.DSSKey.generate'], keyword: 'bits', index: 0, algo: 'DSA' },
  { names: ['rsa.newkeys'], keyword: 'nbits', index: 0, algo: 'RSA' },
  { names: ['M2Crypto.RSA.gen_key'], keyword: 'bits', index: 0, algo: 'RSA' },
  { names: ['M2Crypto.DSA.gen_params'], keyword: 'bits', index: 0, algo: 'DSA' },
];
const EC = [`${ASYM}.ec.generate_private_key`, `${ASYM}.ec.derive_private_key`];
/** Curves under 224 bits, with the size. */
const WEAK_CURVES: Record<string, number> = { SECP192R1: 192, SECT163K1: 163, SECT163R2: 163 };
const MIN_BITS = 2048;

function sizeArg(site: CallSite): { node: Node; algo: string } | null {
  for (const s of SIZED) {
    if (!matchesAny(site.qname, s.names)) continue;
    const node = site.keywords.get(s.keyword) ?? site.positional[s.index];
    return node ? { node, algo: s.algo } : null;
  }
  // pyOpenSSL: key.generate_key(crypto.TYPE_RSA, 1024)
  if (site.qname?.endsWith('.generate_key') && /(^|\.)TYPE_(RSA|DSA)$/.test(site.positional[0]?.text ?? '') && site.positional[1]) {
    return { node: site.positional[1], algo: site.positional[0]!.text.endsWith('RSA') ? 'RSA' : 'DSA' };
  }
  return null;
}

/** The integer value of a literal or a name bound to one at module level. */
function intValue(node: Node, ctx: Ctx): number | null {
  if (node.type === 'integer') return Number(node.text.replace(/_/g, ''));
  if (node.type !== 'identifier') return null;
  // The first top-level assignment to it.
  const right = topLevelAssignments(ctx).get(node.text)?.[0];
  return right?.type === 'integer' ? Number(right.text.replace(/_/g, '')) : null;
}

const rule: Rule = {
  code: 'SL806',
  name: 'weak-crypto-key-size',
  category: 'crypto',
  summary: 'RSA/DSA/DH key under 2048 bits or elliptic curve under 224 bits',
  severity: 'high',
  confidence: 'high',
  defaultLevel: 'warning',
  maxLevel: 'warning',
  cwe: [326],
  bandit: ['B505'],
  ruff: ['S505'],
  fix: 'sometimes',
  explanation: {
    what:
      'A key is generated too small: RSA, DSA or DH under 2048 bits (cryptography\'s `rsa/dsa.generate_private_key`, `dsa/dh.generate_parameters`, PyCryptodome\'s `RSA/DSA.generate`, paramiko\'s `RSAKey/DSSKey.generate`, python-rsa\'s `rsa.newkeys`, M2Crypto\'s `RSA.gen_key`, pyOpenSSL\'s `PKey.generate_key(TYPE_RSA, bits)`), or an elliptic-curve key on a curve under 224 bits (`SECP192R1`, `SECT163K1`, `SECT163R2`). The size is read from a literal or a module-level constant.',
    why:
      '512-bit RSA is factored in hours on rented machines and 768-bit RSA has been publicly factored; 1024-bit RSA/DSA/DH is within reach of well-funded attackers and is disallowed by NIST since 2013. Keys generated today often live for years, and whatever they sign or protect can be forged or read once they fall.',
    example:
      'from cryptography.hazmat.primitives.asymmetric import rsa\n\n\ndef make_instance_key():\n    return rsa.generate_private_key(public_exponent=65537, key_size=1024)',
    useInstead:
      'from cryptography.hazmat.primitives.asymmetric import ec, rsa\n\n\ndef make_instance_key():\n    return rsa.generate_private_key(public_exponent=65537, key_size=3072)\n\n\n# or a modern curve: ec.generate_private_key(ec.SECP256R1()) / Ed25519PrivateKey.generate()',
    fixSafety:
      `Unsafe: the fix raises a literal key size to ${MIN_BITS} bits (or switches the curve to SECP256R1). Only newly generated keys change, but their peers must accept the new size or curve (old embedded devices may not), key generation and signing get slower, and fixed-size buffers or database columns sized for the old key may need to grow. 3072 bits is the choice for keys that must last beyond 2030.`,
    references: [
      'https://cwe.mitre.org/data/definitions/326.html',
      'https://csrc.nist.gov/pubs/sp/800/131/a/r2/final',
      'https://cryptography.io/en/latest/hazmat/primitives/asymmetric/rsa/#generation',
      'https://www.keylength.com/',
    ],
  },
  // A segment of each generator's name (`rsa.generate_private_key`, `RSA.generate`, `paramiko.RSAKey.generate`,
  // `rsa.newkeys`, `M2Crypto.RSA.gen_key`), pyOpenSSL's key types, the weak curves by name.
  triggers: ['generate_private_key', 'generate_parameters', 'RSA', 'DSA', 'RSAKey', 'DSSKey', 'newkeys', 'TYPE_RSA', 'TYPE_DSA', ...Object.keys(WEAK_CURVES)],
  onCall(site, ctx) {
    if (matchesAny(site.qname, EC)) {
      const curve = site.keywords.get('curve') ?? site.positional[site.qname!.endsWith('derive_private_key') ? 1 : 0];
      const fn = curve?.type === 'call' ? curve.childForFieldName('function') : curve;
      const name = fn?.type === 'attribute' ? fn.childForFieldName('attribute') : fn;
      const bits = name ? WEAK_CURVES[name.text] : undefined;
      if (!curve || !name || !bits) return;
      ctx.report({
        node: curve,
        message: `${name.text} is a ${bits}-bit curve, below the 224-bit minimum: keys on it are within reach of attackers. Use SECP256R1 (or Ed25519/X25519).`,
        fix: { title: 'Use the SECP256R1 curve', safe: false, edits: [replaceNode(name, 'SECP256R1')] },
      });
      return;
    }
    const arg = sizeArg(site);
    if (!arg) return;
    const bits = intValue(arg.node, ctx);
    if (bits === null || bits >= MIN_BITS) return;
    const fix: Fix | undefined = arg.node.type === 'integer'
      ? { title: `Generate a ${MIN_BITS}-bit key`, safe: false, edits: [replaceNode(arg.node, String(MIN_BITS))] }
      : undefined;
    ctx.report({
      node: arg.node,
      message: `${sinkName(site)} makes a ${bits}-bit ${arg.algo} key; under ${MIN_BITS} bits it can be broken (1024-bit keys are within reach of well-funded attackers, 512-bit ones of anyone). Use at least ${MIN_BITS} bits (3072 for long-lived keys).`,
      fix,
    });
  },
};

export default rule;
