import type { Node } from 'web-tree-sitter';
import { replaceNode } from '../../server/src/engine/fixes';
import { lastSegment, matchesAny } from '../../server/src/engine/names';
import type { CallSite, Ctx, Rule } from '../../server/src/engine/rule';
import type { Fix } from '../../server/src/engine/types';
import { reportFlow, sinkName } from '../support';
import { builtString, literal, literalText, type BuiltString } from './built-strings';

/** DB-API and SQLAlchemy methods that run their first argument as SQL. */
const RUN_METHODS = new Set(['execute', 'executemany', 'executescript', 'exec_driver_sql', 'execute_sql', 'mogrify', 'read_sql']);
/** Functions whose first argument is SQL text. */
const SQL_TEXT = [
  'sqlalchemy.text', 'sqlalchemy.sql.text', 'sqlalchemy.sql.expression.text', 'sqlmodel.text',
  'pandas.read_sql', 'pandas.read_sql_query', 'psycopg2.sql.SQL', 'psycopg.sql.SQL', 'django.db.models.expressions.RawSQL', 'django.db.models.RawSQL', '*.RawSQL',
];
/** `execute` helpers that run a program (SL102's): never SQL. */
const COMMAND_RUNNERS = ['*.utils.execute', '*.processutils.execute', '*.netns.execute', '*.ip_lib.*', '*.privileged.*'];
/** The object a query runs on, by its name: `cursor`, `self._conn`, `connection.cursor()`, `db.session`, `engine`. */
const DB_RECEIVER = /^_*(?:\w+_)?(cur|curs|cursor|conn|connection|con|cnx|cx|db|database|dbconn|session|sess|engine|txn|tx|transaction|connect|c)$/i;
/** Literal text that reads as SQL. */
const SQL_WORDS = /^\s*\(?\s*(select|insert|update|delete|with|create|drop|alter|replace|merge|pragma|grant|revoke|truncate|vacuum|attach)\b|\bselect\b[\s\S]*\bfrom\b|\binsert\s+into\b|\bupdate\s+\S+\s+set\b|\bdelete\s+from\b|\bwhere\b[\s\S]*(=|\blike\b|\bin\b)|\b(order|group)\s+by\b|\blimit\s+\S|\bvalues\s*\(|\bfrom\s+\S/i;
/** A condition or ordering written as SQL text. */
const SQL_FRAGMENT = /[=<>]|\b(like|in|and|or|not|is|between|asc|desc)\b/i;
/** SQLAlchemy query methods that accepted SQL text. */
const QUERY_METHODS = new Set(['filter', 'order_by', 'group_by', 'having', 'where', 'from_statement']);
/** asyncpg and aiosqlite style methods: generic names, so only with SQL text in sight. */
const FETCH_METHODS = new Set(['fetch', 'fetchrow', 'fetchval', 'execute_fetchall']);

function receiverName(callee: Node | null): string | null {
  let object = callee?.type === 'attribute' ? callee.childForFieldName('object') : null;
  while (object?.type === 'call') object = object.childForFieldName('function');
  if (object?.type === 'attribute') return object.childForFieldName('attribute')?.text ?? null;
  return object?.type === 'identifier' ? object.text : null;
}

function looksLikeSql(node: Node): boolean {
  const text = literalText(node);
  return text !== null && SQL_WORDS.test(text);
}

/** Calls to `text()` are checked themselves: `session.execute(text(f"..."))` is one finding. */
function isTextCall(node: Node, ctx: Ctx): boolean {
  return node.type === 'call' && matchesAny(ctx.names.resolve(node.childForFieldName('function')), SQL_TEXT);
}

interface Sink { query: Node; label: string; fixable: boolean }

function sinksOf(site: CallSite, ctx: Ctx): Sink[] {
  const q = site.qname ?? '';
  const method = lastSegment(q || site.callee?.text || '');
  if (matchesAny(site.qname, SQL_TEXT)) {
    const query = site.positional[0] ?? site.keywords.get('sql') ?? site.keywords.get('text');
    return query ? [{ query, label: sinkName(site), fixable: false }] : [];
  }
  if (FETCH_METHODS.has(method) && site.callee?.type === 'attribute') {
    const query = site.positional[0] ?? site.keywords.get('query');
    return query && looksLikeSql(query) ? [{ query, label: sinkName(site), fixable: false }] : [];
  }
  if (RUN_METHODS.has(method) && site.callee?.type === 'attribute') {
    if (matchesAny(site.qname, COMMAND_RUNNERS) || site.keywords.has('run_as_root') || site.keywords.has('root_helper')) return [];
    const query = site.positional[0] ?? site.keywords.get('sql') ?? site.keywords.get('query') ?? site.keywords.get('operation') ?? site.keywords.get('statement');
    if (!query || ['list', 'tuple', 'list_splat', 'list_comprehension'].includes(query.type) || isTextCall(query, ctx)) return [];
    // With the text in sight it must read as SQL (`ssh_conn.execute(f"ls {path}")` is not); without, the receiver's name decides.
    const text = literalText(query);
    const receiver = receiverName(site.callee);
    if (text !== null ? !SQL_WORDS.test(text) : !(receiver && DB_RECEIVER.test(receiver))) return [];
    return [{ query, label: sinkName(site), fixable: method === 'execute' && site.args.length === 1 && query === site.positional[0] }];
  }
  // SQLAlchemy 1.x took SQL text in query methods: `session.query(User).filter("name = '%s'" % name)`.
  if (QUERY_METHODS.has(method) && site.callee?.type === 'attribute' && /\b(query|select)\(/.test(site.callee.childForFieldName('object')?.text ?? '')) {
    const query = site.positional[0];
    const text = query && builtString(query) ? literalText(query) : null;
    return query && text !== null && SQL_FRAGMENT.test(text) ? [{ query, label: sinkName(site), fixable: false }] : [];
  }
  // Django: `Model.objects.raw(sql, params)`, `qs.extra(select=..., where=[...], tables=..., order_by=...)`.
  if (method === 'raw' && /(^|\.)objects(\(\))?\.raw$|Manager\(\)\.raw$/.test(q)) {
    const query = site.positional[0] ?? site.keywords.get('raw_query');
    return query ? [{ query, label: sinkName(site), fixable: site.args.length === 1 && query === site.positional[0] }] : [];
  }
  if (method === 'extra' && (/(^|\.)objects(\(\))?\./.test(q) || ['select', 'where', 'tables', 'order_by'].some((k) => site.keywords.has(k)))) {
    const slots = [site.positional[0], site.positional[1], site.positional[3], site.positional[4],
      site.keywords.get('select'), site.keywords.get('where'), site.keywords.get('tables'), site.keywords.get('order_by')];
    return slots.filter((n): n is Node => !!n).map((query) => ({ query, label: sinkName(site), fixable: false }));
  }
  return [];
}

// ---- The fix: values become driver placeholders ----

type Paramstyle = '%s' | '?';

/** The driver's placeholder, when the file imports drivers of one paramstyle only. */
function paramstyle(text: string): Paramstyle | null {
  const imports = (re: string) => new RegExp(`^[ \\t]*(import|from)[ \\t]+(${re})\\b`, 'm').test(text);
  const format = imports('psycopg2|psycopg|pymysql|MySQLdb|mysql\\.connector|django\\.db|pgdb');
  const qmark = imports('sqlite3|pyodbc|aiosqlite');
  const other = imports('sqlalchemy|asyncpg|cx_Oracle|oracledb|databases|sqlmodel|pandas');
  if (other || format === qmark) return null;
  return format ? '%s' : '?';
}

/** `... WHERE name = '{x}' AND id = {y}` -> `... WHERE name = %s AND id = %s` and [x, y]; null when a value is not a plain SQL value. */
function parameterize(b: BuiltString, style: Paramstyle): { sql: string; values: Node[] } | null {
  const texts: string[] = [];
  const values: Node[] = [];
  const parts = b.parts.map((p) => ({ ...p }));
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i];
    if (p.literal !== undefined) {
      if (style === '?' && p.literal.includes('?')) return null;
      texts.push(style === '%s' ? p.literal.replace(/%/g, '%%') : p.literal);
      continue;
    }
    if (p.formatted || !p.expr) return null;
    const before = texts.join('');
    const next = parts[i + 1];
    const q = /['"]$/.exec(before)?.[0];
    if (q && next?.literal?.startsWith(q) && !before.endsWith(`\\${q}`)) {
      // A quoted string value: the placeholder replaces the quotes too.
      const last = texts.length - 1;
      texts[last] = texts[last].slice(0, -1);
      next.literal = next.literal.slice(1);
    } else if (!/(=|<|>|\blike)\s*$/i.test(before) || q) {
      return null; // a table or column name, a list, part of a word: no placeholder fits
    }
    texts.push(style);
    values.push(p.expr);
  }
  return values.length > 0 ? { sql: texts.join(''), values } : null;
}

function buildFix(sink: Sink, ctx: Ctx): Fix | undefined {
  if (!sink.fixable) return undefined;
  const b = builtString(sink.query);
  const style = paramstyle(ctx.text);
  if (!b || !style || b.quote.length === 3 && b.parts.some((p) => p.literal?.includes(b.quote[0]))) return undefined;
  const p = parameterize(b, style);
  if (!p) return undefined;
  const tuple = p.values.length === 1 ? `(${p.values[0].text},)` : `(${p.values.map((v) => v.text).join(', ')})`;
  return {
    title: `Pass the values as query parameters (${style} placeholders)`,
    safe: false,
    edits: [replaceNode(sink.query, `${literal(b, p.sql)}, ${tuple}`)],
  };
}

function isWholeParameter(node: Node, ctx: Ctx): boolean {
  if (node.type !== 'identifier') return false;
  const sources = ctx.valueOf(node).sources;
  return sources.length > 0 && sources.every((s) => s.kind === 'param' && s.name === node.text && s.trace.length === 1);
}

const rule: Rule = {
  code: 'SL105',
  name: 'sql-query-injection',
  category: 'injection',
  summary: 'SQL query built from non-constant data by string formatting',
  severity: 'high',
  confidence: 'high',
  defaultLevel: 'warning',
  maxLevel: 'error',
  cwe: [89],
  bandit: ['B608', 'B610', 'B611'],
  ruff: ['S608', 'S610', 'S611'],
  fix: 'sometimes',
  // The methods' names; SQL_TEXT by module (`text` and `SQL` are common words); `query`/`select`
  // that SQLAlchemy 1.x query methods need before them.
  triggers: [
    ...RUN_METHODS, ...FETCH_METHODS, 'sqlalchemy', 'sqlmodel', 'read_sql_query', 'psycopg2', 'psycopg', 'RawSQL',
    'raw', 'extra',
  ],
  // QUERY_METHODS look for `query(` or `select(` in the receiver's text; `extra` for a `select=` keyword.
  triggerPattern: /\b(?:query|select)\(|\bselect(?:\s|#[^\n]*)*=/,
  explanation: {
    what:
      'SQL text built with an f-string, `%`, `.format()`, `+` or `join` from data that is not a constant is run by a DB-API cursor or connection (`execute`, `executemany`, `executescript`), SQLAlchemy (`text()`, `session.execute`, `engine.execute`, `exec_driver_sql`, and 1.x `query(...).filter/order_by/having` given SQL text), psycopg2 `sql.SQL()`, asyncpg `fetch/fetchrow/fetchval`, peewee `execute_sql`, pandas `read_sql`, or Django (`Model.objects.raw()`, `QuerySet.extra()`, `RawSQL`, `connection.cursor().execute`). Parameterised calls with a constant query (`execute("... WHERE id = %s", (id,))`) are not reported, and neither are names checked against an allow-list first, values formatted with numeric directives (`%d`), converted with `int()`, or composed with `psycopg2.sql.Identifier`/`Literal` or Django\'s `connection.ops.quote_name()`. Parameters of helper functions give warnings; values of unknown origin (`self.table`, a call result) only information.',
    why:
      'The database parses the whole text. A quote in the value ends the string literal and the rest of the value runs as SQL: `\' OR \'1\'=\'1` returns every row, `\'; DROP TABLE ports; --` runs a second statement where the driver allows it, and `UNION SELECT` reads other tables. Escaping by hand misses encodings and numeric contexts; bound parameters are sent apart from the SQL text and are never parsed as SQL.',
    example:
      'def find_port(cursor, name):\n    cursor.execute(f"SELECT id, mac FROM ports WHERE name = \'{name}\'")\n\n\ndef search(request):\n    return Port.objects.raw("SELECT * FROM ports WHERE owner = \'%s\'" % request.GET["owner"])',
    useInstead:
      'def find_port(cursor, name):\n    cursor.execute("SELECT id, mac FROM ports WHERE name = %s", (name,))  # sqlite3: ?\n\n\ndef search(request):\n    return Port.objects.raw("SELECT * FROM ports WHERE owner = %s", [request.GET["owner"]])\n\n\n# identifiers cannot be parameters: pick them from an allow-list\nSORT_COLUMNS = {"name": "name", "created": "created_at"}\ncolumn = SORT_COLUMNS.get(request.GET.get("sort"), "name")\ncursor.execute(f"SELECT * FROM ports ORDER BY {column}")',
    fixSafety:
      'Unsafe: offered for `cursor.execute(...)` and `objects.raw(...)` with the query built in place and no parameters yet, when the file imports drivers of a single paramstyle (psycopg2, psycopg, pymysql, MySQLdb, mysql.connector, Django: `%s`; sqlite3, pyodbc: `?`) and every value sits where SQL takes a value (inside quotes, or after `=`, `<`, `>`, `LIKE`). Each value becomes a placeholder, the quotes around it go, literal `%` is doubled for `%s` drivers, and the values are passed as a tuple. Values are now typed: an `int` that used to be compared as the text `\'5\'` is sent as the number 5, and text that relied on being spliced (a fragment of SQL, a `LIKE` pattern built around the value) no longer is.',
    references: [
      'https://cwe.mitre.org/data/definitions/89.html',
      'https://peps.python.org/pep-0249/#paramstyle',
      'https://www.psycopg.org/docs/usage.html#passing-parameters-to-sql-queries',
      'https://docs.python.org/3/library/sqlite3.html#sqlite3-placeholders',
      'https://docs.djangoproject.com/en/stable/topics/db/sql/#passing-parameters-into-raw',
      'https://docs.sqlalchemy.org/en/20/core/sqlelement.html#sqlalchemy.sql.expression.text',
      'https://cheatsheetseries.owasp.org/cheatsheets/SQL_Injection_Prevention_Cheat_Sheet.html',
    ],
  },
  onCall(site, ctx) {
    for (const sink of sinksOf(site, ctx)) {
      // `def run(conn, sql): conn.execute(sql)`: a helper that runs whatever query its caller
      // wrote; the caller's query is where injection would be, not here.
      if (isWholeParameter(sink.query, ctx)) continue;
      reportFlow(ctx, sink.query, ctx.valueOf(sink.query), 'sql', `the SQL run by ${sink.label}`, (origin) =>
        `SQL query built from ${origin} is run by ${sink.label}: a quote in the value ends the SQL string and the rest runs as SQL. Pass values as parameters (execute("... WHERE name = %s", (name,))) and pick table or column names from an allow-list.`,
        buildFix(sink, ctx),
      );
    }
  },
};

export default rule;
