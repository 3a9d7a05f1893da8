import type { Node } from 'web-tree-sitter';
import { replaceNode } from '../../server/src/engine/fixes';
import { lastSegment, matchesAny } from '../../server/src/engine/names';
import type { CallSite, Ctx, Rule } from '../../server/src/engine/rule';
import { constantText, inTestCode, stringValue } from './web';

const ALL = new Set(['0.0.0.0', '', '::', '0:0:0:0:0:0:0:0', '*']);
/** Servers started from code with `host=`: Flask/Werkzeug dev servers and the ASGI/WSGI servers. */
const RUN_WITH_HOST = /^(self\.)?_*(app|application|flask_app|api|server|socketio|sio|web)\.run$/;
const SERVERS = ['uvicorn.run', 'hypercorn.run', 'waitress.serve', 'werkzeug.serving.run_simple', 'werkzeug.run_simple', 'aiohttp.web.run_app', 'bottle.run', 'cherrypy.quickstart', 'tornado.httpserver.HTTPServer().listen', '*.app.listen'];
/** Calls taking `(host, port)` positionally. */
const HOST_FIRST = ['wsgiref.simple_server.make_server', 'werkzeug.serving.run_simple', 'werkzeug.serving.make_server', 'socketserver.TCPServer', 'http.server.HTTPServer', 'http.server.ThreadingHTTPServer', 'eventlet.listen', 'gevent.pywsgi.WSGIServer', 'gevent.server.StreamServer'];
const ENV_GET = ['os.environ.get', 'os.getenv'];

function hostText(node: Node | undefined, ctx: Ctx): { text: string; literal: Node | null; fallback: boolean } | null {
  if (!node) return null;
  if (node.type === 'call' && matchesAny(ctx.names.resolve(node.childForFieldName('function')), ENV_GET)) {
    const d = node.childForFieldName('arguments')?.namedChildren.filter((c) => c && c.type !== 'comment')[1];
    const s = stringValue(d);
    return s !== null && ALL.has(s) ? { text: s, literal: null, fallback: true } : null;
  }
  const s = constantText(node, ctx);
  if (s === null || !ALL.has(s)) return null;
  return { text: s, literal: stringValue(node) !== null ? node : null, fallback: false };
}

/** The host part of `sock.bind((host, port))` / `make_server(host, port, app)` / `run(host=...)`. */
function hostArg(site: CallSite, ctx: Ctx): Node | undefined {
  const callee = site.callee;
  const method = callee?.type === 'attribute' ? callee.childForFieldName('attribute')?.text : null;
  if (method === 'bind' && site.positional.length === 1 && site.positional[0].type === 'tuple') {
    return site.positional[0].namedChildren.find((c) => c && c.type !== 'comment') ?? undefined;
  }
  if (matchesAny(site.qname, HOST_FIRST)) {
    const first = site.positional[0];
    if (first?.type === 'tuple') return first.namedChild(0) ?? undefined;
    return first ?? site.keywords.get('host') ?? site.keywords.get('hostname');
  }
  if (RUN_WITH_HOST.test(callee?.text ?? '') || matchesAny(site.qname, SERVERS)) {
    return site.keywords.get('host') ?? site.keywords.get('listen')?.childForFieldName('x') ?? (matchesAny(site.qname, ['*.listen']) ? site.keywords.get('address') : undefined);
  }
  return undefined;
}

const rule: Rule = {
  code: 'SL607',
  name: 'bind-all-interfaces',
  category: 'web',
  summary: 'Server or socket bound to all network interfaces (0.0.0.0)',
  severity: 'medium',
  confidence: 'medium',
  defaultLevel: 'warning',
  maxLevel: 'warning',
  cwe: [605, 1327],
  bandit: ['B104'],
  ruff: ['S104'],
  fix: 'sometimes',
  explanation: {
    what:
      'A socket or a server started from code listens on every interface: `sock.bind(("0.0.0.0", port))` or `bind(("", port))`, `app.run(host="0.0.0.0")`, `uvicorn.run(app, host="0.0.0.0")`, `waitress.serve(app, host=...)`, `make_server("", port, app)`, also `"::"` and a module constant holding one of those. A host read from the environment with such a fallback (`os.getenv("HOST", "0.0.0.0")`) and test code get an information hint only. Bandit flags every `"0.0.0.0"` string; here the string must reach a bind.',
    why:
      'Bound to all interfaces, the service also answers on the public, tenant or management networks of the machine, not only on the one it was meant for. Development servers, metrics and admin endpoints and agents\' local APIs (the usual reasons to start a server from code) have no authentication of their own and were never meant to be reachable from there (CWE-605, CWE-1327). Containers are the exception: there the port mapping decides exposure, so make the host a setting instead of a literal.',
    example:
      'if __name__ == "__main__":\n    app.run(host="0.0.0.0", port=8080)\n\n\nsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)\nsock.bind(("", 9697))',
    useInstead:
      'if __name__ == "__main__":\n    app.run(host=os.environ.get("LISTEN_HOST", "127.0.0.1"), port=8080)\n\n\nsock.bind((CONF.metadata_proxy_host, 9697))  # configured, 127.0.0.1 by default',
    fixSafety:
      'Unsafe: the fix replaces the literal with the loopback address (`"127.0.0.1"`, or `"::1"` for `"::"`). No fix is offered for `""`, which means "any" for both IPv4 and IPv6 sockets, so the right loopback address depends on the socket\'s family. Clients on other machines, and other containers or the host when this runs in a container, can no longer connect; make the address a setting if they must.',
    references: [
      'https://cwe.mitre.org/data/definitions/605.html',
      'https://cwe.mitre.org/data/definitions/1327.html',
      'https://docs.python.org/3/library/socket.html#socket.socket.bind',
      'https://flask.palletsprojects.com/en/latest/api/#flask.Flask.run',
    ],
  },
  // The host may be a module constant: only the call's name is sure to be here. `run` is too
  // common a word: `uvicorn.run`, `hypercorn.run`, `bottle.run` by their modules (an alias counts
  // as its module), RUN_WITH_HOST by its text (`app.run`, `self._app.run`).
  triggers: [...new Set(['bind', ...[...HOST_FIRST, ...SERVERS].map(lastSegment).filter((w) => w !== 'run'), 'uvicorn', 'hypercorn', 'bottle'])],
  triggerPattern: /(?:app|application|flask_app|api|server|socketio|sio|web)\.run\b/,
  onCall(site, ctx) {
    const arg = hostArg(site, ctx);
    const host = hostText(arg, ctx);
    if (!arg || !host) return;
    const shown = host.text === '' ? '""' : `"${host.text}"`;
    const hint = host.fallback || inTestCode(site.node, ctx);
    ctx.report({
      node: arg,
      level: hint ? 'info' : 'warning',
      confidence: hint ? 'low' : undefined,
      message: `${host.fallback ? `The fallback ${shown}` : shown} makes \`${site.callee?.text ?? 'the server'}\` listen on every network interface, so it is reachable from every network the machine is on, not only this host. Bind to 127.0.0.1 (or the one interface meant to serve) and make the address a setting.`,
      fix: host.literal && !hint && host.text !== '' ? { title: `Listen on the loopback interface only (${host.text.includes(':') ? '"::1"' : '"127.0.0.1"'})`, safe: false, edits: [replaceNode(host.literal, host.text.includes(':') ? '"::1"' : '"127.0.0.1"')] } : undefined,
    });
  },
};

export default rule;
