// A scan parses only the code some rule may report in (engine/sparse.ts): statements are found
// from the text alone, the rest is removed down to its line breaks. These pin the tokenizer on
// the shapes that fool a line-based reader, and that what is left parses and analyses as the
// whole file does (test/unit/triggers.test.ts compares every test file both ways).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyzeText, initParser, RULES } from '../../server/src/engine';
import { parseForAnalysis, sparsePlan, statements } from '../../server/src/engine/sparse';

const shape = (text: string, from?: number, to?: number, nested?: boolean) =>
  statements(text, from, to, nested)?.map((s) => [s.kind, text.slice(s.start, s.end)]) ?? null;

describe('statements from the text alone', () => {
  it('splits a module at its top-level statements, decorators with their definition', () => {
    const text = [
      'import os',
      '# a comment at column 0 belongs to no statement',
      '@decorator(',
      '    "arg")',
      '@other',
      'def f(a,',
      '      b):',
      '    s = """',
      'def not_a_statement():',
      '"""',
      '# a comment inside, at column 0',
      '    return a \\',
      '+ b',
      '',
      'class C:',
      '    x = [1,',
      '2]',
      'x = 1',
    ].join('\n');
    assert.deepEqual(shape(text), [
      ['other', 'import os\n'],
      ['def', '@decorator(\n    "arg")\n@other\ndef f(a,\n      b):\n    s = """\ndef not_a_statement():\n"""\n# a comment inside, at column 0\n    return a \\\n+ b\n'],
      ['class', 'class C:\n    x = [1,\n2]\n'],
      ['other', 'x = 1'],
    ]);
  });

  it('splits a class body into its header and statements', () => {
    const text = 'class C(Base):\n    """Doc."""\n    @property\n    def a(self):\n        return 1\n\n    # between\n    async def b(self): pass\n';
    assert.deepEqual(shape(text, 0, text.length, true), [
      ['other', 'class C(Base):\n'],
      ['other', '    """Doc."""\n'],
      ['def', '    @property\n    def a(self):\n        return 1\n'],
      ['def', '    async def b(self): pass\n'],
    ]);
  });

  it('gives up where it cannot be sure', () => {
    for (const text of ['x = """never closed\n', 'f(1,\n', 'x = 1)\n', "s = 'open\n", 'def f():\n    pass\n\fdef g(): pass\n', 'x = 1 \\\n']) {
      assert.equal(statements(text), null, JSON.stringify(text));
    }
    // A class body indented with a tab, then with spaces.
    assert.equal(statements('class C:\n\tdef a(self): pass\n    def b(self): pass\n', 0, 57, true), null);
  });
});

describe('the sparse text of a scan', () => {
  const text = [
    'import subprocess',
    '',
    'def total(values):',
    '    return sum(values)',
    '',
    'def run(cmd):',
    '    return subprocess.call(cmd, shell=True)',
    '',
    'class Quiet:',
    '    def add(self, a, b):',
    '        return a + b',
    '',
    'class Loud:',
    '    def add(self, a, b):',
    '        return a + b',
    '',
    '    def go(self, cmd):',
    '        return subprocess.call(cmd, shell=True)',
    '',
  ].join('\n');

  it('removes what no rule reads down to its line breaks, and keeps the rest as it was', async () => {
    await initParser();
    const plan = sparsePlan(text, RULES);
    assert.ok(plan);
    const before = text.split('\n');
    const after = plan.text.split('\n');
    assert.equal(after.length, before.length);
    after.forEach((line, row) => assert.ok(line === '' || line === before[row], `row ${row}: ${JSON.stringify(line)}`));
    // Left out: `total`, the class `Quiet`, and `Loud.add`; kept: the import, `run`, `Loud.go`.
    assert.deepEqual(after.map((l, row) => (l === before[row] && l !== '' ? row : -1)).filter((r) => r >= 0), [0, 5, 6, 12, 16, 17]);
    const { tree } = parseForAnalysis(text, RULES, false);
    assert.equal(tree.rootNode.hasError, false);
    tree.delete();
  });

  it('finds what the whole file gives, with positions in the whole file', async () => {
    const sparse = await analyzeText(text, RULES);
    const full = await analyzeText(text, RULES, { exhaustive: true });
    assert.deepEqual(sparse, full);
    assert.deepEqual(sparse.filter((f) => f.rule === 'shell-command-injection').map((f) => f.range.start.line), [6, 17]);
  });

  it('keeps a helper that module-level code calls, for its return summary', async () => {
    // `build` names no rule's word; the call at module level makes the walk read its summary.
    const text = 'import os\nimport sys\n\n\ndef build():\n    return sys.argv[1]\n\n\nCMD = build()\nos.system(CMD)\n';
    assert.equal(sparsePlan(text, RULES)!.text, text);
    const sparse = await analyzeText(text, RULES);
    assert.deepEqual(sparse, await analyzeText(text, RULES, { exhaustive: true }));
    assert.deepEqual(sparse.map((f) => [f.rule, f.level, f.range.start.line]), [['shell-command-injection', 'error', 9]]);
  });

  it('keeps what a rule reads outside the statement it reports in', async () => {
    // The pattern is compiled in one method and matched in another: the rule reads the
    // assignment wherever it is, so the method that compiles must be parsed too.
    const far = [
      'import re',
      '',
      'class Checker:',
      '    def __init__(self):',
      '        self.pattern = re.compile(r"^(\\w+\\s?)*$")',
      '',
      '    def other(self):',
      '        return 1',
      '',
      '    def check(self, text):',
      '        return self.pattern.match(text)',
      '',
    ].join('\n');
    // That rule alone (as `--select` runs it): no other rule's words keep `__init__`.
    const only = RULES.filter((r) => r.name === 'regex-catastrophic-backtracking');
    const sparse = await analyzeText(far, only);
    assert.deepEqual(sparse, await analyzeText(far, only, { exhaustive: true }));
    assert.deepEqual(sparse.map((f) => [f.rule, f.range.start.line]), [['regex-catastrophic-backtracking', 10]]);
  });

  it('stands `0` in for a class body left empty, and parses the whole file when what is left does not parse', async () => {
    // The class statement itself names a rule's word (so it is walked), its one method does not.
    const empty = 'import subprocess\n\nclass C(subprocess.Popen):\n    def a(self):\n        return 1\n';
    const plan = sparsePlan(empty, RULES);
    assert.ok(plan);
    assert.equal(plan.text.split('\n')[3], '    0');
    const ok = parseForAnalysis(empty, RULES, false);
    assert.equal(ok.text, plan.text);
    assert.equal(ok.tree.rootNode.hasError, false);
    ok.tree.delete();
    assert.deepEqual(await analyzeText(empty, RULES), await analyzeText(empty, RULES, { exhaustive: true }));
    // A syntax error in kept code: error recovery must see the whole file.
    const broken = 'import os\n\ndef quiet():\n    return 1\n\ndef f(p):\n    os.system(p) +\n';
    assert.ok(sparsePlan(broken, RULES)!.text !== broken);
    const fallback = parseForAnalysis(broken, RULES, false);
    assert.equal(fallback.text, broken);
    assert.equal(fallback.known, undefined);
    fallback.tree.delete();
    assert.deepEqual(await analyzeText(broken, RULES), await analyzeText(broken, RULES, { exhaustive: true }));
  });
});
