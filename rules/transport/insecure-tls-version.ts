import type { Node } from 'web-tree-sitter';
import { compact, ensureImport, replaceNode } from '../../server/src/engine/fixes';
import { lastSegment } from '../../server/src/engine/names';
import { query } from '../../server/src/engine/parser';
import type { Ctx, Rule } from '../../server/src/engine/rule';
import type { Fix } from '../../server/src/engine/types';

/** Protocol constants that pin a broken version (`PROTOCOL_SSLv23` is the negotiating alias of `PROTOCOL_TLS`). */
const SSL_PROTOCOLS: Record<string, string> = {
  'ssl.PROTOCOL_SSLv2': 'SSL 2.0', 'ssl.PROTOCOL_SSLv3': 'SSL 3.0', 'ssl.PROTOCOL_TLSv1': 'TLS 1.0', 'ssl.PROTOCOL_TLSv1_1': 'TLS 1.1',
};
const PYOPENSSL: Record<string, string> = {
  'OpenSSL.SSL.SSLv2_METHOD': 'SSL 2.0', 'OpenSSL.SSL.SSLv3_METHOD': 'SSL 3.0', 'OpenSSL.SSL.TLSv1_METHOD': 'TLS 1.0', 'OpenSSL.SSL.TLSv1_1_METHOD': 'TLS 1.1',
};
const VERSIONS: Record<string, string> = {
  'ssl.TLSVersion.SSLv3': 'SSL 3.0', 'ssl.TLSVersion.TLSv1': 'TLS 1.0', 'ssl.TLSVersion.TLSv1_1': 'TLS 1.1', 'ssl.TLSVersion.MINIMUM_SUPPORTED': 'the oldest supported version',
};
const FILE_CHEAP = /PROTOCOL_(SSLv[23]|TLSv1)|SSLv[23]_METHOD|TLSv1(_1)?_METHOD|SSLv3|TLSv1|MINIMUM_SUPPORTED/;
const NAMES_QUERY = `((identifier) @name (#match? @name "(PROTOCOL_(SSLv[23]|TLSv1(_1)?)|SSLv[23]_METHOD|TLSv1(_1)?_METHOD|SSLv3|TLSv1(_1)?|MINIMUM_SUPPORTED)$"))`;

/** The value position `node` sits in: an argument, an assigned value, a parameter default, a dict value. */
function valueSlot(node: Node): { kind: 'arg' | 'keyword' | 'assign' | 'default' | 'other'; name?: string } | null {
  const p = node.parent;
  if (!p) return null;
  switch (p.type) {
    case 'argument_list': return { kind: 'arg' };
    case 'keyword_argument': return p.childForFieldName('value')?.id === node.id ? { kind: 'keyword', name: p.childForFieldName('name')?.text } : null;
    case 'assignment': {
      if (p.childForFieldName('right')?.id !== node.id) return null;
      const left = p.childForFieldName('left');
      return { kind: 'assign', name: left?.type === 'attribute' ? left.childForFieldName('attribute')?.text : left?.text };
    }
    case 'default_parameter': case 'typed_default_parameter':
      return p.childForFieldName('value')?.id === node.id ? { kind: 'default', name: p.childForFieldName('name')?.text } : null;
    case 'pair': return p.childForFieldName('value')?.id === node.id ? { kind: 'other' } : null;
    default: return null;
  }
}

