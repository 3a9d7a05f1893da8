import type { Node } from 'web-tree-sitter';
import type { Value } from '../../server/src/engine/dataflow';
import { compact, ensureImport, replaceNode } from '../../server/src/engine/fixes';
import { matchesAny } from '../../server/src/engine/names';
import type { CallSite, Ctx, Rule } from '../../server/src/engine/rule';
import type { Fix } from '../../server/src/engine/types';
import { isTrue, reportFlow, sinkName } from '../support';
import { boundTo } from '../path/paths';

interface Parser {
  /** Module prefixes (qualified) and the functions that parse a document. */
  modules: string[];
  functions: string[];
  /** defusedxml's module with the same functions, when there is one. */
  defused?: string;
  /** What goes wrong with a crafted document. */
  risk: string;
}

const EXPAT_RISK =
  'a crafted document with nested entity declarations ("billion laughs", quadratic blowup) exhausts memory and CPU unless the linked expat is 2.4.1 or newer, and these modules give no way to refuse DTDs';

/** XML parsers, as data: where the document goes in and what replaces them. */
const PARSERS: Parser[] = [
  {
    modules: ['xml.etree.ElementTree', 'xml.etree.cElementTree'],
    functions: ['parse', 'iterparse', 'fromstring', 'XML'],
    defused: 'defusedxml.ElementTree',
    risk: EXPAT_RISK,
  },
  { modules: ['xml.etree.ElementTree', 'xml.etree.cElementTree'], functions: ['fromstringlist'], risk: EXPAT_RISK },
  { modules: ['xml.dom.minidom'], functions: ['parse', 'parseString'], defused: 'defusedxml.minidom', risk: EXPAT_RISK },
  { modules: ['xml.dom.pulldom'], functions: ['parse', 'parseString'], defused: 'defusedxml.pulldom', risk: EXPAT_RISK },
  { modules: ['xml.sax'], functions: ['parse', 'parseString'], defused: 'defusedxml.sax', risk: EXPAT_RISK },
  { modules: ['xml.dom.expatbuilder'], functions: ['parse', 'parseString'], defused: 'defusedxml.expatbuilder', risk: EXPAT_RISK },
  {
    modules: ['lxml.etree'],
    functions: ['parse', 'fromstring', 'XML', 'iterparse'],
    risk: 'lxml before 5.0 resolves external entities by default, so `<!ENTITY x SYSTEM "file:///etc/shadow">` reads local files into the result (XXE), and entity expansion can exhaust memory',
  },
];

/** Parser objects that are fed a document later, and defusedxml's factory for each. */
const PARSER_OBJECTS: Record<string, string | undefined> = {
  'xml.sax.make_parser': 'defusedxml.sax.make_parser',
  'xml.sax.expatreader.create_parser': 'defusedxml.expatreader.create_parser',
  'xml.etree.ElementTree.XMLParser': 'defusedxml.ElementTree.XMLParser',
  'xml.etree.cElementTree.XMLParser': 'defusedxml.ElementTree.XMLParser',
  'xml.parsers.expat.ParserCreate': undefined,
};

const PARSER_CTORS = ['lxml.etree.XMLParser', 'lxml.etree.XMLPullParser', 'lxml.etree.iterparse'];
const XMLRPC_SERVERS = [
  'xmlrpc.server.SimpleXMLRPCServer', 'xmlrpc.server.DocXMLRPCServer', 'xmlrpc.server.MultiPathXMLRPCServer',
  'SimpleXMLRPCServer.SimpleXMLRPCServer', 'DocXMLRPCServer.DocXMLRPCServer',
];

/** XML read from a file is a warning, like a path parameter: files are where XML normally lives. */
function fileAsWeak(value: Value): Value {
  return { sources: value.sources.map((s) => (s.kind === 'file' ? { ...s, strong: false } : s)) };
}

/** Each parsing function's qualified name, the first table entry naming it winning. */
const PARSER_BY_NAME = new Map<string, { parser: Parser; fn: string }>();
for (const parser of PARSERS) {
  for (const m of parser.modules) {
    for (const fn of parser.functions) if (!PARSER_BY_NAME.has(`${m}.${fn}`)) PARSER_BY_NAME.set(`${m}.${fn}`, { parser, fn });
  }
}

function parserFor(qname: string | null): { parser: Parser; fn: string } | null {
  return (qname && PARSER_BY_NAME.get(qname)) || null;
}

