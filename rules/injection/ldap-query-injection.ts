import type { Node } from 'web-tree-sitter';
import { sourcesFor } from '../../server/src/engine/dataflow';
import { compact, replaceNode } from '../../server/src/engine/fixes';
import { lastSegment } from '../../server/src/engine/names';
import { topLevelOf } from '../../server/src/engine/trees';
import type { CallSite, Ctx, Rule } from '../../server/src/engine/rule';
import type { Fix, TextEdit } from '../../server/src/engine/types';
import { perFile, reportFlow, sinkName } from '../support';
import { builtString, shape } from './built-strings';
import { bindsNameElsewhere, ensureFromImport } from './imports';

/** python-ldap's search methods: `(base, scope, filterstr, ...)`. */
const PYLDAP_SEARCH = new Set(['search', 'search_s', 'search_st', 'search_ext', 'search_ext_s']);
/** Bind methods whose first argument is the DN to bind as. */
const BIND = new Set(['simple_bind_s', 'simple_bind', 'bind_s', 'bind']);
/** ldap3: `Connection.search(search_base, search_filter, ...)` and the paged helper. */
const LDAP3_SEARCH = new Set(['search', 'paged_search']);

type Library = 'ldap' | 'ldap3';

function libraries(text: string): Set<Library> {
  const out = new Set<Library>();
  if (/^[ \t]*(import[ \t]+ldap\b(?!3)|from[ \t]+ldap(\.\w+)*[ \t]+import)/m.test(text)) out.add('ldap');
  if (/^[ \t]*(import[ \t]+ldap3\b|from[ \t]+ldap3\b)/m.test(text)) out.add('ldap3');
  return out;
}

interface Sink { node: Node; part: 'filter' | 'dn'; lib: Library }

const METHODS = new Set([...PYLDAP_SEARCH, ...BIND, ...LDAP3_SEARCH]);

function sinksOf(site: CallSite, libs: Set<Library>): Sink[] {
  // Cheap exit first: a resolved name's last part is the method's name when the callee is an attribute.
  if (site.qname !== null && site.qname !== 'ldap3.Connection' && !METHODS.has(lastSegment(site.qname))) return [];
  if (site.callee?.type !== 'attribute' && site.qname !== 'ldap3.Connection') return [];
  const method = lastSegment(site.qname ?? site.callee!.text);
  const pos = site.positional;
  const kw = (k: string) => site.keywords.get(k);
  const out: Sink[] = [];
  const add = (node: Node | undefined, part: Sink['part'], lib: Library) => { if (node) out.push({ node, part, lib }); };
  if (site.qname === 'ldap3.Connection') {
    add(kw('user'), 'dn', 'ldap3');
    return out;
  }
  // `conn.search(base, ldap.SCOPE_SUBTREE, filter)` is python-ldap even when ldap3 is imported too.
  const pyldapShape = pos.length >= 2 && /SCOPE_/.test(pos[1].text) || site.keywords.has('filterstr');
  if (/^(re|regex)\./.test(site.qname ?? '')) return [];
  if (libs.has('ldap') && PYLDAP_SEARCH.has(method) && (method !== 'search' || pyldapShape)) {
    add(pos[0] ?? kw('base'), 'dn', 'ldap');
    add(pos[2] ?? kw('filterstr'), 'filter', 'ldap');
  } else if (libs.has('ldap3') && LDAP3_SEARCH.has(method) && (pos.length >= 2 || site.keywords.has('search_filter'))) {
    add(pos[0] ?? kw('search_base'), 'dn', 'ldap3');
    add(pos[1] ?? kw('search_filter'), 'filter', 'ldap3');
  } else if (libs.has('ldap') && BIND.has(method)) {
    add(pos[0] ?? kw('who'), 'dn', 'ldap');
  }
  return out;
}

const ESCAPERS: Record<Library, Record<Sink['part'], { module: string; name: string }>> = {
  ldap: { filter: { module: 'ldap.filter', name: 'escape_filter_chars' }, dn: { module: 'ldap.dn', name: 'escape_dn_chars' } },
  ldap3: { filter: { module: 'ldap3.utils.conv', name: 'escape_filter_chars' }, dn: { module: 'ldap3.utils.dn', name: 'escape_rdn' } },
};

