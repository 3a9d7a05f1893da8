// Where a value came from, per function (and at module level): sources, propagation through
// expressions and assignments, and sanitizers per kind of sink. The walk in run.ts binds names
// in source order; rules ask `valueOf(expr)` at their sinks.
import type { Node } from 'web-tree-sitter';
import { lastSegment, matchesAny, type Names } from './names';
import type { Level, TextRange, TraceStep } from './types';

/**
 * The kinds of sink a sanitizer can make a value safe for. Injection kinds: `shell` (a command
 * line a shell parses), `args` (one argv word or a privileged helper's argument), `code` (eval,
 * exec, import names), `lock` (lock names), `path` (file system paths), `sql`, `url` (the target
 * of an outgoing request: SSRF), `redirect` (a Location the browser follows), `template` (template
 * source), `html` (markup sent to a browser), `ldap`, `xpath`, `header` (HTTP header values),
 * `logline` (text of a log line: forged lines via CR/LF), `regex` (a pattern compiled from data),
 * `deserialize` (bytes given to pickle and kin), `xml` (a document given to an XML parser).
 * Exposure kinds: `log` and `response` (where exception text must not go).
 */
export type SinkKind =
  | 'shell' | 'args' | 'code' | 'lock' | 'path' | 'sql' | 'url' | 'redirect' | 'template' | 'html'
  | 'ldap' | 'xpath' | 'header' | 'logline' | 'regex' | 'deserialize' | 'xml'
  | 'log' | 'response';
/**
 * `request`: web request data (Flask, Django, FastAPI/Starlette route parameters, Pyramid, AWS
 * Lambda `event`); `network`: bytes read from a socket; `file`: file and pipe reads; `unknown`
 * stands for data from somewhere we cannot see: an unknown call, an unbound name.
 */
export type SourceKind = 'param' | 'exception' | 'request' | 'argv' | 'env' | 'input' | 'network' | 'file' | 'unknown';

/** The injection sinks: a validated or converted value is safe for all of them. */
export const INJECTION: readonly SinkKind[] = [
  'shell', 'args', 'code', 'lock', 'path', 'sql', 'url', 'redirect', 'template', 'html', 'ldap', 'xpath', 'header',
  'logline', 'regex', 'deserialize', 'xml',
];
/** Sinks that leak exception text. */
export const EXPOSURE: readonly SinkKind[] = ['log', 'response'];

export interface Source {
  kind: SourceKind;
  /** The parameter, variable or expression the data entered through. */
  name: string;
  /** Strong sources are attacker-controlled (request data, argv); weak ones may be (parameters). */
  strong: boolean;
  trace: TraceStep[];
  /** Sinks this value has been sanitized for on its way. */
  cleared: ReadonlySet<SinkKind>;
}

export interface Value {
  sources: Source[];
}

const NO_CLEAR: ReadonlySet<SinkKind> = new Set();
/** Literals, names bound to literals, converted data: nothing to report. */
export const CONSTANT: Value = { sources: [] };
export const UNKNOWN: Value = { sources: [{ kind: 'unknown', name: '', strong: false, trace: [], cleared: NO_CLEAR }] };
const MAX_SOURCES = 8;
const MAX_TRACE = 12;
const MAX_DEPTH = 100;

export function rangeOf(node: Node): TextRange {
  return {
    start: { line: node.startPosition.row, character: node.startPosition.column },
    end: { line: node.endPosition.row, character: node.endPosition.column },
  };
}

