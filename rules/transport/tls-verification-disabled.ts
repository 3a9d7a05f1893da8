import type { Node } from 'web-tree-sitter';
import { compact, ensureImport, removeArgument, replaceNode } from '../../server/src/engine/fixes';
import { matchesAny } from '../../server/src/engine/names';
import type { CallSite, Ctx, Rule } from '../../server/src/engine/rule';
import type { Fix } from '../../server/src/engine/types';
import { HTTP_METHODS, HTTPX_CALLS, REQUESTS_FUNCTIONS, sinkName } from '../support';
import { descendantsIn } from '../../server/src/engine/trees';

type Library = 'requests' | 'httpx' | 'aiohttp';

const METHODS = HTTP_METHODS;
const REQUESTS = [
  ...REQUESTS_FUNCTIONS,
  ...['requests.Session()', 'requests.session()', 'requests.sessions.Session()'].flatMap((s) => [...METHODS, 'send'].map((m) => `${s}.${m}`)),
];
const HTTPX = HTTPX_CALLS;
const AIOHTTP = [
  'aiohttp.TCPConnector', 'aiohttp.request', 'aiohttp.connector.TCPConnector',
  ...[...METHODS, 'ws_connect'].map((m) => `aiohttp.ClientSession().${m}`),
];
/** Objects whose methods take the same option as the library's functions. */
const SESSIONS: { names: string[]; library: Library }[] = [
  { names: ['requests.Session', 'requests.session', 'requests.sessions.Session'], library: 'requests' },
  { names: ['aiohttp.ClientSession', 'aiohttp.client.ClientSession'], library: 'aiohttp' },
];
/** The option that turns certificate checks off, per library. */
const OPTIONS: Record<Library, string[]> = { requests: ['verify'], httpx: ['verify'], aiohttp: ['ssl', 'verify_ssl'] };
const UNVERIFIED_CONTEXT = ['ssl._create_unverified_context', 'ssl._create_stdlib_context'];
/** Arguments `ssl.create_default_context()` accepts too. */
const CONTEXT_ARGS = new Set(['purpose', 'cafile', 'capath', 'cadata']);

/** `cert_reqs=` values meaning "no certificate check" (ssl constants, urllib3's strings). */
const CERT_NONE = /^(ssl\.)?CERT_NONE$/;
const CERT_NONE_STRINGS = new Set(['CERT_NONE', 'NONE', 'none']);

/** `ssl.CERT_NONE`, `CERT_NONE` imported from ssl, or urllib3's `"CERT_NONE"`. */
function certNone(node: Node | null | undefined, ctx: Ctx): Node | null {
  if (!node) return null;
  if (node.type === 'string') {
    const content = node.namedChildren.find((c) => c?.type === 'string_content');
    return content && CERT_NONE_STRINGS.has(content.text) ? content : null;
  }
  if (node.type !== 'attribute' && node.type !== 'identifier') return null;
  const q = ctx.names.resolve(node);
  if (q !== 'ssl.CERT_NONE' && !(q?.endsWith('.CERT_NONE') && CERT_NONE.test(node.text))) return null;
  return node.type === 'attribute' ? node.childForFieldName('attribute') : node;
}

/**
 * A server's context (`SSLContext(PROTOCOL_TLS_SERVER)`, `create_default_context(Purpose.CLIENT_AUTH)`):
 * not asking clients for certificates is the normal setting there.
 */
function isServerContext(receiver: Node, ctx: Ctx): boolean {
  let scope: Node | null = receiver.parent;
  while (scope && scope.type !== 'function_definition') scope = scope.parent;
  for (const root of [scope, ctx.module.roots[0]]) {
    if (!root) continue;
    for (const a of descendantsIn(root, 'assignment')) {
      if (a?.childForFieldName('left')?.text !== receiver.text) continue;
      if (/PROTOCOL_TLS_SERVER|CLIENT_AUTH|server_side\s*=\s*True/.test(a.childForFieldName('right')?.text ?? '')) return true;
    }
  }
  return false;
}

/** `CERT_NONE` -> `CERT_REQUIRED`, through the ssl module when the name was imported bare. */
function certRequiredFix(none: Node, ctx: Ctx): Fix {
  const title = 'Require certificates (CERT_REQUIRED)';
  if (none.type === 'identifier' && none.parent?.type !== 'attribute') {
    return { title, safe: false, edits: compact([replaceNode(none, 'ssl.CERT_REQUIRED'), ensureImport(ctx.module, ctx.text, 'ssl')]) };
  }
  return { title, safe: false, edits: [replaceNode(none, 'CERT_REQUIRED')] };
}

