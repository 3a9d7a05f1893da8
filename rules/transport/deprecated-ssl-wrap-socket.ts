import type { Rule } from '../../server/src/engine/rule';

const rule: Rule = {
  code: 'SL404',
  name: 'deprecated-ssl-wrap-socket',
  category: 'transport',
  summary: '`ssl.wrap_socket()`: no certificate or host-name check by default, removed in Python 3.12',
  severity: 'medium',
  confidence: 'high',
  defaultLevel: 'warning',
  maxLevel: 'warning',
  cwe: [295, 477],
  bandit: ['B504'],
  ruff: ['S504'],
  fix: 'none',
  explanation: {
    what:
      'The module-level `ssl.wrap_socket()` is called. As a client (no `server_side=True`) it is a warning unless `cert_reqs=` asks for certificates; on a server it is an audit hint, since it still stops working on Python 3.12. `SSLContext.wrap_socket()` is not reported.',
    why:
      '`ssl.wrap_socket()` defaults to `cert_reqs=CERT_NONE` and never checks the host name, so a client socket made with it accepts any server: a man in the middle reads and changes the traffic. It was deprecated in Python 3.7 and removed in 3.12, so the code also breaks on upgrade.',
    example:
      'import socket\nimport ssl\n\n\ndef connect(host, port):\n    sock = socket.create_connection((host, port))\n    return ssl.wrap_socket(sock)',
    useInstead:
      'import socket\nimport ssl\n\n\ndef connect(host, port):\n    ctx = ssl.create_default_context()\n    sock = socket.create_connection((host, port))\n    return ctx.wrap_socket(sock, server_hostname=host)',
    references: [
      'https://cwe.mitre.org/data/definitions/295.html',
      'https://cwe.mitre.org/data/definitions/477.html',
      'https://docs.python.org/3.11/library/ssl.html#ssl.wrap_socket',
      'https://docs.python.org/3/whatsnew/3.12.html#ssl',
    ],
  },
  triggers: ['wrap_socket'],
  onCall(site, ctx) {
    if (site.qname !== 'ssl.wrap_socket') return;
    const server = site.keywords.get('server_side')?.type === 'true';
    const reqs = site.keywords.get('cert_reqs');
    const checks = !!reqs && !/CERT_NONE/.test(reqs.text);
    if (server || checks) {
      ctx.report({
        node: site.callee ?? site.node,
        level: 'info',
        message: 'ssl.wrap_socket() was removed in Python 3.12. Build an ssl.SSLContext (ssl.create_default_context(), or SSLContext(PROTOCOL_TLS_SERVER) with load_cert_chain() on a server) and call its wrap_socket().',
      });
      return;
    }
    ctx.report({
      node: site.callee ?? site.node,
      message: 'ssl.wrap_socket() checks neither the certificate nor the host name by default, so anyone on the path can impersonate the server; it is also gone in Python 3.12. Use ssl.create_default_context().wrap_socket(sock, server_hostname=host).',
    });
  },
};

export default rule;
