import type { Node } from 'web-tree-sitter';
import { matchesAny } from '../../server/src/engine/names';
import type { CallSite, Ctx, Rule } from '../../server/src/engine/rule';
import { ADJACENT_LITERALS, perFile, perStatement, reportFlow, sinkName } from '../support';
import { REGEX_FUNCTIONS } from '../injection/regex-injection';
import { isCatastrophic } from './redos';
import { constantText } from './web';
import type { ModuleTrees } from '../../server/src/engine/trees';

/** An escape sequence in a literal's source (or more: a backslash and any character). */
const ESCAPE = String.raw`\\(?:x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|N\{[^}\n]*\}|[0-7]{1,3}|\r?\n|[^])`;

/** Methods of a compiled pattern that run it over their first argument. */
const PATTERN_METHODS = new Set(['match', 'fullmatch', 'search', 'findall', 'finditer', 'sub', 'subn', 'split']);
const COMPILE = ['re.compile', 'regex.compile'];

/**
 * Names bound to `re.compile(<catastrophic literal>)` in the module code or in the top-level
 * statement holding `node` (a class's `__init__` for `self.X.match(s)` in another method): name
 * -> pattern.
 */
const compiledCache = new WeakMap<ModuleTrees, Map<number, Map<string, string>>>();
const NONE = new Map<string, string>();
function compiledPatterns(node: Node, ctx: Ctx): Map<string, string> {
  // Read in JS first: most files compile nothing (an alias of re.compile is imported by its name).
  if (!perFile(ctx, 'compiles', () => /\bcompile\b/.test(ctx.text))) return NONE;
  return perStatement(compiledCache, node, ctx, (assignments) => {
    const map = new Map<string, string>();
    const clash = new Set<string>();
    for (const a of assignments) {
      const left = a.childForFieldName('left');
      const right = a.childForFieldName('right');
      if (!left || right?.type !== 'call' || !['identifier', 'attribute'].includes(left.type)) continue;
      if (!matchesAny(ctx.names.resolve(right.childForFieldName('function')), COMPILE)) continue;
      const pattern = constantText(right.childForFieldName('arguments')?.namedChild(0), ctx);
      const key = left.text.replace(/^(self|cls)\./, '');
      if (pattern === null || !isCatastrophic(pattern)) {
        clash.add(key);
        continue;
      }
      map.set(key, pattern);
    }
    for (const k of clash) map.delete(k);
    return map;
  });
}

function subjectOf(site: CallSite, index: number): Node | undefined {
  return site.positional[index] ?? site.keywords.get('string');
}

