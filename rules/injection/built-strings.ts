// Reading a string built by an f-string, `%`, `.format()` or `+` as literal and interpolated
// parts, and writing it back as one plain literal. The query-building rules (SQL, LDAP, XPath)
// use it to see where a value lands in the text and to rewrite it into a placeholder.
import type { Node } from 'web-tree-sitter';
import { plusOperands } from '../../server/src/engine/syntax';

export interface Part {
  /** Literal text as the runtime sees it after formatting, but still in source form (escape sequences kept). */
  literal?: string;
  expr?: Node;
  /** A conversion or a format spec (`{x!r}`, `%d`, `{x:>3}`): the value is not inserted as `str(x)`. */
  formatted?: boolean;
}

export interface BuiltString {
  parts: Part[];
  /** Prefix letters of the literal(s) other than `f` (`r`, `u`), and their quote. */
  prefix: string;
  quote: string;
}

function delimiters(node: Node): { prefix: string; quote: string } | null {
  const start = node.namedChildren.find((c) => c?.type === 'string_start')?.text ?? '';
  const m = /^([A-Za-z]*)('''|"""|'|")$/.exec(start);
  if (!m || /b/i.test(m[1])) return null;
  return { prefix: m[1], quote: m[2] };
}

/** Source text between the quotes of a string literal without interpolations. */
function rawContent(node: Node): string | null {
  if (node.type !== 'string' || node.namedChildren.some((c) => c?.type === 'interpolation')) return null;
  return node.namedChildren.filter((c) => c?.type === 'string_content').map((c) => c!.text).join('');
}

function fstring(node: Node): BuiltString | null {
  const d = delimiters(node);
  if (!d || !/f/i.test(d.prefix)) return null;
  const parts: Part[] = [];
  for (const c of node.namedChildren) {
    if (!c) continue;
    if (c.type === 'string_content') parts.push({ literal: c.text.replace(/\{\{/g, '{').replace(/\}\}/g, '}') });
    else if (c.type === 'interpolation') {
      const expr = c.childForFieldName('expression');
      if (!expr) return null;
      const formatted = c.namedChildren.some((k) => k?.type === 'type_conversion' || k?.type === 'format_specifier');
      parts.push({ expr, formatted });
    }
  }
  return { parts, prefix: d.prefix.replace(/f/i, ''), quote: d.quote };
}

function percent(node: Node): BuiltString | null {
  const left = node.childForFieldName('left');
  const right = node.childForFieldName('right');
  if (left?.type !== 'string' || !right || right.type === 'dictionary') return null;
  const d = delimiters(left);
  const template = rawContent(left);
  if (!d || /f/i.test(d.prefix) || template === null) return null;
  const items = right.type === 'tuple' ? right.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment') : [right];
  if (items.some((i) => i.type === 'list_splat')) return null;
  const parts: Part[] = [];
  let i = 0;
  let literal = '';
  for (const m of template.split(/(%(?:\([^)]*\))?[-#0 +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[a-zA-Z%])/)) {
    if (m === '%%') literal += '%';
    else if (m.startsWith('%') && m.length > 1) {
      if (m.includes('(') || m.includes('*')) return null;
      const expr = items[i++];
      if (!expr) return null;
      if (literal) parts.push({ literal });
      literal = '';
      parts.push({ expr, formatted: m !== '%s' });
    } else literal += m;
  }
  if (literal) parts.push({ literal });
  return i === items.length ? { parts, ...d } : null;
}

function format(node: Node): BuiltString | null {
  const fn = node.childForFieldName('function');
  if (fn?.type !== 'attribute' || fn.childForFieldName('attribute')?.text !== 'format') return null;
  const object = fn.childForFieldName('object');
  const template = object ? rawContent(object) : null;
  const d = object?.type === 'string' ? delimiters(object) : null;
  if (!d || /f/i.test(d.prefix) || template === null) return null;
  const args = node.childForFieldName('arguments')?.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment') ?? [];
  if (args.some((a) => a.type === 'list_splat' || a.type === 'dictionary_splat')) return null;
  const positional = args.filter((a) => a.type !== 'keyword_argument');
  const named = new Map(args.filter((a) => a.type === 'keyword_argument').map((a) => [a.childForFieldName('name')?.text ?? '', a.childForFieldName('value')]));
  const parts: Part[] = [];
  let auto = 0;
  let literal = '';
  for (const m of template.split(/(\{\{|\}\}|\{[^{}]*\})/)) {
    if (m === '{{' || m === '}}') literal += m[0];
    else if (m.startsWith('{')) {
      const [field, spec] = m.slice(1, -1).split(/(?=[!:])/, 2);
      const expr = field === '' ? positional[auto++] : /^\d+$/.test(field) ? positional[Number(field)] : /^\w+$/.test(field) ? named.get(field) : null;
      if (!expr) return null;
      if (literal) parts.push({ literal });
      literal = '';
      parts.push({ expr, formatted: !!spec });
    } else if (m.includes('{') || m.includes('}')) return null;
    else literal += m;
  }
  if (literal) parts.push({ literal });
  return { parts, ...d };
}

function concatenation(node: Node): BuiltString | null {
  const operands = plusOperands(node);
  let delim: { prefix: string; quote: string } | null = null;
  const parts: Part[] = [];
  for (const o of operands) {
    if (o.type === 'string') {
      const d = delimiters(o);
      if (!d || /f/i.test(d.prefix)) {
        const inner = fstring(o);
        if (!inner || (delim && (delim.quote !== inner.quote || delim.prefix !== inner.prefix))) return null;
        delim = { prefix: inner.prefix, quote: inner.quote };
        parts.push(...inner.parts);
        continue;
      }
      if (delim && (delim.quote !== d.quote || delim.prefix !== d.prefix)) return null;
      delim = d;
      const raw = rawContent(o);
      if (raw === null) return null;
      parts.push({ literal: raw });
    } else parts.push({ expr: o });
  }
  if (!delim) return null;
  return { parts, ...delim };
}

/** The parts of a string built in place, or null for anything else (a name, a call, a plain literal). */
export function builtString(node: Node | null | undefined): BuiltString | null {
  if (!node) return null;
  if (node.type === 'parenthesized_expression') return builtString(node.namedChild(0));
  if (node.type === 'string') return fstring(node);
  if (node.type === 'call') return format(node);
  if (node.type === 'binary_operator') {
    const op = node.childForFieldName('operator')?.type;
    if (op === '%') return percent(node);
    if (op === '+') return concatenation(node);
  }
  return null;
}

/** All literal text of the string, with `\u0000` where values go. */
export function shape(b: BuiltString): string {
  return b.parts.map((p) => p.literal ?? '\u0000').join('');
}

/** Writes literal text back as a literal with the original delimiters. */
export function literal(b: BuiltString, body: string): string {
  return `${b.prefix}${b.quote}${body}${b.quote}`;
}

/** The nodes of a string's literal text the rules read for keywords (plain literals included). */
export function literalText(node: Node | null | undefined): string | null {
  if (!node) return null;
  const built = builtString(node);
  if (built) return shape(built);
  if (node.type === 'string') return rawContent(node);
  if (node.type === 'concatenated_string') {
    return node.namedChildren.map((c) => (c ? (builtString(c) ? shape(builtString(c)!) : rawContent(c) ?? '\u0000') : '')).join('');
  }
  return null;
}
