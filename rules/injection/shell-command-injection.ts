import type { Node } from 'web-tree-sitter';
import { taintLevel } from '../../server/src/engine/dataflow';
import { compact, ensureImport, replaceNode } from '../../server/src/engine/fixes';
import { matchesAny } from '../../server/src/engine/names';
import type { CallSite, Ctx, Rule } from '../../server/src/engine/rule';
import type { Fix, TextEdit } from '../../server/src/engine/types';
import { isTrue, reportFlow, sinkName } from '../support';

/** Calls that hand their first argument to `/bin/sh` only when `shell=True`. */
const SHELL_OPTIONAL = ['subprocess.run', 'subprocess.call', 'subprocess.check_call', 'subprocess.check_output', 'subprocess.Popen'];
/** Calls that always run their command through a shell. */
const SHELL_ALWAYS = [
  'os.system', 'os.popen', 'subprocess.getoutput', 'subprocess.getstatusoutput', 'commands.getoutput',
  'commands.getstatusoutput', 'asyncio.create_subprocess_shell', 'popen2.popen2', 'popen2.popen3', 'popen2.popen4',
];
/** Characters with meaning to the shell: with any of them in the literal text, an argv list would change behaviour. */
const SHELL_META = /[|&;<>()$`\\"'*?[\]#~{}!\n]/;

function commandArg(site: CallSite): Node | undefined {
  return site.positional[0] ?? site.keywords.get('args') ?? site.keywords.get('cmd') ?? site.keywords.get('command');
}

interface Piece { literal?: string; expr?: Node; interp?: Node }

/** The literal and interpolated pieces of an f-string, or null for anything else. */
function fstringPieces(node: Node): Piece[] | null {
  if (node.type !== 'string') return null;
  const start = node.namedChildren.find((c) => c?.type === 'string_start')?.text ?? '';
  if (!/f/i.test(start) || /[rb]/i.test(start) || start.endsWith('"""') || start.endsWith("'''")) return null;
  const pieces: Piece[] = [];
  for (const c of node.namedChildren) {
    if (!c) continue;
    if (c.type === 'string_content') pieces.push({ literal: c.text });
    else if (c.type === 'escape_sequence') return null;
    else if (c.type === 'interpolation') pieces.push({ expr: c.childForFieldName('expression') ?? undefined, interp: c });
  }
  return pieces;
}

/** `f"sysctl -w {key}={val}"` -> `["sysctl", "-w", f"{key}={val}"]`, when the words are static. */
function argvList(node: Node, quote: string): string | null {
  const pieces = fstringPieces(node);
  if (!pieces || pieces.some((p) => p.literal !== undefined && SHELL_META.test(p.literal))) return null;
  const words: Piece[][] = [[]];
  for (const p of pieces) {
    if (p.literal === undefined) {
      words[words.length - 1].push(p);
      continue;
    }
    const parts = p.literal.split(/[ \t]+/);
    parts.forEach((part, i) => {
      if (i > 0) words.push([]);
      if (part) words[words.length - 1].push({ literal: part });
    });
  }
  const elements = words.filter((w) => w.length > 0).map((w) => {
    if (w.length === 1 && w[0].literal !== undefined) return quote + w[0].literal + quote;
    const interp = w[0].interp;
    if (w.length === 1 && interp && interp.namedChildren.length === 1 && w[0].expr) return `str(${w[0].expr.text})`;
    return `f${quote}${w.map((p) => p.literal ?? p.interp!.text).join('')}${quote}`;
  });
  return elements.length > 0 ? `[${elements.join(', ')}]` : null;
}

/** Edits wrapping every non-constant interpolated value in `shlex.quote(str(...))`. */
function quoteEdits(node: Node, ctx: Ctx): TextEdit[] | null {
  const wrap = (n: Node) => replaceNode(n, `shlex.quote(str(${n.text}))`);
  const dynamic = (n: Node | null | undefined): n is Node => !!n && taintLevel(ctx.valueOf(n), 'shell') !== null;
  const pieces = fstringPieces(node);
  if (pieces) {
    // Inside quotes the shell would see shlex's quotes literally.
    if (pieces.some((p) => p.literal !== undefined && /["'`\\]/.test(p.literal))) return null;
    return pieces.filter((p) => p.interp && p.interp.namedChildren.length === 1 && dynamic(p.expr)).map((p) => wrap(p.expr!));
  }
  if (node.type === 'binary_operator') {
    const op = node.childForFieldName('operator')?.type;
    const left = node.childForFieldName('left');
    const right = node.childForFieldName('right');
    if (op === '%' && left?.type === 'string' && !/["'`\\]/.test(left.text.slice(1, -1))) {
      const items = right?.type === 'tuple' ? right.namedChildren.filter((c): c is Node => !!c) : right ? [right] : [];
      if (right?.type === 'dictionary') return null;
      return items.filter(dynamic).map(wrap);
    }
    if (op === '+') {
      const operands: Node[] = [];
      const flatten = (n: Node) => {
        if (n.type === 'binary_operator' && n.childForFieldName('operator')?.type === '+') {
          flatten(n.childForFieldName('left')!);
          flatten(n.childForFieldName('right')!);
        } else operands.push(n);
      };
      flatten(node);
      if (operands.some((o) => o.type === 'string' && /["'`\\]/.test(o.text.slice(1, -1)))) return null;
      return operands.filter((o) => o.type !== 'string' && dynamic(o)).map(wrap);
    }
    return null;
  }
  if (node.type === 'call') {
    const fn = node.childForFieldName('function');
    if (fn?.type !== 'attribute' || fn.childForFieldName('attribute')?.text !== 'format') return null;
    const template = fn.childForFieldName('object');
    if (template?.type !== 'string' || /["'`\\]/.test(template.text.slice(1, -1))) return null;
    const args = node.childForFieldName('arguments')?.namedChildren ?? [];
    return args
      .map((a) => (a?.type === 'keyword_argument' ? a.childForFieldName('value') : a))
      .filter((a): a is Node => !!a && a.type !== 'list_splat' && a.type !== 'dictionary_splat' && dynamic(a))
      .map(wrap);
  }
  return null;
}

/** `whole` is the command argument as written; `cmd` the command line inside it. */
function buildFix(site: CallSite, whole: Node, cmd: Node, ctx: Ctx): Fix | undefined {
  const shellKw = site.keywords.get('shell');
  // `[cmdline, arg0, ...]` passes extra arguments to the shell itself: leave that alone.
  const single = whole === cmd || whole.namedChildren.length === 1;
  if (shellKw && single && matchesAny(site.qname, SHELL_OPTIONAL)) {
    const quote = cmd.text.includes("'") && !cmd.text.includes('"') ? "'" : '"';
    const list = argvList(cmd, quote === "'" ? "'" : '"');
    if (list) {
      return {
        title: 'Pass the command as an argument list with shell=False',
        safe: false,
        edits: [replaceNode(whole, list), replaceNode(shellKw, 'False')],
      };
    }
  }
  const quoted = quoteEdits(cmd, ctx);
  if (!quoted || quoted.length === 0) return undefined;
  return {
    title: 'Quote interpolated values with shlex.quote()',
    safe: false,
    edits: compact([...quoted, ensureImport(ctx.tree, ctx.text, 'shlex')]),
  };
}

const rule: Rule = {
  code: 'SL101',
  name: 'shell-command-injection',
  category: 'injection',
  summary: 'Shell command built from non-constant data',
  severity: 'high',
  confidence: 'high',
  defaultLevel: 'warning',
  maxLevel: 'error',
  cwe: [78],
  bandit: ['B602', 'B605', 'B604', 'B609'],
  ruff: ['S602', 'S605', 'S604', 'S609'],
  fix: 'sometimes',
  explanation: {
    what:
      'A command string that is not a constant is run through a shell: `subprocess.*(..., shell=True)`, `os.system`, `os.popen`, `subprocess.getoutput`, `asyncio.create_subprocess_shell`.',
    why:
      'The shell parses the whole string. A value containing `;`, `|`, `&&`, `$(...)`, backticks or a newline ends the intended command and starts another with the privileges of this process (often root in system agents). Quoting by hand is easy to get wrong; an argument list never reaches a shell at all.',
    example: 'def set_sysctl(key, val):\n    subprocess.run(f"sysctl -w {key}={val}", shell=True)',
    useInstead:
      'def set_sysctl(key, val):\n    subprocess.run(["sysctl", "-w", f"{key}={val}"], shell=False)\n\n# when a shell is really needed:\nos.system(f"ls {shlex.quote(str(path))} | wc -l")',
    fixSafety:
      'Unsafe: the argument-list rewrite (offered when the command\'s words are static and contain no shell syntax) passes each interpolated value as one argument, so a value with spaces is no longer split. The `shlex.quote()` rewrite (offered for f-strings, `%`, `.format` and `+` without quotes in the literal text) does the same inside the shell. Both change behaviour exactly for the inputs an attacker would send.',
    references: [
      'https://cwe.mitre.org/data/definitions/78.html',
      'https://docs.python.org/3/library/subprocess.html#security-considerations',
      'https://docs.python.org/3/library/shlex.html#shlex.quote',
      'https://owasp.org/www-community/attacks/Command_Injection',
    ],
  },
  onCall(site, ctx) {
    const always = matchesAny(site.qname, SHELL_ALWAYS);
    if (!always && !(matchesAny(site.qname, SHELL_OPTIONAL) && isTrue(site.keywords.get('shell')))) return;
    const whole = commandArg(site);
    if (!whole) return;
    // With shell=True and a sequence, the first item is the shell command line.
    const cmd = (whole.type === 'list' || whole.type === 'tuple') && !always ? whole.namedChild(0) ?? whole : whole;
    const value = ctx.valueOf(cmd);
    reportFlow(ctx, cmd, value, 'shell', `the shell via ${sinkName(site)}`, (origin) =>
      `Shell command built from ${origin} is run by ${sinkName(site)}: shell metacharacters in it (; | $( ) \`) would run other commands. Pass an argument list with shell=False, or quote each value with shlex.quote().`,
      buildFix(site, whole, cmd, ctx),
    );
  },
};

export default rule;
