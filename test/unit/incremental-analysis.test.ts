// Incremental analysis reuses the findings of top-level definitions an edit did not touch; after
// every edit its findings must equal those of a fresh analysis of the same text. Edits are random
// (seeded): multi-byte characters, deletions across lines, new imports, helpers whose summaries
// change, module-level assignments, suppression comments. SECLENS_EDITS raises the count.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';
import { RULES } from '../../rules';
import { ParsedDocument } from '../../server/src/engine/document';
import { initParser, parse } from '../../server/src/engine/parser';
import { analyze, settle, type AnalysisState } from '../../server/src/engine/run';
import { parseForAnalysis } from '../../server/src/engine/sparse';
import { positionAt } from '../positions';
import { rng } from '../random';

const EDITS = Number(process.env.SECLENS_EDITS ?? 300);
const SNIPPETS = [
  'é', '😀', '中文', ' ', '\n', '\n    ', '(', ')', '"', "f'{x}'", 'os.system(cmd)', '# ✓ 注释\n', 'shell=True', 'x = 1\n', ', ', '\t', '\r\n',
  'import subprocess as sp\n', 'from os import system\n', '\ndef helper(v):\n    return input()\n', '\ndef get_cmd():\n    return "ls"\n',
  'CMD = os.environ["CMD"]\n', '    cmd = get_cmd()\n', '    sp.run(cmd, shell=True)\n', '  # nosec\n', '  # seclens: ignore\n', 'return ',
  '\nclass Agent(object):\n    def run(self, c):\n        return self.build(c)\n', 'subprocess.call(helper(x), shell=True)\n', ':', 'def ',
  // Words and patterns that turn whole-file rules on and off (fileTrigger), typed piece by piece.
  '    requests.get(url)\n', 'reque', 'sts', '"/tmp/agent.sock"', '/t', 'mp', 'getattr(mod, request.args["f"])\n', 'getattr', 'http://', 'token',
  '\u202e',
];

/** The findings of a fresh parse of `text` (one tree: these texts are small). */
function freshFindings(text: string) {
  const tree = parse(text);
  try {
    return analyze(tree, text, RULES);
  } finally {
    tree.delete();
  }
}

/**
 * `text` opened and analysed; `replace` edits it and analyses it again with the same state,
 * asserting the findings equal a fresh analysis of the new text, and returns them.
 */
function opened(uri: string, text: string) {
  const doc = new ParsedDocument(uri, 1, text);
  const state: AnalysisState = {};
  analyze(doc.module, doc.text, RULES, { state });
  let version = 1;
  return {
    doc,
    state,
    get text() {
      return text;
    },
    replace(from: number, to: number, typed: string) {
      doc.update([{ range: { start: positionAt(text, from), end: positionAt(text, to) }, text: typed }], ++version);
      text = text.slice(0, from) + typed + text.slice(to);
      const found = analyze(doc.module, doc.text, RULES, { state });
      assert.deepEqual(found, freshFindings(text));
      return found;
    },
  };
}

it('a sliced analysis reports no unused suppression until it has seen the whole file', async () => {
  await initParser();
  const text = 'def a():\n    pass  # seclens: ignore[shell-command-injection]\n\n\ndef b(cmd):\n    os.system(cmd)\n\n\ndef c(cmd):\n    os.system(cmd)\n';
  const tree = parse(text);
  try {
    const state: AnalysisState = {};
    const unused: unknown[] = [];
    const calls: number[] = [];
    do {
      const found = analyze(tree, text, RULES, { state, deadline: -1, onUnusedSuppressions: (u) => unused.push(...u) });
      calls.push(found.length);
    } while (state.partial);
    assert.deepEqual(calls, [0, 1, 2], 'one definition per slice, findings growing');
    assert.equal(unused.length, 1, 'reported once, by the complete analysis');
  } finally {
    tree.delete();
  }
});

