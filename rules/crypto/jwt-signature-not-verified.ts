import type { Node } from 'web-tree-sitter';
import { matchesAny } from '../../server/src/engine/names';
import type { Rule } from '../../server/src/engine/rule';
import { sinkName } from '../support';
import { bindingOf, stringText } from './context';

const DECODE = ['jwt.decode', 'jwt.api_jwt.decode', 'jwt.PyJWT().decode', 'jose.jwt.decode'];
const ENCODE = ['jwt.encode', 'jwt.api_jwt.encode', 'jwt.PyJWT().encode', 'jose.jwt.encode', 'jose.jws.sign'];

/** The `"verify_signature": False` pair of a literal options dictionary. */
function verifySignatureOff(options: Node | undefined): Node | null {
  if (options?.type !== 'dictionary') return null;
  for (const pair of options.namedChildren) {
    if (pair?.type !== 'pair') continue;
    const key = pair.childForFieldName('key');
    if (key?.type === 'string' && stringText(key) === 'verify_signature' && pair.childForFieldName('value')?.type === 'false') return pair;
  }
  return null;
}

/** A `"none"` entry of `algorithms=[...]` or the string itself. */
function noneAlgorithm(node: Node | undefined): Node | null {
  if (!node) return null;
  if (node.type === 'string') return stringText(node).toLowerCase() === 'none' ? node : null;
  if (node.type === 'list' || node.type === 'tuple' || node.type === 'set') {
    for (const c of node.namedChildren) if (c && noneAlgorithm(c)) return c;
  }
  return null;
}

const rule: Rule = {
  code: 'SL808',
  name: 'jwt-signature-not-verified',
  category: 'crypto',
  summary: 'JWT decoded without checking its signature, or with the "none" algorithm allowed',
  severity: 'high',
  confidence: 'high',
  defaultLevel: 'warning',
  maxLevel: 'warning',
  cwe: [347],
  bandit: [],
  ruff: [],
  fix: 'none',
  explanation: {
    what:
      'A JSON Web Token is accepted without a real signature check: PyJWT or python-jose `jwt.decode()` with `verify=False` (PyJWT 1.x), `options={"verify_signature": False}`, `"none"` among `algorithms=`, or no `algorithms=` at all (PyJWT 1.x and python-jose then accept whatever algorithm the token names); or a token signed with `algorithm="none"`. `jwt.get_unverified_header()` (reading the `kid` before verifying) and `verify_exp`/`verify_aud` options are not reported.',
    why:
      'The signature is the only thing that ties a JWT\'s claims to its issuer. Without it anyone can write `{"sub": "admin", "roles": ["admin"]}` into a token and be believed. Letting the token choose its algorithm is nearly as bad: `alg: none` strips the signature, and `alg: HS256` with the server\'s RSA public key used as the HMAC secret (algorithm confusion, CVE-2017-11424, CVE-2022-29217) forges a valid one.',
    example:
      'import jwt\n\n\ndef current_user(request, public_key):\n    token = request.headers["Authorization"].split()[1]\n    claims = jwt.decode(token, public_key, options={"verify_signature": False})\n    return claims["sub"]',
    useInstead:
      'import jwt\n\n\ndef current_user(request, public_key):\n    token = request.headers["Authorization"].split()[1]\n    claims = jwt.decode(token, public_key, algorithms=["RS256"], audience="my-api")\n    return claims["sub"]',
    references: [
      'https://cwe.mitre.org/data/definitions/347.html',
      'https://pyjwt.readthedocs.io/en/stable/usage.html#reading-the-claimset-without-validation',
      'https://pyjwt.readthedocs.io/en/stable/api.html#jwt.decode',
      'https://python-jose.readthedocs.io/en/latest/jwt/api.html',
      'https://cheatsheetseries.owasp.org/cheatsheets/JSON_Web_Token_for_Java_Cheat_Sheet.html',
      'https://www.rfc-editor.org/rfc/rfc8725',
    ],
  },
  // `jwt.*`, `jose.jwt.*`, `jose.jws.sign`.
  triggers: ['jwt', 'jws'],
  onCall(site, ctx) {
    if (matchesAny(site.qname, ENCODE)) {
      const none = noneAlgorithm(site.keywords.get('algorithm') ?? site.positional[2]);
      if (none) ctx.report({ node: none, message: `${sinkName(site)} with the "none" algorithm makes an unsigned token that anyone can forge. Sign it: algorithm="HS256" with a secret key or "RS256"/"ES256" with a private key.` });
      return;
    }
    if (!matchesAny(site.qname, DECODE)) return;
    // PyJWT 1.x: decode(jwt, key='', verify=True, ...), so a third positional False is verify=False.
    const verify = site.keywords.get('verify') ?? (site.qname !== 'jose.jwt.decode' ? site.positional[2] : undefined);
    if (verify?.type === 'false') {
      ctx.report({ node: verify.parent?.type === 'keyword_argument' ? verify.parent : verify, message: `\`verify=False\` makes ${sinkName(site)} return the claims without checking the signature, so anyone can forge a token (any user, any role). Verify it: pass the key and algorithms=["RS256"] (or the algorithm you issue).` });
      return;
    }
    const options = site.keywords.get('options');
    // The literal pair, or (for `options=opts` bound earlier) the argument at the call.
    const off = verifySignatureOff(options) ?? (verifySignatureOff(bindingOf(options, ctx.module.roots[0]) ?? undefined) && options?.parent);
    if (off) {
      ctx.report({ node: off, message: `\`"verify_signature": False\` makes ${sinkName(site)} trust the claims without checking the signature, so anyone can forge a token. Verify it with the issuer's key and algorithms=[...]; to read the key id first, use jwt.get_unverified_header().` });
      return;
    }
    const algorithms = site.keywords.get('algorithms') ?? (site.qname === 'jose.jwt.decode' ? site.positional[2] : undefined);
    const none = noneAlgorithm(algorithms);
    if (none) {
      ctx.report({ node: none, message: `Allowing the "none" algorithm lets ${sinkName(site)} accept unsigned tokens that anyone can forge. List only the algorithms you issue, e.g. algorithms=["RS256"].` });
      return;
    }
    if (!algorithms && !site.hasSplat && site.positional.length >= 2) {
      ctx.report({ node: site.callee ?? site.node, message: `${sinkName(site)} is called without algorithms=, so (in PyJWT 1.x and python-jose) the token picks its own algorithm: "none" or HS256 keyed with your public key forges a valid token. Pass algorithms=[...] with only the algorithm you issue.` });
    }
  },
};

export default rule;
