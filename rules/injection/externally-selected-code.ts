import type { Node } from 'web-tree-sitter';
import { rangeOf, sourcesFor, taintLevel, traceFor } from '../../server/src/engine/dataflow';
import { matchesAny } from '../../server/src/engine/names';
import type { Rule } from '../../server/src/engine/rule';
import { describeValue, reportFlow, sinkName } from '../support';
import { builtString } from './built-strings';

/** Import a module or object named by their first argument. */
const IMPORTERS = [
  '__import__', 'builtins.__import__', 'importlib.import_module', 'importlib.__import__',
  'oslo_utils.importutils.import_module', 'oslo_utils.importutils.import_class', 'oslo_utils.importutils.import_object',
  'oslo_utils.importutils.import_object_ns', 'oslo_utils.importutils.try_import', 'oslo_utils.importutils.import_versioned_module',
  'werkzeug.utils.import_string', 'django.utils.module_loading.import_string', 'pydoc.locate', 'imp.load_module', 'imp.load_source',
  'pkgutil.resolve_name',
];
/** Look an attribute up by name: only attacker-chosen names are reported. */
const LOOKUPS = ['getattr', 'builtins.getattr'];

/** `"do_" + x`, `f"handle_{x}"`: a constant prefix keeps the lookup within one family of names. */
function hasConstantPrefix(node: Node): boolean {
  const b = builtString(node);
  return !!b && b.parts[0]?.literal !== undefined && /^\w+$/.test(b.parts[0].literal.trim()) && b.parts[0].literal.trim().length > 0;
}

const rule: Rule = {
  code: 'SL106',
  name: 'externally-selected-code',
  category: 'injection',
  summary: 'Module, class or attribute chosen by non-constant data',
  severity: 'high',
  confidence: 'medium',
  defaultLevel: 'warning',
  maxLevel: 'error',
  cwe: [470, 94],
  bandit: [],
  ruff: [],
  fix: 'none',
  // A dotted part of each of IMPORTERS and LOOKUPS (the module where the function's name is common).
  triggers: ['__import__', 'import_module', 'importutils', 'import_string', 'pydoc', 'imp', 'resolve_name', 'getattr'],
  // An importer; or `getattr` and a source of request or network data in the file (dataflow.ts,
  // run.ts): a request object or `request` parameter, a Lambda `event`, a `recv*` call, a route decorator.
  fileTrigger: /\b(?:__import__|import_module|importutils|import_string|pydoc|imp|resolve_name)\b|^(?=[^]*?\bgetattr\b)[^]*?(?:request|event|recv|@\s*[\w.]*\b(?:route|get|post|put|patch|delete|api_route|websocket|view_config)\s*\()/,
  explanation: {
    what:
      'A module or object is imported by a name that is not a constant (`__import__`, `importlib.import_module`, oslo `importutils.import_module/import_class/import_object`, `import_string`, `pydoc.locate`, `imp.load_source`), or an attribute is looked up with `getattr()` by a name that comes straight from request data, the command line or the environment. Imports by a name that comes from request data, the command line, the environment or a file are errors; by a function parameter they are information only (audit hints), because that is how plugin loaders, test runners and serialisers work. `getattr()` is reported only for names from a web request or the network, and not with a constant prefix (`getattr(self, "do_" + action)`); names checked against an allow-list are never reported.',
    why:
      'Importing runs the module\'s top-level code, so choosing the module chooses code to run: `os`, `subprocess` or any module on `sys.path`, including one the attacker managed to write. A dispatch through `getattr(obj, name)()` with a request parameter reaches every method and attribute of the object (`__class__`, `__init__`, private helpers), not only the handlers meant to be exposed.',
    example:
      'def load_driver(driver_name):\n    return importlib.import_module(driver_name).Driver()\n\n\n@app.route("/ops/<op>")\ndef run_op(op):\n    return getattr(operations, op)()',
    useInstead:
      'DRIVERS = {"ovs": "agent.drivers.ovs", "linuxbridge": "agent.drivers.linuxbridge"}\n\n\ndef load_driver(driver_name):\n    return importlib.import_module(DRIVERS[driver_name]).Driver()\n\n\nOPERATIONS = {"restart": operations.restart, "resync": operations.resync}\n\n\n@app.route("/ops/<op>")\ndef run_op(op):\n    if op not in OPERATIONS:\n        abort(404)\n    return OPERATIONS[op]()',
    references: [
      'https://cwe.mitre.org/data/definitions/470.html',
      'https://cwe.mitre.org/data/definitions/94.html',
      'https://docs.python.org/3/library/importlib.html#importlib.import_module',
      'https://docs.openstack.org/oslo.utils/latest/reference/importutils.html',
      'https://owasp.org/www-community/vulnerabilities/Unsafe_use_of_Reflection',
    ],
  },
  onCall(site, ctx) {
    if (matchesAny(site.qname, IMPORTERS)) {
      const name = site.positional[0] ?? site.keywords.get('name') ?? site.keywords.get('import_str') ?? site.keywords.get('path');
      if (!name) return;
      const value = ctx.valueOf(name);
      const level = taintLevel(value, 'code');
      if (!level) return;
      // A parameter naming the module is how plugin loaders, test runners and pickle work: an audit hint only.
      ctx.report({
        node: name,
        level: level === 'warning' ? 'info' : level,
        confidence: level === 'error' ? 'high' : 'low',
        message: `Module or object name built from ${describeValue(value, 'code')} is imported by ${sinkName(site)}: importing runs the chosen module's code. Map the accepted names to modules in a dict (or check them against an allow-list) before importing.`,
        trace: traceFor(value, 'code', { range: rangeOf(name), message: `reaches the import by ${sinkName(site)}` }),
      });
      return;
    }
    if (matchesAny(site.qname, LOOKUPS) && site.positional.length >= 2) {
      const name = site.positional[1];
      const value = ctx.valueOf(name);
      // Only names from a web request or the network: a command-line user choosing an attribute of their own tool is no attacker.
      if (!sourcesFor(value, 'code').some((s) => s.kind === 'request' || s.kind === 'network') || hasConstantPrefix(name)) return;
      reportFlow(ctx, name, value, 'code', 'the attribute lookup by `getattr()`', (origin) =>
        `Attribute name from ${origin} is looked up with getattr(): the caller can reach any attribute or method of the object, not only the ones meant to be exposed. Dispatch through a dict of allowed names, or check the name against an allow-list first.`);
    }
  },
};

export default rule;