const rule: Rule = {
  code: 'SL608',
  name: 'regex-catastrophic-backtracking',
  category: 'web',
  summary: 'Regex with nested or overlapping repetition applied to request data (ReDoS)',
  severity: 'medium',
  confidence: 'medium',
  defaultLevel: 'warning',
  maxLevel: 'error',
  cwe: [1333, 400],
  bandit: [],
  ruff: [],
  fix: 'none',
  explanation: {
    what:
      'A constant regular expression whose shape makes Python\'s backtracking engine take exponential time on some inputs is run over data that is not a constant: a repeated group whose body can itself repeat without a mandatory separator (`(a+)+`, `(\\w+\\s?)*$`, `(\\d+)*`) or a repeated group whose alternatives can start with the same character (`(a|ab)*`, `(\\w|\\d)+`). Found in `re.match(P, s)` and kin and in `X.search(s)` where `X = re.compile(P)` in the same file. Request data is an error, a parameter a warning, a value of unknown origin an information hint.',
    why:
      'On a near-miss input (a long run of matching characters followed by one that fails) the engine tries every way of splitting the run between the inner and the outer repetition: 2^n attempts for n characters. Thirty characters are enough to keep a worker busy for minutes, so a handful of requests takes the service down (ReDoS, CWE-1333). Timeouts do not help: `re` cannot be interrupted.',
    example:
      'EMAIL = re.compile(r"^([a-zA-Z0-9]+[._-]?)*@example\\.com$")\n\n\n@app.route("/subscribe", methods=["POST"])\ndef subscribe():\n    if not EMAIL.match(request.form["email"]):\n        abort(400)',
    useInstead:
      'EMAIL = re.compile(r"^[a-zA-Z0-9._-]+@example\\.com$")  # one repetition, no nesting\n\n\n@app.route("/subscribe", methods=["POST"])\ndef subscribe():\n    email = request.form["email"]\n    if len(email) > 254 or not EMAIL.match(email):\n        abort(400)',
    references: [
      'https://cwe.mitre.org/data/definitions/1333.html',
      'https://owasp.org/www-community/attacks/Regular_expression_Denial_of_Service_-_ReDoS',
      'https://docs.python.org/3/library/re.html',
    ],
  },
  // `re.<fn>(...)` and compiled patterns' methods: the same names (`compile` itself never reports).
  // `compile` too: a scan keeps only the code some rule needs, and compiledPatterns reads the
  // `X = re.compile(P)` of the class (e.g. in `__init__`, for `self.X.match(s)` in another method).
  triggers: [...PATTERN_METHODS, 'compile'],
  // Only a group under an unbounded quantifier can be catastrophic (redos.ts): `)` then `*`, `+`
  // or `{`, in the joined text of the pattern's literals (which may be anywhere in the file) whose
  // escape sequences are left out. So in the source: between them, escapes or adjacent literals.
  // Every match starts with `)` and a backslash, a quote or the quantifier: that two-character
  // test comes first (the "both somewhere" form), because after an edit the editor looks for a
  // short pattern only around the edit, and for an unbounded one in the whole text (textsearch.ts).
  fileTrigger: new RegExp(String.raw`^(?=[^]*?\)[\\"'*+{])[^]*?\)(?:${ESCAPE}|${ADJACENT_LITERALS})*[*+{]`),
  onCall(site, ctx) {
    let pattern: string | null = null;
    let subject: Node | undefined;
    if (matchesAny(site.qname, REGEX_FUNCTIONS) && !matchesAny(site.qname, COMPILE)) {
      pattern = constantText(site.positional[0] ?? site.keywords.get('pattern'), ctx);
      if (pattern === null || !isCatastrophic(pattern)) return;
      // re.sub(pattern, repl, string): the subject comes after the replacement.
      subject = site.positional[/\.subn?$/.test(site.qname!) ? 2 : 1] ?? site.keywords.get('string');
    } else if (site.callee?.type === 'attribute') {
      const method = site.callee.childForFieldName('attribute')?.text ?? '';
      if (!PATTERN_METHODS.has(method)) return;
      const object = site.callee.childForFieldName('object');
      if (object?.type === 'call' && matchesAny(ctx.names.resolve(object.childForFieldName('function')), COMPILE)) {
        // `re.compile(P).match(s)`
        const p = constantText(object.childForFieldName('arguments')?.namedChild(0), ctx);
        pattern = p !== null && isCatastrophic(p) ? p : null;
      } else {
        pattern = compiledPatterns(site.node, ctx).get(object?.text.replace(/^(self|cls)\./, '') ?? '') ?? null;
      }
      if (pattern === null) return;
      subject = subjectOf(site, /^subn?$/.test(method) ? 1 : 0);
    }
    if (!subject || pattern === null) return;
    const fn = sinkName(site);
    reportFlow(ctx, subject, ctx.valueOf(subject), 'regex', `the backtracking pattern /${pattern}/ via ${fn}`, (origin) =>
      `The pattern /${pattern!.length > 60 ? pattern!.slice(0, 59) + '…' : pattern}/ has nested or overlapping repetition and is run by ${fn} over ${origin}: a crafted string of a few dozen characters makes it backtrack for minutes (ReDoS). Rewrite it with a single level of repetition (or a possessive/atomic group on Python 3.11+) and limit the input length.`,
    );
  },
};

export default rule;
