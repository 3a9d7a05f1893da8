import type { Node } from 'web-tree-sitter';
import { taintLevel, union } from '../../server/src/engine/dataflow';
import { matchesAny } from '../../server/src/engine/names';
import type { CallSite, Ctx, Rule } from '../../server/src/engine/rule';
import { HTTP_METHODS, REQUESTS_FUNCTIONS, reportFlow, sinkName } from '../support';
import { checkedBefore, hostDeciding, namesIn } from './web';

/** Calls taking the URL first (or as `url=`). */
const URL_FIRST = [
  ...REQUESTS_FUNCTIONS.filter((n) => !n.endsWith('.request')),
  ...['get', 'post', 'put', 'patch', 'delete', 'head', 'options', 'stream'].flatMap((m) => [`httpx.${m}`, `httpx.Client().${m}`, `httpx.AsyncClient().${m}`, `requests.Session().${m}`, `aiohttp.ClientSession().${m}`]),
  'urllib3.PoolManager().urlopen',
  'http.client.HTTPConnection', 'http.client.HTTPSConnection', 'httplib.HTTPConnection', 'httplib.HTTPSConnection',
];
/** `file:` and `ftp:` URLs too: Bandit B310. */
const URLOPEN = ['urllib.request.urlopen', 'urllib.request.Request', 'urllib.request.URLopener().open', 'urllib.urlopen', 'urllib2.urlopen', 'urllib2.Request', 'six.moves.urllib.request.urlopen', 'urllib.request.urlretrieve', 'urllib.urlretrieve'];
/** Calls taking a method first and the URL second. */
const URL_SECOND = ['requests.request', 'requests.api.request', 'httpx.request', 'urllib3.request', 'urllib3.PoolManager().request', 'aiohttp.request', 'requests.Session().request', 'httpx.Client().request', 'httpx.AsyncClient().request', 'aiohttp.ClientSession().request'];
/** `session.get(url)`, `self.http.post(url)`: a client object by its usual names, in files that import an HTTP library. */
const CLIENT_NAMES = ['session', 'sess', 'http', 'http_client', 'client', 'httpx_client', 'pool', 'pool_manager'];
const CLIENT_RECEIVER = new RegExp(`^(self\\.|cls\\.)?_*(${CLIENT_NAMES.join('|')})$`);
const HTTP_LIBRARY = /^\s*(import|from)\s+(requests|httpx|aiohttp|urllib3)\b/m;

function urlArg(site: CallSite, ctx: Ctx): { node: Node | undefined; urlopen: boolean } | null {
  const q = site.qname;
  if (matchesAny(q, URLOPEN)) return { node: site.positional[0] ?? site.keywords.get('url'), urlopen: true };
  if (matchesAny(q, URL_FIRST)) return { node: site.positional[0] ?? site.keywords.get('url') ?? site.keywords.get('host'), urlopen: false };
  if (matchesAny(q, URL_SECOND)) return { node: site.positional[1] ?? site.keywords.get('url'), urlopen: false };
  const callee = site.callee;
  if (callee?.type !== 'attribute' || q?.startsWith('flask.') || q?.startsWith('django.')) return null;
  const method = callee.childForFieldName('attribute')?.text ?? '';
  const receiver = callee.childForFieldName('object')?.text ?? '';
  if (!CLIENT_RECEIVER.test(receiver) || !HTTP_LIBRARY.test(ctx.moduleCode)) return null;
  if (method === 'request' || method === 'urlopen') return { node: site.positional[1] ?? site.keywords.get('url'), urlopen: false };
  if (HTTP_METHODS.includes(method) || method === 'stream') return { node: site.positional[0] ?? site.keywords.get('url'), urlopen: false };
  return null;
}

