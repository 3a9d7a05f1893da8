import type { Node } from 'web-tree-sitter';
import { replaceNode } from '../../server/src/engine/fixes';
import { matchesAny } from '../../server/src/engine/names';
import type { CallSite, Ctx, Rule } from '../../server/src/engine/rule';
import type { Fix } from '../../server/src/engine/types';
import { HTTP_METHODS, HTTPX_CALLS, REQUESTS_FUNCTIONS, sinkName } from '../support';
import { stringText, words } from '../crypto/context';
import { descendantsIn } from '../../server/src/engine/trees';

const CLIENTS = [...REQUESTS_FUNCTIONS, ...HTTPX_CALLS, 'urllib.request.urlopen', 'urllib.request.Request', 'urllib3.request', 'aiohttp.request'];
/** Header names that carry credentials. */
const AUTH_HEADER = /^(authorization|proxy-authorization|cookie|x-auth-token|x-subject-token|x-api-key|api-key|apikey|x-access-token|x-csrf-token|private-token|x-vault-token)$|token|secret|password|api[-_]?key/i;
const SECRET_WORDS = new Set(['password', 'passwd', 'pwd', 'passphrase', 'secret', 'token', 'apikey', 'credentials', 'credential']);
/** Loopback peers: nothing crosses a network. */
const LOCAL = /^http:\/\/(localhost|127\.\d+\.\d+\.\d+|\[::1\])([:/?#]|$)/i;
const USERINFO = /^http:\/\/[^/@\s]+:[^/@\s]+@/i;
const QUERY_SECRET = /[?&](password|passwd|pwd|secret|token|access_token|api_?key|apikey|client_secret)=/i;

/** The string literal a URL expression starts with: the literal itself, an f-string, or the left of `+`. */
function leadingString(node: Node | undefined | null, ctx: Ctx, depth = 0): Node | null {
  if (!node || depth > 4) return null;
  if (node.type === 'string') return node;
  if (node.type === 'binary_operator') return leadingString(node.childForFieldName('left'), ctx, depth + 1);
  if (node.type === 'call') {
    const fn = node.childForFieldName('function');
    // "http://{}/login".format(host)
    if (fn?.type === 'attribute' && fn.childForFieldName('attribute')?.text === 'format') return leadingString(fn.childForFieldName('object'), ctx, depth + 1);
    return null;
  }
  if (node.type === 'identifier') {
    // A module-level or same-function constant.
    let scope: Node | null = node.parent;
    while (scope && scope.type !== 'function_definition') scope = scope.parent;
    for (const root of [scope, ctx.module.roots[0]]) {
      for (const a of root ? descendantsIn(root, 'assignment') : []) {
        if (a?.childForFieldName('left')?.text !== node.text) continue;
        if (root === ctx.module.roots[0] && a.parent?.parent?.type !== 'module') continue;
        if (a.startIndex > node.startIndex && root === scope) continue;
        const s = leadingString(a.childForFieldName('right'), ctx, depth + 1);
        if (s) return s;
      }
    }
  }
  return null;
}

function urlText(s: Node): string {
  // The text up to the first interpolation: enough for the scheme, host and user info.
  let out = '';
  for (const c of s.namedChildren) {
    if (!c || c.type === 'string_start') continue;
    if (c.type === 'string_content' || c.type === 'escape_sequence') out += c.text;
    else if (c.type === 'interpolation') out += '{x}';
  }
  return out;
}

function dictKeys(node: Node | undefined): string[] {
  if (node?.type === 'dictionary') {
    return node.namedChildren.filter((p) => p?.type === 'pair').map((p) => p!.childForFieldName('key')).filter((k): k is Node => k?.type === 'string').map(stringText);
  }
  if (node?.type === 'call' && node.childForFieldName('function')?.text === 'dict') {
    return node.childForFieldName('arguments')?.namedChildren.filter((a) => a?.type === 'keyword_argument').map((a) => a!.childForFieldName('name')?.text ?? '') ?? [];
  }
  return [];
}

/** Field names that describe a secret without holding one: `token_type`, `password_policy`. */
const DESCRIBES = new Set(['type', 'url', 'uri', 'endpoint', 'expires', 'expiry', 'expiration', 'length', 'format', 'policy', 'hint', 'reset', 'changed', 'required']);

/** The secret in the URL itself: user info or a query parameter. */
function urlCredential(url: string): string | null {
  if (USERINFO.test(url)) return 'the user name and password in the URL';
  if (QUERY_SECRET.test(url)) return 'a secret in the query string';
  return null;
}

/** What credential the call's arguments carry, for the message; null when none we can see. */
function credential(site: CallSite): string | null {
  const auth = site.keywords.get('auth');
  if (auth && auth.type !== 'none') return '`auth=` credentials';
  const header = dictKeys(site.keywords.get('headers')).find((k) => AUTH_HEADER.test(k));
  if (header) return `the \`${header}\` header`;
  for (const kw of ['data', 'json', 'params']) {
    const key = dictKeys(site.keywords.get(kw)).find((k) => {
      const ws = words(k);
      const secret = ws.some((w) => SECRET_WORDS.has(w)) || /api_?key|client_secret|access_key|private_key/i.test(k);
      return secret && !ws.some((w) => DESCRIBES.has(w));
    });
    if (key) return `the \`${key}\` field`;
  }
  return null;
}

const rule: Rule = {
  code: 'SL405',
  name: 'cleartext-credentials-over-http',
  category: 'transport',
  summary: 'Credentials or tokens sent to a plain `http://` URL',
  severity: 'high',
  confidence: 'high',
  defaultLevel: 'warning',
  maxLevel: 'warning',
  cwe: [319, 523],
  bandit: [],
  ruff: [],
  fix: 'sometimes',
  explanation: {
    what:
      'An HTTP request (requests, httpx, urllib, aiohttp, or a session\'s `get/post/...`) goes to a URL written as `http://` (a literal, an f-string, `"http://..." + path`, `.format()`, or a constant holding one) and carries credentials: `auth=`, a user name and password in the URL, a secret in the query string, an `Authorization`/`X-Auth-Token`/`Cookie`/API-key header, or a password, secret or token field in `data=`/`json=`/`params=`. Loopback URLs (`localhost`, `127.x`, `[::1]`) and requests without credentials are not reported.',
    why:
      'Plain HTTP is readable and changeable by anyone on the path: the same Wi-Fi or VLAN, a proxy, a compromised router. The password, bearer token or API key is captured from a single request and replayed; with basic auth it is only base64-encoded. Internal networks are not a defence: attackers who get a foothold sniff exactly this traffic to move laterally.',
    example:
      'import requests\n\nKEYSTONE = "http://keystone.example.com:5000/v3"\n\n\ndef get_token(user, password):\n    body = {"auth": {"identity": {"password": {"user": {"name": user, "password": password}}}}}\n    return requests.post(KEYSTONE + "/auth/tokens", json=body, timeout=10)',
    useInstead:
      'import requests\n\nKEYSTONE = "https://keystone.example.com:5000/v3"\n\n\ndef get_token(user, password):\n    body = {"auth": {"identity": {"password": {"user": {"name": user, "password": password}}}}}\n    return requests.post(KEYSTONE + "/auth/tokens", json=body, timeout=10)',
    fixSafety:
      'Unsafe: the fix changes `http://` to `https://` in the URL literal (or in the constant it comes from). The server must serve HTTPS on that host and port (often a different port, e.g. 80 -> 443 when none is written) with a certificate the client trusts; otherwise requests fail.',
    references: [
      'https://cwe.mitre.org/data/definitions/319.html',
      'https://cwe.mitre.org/data/definitions/523.html',
      'https://owasp.org/Top10/A02_2021-Cryptographic_Failures/',
      'https://cheatsheetseries.owasp.org/cheatsheets/Transport_Layer_Security_Cheat_Sheet.html',
    ],
  },
  // The method names (`x.get(`, `requests.post`, `urllib.request.urlopen`, `urllib3.request`) and httpx's
  // clients. The URL may be a module constant, so nothing about `http://` itself is necessary here.
  triggers: [...HTTP_METHODS, 'httpx'],
  // The URL literal starts with `http://` (it may be a module constant far from the call), and
  // a credential is carried: a word of `auth=`, AUTH_HEADER, SECRET_WORDS, the key patterns or
  // QUERY_SECRET (the words as written in a literal's text or a keyword), or user info in the URL.
  fileTrigger: /^(?=[^]*?http:\/\/)[^]*?(?:auth|cookie|token|secret|passw|pwd|passphrase|credential|api[-_]?key|access_key|private_key|http:\/\/[^@]*@)/i,
  onCall(site, ctx) {
    const known = matchesAny(site.qname, CLIENTS);
    const method = site.callee?.type === 'attribute' ? site.callee.childForFieldName('attribute')?.text ?? '' : '';
    if (!known && !HTTP_METHODS.includes(method)) return;
    const urlArg = site.keywords.get('url') ?? (site.qname?.endsWith('.request') || method === 'request' ? site.positional[1] : site.positional[0]);
    if (!urlArg) return;
    // Cheap checks first: `d.get(name)` is far more common than a request, so a name is only
    // looked up when the call carries credentials of its own.
    const carried = credential(site);
    if (!carried && !['string', 'binary_operator', 'call'].includes(urlArg.type)) return;
    const literal = leadingString(urlArg, ctx);
    if (!literal) return;
    const url = urlText(literal);
    if (!/^http:\/\//i.test(url) || LOCAL.test(url)) return;
    const what = carried ?? urlCredential(url);
    if (!what) return;
    const content = literal.namedChildren.find((c) => c?.type === 'string_content');
    const fix: Fix | undefined = content && /^http:\/\//i.test(content.text)
      ? { title: 'Use https://', safe: false, edits: [replaceNode(content, content.text.replace(/^http:/i, 'https:'))] }
      : undefined;
    ctx.report({
      node: urlArg!,
      message: `${sinkName(site)} sends ${what} to a plain http:// URL: anyone on the network path can read and replay them. Use https:// (with certificate verification).`,
      fix,
    });
  },
};

export default rule;
