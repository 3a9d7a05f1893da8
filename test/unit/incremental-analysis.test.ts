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
import { analyze, type AnalysisState } from '../../server/src/engine/run';
import { rng } from '../random';

const EDITS = Number(process.env.SECLENS_EDITS ?? 300);
const SNIPPETS = [
  'é', '😀', '中文', ' ', '\n', '\n    ', '(', ')', '"', "f'{x}'", 'os.system(cmd)', '# ✓ 注释\n', 'shell=True', 'x = 1\n', ', ', '\t', '\r\n',
  'import subprocess as sp\n', 'from os import system\n', '\ndef helper(v):\n    return input()\n', '\ndef get_cmd():\n    return "ls"\n',
  'CMD = os.environ["CMD"]\n', '    cmd = get_cmd()\n', '    sp.run(cmd, shell=True)\n', '  # nosec\n', '  # seclens: ignore\n', 'return ',
  '\nclass Agent(object):\n    def run(self, c):\n        return self.build(c)\n', 'subprocess.call(helper(x), shell=True)\n', ':', 'def ',
];


function positionAt(text: string, offset: number) {
  let line = 0;
  let lineStart = 0;
  for (let i = 0; i < offset; i++) {
    const c = text[i];
    if (c === '\n' || (c === '\r' && text[i + 1] !== '\n')) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, character: offset - lineStart };
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
  let reused = 0;
  let walked = 0;
  let partials = 0;
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
    } else {
      reused += state.reused ?? 0;
      walked += state.walked ?? 0;
    }
    const fresh = parse(text);
    try {
      assert.deepEqual(incremental, analyze(fresh, text, RULES), `findings differ after edit ${i}:\n${text}`);
    } finally {
      fresh.delete();
    }
  }
  doc.dispose();
  // The point of it: most definitions are not walked again.
  assert.ok(reused > walked, `reused ${reused}, walked ${walked}`);
  assert.ok(partials >= EDITS / 100, `${partials} sliced analyses stopped early`);
});