/** Whether the code around `node` builds a server (then the fix picks PROTOCOL_TLS_SERVER). */
function looksLikeServer(node: Node): boolean {
  let fn: Node | null = node.parent;
  while (fn && fn.type !== 'function_definition' && fn.type !== 'class_definition') fn = fn.parent;
  return /server_side\s*=\s*True|load_cert_chain|\.listen\(|\.accept\(|ssl_server/i.test((fn ?? node).text);
}

function replaceName(node: Node, module: string, name: string, ctx: Ctx): Fix['edits'] {
  if (node.type === 'attribute') return [replaceNode(node.childForFieldName('attribute')!, name)];
  return compact([replaceNode(node, `${module}.${name}`), ensureImport(ctx.module, ctx.text, module)]);
}

const rule: Rule = {
  code: 'SL403',
  name: 'insecure-tls-version',
  category: 'transport',
  summary: 'SSL 2/3 or TLS 1.0/1.1 selected for a connection',
  severity: 'high',
  confidence: 'high',
  defaultLevel: 'warning',
  maxLevel: 'warning',
  cwe: [326, 327, 757],
  bandit: ['B502', 'B503'],
  ruff: ['S502', 'S503'],
  fix: 'sometimes',
  explanation: {
    what:
      'A connection is pinned to, or allowed down to, a broken protocol version: `ssl.PROTOCOL_SSLv2`, `PROTOCOL_SSLv3`, `PROTOCOL_TLSv1`, `PROTOCOL_TLSv1_1` passed to `SSLContext()`, `wrap_socket(ssl_version=...)` or any call, assigned, or used as a parameter default; pyOpenSSL\'s `SSL.SSLv2_METHOD`/`SSLv3_METHOD`/`TLSv1_METHOD`/`TLSv1_1_METHOD`; or `minimum_version`/`maximum_version` set to `TLSVersion.SSLv3`, `TLSv1`, `TLSv1_1` or `MINIMUM_SUPPORTED`. A table of selectable versions (`{"tlsv1": ssl.PROTOCOL_TLSv1}`) is an audit hint; comparisons (`if ctx.protocol == ssl.PROTOCOL_TLSv1`) and `OP_NO_TLSv1` options are not reported.',
    why:
      'SSL 2.0 and 3.0 are broken (DROWN, POODLE) and TLS 1.0 and 1.1 rely on constructions with known attacks (BEAST, weak MD5/SHA-1 handshake hashes); RFC 8996 forbids them and current browsers, Python and OpenSSL refuse them by default. A connection pinned to one either fails against modern peers or, worse, lets an attacker in the path force the weakest version both sides still accept.',
    example:
      'import ssl\n\n\ndef connect(sock, host):\n    ctx = ssl.SSLContext(ssl.PROTOCOL_TLSv1)\n    ctx.minimum_version = ssl.TLSVersion.TLSv1\n    return ctx.wrap_socket(sock, server_hostname=host)',
    useInstead:
      'import ssl\n\n\ndef connect(sock, host):\n    ctx = ssl.create_default_context()  # PROTOCOL_TLS_CLIENT, certificates and host names checked\n    ctx.minimum_version = ssl.TLSVersion.TLSv1_2\n    return ctx.wrap_socket(sock, server_hostname=host)',
    fixSafety:
      'Unsafe: `SSLContext(PROTOCOL_SSLv3/TLSv1/TLSv1_1)` becomes `SSLContext(PROTOCOL_TLS_CLIENT)` (or `PROTOCOL_TLS_SERVER` when the code around it serves connections), which negotiates the best version both sides support but also turns on certificate and host-name checks for clients, so a later `verify_mode = CERT_NONE` raises and peers without a valid certificate fail; a `minimum_version` of `TLSVersion.TLSv1/TLSv1_1/SSLv3` becomes `TLSVersion.TLSv1_2` and a too-low `maximum_version` becomes `MAXIMUM_SUPPORTED`; pyOpenSSL\'s fixed methods become `SSL.TLS_METHOD` (pyOpenSSL 20+). Peers that only speak the old version can no longer connect. Other uses (a `wrap_socket(ssl_version=...)` argument, a parameter default) get no fix: replace the call with an `SSLContext`.',
    references: [
      'https://cwe.mitre.org/data/definitions/327.html',
      'https://cwe.mitre.org/data/definitions/757.html',
      'https://www.rfc-editor.org/rfc/rfc8996',
      'https://docs.python.org/3/library/ssl.html#ssl.SSLContext.minimum_version',
      'https://www.pyopenssl.org/en/latest/api/ssl.html#context-objects',
    ],
  },
  // Identifiers are a third of a tree: visiting each on the walk costs every file, so the rule
  // runs one query after it, and only in files that name an old protocol at all.
  // The last part of every name it reports (`SSL_PROTOCOLS`, `PYOPENSSL`, `VERSIONS`).
  triggers: [...new Set([...Object.keys(SSL_PROTOCOLS), ...Object.keys(PYOPENSSL), ...Object.keys(VERSIONS)].map(lastSegment))],
  onFile(ctx) {
    if (!FILE_CHEAP.test(ctx.text)) return;
    for (const { node: id } of ctx.module.captures(query(NAMES_QUERY))) {
      const parent = id.parent;
      if (parent?.type === 'attribute' && parent.childForFieldName('attribute')?.id !== id.id) continue; // `TLSv1.x`: not a version
      check(parent?.type === 'attribute' ? parent : id, ctx);
    }
  },
};

function check(node: Node, ctx: Ctx): void {
  const q = ctx.names.resolve(node);
  if (!q) return;
  const slot = valueSlot(node);
  if (!slot) return;
  const version = SSL_PROTOCOLS[q] ?? PYOPENSSL[q];
  if (version) {
    let fix: Fix | undefined;
    const call = node.parent?.type === 'argument_list' ? node.parent.parent : null;
    const callee = call?.type === 'call' ? ctx.names.resolve(call.childForFieldName('function')) : null;
    if (SSL_PROTOCOLS[q] && slot.kind === 'arg' && callee === 'ssl.SSLContext') {
      const target = looksLikeServer(node) ? 'PROTOCOL_TLS_SERVER' : 'PROTOCOL_TLS_CLIENT';
      fix = { title: `Negotiate TLS 1.2+ (ssl.${target})`, safe: false, edits: replaceName(node, 'ssl', target, ctx) };
    } else if (PYOPENSSL[q] && slot.kind === 'arg' && callee === 'OpenSSL.SSL.Context') {
      fix = { title: 'Negotiate the best version (SSL.TLS_METHOD)', safe: false, edits: node.type === 'attribute' ? [replaceNode(node.childForFieldName('attribute')!, 'TLS_METHOD')] : [] };
      if (!fix.edits.length) fix = undefined;
    }
    // A table of versions a user may pick from (`{"tlsv1": ssl.PROTOCOL_TLSv1, ...}`) is an audit hint.
    ctx.report({
      node,
      level: slot.kind === 'other' ? 'info' : undefined,
      message: `${node.text} pins the connection to ${version}, which is broken (POODLE/BEAST-era attacks) and forbidden by RFC 8996. Use ssl.PROTOCOL_TLS_CLIENT / ssl.create_default_context() (or PROTOCOL_TLS_SERVER) and set minimum_version = ssl.TLSVersion.TLSv1_2.`,
      fix,
    });
    return;
  }
  const floor = VERSIONS[q];
  if (floor && (slot.kind === 'assign' || slot.kind === 'keyword') && /^(minimum_version|maximum_version)$/.test(slot.name ?? '')) {
    ctx.report({
      node,
      message: `Setting ${slot.name} to ${floor} lets connections use a broken protocol version (SSL 3.0/TLS 1.0/1.1 are forbidden by RFC 8996), and an attacker in the path can force it. Use ssl.TLSVersion.TLSv1_2 or later.`,
      fix: node.type === 'attribute'
        ? slot.name === 'maximum_version'
          ? { title: 'Allow the newest version (MAXIMUM_SUPPORTED)', safe: false, edits: [replaceNode(node.childForFieldName('attribute')!, 'MAXIMUM_SUPPORTED')] }
          : { title: 'Require TLS 1.2 or later', safe: false, edits: [replaceNode(node.childForFieldName('attribute')!, 'TLSv1_2')] }
        : undefined,
    });
  }
}

export default rule;