export function firstLine(text: string, max = 60): string {
  const line = text.split(/\r?\n|\r/, 1)[0].trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

function sourceKey(s: Source): string {
  const at = s.trace[0]?.range.start;
  return `${s.kind}:${s.name}:${at?.line}:${at?.character}:${[...s.cleared].sort().join(',')}`;
}

export function union(values: Value[]): Value {
  if (values.length === 1) return values[0];
  const seen = new Set<string>();
  const sources: Source[] = [];
  for (const v of values) {
    for (const s of v.sources) {
      const key = sourceKey(s);
      if (sources.length < MAX_SOURCES && !seen.has(key)) {
        seen.add(key);
        sources.push(s);
      }
    }
  }
  return { sources };
}

/** Adds a step to every source's trace (capped, keeping the origin). */
export function withStep(value: Value, step: TraceStep): Value {
  if (value.sources.length === 0) return value;
  return {
    sources: value.sources.map((s) => (s.kind === 'unknown' ? s : {
      ...s,
      trace: s.trace.length >= MAX_TRACE ? [...s.trace.slice(0, MAX_TRACE - 1), step] : [...s.trace, step],
    })),
  };
}

/** Marks the value safe for `kinds` (a sanitizer or a guard ran on it). */
export function clear(value: Value, kinds: readonly SinkKind[]): Value {
  const sources = value.sources
    .map((s) => ({ ...s, cleared: new Set([...s.cleared, ...kinds]) }))
    .filter((s) => !relevant(s).every((k) => s.cleared.has(k)));
  return { sources };
}

function relevant(s: Source): readonly SinkKind[] {
  return s.kind === 'exception' ? EXPOSURE : INJECTION;
}

/** Sources still dangerous for this kind of sink. */
export function sourcesFor(value: Value, kind: SinkKind, withUnknown = false): Source[] {
  return value.sources.filter((s) => (withUnknown || s.kind !== 'unknown') && !s.cleared.has(kind) && relevant(s).includes(kind));
}

/**
 * The severity model: attacker-controlled data -> error, a parameter -> warning, a value of
 * unknown origin -> info (an audit hint, never a squiggle), a constant -> nothing.
 */
export function taintLevel(value: Value, kind: SinkKind): Level | null {
  const sources = sourcesFor(value, kind);
  if (sources.some((s) => s.strong)) return 'error';
  if (sources.length > 0) return 'warning';
  return sourcesFor(value, kind, true).length > 0 ? 'info' : null;
}

/** The trace of the most telling source for the finding, ending at the sink. */
export function traceFor(value: Value, kind: SinkKind, sink: TraceStep): TraceStep[] | undefined {
  const sources = sourcesFor(value, kind);
  const best = sources.find((s) => s.strong) ?? sources[0];
  return best ? [...best.trace, sink] : undefined;
}

export function newSource(kind: SourceKind, name: string, strong: boolean, node: Node, message: string): Value {
  return {
    sources: [{ kind, name, strong, trace: [{ range: rangeOf(node), message }], cleared: NO_CLEAR }],
  };
}

// ---- Tables: which calls and attributes are sources, sanitizers and pure transformations ----

/** Calls whose result no longer carries the argument's content in a dangerous form. */
const CONVERTERS = [
  'int', 'float', 'bool', 'len', 'hash', 'id', 'ord', 'abs', 'round', 'complex',
  'ipaddress.ip_address', 'ipaddress.ip_network', 'ipaddress.ip_interface',
  'ipaddress.IPv4Address', 'ipaddress.IPv6Address', 'ipaddress.IPv4Network', 'ipaddress.IPv6Network',
  'netaddr.IPAddress', 'netaddr.IPNetwork', 'netaddr.EUI', 'uuid.UUID',
  'type', 'isinstance', 'callable',
];
/**
 * Serialisers: their output was written by this process, so loading it again (`pickle.loads(
 * pickle.dumps(obj))`, the round trip of every copy and test) runs nothing an attacker chose.
 */
const SELF_SERIALIZED = [
  'pickle.dumps', 'cPickle.dumps', '_pickle.dumps', 'marshal.dumps', 'dill.dumps', 'cloudpickle.dumps',
  'jsonpickle.encode', 'jsonpickle.dumps',
];
/** Functions whose result is made of their arguments and nothing else. */
const PURE = [
  'str', 'repr', 'format', 'bytes', 'list', 'tuple', 'dict', 'set', 'frozenset', 'sorted', 'reversed', 'min', 'max',
  'sum', 'enumerate', 'zip', 'map', 'filter', 'six.text_type', 'six.binary_type', 'os.path.join', 'posixpath.join',
  'os.fspath', 'pathlib.Path', 'pathlib.PurePath', 'copy.copy', 'copy.deepcopy',
  'psycopg2.sql.SQL', 'psycopg2.sql.Composed', 'psycopg.sql.SQL', 'psycopg.sql.Composed',
];
/** Calls that make their argument safe for some kinds of sink only. */
export const SANITIZERS: { names: string[]; kinds: SinkKind[] }[] = [
  { names: ['shlex.quote', 'pipes.quote'], kinds: ['shell'] },
  {
    // Directory listings name files that are already there: joining them back stays inside.
    names: [
      'os.path.basename', 'posixpath.basename', 'werkzeug.utils.secure_filename', '*.secure_filename', '*.safe_join', 'flask.safe_join',
      'os.listdir', 'os.scandir', 'os.walk', 'glob.glob', 'glob.iglob',
    ],
    kinds: ['path'],
  },
  {
    names: ['html.escape', 'cgi.escape', 'markupsafe.escape', 'jinja2.escape', 'flask.escape', 'django.utils.html.escape', 'django.utils.html.conditional_escape', 'bleach.clean', 'xml.sax.saxutils.escape'],
    kinds: ['html'],
  },
  { names: ['ldap.filter.escape_filter_chars', 'ldap3.utils.conv.escape_filter_chars', 'ldap.dn.escape_dn_chars', 'ldap.filter.filter_format', 'ldap3.utils.dn.escape_rdn'], kinds: ['ldap'] },
  { names: ['re.escape'], kinds: ['regex'] },
  {
    names: ['psycopg2.sql.Identifier', 'psycopg2.sql.Literal', 'psycopg.sql.Identifier', 'psycopg.sql.Literal', '*.ops.quote_name', 'sqlalchemy.bindparam'],
    kinds: ['sql'],
  },
  { names: ['urllib.parse.quote', 'urllib.parse.quote_plus', 'urllib.quote', 'urllib.quote_plus'], kinds: ['header', 'logline'] },
];
/** Methods whose result is data read from outside: sockets (`network`), files and pipes (`file`). */
const READ_METHODS = new Map<string, SourceKind>([
  ['recv', 'network'], ['recvfrom', 'network'], ['recvmsg', 'network'], ['recv_bytes', 'network'],
  ['read', 'file'], ['readline', 'file'], ['readlines', 'file'], ['read_text', 'file'], ['read_bytes', 'file'],
]);
/** The text of the exception being handled: `traceback.format_exc()` and kin. */
const TRACEBACK_TEXT = ['traceback.format_exc', 'traceback.format_exception', 'traceback.format_exception_only', 'traceback.format_tb'];
/** Reading a line of user input from standard input. */
const STDIN = ['sys.stdin.read', 'sys.stdin.readline', 'sys.stdin.readlines', 'sys.stdin.buffer.read'];
/** Names that say the function validates its argument (`validate_name`, `_check_iface`, ...). */
const VALIDATOR_NAME = /(^|[._])(validate|validated|sanitize|sanitise|sanitized|check|ensure_valid|is_valid|assert_valid|is_safe_url|url_has_allowed_host_and_scheme|valid_ipv4|valid_ipv6|valid_mac)([_A-Za-z0-9]*)$/;
/** Calls that validate by raising on bad input; as a statement they vouch for their argument. */
const VALIDATING_CALLS = CONVERTERS.filter((n) => n.includes('.') || n === 'int' || n === 'float');

const REQUEST_OBJECTS = ['flask.request', 'werkzeug.local.request', 'pyramid.request', 'bottle.request'];
const REQUEST_ATTRS = new Set([
  'args', 'form', 'values', 'json', 'cookies', 'headers', 'files', 'data', 'get_json', 'get_data',
  'GET', 'POST', 'body', 'COOKIES', 'META', 'FILES', 'params', 'matchdict', 'query_params', 'path_params',
  'path', 'full_path', 'url', 'query_string', 'environ', 'stream', 'remote_addr',
]);
/** Attributes of an exception that are not its text. */
const EXCEPTION_NON_TEXT = new Set([
  'errno', 'code', 'returncode', 'exit_code', 'status', 'status_code', '__class__', '__name__', '__module__', '__qualname__',
]);

export function isValidatorName(qname: string | null): boolean {
  return qname !== null && VALIDATOR_NAME.test(qname);
}

export function isValidatingCall(qname: string | null): boolean {
  return matchesAny(qname, VALIDATING_CALLS) || isValidatorName(qname);
}

// ---- Scopes ----

export class Scope {
  readonly env = new Map<string, Value>();
  /** Inside if/for/while/try bodies an assignment may not run, so it joins rather than replaces. */
  branchDepth = 0;

  constructor(
    readonly kind: 'module' | 'function' | 'class',
    readonly node: Node,
    readonly name: string,
    readonly parent: Scope | null,
  ) {}

  lookup(name: string): Value | undefined {
    // Class bodies are not visible from methods, as in Python.
    for (let s: Scope | null = this; s; s = s.parent) {
      if (s !== this && s.kind === 'class') continue;
      const v = s.env.get(name);
      if (v) return v;
    }
    return undefined;
  }

  bind(name: string, value: Value): void {
    const old = this.env.get(name);
    this.env.set(name, this.branchDepth > 0 && old ? union([old, value]) : value);
  }

  /** The innermost function, or null at module level. */
  get func(): Scope | null {
    for (let s: Scope | null = this; s; s = s.parent) if (s.kind === 'function') return s;
    return null;
  }
}

// ---- Expression evaluation ----

/**
 * What a function of this module returns, learned when the walk leaves its definition: used
 * for calls that come after it (`name = get_name()`; `self._build_cmd(x)`).
 */
export interface Summary {
  /** `constant`: every return is a literal or built from constants only. */
  kind: 'constant' | 'value';
  /** Sources of the returned value that are not the function's own parameters. */
  value: Value;
  /** Some return carries a parameter: the call's arguments flow into its result. */
  passesArgs: boolean;
  /** Sinks every returned parameter had been sanitized for (`return shlex.quote(x)`). */
  clears: SinkKind[];
}

export class Flow {
  private readonly cache = new Map<number, Value>();
  /** Keyed by function name at module level and `self.<name>` for methods. */
  readonly summaries = new Map<string, Summary>();

  constructor(
    private readonly names: Names,
    public scope: Scope,
  ) {}

  /** Evaluated values depend on the bindings at the time, so the cache lives for one statement. */
  resetCache(): void {
    this.cache.clear();
  }

  valueOf(node: Node | null, depth = 0): Value {
    if (!node) return UNKNOWN;
    if (depth > MAX_DEPTH) return UNKNOWN;
    const hit = this.cache.get(node.id);
    if (hit) return hit;
    const v = this.compute(node, depth + 1);
    this.cache.set(node.id, v);
    return v;
  }

  private all(nodes: (Node | null)[], depth: number): Value {
    const vs = nodes.filter((n): n is Node => n !== null && n.type !== 'comment').map((n) => this.valueOf(n, depth));
    return vs.length === 0 ? CONSTANT : union(vs);
  }

  private compute(node: Node, depth: number): Value {
    switch (node.type) {
      case 'string': {
        const parts = node.namedChildren.filter((c) => c?.type === 'interpolation');
        return parts.length === 0 ? CONSTANT : this.all(parts.map((p) => p!.childForFieldName('expression') ?? p!.namedChild(0)), depth);
      }
      case 'concatenated_string':
        return this.all(node.namedChildren, depth);
      case 'integer': case 'float': case 'true': case 'false': case 'none': case 'ellipsis':
        return CONSTANT;
      case 'identifier':
        return this.identifier(node);
      case 'attribute':
        return this.attribute(node, depth);
      case 'subscript': {
        const q = this.names.resolve(node.childForFieldName('value'));
        if (q === 'sys.argv') return newSource('argv', 'sys.argv', true, node, '`sys.argv` (command-line input)');
        if (q === 'os.environ') return newSource('env', firstLine(node.text), true, node, `\`${firstLine(node.text)}\` (environment)`);
        return this.valueOf(node.childForFieldName('value'), depth);
      }
      case 'call':
        return this.call(node, depth);
      case 'lambda':
        return UNKNOWN;
      case 'keyword_argument':
        return this.valueOf(node.childForFieldName('value'), depth);
      case 'conditional_expression': {
        // `a if cond else b`: the condition is not part of the result.
        const kids = node.namedChildren;
        return this.all([kids[0] ?? null, kids[2] ?? null], depth);
      }
      case 'list_comprehension': case 'set_comprehension': case 'generator_expression': case 'dictionary_comprehension': {
        // The body is evaluated with the loop names bound to their iterables' values, in a scope of its own.
        const outer = this.scope;
        const inner = new Scope('function', node, '<comprehension>', outer);
        this.scope = inner;
        try {
          for (const clause of node.namedChildren) {
            if (clause?.type !== 'for_in_clause') continue;
            const value = this.valueOf(clause.childForFieldName('right'), depth);
            const targets = clause.childForFieldName('left');
            for (const id of targets ? [targets, ...targets.descendantsOfType('identifier')] : []) {
              if (id?.type === 'identifier') inner.env.set(id.text, value);
            }
          }
          // `[f for f in fields if f in ALLOWED]`: the filter vouches for the loop name.
          for (const clause of node.namedChildren) {
            const test = clause?.type === 'if_clause' ? clause.namedChild(0) : null;
            if (test?.type !== 'comparison_operator') continue;
            const ops = test.children.filter((c) => c && !c.isNamed).map((c) => c!.type).join(' ');
            const name = test.namedChild(0);
            const bound = name?.type === 'identifier' ? inner.env.get(name.text) : undefined;
            if (ops === 'in' && bound && this.valueOf(test.namedChild(1), depth).sources.length === 0) {
              inner.env.set(name!.text, clear(bound, INJECTION));
              this.cache.clear();
            }
          }
          return this.valueOf(node.childForFieldName('body'), depth);
        } finally {
          this.scope = outer;
        }
      }
      case 'binary_operator': {
        // `"id = %d" % x`: a numeric directive raises unless x is a number, so x brings no text.
        const left = node.childForFieldName('left');
        const right = node.childForFieldName('right');
        if (node.childForFieldName('operator')?.type === '%' && left?.type === 'string' && right) {
          const items = right.type === 'tuple' ? right.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment') : [right];
          const content = left.namedChildren.some((c) => c?.type === 'interpolation') ? null : left.text;
          const directives = content === null ? [] : [...content.matchAll(/%(\([^)]*\))?[-#0 +]*(\*|\d+)?(\.(\*|\d+))?([a-zA-Z%])/g)]
            .filter((m) => m[5] !== '%');
          if (directives.length === items.length && directives.every((m) => !m[1] && !m[2]?.includes('*') && !m[4]?.includes('*')) &&
            (right.type === 'tuple' || directives.length === 1) && items.every((i) => i.type !== 'list_splat')) {
            return this.all(items.filter((_, i) => !/[diouxXeEfFgG]/.test(directives[i][5])), depth);
          }
        }
        return this.all(node.namedChildren, depth);
      }
      case 'comparison_operator': case 'not_operator':
        return CONSTANT; // a boolean carries no text
      default:
        // Operators, containers, parentheses, await, starred: the union of their parts.
        return this.all(node.namedChildren, depth);
    }
  }

  /** A bound name's value; anything else (a builtin, a module, a global set elsewhere) is unknown. */
  private identifier(node: Node): Value {
    return this.scope.lookup(node.text) ?? UNKNOWN;
  }

  private attribute(node: Node, depth: number): Value {
    const object = node.childForFieldName('object');
    const attr = node.childForFieldName('attribute')?.text ?? '';
    const q = this.names.resolve(object);
    if (q && REQUEST_OBJECTS.includes(q) && REQUEST_ATTRS.has(attr)) {
      return newSource('request', `${q}.${attr}`, true, node, `\`${firstLine(node.text)}\` (request data)`);
    }
    if (q === 'os.environ') return newSource('env', 'os.environ', true, node, '`os.environ` (environment)');
    if (q === 'sys.argv') return newSource('argv', 'sys.argv', true, node, '`sys.argv` (command-line input)');
    // A parameter named `request` in a view: Django/DRF request data.
    if (object?.type === 'identifier' && object.text === 'request' && REQUEST_ATTRS.has(attr) && this.scope.lookup('request')) {
      return newSource('request', `request.${attr}`, true, node, `\`${firstLine(node.text)}\` (request data)`);
    }
    const base = this.valueOf(object, depth);
    if (EXCEPTION_NON_TEXT.has(attr)) return clear(base, EXPOSURE);
    return base;
  }

  private call(node: Node, depth: number): Value {
    const fn = node.childForFieldName('function');
    const argsNode = node.childForFieldName('arguments');
    // `f(x for x in y)`: a bare generator is the single argument.
    const args = argsNode?.type === 'generator_expression' ? [argsNode]
      : argsNode ? argsNode.namedChildren.filter((c): c is Node => c !== null && c.type !== 'comment') : [];
    const q = this.names.resolve(fn);
    if (q === 'input' || q === 'raw_input' || matchesAny(q, STDIN)) return newSource('input', firstLine(node.text), true, node, `\`${firstLine(node.text)}\` (user input)`);
    if (q === 'os.getenv' || q === 'os.environ.get') return newSource('env', firstLine(node.text), true, node, `\`${firstLine(node.text)}\` (environment)`);
    if (matchesAny(q, TRACEBACK_TEXT)) return newSource('exception', firstLine(node.text), false, node, `\`${firstLine(node.text)}\` (text of the exception being handled)`);
    if (q === 'type') return clear(this.all(args, depth), [...EXPOSURE, ...INJECTION]);
    if (matchesAny(q, CONVERTERS) || matchesAny(q, SELF_SERIALIZED)) return CONSTANT;
    for (const s of SANITIZERS) if (matchesAny(q, s.names)) return clear(this.all(args, depth), s.kinds);
    if (isValidatorName(q)) return clear(this.all(args, depth), INJECTION);
    const argValue = this.all(args, depth);
    // Before the method case: `os.path.join(a, b)` is a function of a module, not a method of a value.
    if (matchesAny(q, PURE)) return argValue;
    const summary = this.summaries.get(q ?? '') ?? (fn?.type === 'attribute' && fn.childForFieldName('object')?.text === 'self' ? this.summaries.get(`self.${lastSegment(q ?? '')}`) : undefined);
    if (summary) {
      if (summary.kind === 'constant') return CONSTANT;
      return union([summary.value, summary.passesArgs ? clear(argValue, summary.clears) : CONSTANT]);
    }
    if (fn?.type === 'attribute') {
      const method = lastSegment(q ?? fn.text);
      const read = READ_METHODS.get(method);
      if (read) return newSource(read, firstLine(node.text), true, node, `\`${firstLine(node.text)}\` (${read === 'network' ? 'data from the network' : 'file or pipe contents'})`);
      // A method on a value (`cmd.strip()`, `"-".join(parts)`, `request.args.get("x")`) carries
      // the receiver's and the arguments' data.
      const receiver = this.valueOf(fn.childForFieldName('object'), depth);
      if (method === 'get_json' || method === 'get_data') return this.valueOf(fn, depth);
      // `ALLOWED.get(key, default)` on a constant mapping: an entry of it or the default, never the key.
      if (method === 'get' && receiver.sources.length === 0) return args[1] ? this.valueOf(args[1], depth) : CONSTANT;
      return union([receiver, argValue]);
    }
    // An unknown function of tainted arguments may return them: stay conservative.
    return union([UNKNOWN, argValue]);
  }
}
