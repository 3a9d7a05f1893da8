// A large open document is parsed as groups of top-level statements, one tree each
// (engine/document.ts, engine/trees.ts). Rules that look at the whole module (module constants,
// imports, loggers, settings) must see every group: each Python file the tests own is analysed
// split as finely as the grouping allows and as one tree, and the findings compared.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { pythonFiles } from '../python-files';
import { RULES } from '../../rules';
import { ParsedDocument } from '../../server/src/engine/document';
import { initParser, parse } from '../../server/src/engine/parser';
import { analyze } from '../../server/src/engine/run';
import { statements } from '../../server/src/engine/sparse';
import type { Finding } from '../../server/src/engine/types';


/** `text` with an empty definition before each top-level statement that is not one. */
function isolated(text: string): string {
  const found = statements(text);
  if (!found) return text;
  let out = '';
  let at = 0;
  found.forEach((st, i) => {
    if (st.kind !== 'other') return;
    out += `${text.slice(at, st.start)}def _group_${i}():\n    pass\n`;
    at = st.start;
  });
  return out + text.slice(at);
}

/** The findings of `text` parsed in groups (every definition starts one) and as one tree. */
async function both(text: string): Promise<{ grouped: Finding[]; whole: Finding[]; trees: number }> {
  await initParser();
  const doc = new ParsedDocument('file:///g.py', 1, text, { fromChars: 0, every: 1 });
  const tree = parse(text);
  try {
    return { grouped: analyze(doc.module, text, RULES, { exhaustive: true }), whole: analyze(tree, text, RULES, { exhaustive: true }), trees: doc.treeCount };
  } finally {
    doc.dispose();
    tree.delete();
  }
}

