import type { Node } from 'web-tree-sitter';
import { plusOperands } from '../../server/src/engine/syntax';
import { taintLevel } from '../../server/src/engine/dataflow';
import { compact, ensureImport, replaceNode } from '../../server/src/engine/fixes';
import { matchesAny } from '../../server/src/engine/names';
import type { CallSite, Ctx, Rule } from '../../server/src/engine/rule';
import type { Fix, TextEdit } from '../../server/src/engine/types';
import { isTrue, reportFlow, sinkName } from '../support';
import { literalText } from './built-strings';
import { runsArgv } from './unvalidated-command-argument';

/** Calls that hand their first argument to `/bin/sh` only when `shell=True`. */
const SHELL_OPTIONAL = ['subprocess.run', 'subprocess.call', 'subprocess.check_call', 'subprocess.check_output', 'subprocess.Popen'];
/** Run their command line through the login shell of another host: paramiko (B601), Fabric 1. */
const REMOTE_SHELL = ['*.exec_command', ...['run', 'sudo', 'local'].flatMap((f) => [`fabric.api.${f}`, `fabric.operations.${f}`])];
/** Calls that always run their command through a shell. */
const SHELL_ALWAYS = [
  'os.system', 'os.popen', 'subprocess.getoutput', 'subprocess.getstatusoutput', 'commands.getoutput',
  'commands.getstatusoutput', 'asyncio.create_subprocess_shell', 'popen2.popen2', 'popen2.popen3', 'popen2.popen4',
  'popen2.Popen3', 'popen2.Popen4', 'os.popen2', 'os.popen3', 'os.popen4', 'platform.popen', 'invoke.run', 'invoke.sudo',
  ...REMOTE_SHELL,
];
/**
 * A word every finding of SL101 (and SL104) sits near: `shell` of `shell=True`, or a dotted
 * part of a sink that always uses a shell (its first part where the pattern is exact and the
 * last is a common word: `invoke.run`, `fabric.api.run`).
 */
export const SHELL_TRIGGERS = [
  'shell', 'system', 'popen', 'getoutput', 'getstatusoutput', 'create_subprocess_shell', 'popen2', 'popen3', 'popen4',
  'invoke', 'fabric', 'exec_command',
];
/** Names of variables that hold a command line. */
const COMMAND_NAME = /(^|_)(cmd|cmds|command|commands|cmdline|cmd_line|cmd_str|script|shell_cmd)$/i;
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

/** The text of a plain string literal (no prefix, no escapes), or null. */
function plainContent(node: Node | null | undefined): string | null {
  if (node?.type !== 'string') return null;
  const start = node.namedChildren.find((c) => c?.type === 'string_start')?.text ?? '';
  if (start !== '"' && start !== "'") return null;
  const parts = node.namedChildren.filter((c) => c?.type === 'string_content');
  if (parts.some((c) => c!.namedChildren.length > 0)) return null;
  return parts.map((c) => c!.text).join('');
}

/** `"ip link set %s up" % dev` -> pieces, when every directive is `%s`. */
function percentPieces(template: string, right: Node | null): Piece[] | null {
  const items = right?.type === 'tuple' ? right.namedChildren.filter((c): c is Node => !!c) : right ? [right] : [];
  const pieces: Piece[] = [];
  let i = 0;
  let literal = '';
  for (const m of template.split(/(%.)/)) {
    if (m === '%%') literal += '%';
    else if (m === '%s') {
      if (literal) pieces.push({ literal });
      literal = '';
      const expr = items[i++];
      if (!expr || expr.type === 'list_splat') return null;
      pieces.push({ expr });
    } else if (/^%/.test(m)) return null;
    else literal += m;
  }
  if (literal) pieces.push({ literal });
  return i === items.length ? pieces : null;
}

/** `"arping -I {} {}".format(dev, ip)` -> pieces, for `{}`, `{0}` and `{name}` fields without specs. */
function formatPieces(template: string, call: Node): Piece[] | null {
  const args = call.childForFieldName('arguments')?.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment') ?? [];
  const positional = args.filter((a) => a.type !== 'keyword_argument');
  if (args.some((a) => a.type === 'list_splat' || a.type === 'dictionary_splat')) return null;
  const named = new Map(args.filter((a) => a.type === 'keyword_argument').map((a) => [a.childForFieldName('name')?.text ?? '', a.childForFieldName('value')]));
  const pieces: Piece[] = [];
  let auto = 0;
  let literal = '';
  for (const m of template.split(/(\{\{|\}\}|\{[^{}]*\})/)) {
    if (m === '{{' || m === '}}') literal += m[0];
    else if (m.startsWith('{')) {
      const field = m.slice(1, -1);
      const expr = field === '' ? positional[auto++] : /^\d+$/.test(field) ? positional[Number(field)] : /^\w+$/.test(field) ? named.get(field) : null;
      if (!expr) return null;
      if (literal) pieces.push({ literal });
      literal = '';
      pieces.push({ expr });
    } else if (m.includes('{') || m.includes('}')) return null;
    else literal += m;
  }
  if (literal) pieces.push({ literal });
  return pieces;
}

