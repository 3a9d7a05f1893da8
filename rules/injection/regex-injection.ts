import type { Node } from 'web-tree-sitter';
import { taintLevel } from '../../server/src/engine/dataflow';
import { compact, ensureImport, replaceNode } from '../../server/src/engine/fixes';
import { matchesAny } from '../../server/src/engine/names';
import type { CallSite, Ctx, Rule } from '../../server/src/engine/rule';
import type { Fix, TextEdit } from '../../server/src/engine/types';
import { reportFlow, sinkName } from '../support';

/** Functions whose first argument is a pattern they compile. */
export const REGEX_FUNCTIONS = ['compile', 'match', 'fullmatch', 'search', 'findall', 'finditer', 'sub', 'subn', 'split'].flatMap((f) => [`re.${f}`, `regex.${f}`]);

const PATTERN_NAME = /(^|_)(pattern|patterns|regex|regexp|rx|re|expr|expression|filter|glob)s?($|_)/i;

function patternArg(site: CallSite): Node | undefined {
  return site.positional[0] ?? site.keywords.get('pattern');
}

/** `re.compile(x)` -> `re.compile(re.escape(x))`; in an f-string only the non-constant fields are escaped. */
function buildFix(arg: Node, ctx: Ctx): Fix | undefined {
  const edits: TextEdit[] = [];
  if (arg.type === 'string') {
    for (const p of arg.namedChildren) {
      const expr = p?.type === 'interpolation' ? p.childForFieldName('expression') ?? p.namedChild(0) : null;
      if (!expr || taintLevel(ctx.valueOf(expr), 'regex') === null) continue;
      if (expr.nextSibling && expr.nextSibling.type !== '}') return undefined;
      edits.push(replaceNode(expr, `re.escape(str(${expr.text}))`));
    }
  } else if (arg.type === 'binary_operator' && arg.childForFieldName('operator')?.type === '+') {
    for (const side of [arg.childForFieldName('left'), arg.childForFieldName('right')]) {
      if (!side || taintLevel(ctx.valueOf(side), 'regex') === null) continue;
      if (!['identifier', 'attribute', 'subscript', 'call'].includes(side.type)) return undefined;
      edits.push(replaceNode(side, `re.escape(${side.text})`));
    }
  } else if (['identifier', 'attribute', 'subscript', 'call'].includes(arg.type)) {
    edits.push(replaceNode(arg, `re.escape(${arg.text})`));
  }
  if (edits.length === 0) return undefined;
  return { title: 'Match the value literally: re.escape()', safe: false, edits: compact([...edits, ensureImport(ctx.module, ctx.text, 're')]) };
}

const rule: Rule = {
  code: 'SL127',
  name: 'regex-injection',
  category: 'injection',
  summary: 'Regular expression compiled from request data (regex injection, ReDoS)',
  severity: 'medium',
  confidence: 'medium',
  defaultLevel: 'warning',
  maxLevel: 'error',
  cwe: [625, 1333, 400],
  bandit: [],
  ruff: [],
  fix: 'sometimes',
  explanation: {
    what:
      'The pattern given to `re.compile`, `re.match`, `re.search`, `re.fullmatch`, `re.findall`, `re.finditer`, `re.sub`, `re.subn` or `re.split` (or the same functions of the `regex` module) is built from request data (error), a parameter (warning; information when the parameter is named as a pattern, such as `pattern`, `regex` or `expr`, since then a pattern is what the caller means to pass) or a value of unknown origin (information). Constant patterns and values passed through `re.escape()` are not reported.',
    why:
      'Whoever writes the pattern decides how long matching takes: `(a+)+$` against a few dozen characters keeps a worker busy for minutes (ReDoS, CWE-1333), and a few such requests take the service down. A pattern meant as a literal search term also changes meaning when it contains `.`, `*` or `|`, so `.*` matches every record (CWE-625).',
    example:
      '@app.route("/ports")\ndef find_ports():\n    name = request.args.get("name", "")\n    rx = re.compile(name)\n    return jsonify([p for p in PORTS if rx.search(p["name"])])',
    useInstead:
      '@app.route("/ports")\ndef find_ports():\n    name = request.args.get("name", "")\n    rx = re.compile(re.escape(name))  # a literal search term\n    return jsonify([p for p in PORTS if rx.search(p["name"])])',
    fixSafety:
      'Unsafe: the fix wraps the value (or each non-constant field of an f-string pattern, as `re.escape(str(x))`) in `re.escape()` and adds `import re` if needed. That is right when the value is meant literally, as a search term or a name; if users are meant to type regular expressions the fix breaks that feature, and the real fix is a matching engine with guaranteed linear time (for example `google-re2`) plus a length limit.',
    references: [
      'https://cwe.mitre.org/data/definitions/625.html',
      'https://cwe.mitre.org/data/definitions/1333.html',
      'https://owasp.org/www-community/attacks/Regular_expression_Denial_of_Service_-_ReDoS',
      'https://docs.python.org/3/library/re.html#re.escape',
    ],
  },
  triggers: ['re', 'regex'],
  onCall(site, ctx) {
    if (!matchesAny(site.qname, REGEX_FUNCTIONS)) return;
    const arg = patternArg(site);
    if (!arg) return;
    const fn = sinkName(site);
    let value = ctx.valueOf(arg);
    // A parameter named as a pattern (`pattern`, `regex`, `expr`) is meant to be one: a hint only.
    if (taintLevel(value, 'regex') === 'warning' && value.sources.every((s) => s.kind !== 'param' || PATTERN_NAME.test(s.name))) {
      value = { sources: value.sources.map((s) => (s.kind === 'param' ? { ...s, kind: 'unknown' as const } : s)) };
    }
    const fix = taintLevel(value, 'regex') === 'info' ? undefined : buildFix(arg, ctx);
    reportFlow(ctx, arg, value, 'regex', `the regex engine via ${fn}`, (origin) =>
      `The pattern given to ${fn} is built from ${origin}: a crafted pattern such as (a+)+$ can take minutes to match (ReDoS), and metacharacters change what matches. Use re.escape() when the value is meant literally, or validate it against an allowlist.`,
      fix,
    );
  },
};

export default rule;