/** Wraps every value placed after `=` (or `*` in a substring match) in the escaping helper. */
function buildFix(sink: Sink, ctx: Ctx, libs: Set<Library>): Fix | undefined {
  // Both libraries name their helper `escape_filter_chars`: leave a mixed file to its author.
  if (libs.size > 1 && sink.lib === 'ldap3') return undefined;
  const b = builtString(sink.node);
  if (!b) return undefined;
  const { module, name } = ESCAPERS[sink.lib][sink.part];
  // Where the fix's import could clash: the module code and the statement the fix edits.
  if (bindsNameElsewhere(`${ctx.moduleCode}\n${topLevelOf(sink.node).text}`, module, name)) return undefined;
  const edits: TextEdit[] = [];
  let before = '';
  for (const p of b.parts) {
    if (p.literal !== undefined) {
      before += p.literal;
      continue;
    }
    before += '\u0000';
    if (sourcesFor(ctx.valueOf(p.expr!), 'ldap', true).length === 0) continue;
    const prev = before.slice(0, -1);
    const inValue = sink.part === 'filter' ? /[=*]$/.test(prev) : /=$/.test(prev);
    if (!inValue || p.formatted || !p.expr) return undefined;
    edits.push(replaceNode(p.expr, `${name}(${p.expr.text})`));
  }
  if (edits.length === 0 || /\u0000[^()=,]*\u0000/.test(shape(b))) return undefined;
  return {
    title: `Escape the values with ${name}()`,
    safe: true,
    edits: compact([...edits, ensureFromImport(ctx, module, name)]),
  };
}

const rule: Rule = {
  code: 'SL108',
  name: 'ldap-query-injection',
  category: 'injection',
  summary: 'LDAP search filter or DN built from non-constant data',
  severity: 'high',
  confidence: 'high',
  defaultLevel: 'warning',
  maxLevel: 'error',
  cwe: [90],
  bandit: [],
  ruff: [],
  fix: 'sometimes',
  explanation: {
    what:
      'An LDAP search filter or distinguished name is built from data that is not a constant and passed to python-ldap (`search`, `search_s`, `search_st`, `search_ext(_s)`, `simple_bind_s`, `bind_s`) or ldap3 (`Connection.search`, `extend.standard.paged_search`, `Connection(user=...)`). Values escaped with `escape_filter_chars()` / `escape_dn_chars()` / `escape_rdn()`, or built with `ldap.filter.filter_format()`, are not reported.',
    why:
      'The directory server parses the filter. A value such as `*)(uid=*))(|(uid=*` turns "this user" into "any user": a login check that searches `(&(uid={name})(userPassword={pw}))` accepts any password, a lookup lists the whole directory, and `*` alone matches every entry. In a DN, `,` and `+` change which entry a bind or search targets.',
    example:
      'def find_user(conn, username):\n    return conn.search_s("ou=people,dc=example,dc=org", ldap.SCOPE_SUBTREE, f"(uid={username})")',
    useInstead:
      'from ldap.filter import escape_filter_chars\n\n\ndef find_user(conn, username):\n    return conn.search_s("ou=people,dc=example,dc=org", ldap.SCOPE_SUBTREE,\n                         f"(uid={escape_filter_chars(username)})")\n\n# or: ldap.filter.filter_format("(uid=%s)", [username])\n# ldap3: from ldap3.utils.conv import escape_filter_chars',
    fixSafety:
      'Safe: the fix wraps each value that sits in an attribute value of the filter (after `=`, `~=`, `>=`, `<=` or `*`) in `escape_filter_chars()` (python-ldap `ldap.filter`, or ldap3 `ldap3.utils.conv`), and each value after `=` in a DN in `escape_dn_chars()` / `escape_rdn()`, and imports it. For ordinary values (names, mails, ids) the text is unchanged; only `*`, `(`, `)`, `\\` and NUL (DN: `,`, `+`, `"`, `\\`, `<`, `>`, `;`, `=` and leading `#` or spaces) are escaped, so they match themselves instead of changing the query. A value that was meant as a wildcard pattern no longer acts as one, and the values must be text. It is not offered when a value is a whole sub-filter.',
    references: [
      'https://cwe.mitre.org/data/definitions/90.html',
      'https://www.python-ldap.org/en/latest/reference/ldap-filter.html',
      'https://www.python-ldap.org/en/latest/reference/ldap-dn.html',
      'https://ldap3.readthedocs.io/en/latest/searches.html',
      'https://cheatsheetseries.owasp.org/cheatsheets/LDAP_Injection_Prevention_Cheat_Sheet.html',
    ],
  },
  // The sinks' method names (the file must import ldap or ldap3 too); `Connection(user=...)`.
  triggers: [...METHODS, 'Connection'],
  onCall(site, ctx) {
    const libs = perFile(ctx, 'ldap-libraries', () => libraries(ctx.moduleCode));
    if (libs.size === 0) return;
    for (const sink of sinksOf(site, libs)) {
      const what = sink.part === 'filter' ? 'LDAP search filter' : 'LDAP distinguished name';
      reportFlow(ctx, sink.node, ctx.valueOf(sink.node), 'ldap', `the ${what} of ${sinkName(site)}`, (origin) =>
        `${what} built from ${origin} is sent by ${sinkName(site)}: characters such as * ( ) ${sink.part === 'dn' ? ', + ' : ''}in the value change which entries match. Escape each value with ${ESCAPERS[sink.lib][sink.part].name}() before putting it in the ${sink.part === 'filter' ? 'filter' : 'DN'}.`,
        buildFix(sink, ctx, libs),
      );
    }
  },
};

export default rule;