/** The literal and interpolated pieces of a command built by an f-string, `%`, `.format()` or `+`. */
function commandPieces(node: Node): Piece[] | null {
  const f = fstringPieces(node);
  if (f) return f;
  if (node.type === 'binary_operator') {
    const op = node.childForFieldName('operator')?.type;
    if (op === '%') {
      const template = plainContent(node.childForFieldName('left'));
      return template === null ? null : percentPieces(template, node.childForFieldName('right'));
    }
    if (op === '+') {
      const out: Piece[] = [];
      for (const n of plusOperands(node)) {
        const literal = plainContent(n);
        if (literal !== null) out.push({ literal });
        else if (n.type === 'string') return null;
        else out.push({ expr: n });
      }
      return out;
    }
  }
  if (node.type === 'call') {
    const fn = node.childForFieldName('function');
    if (fn?.type === 'attribute' && fn.childForFieldName('attribute')?.text === 'format') {
      const template = plainContent(fn.childForFieldName('object'));
      return template === null ? null : formatPieces(template, node);
    }
  }
  return null;
}

/** How a piece reads inside an f-string, or null when its expression cannot go there as written. */
function fstringField(p: Piece, quote: string): string | null {
  if (p.interp) return p.interp.text;
  const text = p.expr!.text;
  return /["'\\{}\n#]/.test(text) || text.includes(quote) ? null : `{${text}}`;
}

/** `f"sysctl -w {key}={val}"` -> `["sysctl", "-w", f"{key}={val}"]`, when the words are static. */
function argvList(node: Node, quote: string): string | null {
  const pieces = commandPieces(node);
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
  const elements: string[] = [];
  for (const w of words.filter((x) => x.length > 0)) {
    const [only] = w;
    if (w.length === 1 && only.literal !== undefined) elements.push(quote + only.literal + quote);
    else if (w.length === 1 && only.expr && (!only.interp || only.interp.namedChildren.length === 1)) elements.push(`str(${only.expr.text})`);
    else {
      const fields = w.map((p) => p.literal ?? fstringField(p, quote));
      if (fields.some((x) => x === null)) return null;
      elements.push(`f${quote}${fields.join('')}${quote}`);
    }
  }
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
    // Only `%s` directives: `%d` of a quoted string would raise.
    const template = plainContent(left);
    if (op === '%' && template !== null && !/["'`\\]/.test(template) && !/%[^s%]/.test(template)) {
      const items = right?.type === 'tuple' ? right.namedChildren.filter((c): c is Node => !!c) : right ? [right] : [];
      if (right?.type === 'dictionary') return null;
      return items.filter(dynamic).map(wrap);
    }
    if (op === '+') {
      const operands = plusOperands(node);
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
    edits: compact([...quoted, ensureImport(ctx.module, ctx.text, 'shlex')]),
  };
}

/** The command line a call hands to a shell (`whole` as written, `cmd` the string inside it), or null. */
export function shellCommand(site: CallSite, ctx: Ctx): { whole: Node; cmd: Node } | null {
  const always = matchesAny(site.qname, SHELL_ALWAYS);
  // Any other call with `shell=True` (B604) hands a string to a shell too, unless SL102 checks it as a command runner.
  const known = matchesAny(site.qname, SHELL_OPTIONAL);
  const shell = isTrue(site.keywords.get('shell')) && (known || !runsArgv(site, ctx));
  if (!always && !shell) return null;
  const whole = commandArg(site);
  if (!whole) return null;
  // An unknown function's `shell=True` counts when its argument reads as a command line (`f"ip link show {dev}"`, `cmd`).
  if (!always && !known && !/\s/.test(literalText(whole) ?? '') && !COMMAND_NAME.test(whole.type === 'identifier' ? whole.text : '')) return null;
  // With shell=True and a sequence, the first item is the shell command line.
  const cmd = (whole.type === 'list' || whole.type === 'tuple') && !always ? whole.namedChild(0) ?? whole : whole;
  return { whole, cmd };
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
  bandit: ['B601', 'B602', 'B604', 'B605'],
  ruff: ['S601', 'S602', 'S604', 'S605'],
  fix: 'sometimes',
  triggers: SHELL_TRIGGERS,
  explanation: {
    what:
      'A command string that is not a constant is run through a shell: `subprocess.*(..., shell=True)` and any other call with `shell=True` whose argument reads as a command line (text with spaces, or a variable named like `cmd`; the command runners SL102 checks stay with SL102), `os.system`, `os.popen` (and Python 2 `os.popen2/3/4`, `popen2`, `commands.getoutput/getstatusoutput`, `platform.popen`), `subprocess.getoutput/getstatusoutput`, `asyncio.create_subprocess_shell`, and on another host through its login shell: paramiko `SSHClient.exec_command` and Fabric `run`/`sudo`/`local`. Constant command lines are not reported (wildcards in them are SL104\'s).',
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
      'https://docs.paramiko.org/en/stable/api/client.html#paramiko.client.SSHClient.exec_command',
      'https://owasp.org/www-community/attacks/Command_Injection',
    ],
  },
  onCall(site, ctx) {
    const found = shellCommand(site, ctx);
    if (!found) return;
    const { whole, cmd } = found;
    const value = ctx.valueOf(cmd);
    reportFlow(ctx, cmd, value, 'shell', `the shell via ${sinkName(site)}`, (origin) =>
      `Shell command built from ${origin} is run by ${sinkName(site)}: shell metacharacters in it (; | $( ) \`) would run other commands. Pass an argument list with shell=False, or quote each value with shlex.quote().`,
      buildFix(site, whole, cmd, ctx),
    );
  },
};

export default rule;