it(`${EDITS} random edits: incremental findings equal a fresh analysis`, async () => {
  await initParser();
  const base = [
    'injection/shell-command-injection.py', 'exposure/exception-text-in-log.py', 'concurrency/lock-name-from-parameter.py',
    'injection/unvalidated-command-argument.py',
  ].map((f) => readFileSync(`test/fixtures/${f}`, 'utf8')).join('\n\n');
  const random = rng(20261126);
  const doc = new ParsedDocument('file:///x.py', 1, base);
  const state: AnalysisState = {};
  analyze(doc.module, doc.text, RULES, { state });
  let text = base;
  let partials = 0;
  let alone = 0;
  for (let i = 0; i < EDITS; i++) {
    // Mostly small local edits, as typed; now and then a big cut or paste.
    const a = Math.floor(random() * (text.length + 1));
    const span = random() < 0.6 ? 0 : random() < 0.9 ? Math.floor(random() * 10) : Math.floor(random() * 400);
    let b = Math.min(text.length, a + span);
    let start = a;
    if (/[\uDC00-\uDFFF]/.test(text[start] ?? '')) start--;
    if (/[\uDC00-\uDFFF]/.test(text[b] ?? '')) b++;
    if (text[start - 1] === '\r' && text[start] === '\n') start--;
    if (text[b - 1] === '\r' && text[b] === '\n') b++;
    const insert = random() < 0.2 ? '' : random() < 0.1 ? text.slice(Math.floor(random() * text.length)).slice(0, 300) : SNIPPETS[Math.floor(random() * SNIPPETS.length)];
    doc.update([{ range: { start: positionAt(text, start), end: positionAt(text, b) }, text: insert }], i + 2);
    text = text.slice(0, start) + insert + text.slice(b);
    // Now and then in slices (a deadline already past: one definition per call), as the server
    // analyses large files; sometimes the next edit comes before the last slice.
    const sliced = random() < 0.04;
    let incremental = analyze(doc.module, doc.text, RULES, { state, deadline: sliced ? -1 : undefined });
    if (sliced && state.partial) {
      partials++;
      if (random() < 0.5) continue;
      while (state.partial) incremental = analyze(doc.module, doc.text, RULES, { state, deadline: -1 });
    }
    if (state.alone) alone++;
    // A fresh open of the same text (a large one is parsed in groups of statements, as here).
    const fresh = new ParsedDocument('file:///fresh.py', 1, text);
    try {
      assert.deepEqual(incremental, analyze(fresh.module, text, RULES), `findings differ after edit ${i}:\n${text}`);
    } finally {
      fresh.dispose();
    }
  }
  doc.dispose();
  // Both shortcuts were taken: slices left for later, and an edited definition walked alone.
  // (How much typing reuses is the next test's: after many random pastes and cuts the text is
  // mostly broken code, which may rightly be walked again.)
  assert.ok(partials > 0, 'no sliced analysis stopped early');
  assert.ok(alone > 0, 'no edit walked the edited definition alone');
});