describe('a document parsed in groups of statements', () => {
  it('gives the findings of one tree on every test file', async () => {
    let split = 0;
    for (const file of pythonFiles('test')) {
      const text = readFileSync(file, 'utf8');
      const { grouped, whole, trees } = await both(text);
      if (trees > 1) split++;
      assert.deepEqual(grouped, whole, file);
      // Module code usually sits in the first group, whose root is also "the module" node: with a
      // definition before every module statement, each is a group of its own.
      const alone = await both(isolated(text));
      assert.deepEqual(alone.grouped, alone.whole, `${file}, module statements apart`);
    }
    // Most test files have several definitions: a test that split none would prove nothing.
    assert.ok(split > 100, `only ${split} files split`);
  });

  it('reads module code, imports and bindings from the other groups', async () => {
    const text = [
      'import logging',
      'import subprocess',
      'LOG = logging.getLogger(__name__)',
      'CMD = "ls " + input()',
      '',
      'def first():',
      '    return 1',
      '',
      'def run():',
      '    subprocess.call(CMD, shell=True)',
      '',
      'def later():',
      '    try:',
      '        run()',
      '    except Exception:',
      '        pass',
      '',
    ].join('\n');
    const { grouped, whole, trees } = await both(text);
    assert.equal(trees, 4);
    assert.deepEqual(grouped, whole);
    // The command comes from input() in the first group; the call is in the third.
    const hit = grouped.find((f) => f.rule === 'shell-command-injection');
    assert.equal(hit?.level, 'error', JSON.stringify(grouped));
  });

  it('finds a test framework imported in a later group', async () => {
    // A credential in a test module is a fixture: reported as test code whichever group imports it.
    const text = ['def first():', '    return 1', '', 'def second():', '    connect(password="hunter2-secret-value")', '', 'import mock', ''].join('\n');
    const { grouped, whole, trees } = await both(text);
    assert.ok(trees > 1);
    assert.deepEqual(grouped, whole);
    assert.match(whole.find((f) => f.rule === 'hardcoded-password')?.message ?? '', /in test code/);
  });

  it('reads a module constant from another group as the edits leave it', async () => {
    // The constant's group is reparsed when it is edited; the call's group is only moved by edits
    // above it. Each step's findings must be those of a fresh open of the same text.
    await initParser();
    const text = [
      'from cryptography.hazmat.primitives.asymmetric import rsa',
      'KEY_BITS = 4096',
      '',
      'def first():',
      '    return 1',
      '',
      'def make():',
      '    return rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)',
      '',
    ].join('\n');
    const doc = new ParsedDocument('file:///g.py', 1, text, { fromChars: 0, every: 1 });
    let current = text;
    const state = {};
    const at = (line: number, character: number) => ({ line, character });
    const steps: [string, { start: ReturnType<typeof at>; end: ReturnType<typeof at> }, string, number][] = [
      ['weakened', { start: at(1, 11), end: at(1, 15) }, '1024', 1],
      ['moved by a line above', { start: at(3, 0), end: at(3, 0) }, '\n', 1],
      ['moved by text in the call\'s group', { start: at(8, 0), end: at(8, 0) }, '    x = 1\n', 1],
      // (The rule reads the first assignment.)
      ['assigned before, strong', { start: at(1, 0), end: at(1, 0) }, 'KEY_BITS = 4096\n', 0],
    ];
    try {
      const findings = () => analyze(doc.module, current, RULES, { state }).filter((f) => f.rule === 'weak-crypto-key-size');
      assert.deepEqual(findings(), []);
      for (const [what, range, insert, count] of steps) {
        doc.update([{ range, text: insert }], 2);
        const lines = current.split('\n');
        const offset = (p: { line: number; character: number }) => lines.slice(0, p.line).reduce((n, l) => n + l.length + 1, 0) + p.character;
        current = current.slice(0, offset(range.start)) + insert + current.slice(offset(range.end));
        assert.equal(doc.text, current);
        const fresh = parse(current);
        try {
          const got = findings();
          assert.deepEqual(got, analyze(fresh, current, RULES).filter((f) => f.rule === 'weak-crypto-key-size'), what);
          assert.equal(got.length, count, `${what}: ${JSON.stringify(got)}`);
        } finally {
          fresh.delete();
        }
      }
      assert.ok(doc.treeCount > 1);
    } finally {
      doc.dispose();
    }
  });

  it('keeps one tree for a small file; an open bracket stays in its group, an open triple-quoted string takes the rest', async () => {
    await initParser();
    const defs = 'def a():\n    return 1\n\ndef b():\n    return 2\n';
    const small = new ParsedDocument('file:///s.py', 1, defs);
    const split = new ParsedDocument('file:///p.py', 1, defs, { fromChars: 0, every: 1 });
    // A `def` at column 0 cannot be inside brackets: the open one ends with its group.
    const bracket = new ParsedDocument('file:///o.py', 1, `${defs}x = (\n${defs}`, { fromChars: 0, every: 1 });
    // A string may hold anything: the group before it takes it and the rest of the text.
    const string = new ParsedDocument('file:///q.py', 1, `${defs}x = """\n${defs}`, { fromChars: 0, every: 1 });
    try {
      assert.equal(small.treeCount, 1);
      assert.equal(split.treeCount, 2);
      // Every node is at its place in the whole text, and reads its own text.
      const b = split.module.roots[1].namedChild(0)!;
      assert.equal(b.startPosition.row, 3);
      assert.equal(b.text, 'def b():\n    return 2');
      assert.equal(bracket.treeCount, 4);
      assert.equal(bracket.module.roots[2].namedChild(0)?.text, 'def a():\n    return 1');
      assert.deepEqual(string.treeStarts, [0, defs.indexOf('def b')]);
      // Closing the string splits the rest into groups again, as a fresh open does.
      const at = { line: 5, character: 7 };
      string.update([{ range: { start: at, end: at }, text: '"""' }], 2);
      const fresh = new ParsedDocument('file:///f.py', 1, string.text, { fromChars: 0, every: 1 });
      assert.deepEqual(string.treeStarts, fresh.treeStarts);
      assert.equal(string.treeCount, 4);
      fresh.dispose();
    } finally {
      for (const d of [small, bracket, string, split]) d.dispose();
    }
  });
});