function documentArg(site: CallSite): Node | undefined {
  return site.positional[0] ?? site.keywords.get('source') ?? site.keywords.get('text') ?? site.keywords.get('string') ?? site.keywords.get('file');
}

/** `ET.fromstring(x)` -> `defusedxml.ElementTree.fromstring(x)` plus `import defusedxml.ElementTree`. */
function defusedFix(site: CallSite, module: string, fn: string, ctx: Ctx): Fix | undefined {
  if (!site.callee) return undefined;
  return {
    title: `Parse with ${module}.${fn}()`,
    safe: false,
    edits: compact([replaceNode(site.callee, `${module}.${fn}`), ensureImport(ctx.module, ctx.text, module)]),
  };
}

const rule: Rule = {
  code: 'SL303',
  name: 'unsafe-xml-parsing',
  category: 'deserialization',
  summary: 'XML from outside parsed with a parser open to entity expansion or external entities',
  severity: 'medium',
  confidence: 'medium',
  defaultLevel: 'warning',
  maxLevel: 'error',
  cwe: [611, 776],
  bandit: ['B313', 'B314', 'B315', 'B316', 'B317', 'B318', 'B319', 'B320', 'B405', 'B406', 'B407', 'B408', 'B409', 'B410', 'B411'],
  ruff: ['S313', 'S314', 'S315', 'S316', 'S317', 'S318', 'S319', 'S320'],
  fix: 'sometimes',
  explanation: {
    what:
      'A document that is not a constant is parsed by the standard library (`xml.etree.ElementTree`/`cElementTree` `parse`, `iterparse`, `fromstring`, `XML`; `xml.dom.minidom`, `xml.dom.pulldom`, `xml.sax`, `xml.dom.expatbuilder` `parse`/`parseString`) or by lxml (`etree.parse`, `fromstring`, `XML`, `iterparse` with the default parser). Request data is an error, a parameter a warning, an unknown origin an audit hint. Also reported: lxml `XMLParser(resolve_entities=True)` or `no_network=False`, and XML-RPC servers in a file that does not call `defusedxml.xmlrpc.monkey_patch()`. The `defusedxml` functions are not reported.',
    why:
      'XML can declare entities. Nested declarations expand a kilobyte into gigabytes ("billion laughs"); the standard library is only protected when Python is linked against expat 2.4.1 or newer, and offers no switch to refuse DTDs. External entities (`<!ENTITY x SYSTEM "file:///etc/passwd">`) are resolved by lxml before 5.0 by default, so the parsed result contains local files (XXE), and `no_network=False` turns it into server-side requests. `defusedxml` rejects entity declarations and external references outright.',
    example:
      'import xml.etree.ElementTree as ET\n\n\n@app.route("/saml/acs", methods=["POST"])\ndef acs():\n    doc = ET.fromstring(request.data)\n    ...',
    useInstead:
      'import defusedxml.ElementTree\n\n\n@app.route("/saml/acs", methods=["POST"])\ndef acs():\n    doc = defusedxml.ElementTree.fromstring(request.data)\n    ...\n\n\n# lxml: an explicit, locked-down parser\nparser = etree.XMLParser(resolve_entities=False, no_network=True)\ntree = etree.fromstring(data, parser)',
    fixSafety:
      'Unsafe: the fix calls the same function from `defusedxml` (`defusedxml.ElementTree`, `defusedxml.minidom`, `defusedxml.pulldom`, `defusedxml.sax`, `defusedxml.expatbuilder`) and adds its import. `defusedxml` is a third-party package that must be installed, and documents that declare entities or external references now raise `EntitiesForbidden`/`ExternalReferenceForbidden` (DTDs themselves are still allowed by default). The parsed result for ordinary documents is the same standard-library object. For lxml `XMLParser(resolve_entities=True)` the fix sets `resolve_entities=False`, so entity references are left unexpanded.',
    references: [
      'https://cwe.mitre.org/data/definitions/611.html',
      'https://cwe.mitre.org/data/definitions/776.html',
      'https://docs.python.org/3/library/xml.html#xml-vulnerabilities',
      'https://github.com/tiran/defusedxml',
      'https://lxml.de/FAQ.html#how-do-i-use-lxml-safely-as-a-web-service-endpoint',
      'https://cheatsheetseries.owasp.org/cheatsheets/XML_External_Entity_Prevention_Cheat_Sheet.html',
    ],
  },
  // The parsers' modules (`xml.etree`, `xml.dom`, `xml.sax`, `lxml.etree`), the lxml options,
  // the XML-RPC servers; the pattern: `p.parse(` / `p.feed(` on a parser object made elsewhere.
  triggers: ['etree', 'dom', 'sax', 'resolve_entities', 'no_network', 'SimpleXMLRPCServer', 'DocXMLRPCServer', 'MultiPathXMLRPCServer'],
  triggerPattern: /\.(?:\s|\\|#[^\n]*\n)*(?:parse|feed)(?:\s|\\|#[^\n]*\n)*\(/,
  onCall(site, ctx) {
    if (matchesAny(site.qname, PARSER_CTORS)) {
      const resolve = site.keywords.get('resolve_entities');
      const network = site.keywords.get('no_network');
      if (isTrue(resolve) || network?.type === 'false') {
        const bad = isTrue(resolve) ? resolve! : network!;
        ctx.report({
          node: bad.parent ?? bad,
          message: `${sinkName(site)} is configured with ${bad.parent?.text ?? bad.text}: external entities in a document ${isTrue(resolve) ? 'are expanded, so `<!ENTITY x SYSTEM "file:///etc/passwd">` reads local files into the result (XXE)' : 'may be fetched over the network (SSRF)'}. Use resolve_entities=False, no_network=True.`,
          fix: isTrue(resolve) ? { title: 'Set resolve_entities=False', safe: false, edits: [replaceNode(resolve!, 'False')] } : undefined,
        });
      }
      return;
    }
    if (matchesAny(site.qname, XMLRPC_SERVERS)) {
      if (/defusedxml\.xmlrpc|monkey_patch\(\)/.test(ctx.moduleCode)) return;
      ctx.report({
        node: site.callee ?? site.node,
        message: `${sinkName(site)} parses XML-RPC requests from the network with the standard library: gzip-compressed bodies and entity expansion can exhaust memory. Call defusedxml.xmlrpc.monkey_patch() at start-up, or move to a JSON API.`,
      });
      return;
    }
    // A parser object built first: `p = xml.sax.make_parser(); p.parse(src)`, `p = ET.XMLParser(); p.feed(data)`.
    const callee = site.callee;
    const method = callee?.type === 'attribute' ? callee.childForFieldName('attribute')?.text ?? '' : '';
    if (['parse', 'feed'].includes(method) && !parserFor(site.qname)) {
      const receiver = callee!.childForFieldName('object');
      const made = receiver?.type === 'call' ? receiver : receiver ? boundTo(receiver, ctx) : null;
      const factory = made?.type === 'call' ? ctx.names.resolve(made.childForFieldName('function')) : null;
      const known = Object.entries(PARSER_OBJECTS).find(([q]) => factory === q);
      const doc = site.positional[0];
      if (!known || !doc || !made) return;
      const [q, defused] = known;
      const name = sinkName(site);
      const fn = made.childForFieldName('function')!;
      const fix: Fix | undefined = defused
        ? { title: `Build the parser with ${defused}()`, safe: false, edits: compact([replaceNode(fn, defused), ensureImport(ctx.module, ctx.text, defused.slice(0, defused.lastIndexOf('.')))]) }
        : undefined;
      reportFlow(ctx, callee!, fileAsWeak(ctx.valueOf(doc)), 'xml', name, (origin) =>
        `XML from ${origin} is parsed by a parser from \`${q}()\`: ${EXPAT_RISK}. ${defused ? `Build it with ${defused}() (package defusedxml).` : 'Use defusedxml.'}`,
        fix,
      );
      return;
    }
    const found = parserFor(site.qname);
    if (!found) return;
    // lxml with an explicit parser: judged where the parser is built.
    if (site.qname!.startsWith('lxml.') && (site.keywords.has('parser') || site.positional.length > 1 || site.hasSplat)) return;
    const doc = documentArg(site);
    if (!doc) return;
    const { parser, fn } = found;
    const name = sinkName(site);
    reportFlow(ctx, site.callee ?? site.node, fileAsWeak(ctx.valueOf(doc)), 'xml', name, (origin) =>
      `XML from ${origin} is parsed by ${name}: ${parser.risk}. ${parser.defused ? `Use ${parser.defused}.${fn}() (package defusedxml).` : 'Use defusedxml, or an lxml XMLParser(resolve_entities=False, no_network=True).'}`,
      parser.defused ? defusedFix(site, parser.defused, fn, ctx) : undefined,
    );
  },
};

export default rule;