const KEYS = Math.ceil(EDITS / 2);
it(`typing into function bodies (${KEYS} keystrokes) walks the edited definition alone, and the findings equal a fresh open`, async () => {
  await initParser();
  // Code as typed in the editor: Enter at the end of a body line (the new line indented), a
  // statement typed a character at a time (a bracket or quote typed with its partner), now and
  // then Backspace over a character or a whole line. Statements that change what a function
  // returns, which rules run, or the calls made, as well as plain ones.
  const base = [
    'injection/shell-command-injection.py', 'exposure/exception-text-in-log.py', 'concurrency/lock-name-from-parameter.py',
    'injection/unvalidated-command-argument.py', 'exposure/exception-text-in-response.py', 'deserialization/unsafe-yaml-load.py',
    'web/hardcoded-secret-key.py', 'web/regex-catastrophic-backtracking.py',
  ].map((f) => readFileSync(`test/fixtures/${f}`, 'utf8')).join('\n\n');
  const statements = [
    'value = helper(name)', 'LOG.debug("x=%s", value)', 'os.system(cmd)', 'items.append(value)', 'return input()',
    'cmd = get_cmd()', 'x = 1  # seclens: ignore', 'import subprocess', 'LOG.exception("failed: %s", e)', 'return "ls"',
    // What rules read as facts about the file (Ctx.moduleCode), typed inside a definition.
    'x = 1  # settings', '"from flask import Flask"', 'global EMAIL', 'EMAIL = re.compile(r"^(a+)+$")',
    'synchronized = lockutils.synchronized_with_prefix("n-")',
  ];
  const CLOSER: Record<string, string> = { '(': ')', '[': ']', '{': '}', '"': '"' };
  const random = rng(20261127);
  // In groups of statements, as a large file is (a fresh open below reads it the same way: on
  // broken code the groups' edges bound tree-sitter's error recovery, so one tree may differ).
  const groups = { fromChars: 0, every: 2 };
  const doc = new ParsedDocument('file:///t.py', 1, base, groups);
  const state: AnalysisState = {};
  analyze(doc.module, doc.text, RULES, { state });
  const lines = base.split('\n');
  let version = 1;
  let keys = 0;
  let alone = 0;
  let walked = 0;
  let reused = 0;
  const edit = (line: number, from: number, to: number, endLine: number, insert: string) => {
    doc.update([{ range: { start: { line, character: from }, end: { line: endLine, character: to } }, text: insert }], ++version);
    keys++;
    const incremental = analyze(doc.module, doc.text, RULES, { state });
    if (state.alone) alone++;
    walked += state.walked ?? 0;
    reused += state.reused ?? 0;
    const fresh = new ParsedDocument('file:///fresh.py', 1, doc.text, groups);
    try {
      assert.deepEqual(incremental, analyze(fresh.module, doc.text, RULES), `findings differ after keystroke ${keys}:\n${doc.text}`);
    } finally {
      fresh.dispose();
    }
  };
  while (keys < KEYS) {
    const bodies = lines.map((l, i) => [l, i] as const).filter(([l]) => /^ {4,}\S/.test(l) && !/^\s*(return|raise|else|elif|except|finally)\b/.test(l) && !/[([{,\\]\s*$/.test(l));
    const row = bodies[Math.floor(random() * bodies.length)][1];
    const indent = /^ */.exec(lines[row])![0] + (/:\s*$/.test(lines[row]) ? '    ' : '');
    edit(row, lines[row].length, lines[row].length, row, `\n${indent}`);
    lines.splice(row + 1, 0, indent);
    const line = row + 1;
    let col = indent.length;
    const statement = statements[Math.floor(random() * statements.length)];
    for (const ch of statement) {
      if (keys >= KEYS) break;
      if (lines[line][col] === ch && /[)\]}"]/.test(ch)) {
        col++;
        continue;
      }
      const typed = CLOSER[ch] ? ch + CLOSER[ch] : ch;
      edit(line, col, col, line, typed);
      lines[line] = lines[line].slice(0, col) + typed + lines[line].slice(col);
      col++;
      if (random() < 0.05 && col > indent.length) {
        // Backspace (a bracket typed with its partner loses both).
        const pair = CLOSER[lines[line][col - 1]] === lines[line][col];
        edit(line, col - 1, col + (pair ? 1 : 0), line, '');
        lines[line] = lines[line].slice(0, col - 1) + lines[line].slice(col + (pair ? 1 : 0));
        col--;
        break;
      }
    }
    if (random() < 0.2 && keys < KEYS) {
      // Backspace at the start of the new line: it joins the line above.
      edit(row, lines[row].length, 0, line, '');
      lines.splice(row, 2, lines[row] + lines[line]);
    }
  }
  doc.dispose();
  // The point of it: a keystroke seldom walks more than the definition it is in.
  assert.ok(alone >= keys / 2, `${alone} of ${keys} keystrokes walked the edited definition alone`);
  assert.ok(reused > walked, `reused ${reused}, walked ${walked}`);
});

it('a keystroke that makes a call name a helper walks the helper for its summary', async () => {
  await initParser();
  // No rule's words in the helper: only a call to it makes the analysis walk it. `helpe(cmd)`
  // calls nothing defined here; typing `r` makes it call the helper, whose summary quotes.
  const before = 'import os\nimport shlex\n\n\ndef helper(value):\n    return shlex.quote(value)\n\n\ndef run(cmd):\n    cmd = helpe(cmd)\n    os.system(cmd)\n';
  const doc = new ParsedDocument('file:///h.py', 1, before);
  const state: AnalysisState = {};
  const first = analyze(doc.module, doc.text, RULES, { state });
  assert.ok(first.some((f) => f.rule === 'shell-command-injection' && f.level === 'warning'), 'an unknown call passes the parameter on');
  const at = before.indexOf('(cmd)\n    os');
  const text = before.slice(0, at) + 'r' + before.slice(at);
  const pos = positionAt(before, at);
  doc.update([{ range: { start: pos, end: pos }, text: 'r' }], 2);
  const incremental = analyze(doc.module, doc.text, RULES, { state });
  assert.deepEqual(incremental, freshFindings(text));
  assert.ok(!incremental.some((f) => f.rule === 'shell-command-injection'), 'quoted by the helper: nothing');
  doc.dispose();
});

it('a class whose method calls one of its own methods is reused after an edit above it', async () => {
  await initParser();
  const before = [
    'import os', '', '',
    'def other(cmd):', '    os.system(cmd)', '', '',
    'class Agent(object):', '    def command(self):', '        return "ip netns list"', '',
    '    def run(self, extra):', '        os.system(self.command() + extra)', '',
  ].join('\n');
  const doc = new ParsedDocument('file:///a.py', 1, before);
  const state: AnalysisState = {};
  analyze(doc.module, doc.text, RULES, { state });
  const at = before.indexOf('os.system(cmd)');
  const pos = positionAt(before, at);
  doc.update([{ range: { start: pos, end: pos }, text: 'x = 1; ' }], 2);
  const text = before.slice(0, at) + 'x = 1; ' + before.slice(at);
  const incremental = analyze(doc.module, doc.text, RULES, { state });
  assert.deepEqual(incremental, freshFindings(text));
  // `self.command` is the class's own summary: looking it up ties the class to nothing outside.
  assert.deepEqual([state.walked, state.reused], [1, 1]);
  doc.dispose();
});

it('a function defined inside a module statement is summarised where that statement stands, also when the definition before it is reused', async () => {
  await initParser();
  // `helper` is defined by the `if` at the end: a call before it cannot know what it returns.
  // `b` is walked, `c` is not (no rule's words), so nothing after `b` is walked before the `if`.
  const before = [
    'import os', 'import sys', '', '',
    'def b(cmd):', '    os.system(cmd)', '', '',
    'def c(cmd):', '    return cmd', '', '',
    'if sys.platform:', '    def helper(v):', '        return "ls"', '',
  ].join('\n');
  const doc = new ParsedDocument('file:///m.py', 1, before);
  const state: AnalysisState = {};
  analyze(doc.module, doc.text, RULES, { state });
  // `c` now calls `helper` with its parameter: walked again, after `b` reused.
  const at = before.indexOf('return cmd');
  const typed = 'os.system(helper(cmd))';
  doc.update([{ range: { start: positionAt(before, at), end: positionAt(before, at + 'return cmd'.length) }, text: typed }], 2);
  const text = before.slice(0, at) + typed + before.slice(at + 'return cmd'.length);
  const incremental = analyze(doc.module, doc.text, RULES, { state });
  const fresh = freshFindings(text);
  assert.deepEqual(incremental, fresh);
  assert.ok(fresh.some((f) => f.rule === 'shell-command-injection' && f.range.start.line === 9), 'the unknown call passes `cmd` on');
  doc.dispose();
});

it('an Enter inside a definition moves those after it, which the next whole analysis reuses', async () => {
  await initParser();
  // `second` reads CMD, bound after the edited definition: what it looked up moves down too.
  const before = [
    'import os', '', '',
    'def first(cmd):', '    os.system(cmd)', '    return cmd', '', '',
    'CMD = os.environ["CMD"]', '', '',
    'def helper():', '    return "ls"', '', '',
    'def second():', '    os.system(CMD)', '', '',
    'def third(cmd):', '    os.system(cmd)', '', '',
    'def fourth():', '    os.system(helper())', '',
  ].join('\n');
  const edit = opened('file:///e.py', before);
  const { doc, state } = edit;
  const enterAt = before.indexOf('os.system(cmd)') + 'os.system(cmd)'.length;
  const moved = edit.replace(enterAt, enterAt, '\n    ');
  assert.equal(state.alone, true, 'the Enter walked `first` alone');
  assert.ok(moved.some((f) => f.range.start.line === 17 && f.rule === 'shell-command-injection'), '`second` moved a line down');
  // A new summary for `helper`: the whole analysis, which walks `helper` and `fourth` (its
  // caller) and reuses the others, moved by the Enter.
  const at = edit.text.indexOf('"ls"');
  const after = edit.replace(at, at + 4, 'input()');
  assert.equal(state.alone, false);
  assert.deepEqual([state.walked, state.reused], [2, 3]);
  assert.ok(after.some((f) => f.range.start.line === 25 && f.level === 'error'), '`fourth` runs input');
  doc.dispose();
});

it('a definition nothing calls, which a keystroke makes a rule read, is walked alone; a called one whose summary changes is not', async () => {
  await initParser();
  // Typing `LOG.warning(` makes the logging rule read `stats`: it is walked now, and makes a
  // summary. Nothing calls `stats` (its own `def stats(` is no call): no other statement can see
  // that summary. `run` calls `helper`, whose summary changes when it returns input.
  const before = [
    'import logging', 'import os', 'LOG = logging.getLogger(__name__)', '', '',
    'def stats(values):', '    total = sum(values)', '    LOG.warnin', '    return total', '', '',
    'def helper(values):', '    return values', '', '',
    'def run(cmd):', '    os.system(helper("ls"))', '',
  ].join('\n');
  const edit = opened('file:///s.py', before);
  const { doc, state } = edit;
  const type = (after: string, typed: string) => {
    const at = edit.text.indexOf(after) + after.length;
    return edit.replace(at, at, typed);
  };
  type('LOG.warnin', 'g(total)');
  assert.deepEqual([state.alone, state.walked], [true, 1], '`stats` walked alone');
  const found = type('def helper(values):\n    return ', 'input() + ');
  assert.equal(state.alone, false, '`helper` has a caller');
  assert.ok(found.some((f) => f.rule === 'shell-command-injection' && f.range.start.line === 16), '`run` runs input');
  doc.dispose();
});

it('a failure while moving what an Enter left for later empties the state: the next analysis starts afresh', async () => {
  await initParser();
  const before = ['import os', '', '', 'def a(cmd):', '    os.system(cmd)', '    return cmd', '', '', 'def b(cmd):', '    os.system(cmd)', ''].join('\n');
  const edit = opened('file:///f.py', before);
  const { doc, state } = edit;
  const at = before.indexOf('os.system(cmd)') + 'os.system(cmd)'.length;
  edit.replace(at, at, '\n    ');
  assert.equal(typeof state.unitsLater, 'function', 'the Enter left the units after it for later');
  state.unitsLater = () => {
    throw new Error('broken');
  };
  assert.throws(() => settle(state), /broken/);
  assert.deepEqual(Object.keys(state), []);
  edit.replace(at, at, ' ');
  assert.equal(state.alone, false);
  doc.dispose();
});

it('an Enter after a definition\'s last line, blank space between statements, walks no other definition', async () => {
  await initParser();
  const before = ['import os', '', '', 'def a(cmd):', '    os.system(cmd)', '', '', 'def b(cmd):', '    os.system(cmd)', ''].join('\n');
  const edit = opened('file:///g.py', before);
  const end = before.indexOf('os.system(cmd)') + 'os.system(cmd)'.length;
  const found = edit.replace(end, end, '\n    ');
  assert.equal(edit.state.alone, true, 'the blank line is `a`\'s');
  assert.deepEqual(found.map((f) => f.range.start.line), [4, 9], '`b` moved a line down');
  // Spaces before `def b` indent it into `a`: the trees differ, the whole analysis runs.
  const b = edit.text.indexOf('def b');
  edit.replace(b, b, '    ');
  assert.equal(edit.state.alone, false);
  edit.doc.dispose();
});

// A fact about the file that a rule reads for one statement comes from the module code or from
// that statement (Ctx.moduleCode): an edit inside another definition is walked alone, and a scan
// leaves out definitions no rule walks, so their text must not change what the rule reports.
// Each case failed (the incremental findings differed from a fresh analysis) while rules read
// such facts from the whole text or every assignment of the file.
const FACT_EDITS: [string, string, string, string][] = [
  [
    'a comment naming settings, for a SECRET_KEY class attribute',
    'class Base:\n    SECRET_KEY = "s3cr3t-value-here-123"\n\n\ndef f():\n    x = 1\n    return x\n',
    '    x = 1\n',
    '    x = 1  # settings\n',
  ],
  [
    'a Flask import line in a docstring, for DEBUG = True in a class',
    'class Cfg:\n    DEBUG = True\n\n\ndef f():\n    """doc"""\n    return 1\n',
    '"""doc"""',
    '"""\n    from flask import Flask\n    """',
  ],
  [
    'a catastrophic pattern compiled into a global, for a call in another function',
    'import re\nfrom flask import request\n\n\ndef setup():\n    global RX\n    RX = re.compile(r"^ok$")\n\n\ndef check():\n    return RX.match(request.args["q"])\n',
    'r"^ok$"',
    'r"^(a+)+$"',
  ],
  [
    'a prefixed locker bound in a function, for a lock taken in another',
    'from oslo_concurrency import lockutils\n\n\ndef setup():\n    global synchronized\n    synchronized = lockutils.lock\n\n\ndef work(name):\n    with synchronized(name):\n        pass\n',
    'lockutils.lock',
    'lockutils.synchronized_with_prefix("n-")',
  ],
];
for (const [name, text, find, typed] of FACT_EDITS) {
  it(`an edit inside one definition changes no other's findings: ${name}`, async () => {
    await initParser();
    const edit = opened('file:///facts.py', text);
    const at = text.indexOf(find);
    edit.replace(at, at + find.length, typed);
    // A scan, which parses only the definitions some rule walks, finds the same.
    for (const t of [text, edit.text]) {
      const sparse = parseForAnalysis(t, RULES, false);
      try {
        assert.deepEqual(analyze(sparse.tree, sparse.text, RULES, { known: sparse.known }), freshFindings(t));
      } finally {
        sparse.tree.delete();
      }
    }
    edit.doc.dispose();
  });
}

it('a pattern compiled in a class reaches the calls in its other methods', async () => {
  await initParser();
  const text = 'import re\nfrom flask import request\n\n\nclass V:\n    def __init__(self):\n        self.rx = re.compile(r"^ok$")\n\n    def check(self):\n        return self.rx.match(request.args["q"])\n';
  const edit = opened('file:///v.py', text);
  const at = text.indexOf('r"^ok$"');
  const found = edit.replace(at, at + 'r"^ok$"'.length, 'r"^(a+)+$"');
  assert.deepEqual(found.map((f) => [f.rule, f.range.start.line]), [['regex-catastrophic-backtracking', 9]]);
  edit.doc.dispose();
});

// A fix may write outside its definition's lines (an import after the file's imports, a line
// after its statement). Lines inserted right at that point put it before them, where a fresh open
// puts it, not after them as the definition's rows move.
const FIX_POINTS: [string, string, string, string[], RegExp, number][] = [
  ['its import', 'import random\n\n\ndef token():\n    return random.choice("abcdef")\n', '\n\n\ndef', ['def broken(x):\n', '\n', 'x = 1\n'], /^import/, 1],
  ['a line after its statement', 'import tempfile\n\n\ndef make():\n    path = tempfile.mktemp()\nx = 1\n', 'x = 1', ['def other():\n    pass\n'], /os\.close/, 5],
];
for (const [what, text, before, typed, edit, row] of FIX_POINTS) {
  it(`lines inserted where a fix would add ${what}: the fix says where it goes now`, async () => {
    await initParser();
    const doc = opened('file:///points.py', text);
    // At the start of the line that follows the point (for the import: row 1, after `import random`).
    const at = text.indexOf(before) + (before.startsWith('\n') ? 1 : 0);
    for (const t of typed) {
      const found = doc.replace(at, at, t);
      assert.deepEqual(found.flatMap((f) => f.fix?.edits.filter((e) => edit.test(e.newText)).map((e) => e.range.start.line) ?? []), [row], JSON.stringify(t));
    }
    doc.doc.dispose();
  });
}
