import type { Node } from 'web-tree-sitter';
import { CONSTANT, union, type Value } from '../../server/src/engine/dataflow';
import { replaceNode } from '../../server/src/engine/fixes';
import { lastSegment, matchesAny } from '../../server/src/engine/names';
import type { CallSite, Ctx, Rule } from '../../server/src/engine/rule';
import type { Fix } from '../../server/src/engine/types';
import { reportFlow, sinkName } from '../support';
import { builtString, literal, literalText } from './built-strings';

/** lxml and parsel compile their argument as XPath 1.0 and accept `$name` variables as keywords. */
const XPATH_METHODS = new Set(['xpath']);
const XPATH_CLASSES = ['lxml.etree.XPath', 'lxml.etree.ETXPath', 'lxml.etree.XPathEvaluator', 'lxml.etree.XPathDocumentEvaluator'];
/** ElementTree (and lxml) ElementPath methods: no variables, so only their paths' text tells them apart from `str.find`. */
const ELEMENTPATH_METHODS = new Set(['find', 'findall', 'findtext', 'iterfind']);
/** Text that reads as a path expression: a predicate, or a path from the root or the current node. */
const PATH_SHAPE = /\[\s*@|^\s*\.?\/\/?[\w*@.]|\/\/|\[\s*\w+\s*=|\[\s*text\(\)/;
/** lxml's own keywords of `xpath()`: not usable as variable names. */
const RESERVED = new Set(['namespaces', 'extensions', 'smart_strings', 'regexp', '_path']);

interface Sink { node: Node; variables: boolean }

function sinkOf(site: CallSite): Sink | null {
  if (matchesAny(site.qname, XPATH_CLASSES)) {
    const node = site.positional[0] ?? site.keywords.get('path');
    return node ? { node, variables: false } : null;
  }
  // Cheap exit first: a resolved name's last part is the method's name when the callee is an attribute.
  if (site.qname !== null && !XPATH_METHODS.has(lastSegment(site.qname)) && !ELEMENTPATH_METHODS.has(lastSegment(site.qname))) return null;
  if (site.callee?.type !== 'attribute') return null;
  const method = lastSegment(site.callee.text);
  const node = site.positional[0] ?? site.keywords.get('path') ?? site.keywords.get('_path') ?? site.keywords.get('query');
  if (!node) return null;
  if (XPATH_METHODS.has(method)) return { node, variables: true };
  if (ELEMENTPATH_METHODS.has(method)) {
    const text = literalText(node);
    if (text !== null && PATH_SHAPE.test(text)) return { node, variables: false };
  }
  return null;
}

/** `//user[@name='{name}']` -> `//user[@name=$name]` with `name=name`; every value must sit in quotes. */
function buildFix(site: CallSite, sink: Sink, ctx: Ctx): Fix | undefined {
  if (!sink.variables || sink.node !== site.positional[0] || site.hasSplat) return undefined;
  const b = builtString(sink.node);
  if (!b) return undefined;
  const parts = b.parts.map((p) => ({ ...p }));
  const body: string[] = [];
  const vars: string[] = [];
  const used = new Set([...site.keywords.keys()]);
  const named = new Map<string, string>();
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i];
    if (p.literal !== undefined) {
      body.push(p.literal);
      continue;
    }
    const before = body.join('');
    const q = /['"]$/.exec(before)?.[0];
    const next = parts[i + 1];
    if (!q || !next?.literal?.startsWith(q) || p.formatted || !p.expr) return undefined;
    let name = named.get(p.expr.text);
    if (!name) {
      const base = (p.expr.type === 'identifier' ? p.expr.text : p.expr.type === 'attribute' ? p.expr.childForFieldName('attribute')?.text ?? '' : '').replace(/^_+/, '') || 'value';
      name = RESERVED.has(base) ? `${base}_value` : base;
      for (let n = 2; used.has(name); n++) name = `${base}${n}`;
      used.add(name);
      named.set(p.expr.text, name);
      vars.push(`${name}=${p.expr.text}`);
    }
    body[body.length - 1] = body[body.length - 1].slice(0, -1);
    next.literal = next.literal.slice(1);
    body.push(`$${name}`);
  }
  if (vars.length === 0) return undefined;
  return {
    title: 'Pass the values as XPath variables',
    safe: false,
    edits: [replaceNode(sink.node, `${literal(b, body.join(''))}, ${vars.join(', ')}`)],
  };
}

/** The expression's value without namespace URIs in Clark notation (`.//{%s}item` % ns): those cannot leave their braces. */
function valueOf(node: Node, ctx: Ctx): Value {
  const b = builtString(node);
  if (!b) return ctx.valueOf(node);
  const values = b.parts.flatMap((p, i) => {
    if (!p.expr) return [];
    const inBraces = b.parts[i - 1]?.literal?.endsWith('{') && b.parts[i + 1]?.literal?.startsWith('}');
    return inBraces ? [] : [ctx.valueOf(p.expr)];
  });
  return values.length ? union(values) : CONSTANT;
}

const rule: Rule = {
  code: 'SL109',
  name: 'xpath-query-injection',
  category: 'injection',
  summary: 'XPath expression built from non-constant data',
  severity: 'medium',
  confidence: 'high',
  defaultLevel: 'warning',
  maxLevel: 'error',
  cwe: [643],
  bandit: [],
  ruff: [],
  fix: 'sometimes',
  explanation: {
    what:
      'An XPath expression is built with an f-string, `%`, `.format()` or `+` from data that is not a constant and evaluated by lxml (`tree.xpath()`, `etree.XPath()`, `XPathEvaluator`), parsel/Scrapy selectors (`.xpath()`), or ElementTree-style `find()`, `findall()`, `findtext()`, `iterfind()` with a path expression. Values passed as XPath variables (`xpath("//user[@name=$name]", name=name)`) are not reported.',
    why:
      'The expression is parsed after the value is pasted in. A quote in the value closes the string literal, so `\' or \'1\'=\'1` selects every node: an XML user store then authenticates anyone, and a lookup returns other users\' records. XPath has no comments or statements to stop at and no escaping function for string literals that handles both quote kinds, so variables are the only robust way.',
    example:
      'def find_user(tree, name, password):\n    return tree.xpath(f"//user[@name=\'{name}\' and @password=\'{password}\']")',
    useInstead:
      'def find_user(tree, name, password):\n    return tree.xpath("//user[@name=$name and @password=$password]", name=name, password=password)\n\n# ElementTree has no variables: compare in Python instead\nfor user in root.iter("user"):\n    if user.get("name") == name:\n        ...',
    fixSafety:
      'Unsafe: offered for lxml/parsel `xpath()` calls whose every value sits inside quotes in the expression. Each `\'{value}\'` becomes an XPath variable `$value` passed as a keyword argument. For string values the result is the same; a value that is a number is now compared as a number rather than as the text it was formatted to (`"05" = 5` is true, `"05" = "5"` is false), and a value that was meant to contribute XPath syntax no longer does.',
    references: [
      'https://cwe.mitre.org/data/definitions/643.html',
      'https://lxml.de/xpathxslt.html#the-xpath-method',
      'https://parsel.readthedocs.io/en/latest/usage.html#variables-in-xpath-expressions',
      'https://docs.python.org/3/library/xml.etree.elementtree.html#elementtree-xpath',
      'https://owasp.org/www-community/attacks/XPATH_Injection',
    ],
  },
  triggers: [...XPATH_METHODS, ...XPATH_CLASSES.map(lastSegment), ...ELEMENTPATH_METHODS],
  onCall(site, ctx) {
    const sink = sinkOf(site);
    if (!sink) return;
    reportFlow(ctx, sink.node, valueOf(sink.node, ctx), 'xpath', `the XPath expression of ${sinkName(site)}`, (origin) =>
      `XPath expression built from ${origin} is evaluated by ${sinkName(site)}: a quote in the value ends the string and the rest becomes XPath (' or '1'='1 selects every node). ${sink.variables ? 'Pass values as XPath variables: xpath("//user[@name=$name]", name=name).' : 'Compare values in Python, or use lxml with XPath variables.'}`,
      buildFix(site, sink, ctx),
    );
  },
};

export default rule;
