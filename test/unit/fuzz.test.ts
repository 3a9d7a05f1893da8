// The engine never throws and does bounded work on whatever text an editor holds: random
// mutations of real Python (deletions, insertions, duplicated ranges, unbalanced brackets), and
// the extremes (10,000-deep nesting, a 10 MB line, NUL bytes, invalid UTF-8 decoded, BOM, CR /
// CRLF and tab / space mixes), each as one tree and as an open document in groups of statements. The bound is on work, generous: 50 ms per KB plus 10 s (shared CI machines).
// SECLENS_FUZZ raises the number of random mutations.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import { RULES } from '../../rules';
import { ParsedDocument } from '../../server/src/engine/document';
import { initParser, parse } from '../../server/src/engine/parser';
import { analyze } from '../../server/src/engine/run';
import { rng } from '../random';

const ITERATIONS = Number(process.env.SECLENS_FUZZ ?? 60);


/** Analyses `text`, failing on any exception (engine or rule) or on work beyond the bound. */
function check(label: string, text: string): void {
  const errors: string[] = [];
  const t0 = performance.now();
  const tree = parse(text);
  try {
    analyze(tree, text, RULES, { onRuleError: (rule, e) => errors.push(`${rule.name}: ${e instanceof Error ? e.stack : String(e)}`) });
  } finally {
    tree.delete();
  }
  const ms = performance.now() - t0;
  // As an open document split into groups of statements wherever the text allows (trees.ts).
  const t1 = performance.now();
  const doc = new ParsedDocument('file:///fuzz.py', 1, text, { fromChars: 0, every: 1 });
  try {
    analyze(doc.module, text, RULES, { onRuleError: (rule, e) => errors.push(`${rule.name} (in groups): ${e instanceof Error ? e.stack : String(e)}`) });
  } finally {
    doc.dispose();
  }
  const grouped = performance.now() - t1;
  if (process.env.SECLENS_FUZZ_LOG) console.log(label, ms.toFixed(0), grouped.toFixed(0));
  assert.deepEqual(errors, [], `${label}: a rule threw`);
  const bound = 10_000 + 50 * (text.length / 1024);
  for (const [how, t] of [['one tree', ms], ['in groups', grouped]] as const) {
    assert.ok(t < bound, `${label} (${how}): ${t.toFixed(0)} ms for ${(text.length / 1024).toFixed(0)} KB (bound ${bound.toFixed(0)} ms)`);
  }
}

function fixtures(): string[] {
  const root = path.join('test', 'fixtures');
  const out: string[] = [];
  for (const cat of readdirSync(root)) {
    for (const f of readdirSync(path.join(root, cat))) if (f.endsWith('.py')) out.push(readFileSync(path.join(root, cat, f), 'utf8'));
  }
  return out;
}

describe('fuzz', () => {
  before(() => initParser());

  it(`${ITERATIONS} random mutations of real Python`, () => {
    const sources = fixtures();
    const random = rng(424242);
    const junk = ['(', ')', '[', ']', '{', '}', ':', '"', "'", '"""', '\\', '\n', '\t', '    ', '\0', '\uFEFF', '\r', '\r\n', 'é', '😀', '\uD800', 'def ', 'lambda', 'f"{', '}"', '@', '*', '**', '=', ':='];
    for (let i = 0; i < ITERATIONS; i++) {
      let text = sources[Math.floor(random() * sources.length)];
      const steps = 1 + Math.floor(random() * 8);
      for (let s = 0; s < steps; s++) {
        const a = Math.floor(random() * (text.length + 1));
        const b = Math.min(text.length, a + Math.floor(random() * 200));
        const r = random();
        if (r < 0.3) text = text.slice(0, a) + text.slice(b); // deletion
        else if (r < 0.5) text = text.slice(0, b) + text.slice(a, b) + text.slice(b); // duplicated range
        else if (r < 0.6) text = text.slice(0, a) + text.slice(a, b).replace(/ {4}/g, '\t') + text.slice(b); // tabs for spaces
        else if (r < 0.7) text = text.slice(0, a) + text.slice(a, b).replace(/\n/g, random() < 0.5 ? '\r\n' : '\r') + text.slice(b); // line endings
        else text = text.slice(0, a) + junk[Math.floor(random() * junk.length)] + text.slice(a); // insertion
      }
      check(`mutation ${i}`, text);
    }
  });

  it('survives 10,000-deep nesting', () => {
    const depth = 10_000;
    check('parentheses', `x = ${'('.repeat(depth)}1${')'.repeat(depth)}\n`);
    check('calls', `import os\n\ndef f(a):\n    os.system(${'g('.repeat(depth)}a${')'.repeat(depth)})\n`);
    check('attributes', `import subprocess\nsubprocess.run(a${'.b'.repeat(depth)}, shell=True)\n`);
    check('lists', `y = ${'['.repeat(depth)}${']'.repeat(depth)}\n`);
    check('unbalanced', `def f(x):\n    return ${'{'.repeat(depth)}x\n`);
    check('binary operators', `import os\n\ndef f(a):\n    os.system(a${' + a'.repeat(depth)})\n`);
    check('nested blocks', `def f(x):\n${Array.from({ length: 500 }, (_, i) => `${' '.repeat(i + 1)}if x:\n`).join('')}${' '.repeat(502)}eval(x)\n`);
  });

  it('survives a 10 MB single line', () => {
    check('string', `x = "${'a'.repeat(10 * 1024 * 1024)}"\n`);
    check('expression', `import os\nos.system(${'a+'.repeat(20_000)}a)\n${'#'.repeat(10 * 1024 * 1024)}\n`);
  });

  it('survives NUL bytes, invalid UTF-8, a BOM, mixed line endings and indentation', () => {
    const base = fixtures()[0];
    check('nul', base.replace(/ /g, (m, i: number) => (i % 7 === 0 ? '\0' : m)));
    check('invalid utf-8', new TextDecoder('utf-8').decode(Buffer.concat([Buffer.from(base.slice(0, 200)), Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0xa0, 0xa1, 0xe2, 0x82]), Buffer.from(base.slice(200))])));
    check('lone surrogates', `x = "\uD800"\ny = "\uDC00abc"\n${base}`);
    check('bom', `\uFEFF${base}`);
    check('cr', base.replace(/\n/g, '\r'));
    check('mixed line endings', base.split('\n').map((l, i) => l + ['\n', '\r\n', '\r'][i % 3]).join(''));
    check('tabs and spaces', base.split('\n').map((l, i) => (i % 2 ? l.replace(/^ {4}/, '\t') : l)).join('\n'));
    check('empty', '');
    check('only newlines', '\n'.repeat(10_000));
  });
});
