// Tables shared by the cipher rules: PyCryptodome/PyCrypto modules, cryptography's algorithms
// and modes, and what a constant byte string looks like.
import type { Node } from 'web-tree-sitter';
import type { CallSite, Ctx } from '../../server/src/engine/rule';
import { descendantsIn } from '../../server/src/engine/trees';

const ROOTS = ['Crypto', 'Cryptodome'];
/** `DES.new(...)` and kin: broken or 64-bit-block ciphers. */
export const WEAK_PYCRYPTO: Record<string, string> = {
  DES: 'DES', DES3: 'Triple DES', ARC2: 'RC2', ARC4: 'RC4', Blowfish: 'Blowfish', CAST: 'CAST5', XOR: 'XOR',
};
export const WEAK_PYCRYPTO_CALLS = ROOTS.flatMap((r) => Object.keys(WEAK_PYCRYPTO).map((c) => `${r}.Cipher.${c}.new`));
/** cryptography's algorithm classes for the same ciphers (old and `decrepit` homes). */
export const WEAK_CRYPTOGRAPHY: Record<string, string> = {
  TripleDES: 'Triple DES', Blowfish: 'Blowfish', ARC4: 'RC4', IDEA: 'IDEA', CAST5: 'CAST5', RC2: 'RC2',
};
export const WEAK_CRYPTOGRAPHY_CALLS = ['cryptography.hazmat.primitives.ciphers.algorithms', 'cryptography.hazmat.decrepit.ciphers.algorithms']
  .flatMap((m) => Object.keys(WEAK_CRYPTOGRAPHY).map((c) => `${m}.${c}`));
/** pyDes, a pure-Python DES. */
export const PYDES_CALLS = ['pyDes.des', 'pyDes.triple_des'];

/** Block ciphers whose `new()` takes a mode (stream ciphers take none). */
export const BLOCK_PYCRYPTO_CALLS = ROOTS.flatMap((r) => ['AES', 'DES', 'DES3', 'ARC2', 'Blowfish', 'CAST'].map((c) => `${r}.Cipher.${c}.new`));
export const MODES = 'cryptography.hazmat.primitives.ciphers.modes';

/** The mode argument of a PyCryptodome `new(key, mode, ...)`. */
export function pycryptoMode(site: CallSite): Node | undefined {
  return site.keywords.get('mode') ?? site.positional[1];
}

function literalBytes(node: Node): boolean {
  switch (node.type) {
    case 'string':
    case 'concatenated_string':
      return !node.descendantsOfType('interpolation').some(Boolean);
    case 'parenthesized_expression':
      return !!node.namedChild(0) && literalBytes(node.namedChild(0)!);
    case 'binary_operator': {
      const l = node.childForFieldName('left');
      const r = node.childForFieldName('right');
      const literal = (n: Node | null) => !!n && (n.type === 'integer' || literalBytes(n));
      return literal(l) && literal(r);
    }
    case 'call': {
      // bytes(16), bytearray(16), bytes.fromhex("00ff..."), "0000".encode(), b"0".ljust(16, b"0")
      const fn = node.childForFieldName('function');
      const args = node.childForFieldName('arguments')?.namedChildren.filter((a): a is Node => !!a && a.type !== 'comment') ?? [];
      if (['bytes', 'bytearray', 'bytes.fromhex', 'bytearray.fromhex', 'binascii.unhexlify', 'base64.b64decode'].includes(fn?.text ?? '')) {
        return args.length > 0 && args.every((a) => a.type === 'integer' || literalBytes(a));
      }
      const object = fn?.type === 'attribute' ? fn.childForFieldName('object') : null;
      if (object && ['encode', 'ljust', 'rjust'].includes(fn!.childForFieldName('attribute')?.text ?? '')) return literalBytes(object);
      return false;
    }
    default:
      return false;
  }
}

/** A byte string fixed in the code: a literal, `b"\0" * 16`, `bytes(16)`, or a name bound to one. */
export function isConstantBytes(node: Node, ctx: Ctx): boolean {
  if (literalBytes(node)) return true;
  if (node.type !== 'identifier' && node.type !== 'attribute') return false;
  // A name: constant only if dataflow sees no source at all and a literal binding exists.
  if (ctx.valueOf(node).sources.length > 0) return false;
  return boundToLiteral(node, ctx);
}

function boundToLiteral(node: Node, ctx: Ctx): boolean {
  const name = node.text;
  let scope: Node | null = node.parent;
  while (scope && scope.type !== 'function_definition') scope = scope.parent;
  for (const root of [scope, ctx.module.roots[0]]) {
    if (!root) continue;
    for (const a of descendantsIn(root, 'assignment')) {
      if (!a || a.startIndex > node.startIndex && root === scope) continue;
      if (a.childForFieldName('left')?.text !== name) continue;
      const right = a.childForFieldName('right');
      if (right && literalBytes(right)) return true;
    }
  }
  return false;
}