/** Code that serves TLS: its own key and certificate, a listening socket. */
const SERVES = /use_privatekey|use_certificate|\.listen\(|\.accept\(|server_side\s*=\s*True/;

function enclosingText(node: Node): string {
  let fn: Node | null = node.parent;
  while (fn && fn.type !== 'function_definition') fn = fn.parent;
  return (fn ?? node).text;
}

/** Inside `if conf.insecure:`, `if not verify_ssl:` or `if not server_hostname:`: an explicit opt-out, or no name to check. */
const OPT_OUT = /insecure|verify|hostname|no_?ssl|skip_?tls|tls_?skip|ssl_?skip|allow_?self_?signed|self_?signed/i;
function optedOut(node: Node): boolean {
  for (let p = node.parent; p && p.type !== 'function_definition'; p = p.parent) {
    if (p.type === 'if_statement' && OPT_OUT.test(p.childForFieldName('condition')?.text ?? '')) return true;
  }
  return false;
}

function insideDefinition(node: Node): boolean {
  for (let p = node.parent; p; p = p.parent) if (p.type === 'function_definition' || p.type === 'class_definition') return true;
  return false;
}

/**
 * The library behind `session.get(...)` / `self.session.get(...)`: the receiver is assigned from
 * `requests.Session()` (or bound by `with aiohttp.ClientSession() as session`) in the enclosing
 * function, class or module.
 */
function sessionLibrary(site: CallSite, ctx: Ctx): Library | null {
  const callee = site.callee;
  if (callee?.type !== 'attribute') return null;
  const method = callee.childForFieldName('attribute')?.text ?? '';
  const receiver = callee.childForFieldName('object');
  if (![...METHODS, 'ws_connect'].includes(method) || !receiver) return null;
  const isSelf = receiver.type === 'attribute' && /^(self|cls)$/.test(receiver.childForFieldName('object')?.text ?? '');
  if (receiver.type !== 'identifier' && !isSelf) return null;
  const scopeTypes = isSelf ? ['class_definition'] : ['function_definition'];
  let scope: Node | null = receiver.parent;
  while (scope && !scopeTypes.includes(scope.type)) scope = scope.parent;
  const roots: [Node | null, boolean][] = [[scope, false], [ctx.module.roots[0], true]];
  for (const [root, isModule] of roots) {
    if (!root) continue;
    for (const n of descendantsIn(root, ['assignment', 'as_pattern'])) {
      // In the module, only module-level bindings: another function's `session` is another object.
      if (!n || (isModule && insideDefinition(n))) continue;
      const target = n.type === 'assignment' ? n.childForFieldName('left') : n.childForFieldName('alias')?.namedChild(0);
      const value = n.type === 'assignment' ? n.childForFieldName('right') : n.namedChild(0);
      if (target?.text !== receiver.text || value?.type !== 'call') continue;
      const q = ctx.names.resolve(value.childForFieldName('function'));
      const session = SESSIONS.find((s) => matchesAny(q, s.names));
      if (session) return session.library;
    }
  }
  return null;
}

function libraryOf(site: CallSite, ctx: Ctx): Library | null {
  if (matchesAny(site.qname, REQUESTS)) return 'requests';
  if (matchesAny(site.qname, HTTPX)) return 'httpx';
  if (matchesAny(site.qname, AIOHTTP)) return 'aiohttp';
  return sessionLibrary(site, ctx);
}

function unverifiedContextFix(site: CallSite, ctx: Ctx): Fix | undefined {
  const callee = site.callee;
  if (!callee || site.hasSplat || site.positional.length > 0) return undefined;
  if ([...site.keywords.keys()].some((k) => !CONTEXT_ARGS.has(k))) return undefined;
  const title = 'Use ssl.create_default_context(), which verifies certificates and host names';
  if (callee.type === 'attribute' && ctx.names.resolve(callee.childForFieldName('object')) === 'ssl') {
    return { title, safe: false, edits: [replaceNode(callee.childForFieldName('attribute')!, 'create_default_context')] };
  }
  if (callee.type === 'identifier') {
    return { title, safe: false, edits: compact([replaceNode(callee, 'ssl.create_default_context'), ensureImport(ctx.module, ctx.text, 'ssl')]) };
  }
  return undefined;
}

/**
 * requests and httpx: `verify=False` -> `verify=True`. aiohttp: drop the option, since before 3.9
 * `ssl=True` meant "no verification" and only the default verified in every version.
 */
function optionFix(site: CallSite, library: Library, name: string, value: Node, ctx: Ctx): Fix | undefined {
  if (library !== 'aiohttp') return { title: `Verify certificates (${name}=True)`, safe: false, edits: [replaceNode(value, 'True')] };
  const removal = value.parent && removeArgument(ctx.text, site.args, value.parent);
  return removal ? { title: `Verify certificates (remove ${name}=False)`, safe: false, edits: [removal] } : undefined;
}

const rule: Rule = {
  code: 'SL401',
  name: 'tls-verification-disabled',
  category: 'transport',
  summary: 'HTTPS request or SSL context with certificate verification turned off',
  severity: 'high',
  confidence: 'high',
  defaultLevel: 'warning',
  maxLevel: 'warning',
  cwe: [295],
  bandit: ['B501', 'B323'],
  ruff: ['S501', 'S323'],
  fix: 'sometimes',
  explanation: {
    what:
      'TLS certificate verification is switched off: `verify=False` passed to `requests` (module functions, `requests.Session()` objects) or `httpx` (functions, `Client`, `AsyncClient`), `ssl=False` / `verify_ssl=False` passed to `aiohttp`, an SSL context made by `ssl._create_unverified_context()` (or installed process-wide as `ssl._create_default_https_context`), `context.verify_mode = ssl.CERT_NONE`, `context.check_hostname = False`, `cert_reqs=ssl.CERT_NONE` / `"CERT_NONE"` (urllib3 pools, `ssl.wrap_socket`), or pyOpenSSL\'s `context.set_verify(SSL.VERIFY_NONE, ...)` on a client. Only the literal `False` / `CERT_NONE` is reported; a variable or a CA bundle path is not, and neither is a server\'s context (`PROTOCOL_TLS_SERVER`, `Purpose.CLIENT_AUTH`, `server_side=True`), which normally does not ask clients for certificates. A context switched off only inside `if conf.insecure:` (or a similar verify/insecure option) is an audit hint: the user opted out explicitly.',
    why:
      'Without verification any machine on the path (a compromised router, a hostile Wi-Fi, a poisoned DNS answer) can present its own certificate and read or change the traffic: credentials, tokens and API responses included. The connection still looks encrypted, so nothing fails and nobody notices. `verify=False` is usually added to get past a self-signed or internal CA, which the CA bundle option solves without giving up the check.',
    example:
      'import requests\n\n\ndef fetch_ports(endpoint, token):\n    return requests.get(f"{endpoint}/v2.0/ports", headers={"X-Auth-Token": token}, verify=False, timeout=10)',
    useInstead:
      'import requests\n\nCA_BUNDLE = "/etc/pki/tls/certs/internal-ca.pem"\n\n\ndef fetch_ports(endpoint, token):\n    return requests.get(f"{endpoint}/v2.0/ports", headers={"X-Auth-Token": token}, verify=CA_BUNDLE, timeout=10)\n\n\nctx = ssl.create_default_context(cafile=CA_BUNDLE)',
    fixSafety:
      'Unsafe: the fix turns verification back on (`verify=False` -> `verify=True`; aiohttp\'s `ssl=False`/`verify_ssl=False` is removed, because `ssl=True` did not verify before aiohttp 3.9; `ssl._create_unverified_context()` -> `ssl.create_default_context()`; `CERT_NONE` -> `CERT_REQUIRED`; `check_hostname = False` -> `True`, which needs `verify_mode` not to be `CERT_NONE`, so apply both fixes of a context together). Servers with self-signed or internal-CA certificates will then fail the handshake; point `verify=` (or `cafile=`) at that CA\'s bundle rather than turning the check off again.',
    references: [
      'https://cwe.mitre.org/data/definitions/295.html',
      'https://requests.readthedocs.io/en/latest/user/advanced/#ssl-cert-verification',
      'https://www.python-httpx.org/advanced/ssl/',
      'https://docs.python.org/3/library/ssl.html#ssl.create_default_context',
      'https://peps.python.org/pep-0476/',
      'https://urllib3.readthedocs.io/en/stable/advanced-usage.html#certificate-verification',
      'https://owasp.org/Top10/A02_2021-Cryptographic_Failures/',
    ],
  },
  // The unverified context factories, the context attributes, `cert_reqs=`, pyOpenSSL's `set_verify`;
  // the pattern: `verify=False`, `ssl=False`, `verify_ssl=False` keywords.
  triggers: ['_create_unverified_context', '_create_stdlib_context', 'check_hostname', 'verify_mode', 'cert_reqs', 'set_verify'],
  triggerPattern: /\b(?:verify|ssl|verify_ssl)(?:\s|\\|#[^\n]*\n)*=(?:\s|\\|#[^\n]*\n)*False\b/,
  nodeTypes: ['assignment'],
  onNode(node, ctx) {
    const left = node.childForFieldName('left');
    const right = node.childForFieldName('right');
    if (!left || !right) return;
    // ssl._create_default_https_context = ssl._create_unverified_context: every urllib/http.client call unverified.
    if (left.text.endsWith('_create_default_https_context') && matchesAny(ctx.names.resolve(right), UNVERIFIED_CONTEXT)) {
      ctx.report({
        node,
        message: 'Replacing ssl._create_default_https_context with the unverified one turns off certificate checks for every urllib and http.client HTTPS connection in the process. Remove it; pass context=ssl.create_default_context(cafile=...) to the calls that need a private CA.',
      });
      return;
    }
    if (left.type !== 'attribute') return;
    const attr = left.childForFieldName('attribute')?.text;
    const receiver = left.childForFieldName('object');
    if (!receiver || (attr !== 'check_hostname' && attr !== 'verify_mode')) return;
    const level = optedOut(node) ? 'info' : undefined;
    if (attr === 'check_hostname' && right.type === 'false' && !isServerContext(receiver, ctx)) {
      ctx.report({
        node,
        level,
        message: '`check_hostname = False` accepts a valid certificate issued for any other host, so anyone with a certificate for their own domain can impersonate the server. Keep it True (the default of ssl.create_default_context()).',
        fix: { title: 'Check host names (check_hostname = True)', safe: false, edits: [replaceNode(right, 'True')] },
      });
      return;
    }
    const none = attr === 'verify_mode' ? certNone(right, ctx) : null;
    if (none && !isServerContext(receiver, ctx)) {
      ctx.report({
        node,
        level,
        message: '`verify_mode = ssl.CERT_NONE` accepts any certificate, so a man in the middle can read and alter the connection. Use ssl.CERT_REQUIRED (the default of ssl.create_default_context()), with cafile= for a private CA.',
        fix: certRequiredFix(none, ctx),
      });
    }
  },
  onCall(site, ctx) {
    const certReqs = certNone(site.keywords.get('cert_reqs'), ctx);
    if (certReqs && !(site.keywords.get('server_side')?.type === 'true')) {
      const arg = site.keywords.get('cert_reqs')!.parent!;
      ctx.report({
        node: arg,
        level: optedOut(site.node) ? 'info' : undefined,
        message: `\`cert_reqs=CERT_NONE\` turns off certificate checks for ${sinkName(site)}: anyone on the network path can impersonate the server. Use CERT_REQUIRED with ca_certs= (urllib3 verifies by default).`,
        fix: certRequiredFix(certReqs, ctx),
      });
    }
    if (site.callee?.type === 'attribute' && site.callee.childForFieldName('attribute')?.text === 'set_verify' &&
        ctx.names.resolve(site.positional[0] ?? null) === 'OpenSSL.SSL.VERIFY_NONE' && !isServerContext(site.callee.childForFieldName('object')!, ctx) &&
        !SERVES.test(enclosingText(site.node))) {
      ctx.report({
        node: site.positional[0]!,
        message: '`set_verify(SSL.VERIFY_NONE, ...)` makes this pyOpenSSL context accept any certificate, so a man in the middle can read and alter the connection. Use SSL.VERIFY_PEER with load_verify_locations() or set_default_verify_paths().',
      });
    }
    if (matchesAny(site.qname, UNVERIFIED_CONTEXT)) {
      ctx.report({
        node: site.node,
        message: `${sinkName(site)} makes an SSL context that accepts any certificate for any host, so a man in the middle can read and alter the connection. Use ssl.create_default_context() (with cafile= for a private CA).`,
        fix: unverifiedContextFix(site, ctx),
      });
      return;
    }
    // Cheap test first: only a literal False matters.
    const options = [...site.keywords].filter(([, v]) => v.type === 'false');
    if (options.length === 0) return;
    const library = libraryOf(site, ctx);
    if (!library) return;
    for (const [name, value] of options) {
      if (!OPTIONS[library].includes(name)) continue;
      const arg = value.parent ?? value;
      ctx.report({
        node: arg,
        message: `\`${name}=False\` turns off TLS certificate checks for ${sinkName(site)}: anyone on the network path can impersonate the server and read or change the traffic. Remove it, or pass ${library === 'aiohttp' ? 'an ssl.SSLContext made with cafile=' : 'verify='} the CA bundle path for a private CA.`,
        fix: optionFix(site, library, name, value, ctx),
      });
    }
  },
};

export default rule;