const rule: Rule = {
  code: 'SL601',
  name: 'server-side-request-forgery',
  category: 'web',
  summary: 'Outgoing request to a URL whose host comes from request data (SSRF)',
  severity: 'high',
  confidence: 'medium',
  defaultLevel: 'warning',
  maxLevel: 'error',
  cwe: [918],
  bandit: ['B310'],
  ruff: ['S310'],
  fix: 'none',
  explanation: {
    what:
      'The scheme or host of an outgoing HTTP request is not a constant: the URL given to `requests`, `httpx`, `aiohttp`, `urllib3`, `http.client` or `urllib.request.urlopen`/`Request`/`urlretrieve` comes from request data (error). Only the parts that decide where the request goes count: `f"https://api.example.com/users/{uid}"` or `f"{BASE_URL}/users/{uid}"` fix the host and are not reported. For `urlopen` (which also opens `file:` URLs, Bandit B310) a parameter is a warning and a value of unknown origin an information hint; for the other clients only request data is reported, so HTTP client wrappers taking a URL stay quiet. A URL checked against an allowlist (`if urlparse(url).hostname not in ALLOWED_HOSTS: abort(400)`) or by a `validate_*`/`is_safe_*` function is not reported.',
    why:
      'The server makes the request with its own network position and credentials. An attacker who picks the host reaches what the internet cannot: the cloud metadata service (`http://169.254.169.254/` hands out instance credentials), admin interfaces on localhost, databases and other internal services, and with `urllib` even local files through `file:///etc/passwd` (CWE-918).',
    example:
      '@app.route("/preview")\ndef preview():\n    url = request.args["url"]\n    return requests.get(url, timeout=5).text',
    useInstead:
      'ALLOWED_HOSTS = {"images.example.com", "cdn.example.com"}\n\n\n@app.route("/preview")\ndef preview():\n    url = request.args["url"]\n    parts = urllib.parse.urlsplit(url)\n    if parts.scheme != "https" or parts.hostname not in ALLOWED_HOSTS:\n        abort(400)\n    return requests.get(url, timeout=5, allow_redirects=False).text',
    references: [
      'https://cwe.mitre.org/data/definitions/918.html',
      'https://owasp.org/Top10/A10_2021-Server-Side_Request_Forgery_%28SSRF%29/',
      'https://cheatsheetseries.owasp.org/cheatsheets/Server_Side_Request_Forgery_Prevention_Cheat_Sheet.html',
      'https://docs.python.org/3/library/urllib.request.html#urllib.request.urlopen',
    ],
  },
  // Every qualified name above starts with one of these modules (`six.moves.urllib...` holds
  // `urllib`); other clients go by the receiver's name, maybe behind underscores (`self._session`).
  triggers: ['requests', 'httpx', 'aiohttp', 'urllib3', 'http', 'httplib', 'urllib', 'urllib2', ...CLIENT_NAMES],
  triggerPattern: new RegExp(`\\b_+(${CLIENT_NAMES.join('|')})\\b`),
  // Each known call names its library in the file (at least in its import: `urllib2` and
  // `six.moves.urllib` hold `urllib`, `http.client` calls are HTTP(S)Connection), and a
  // client found by its receiver's name needs HTTP_LIBRARY.
  fileTrigger: /urllib|requests|httpx|aiohttp|httplib|HTTPS?Connection/,
  onCall(site, ctx) {
    const found = urlArg(site, ctx);
    const url = found?.node;
    if (!found || !url) return;
    const deciding = hostDeciding(url, ctx);
    const parts = deciding ?? [url];
    if (parts.length === 0) return;
    if (parts.some((p) => namesIn(p).some((n) => checkedBefore(n, site.node, ctx)))) return;
    const value = parts.length === 1 ? ctx.valueOf(parts[0]) : union(parts.map((p) => ctx.valueOf(p)));
    // Other clients: request data only. Wrappers that take a URL parameter are everywhere, and
    // their callers are where the URL is chosen. urlopen keeps Bandit's B310 reach (file: URLs).
    if (!found.urlopen && taintLevel(value, 'url') !== 'error') return;
    const fn = sinkName(site);
    reportFlow(ctx, parts[0], value, 'url', `an outgoing request via ${fn}`, (origin) =>
      `${fn} requests a URL whose ${deciding ? 'scheme or host' : 'whole text'} comes from ${origin}: an attacker can make the server call internal services, the cloud metadata endpoint (169.254.169.254)${found.urlopen ? ' or read local files with file://' : ''} (SSRF). Fix the scheme and host in code, or check the parsed hostname against an allowlist before the request.`,
    );
  },
};

export default rule;
