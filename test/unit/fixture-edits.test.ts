// Line edits over every fixture, as a user moves code around: a line copied from elsewhere in
// the file (re-indented to its new place), a line deleted, a name replaced by another name of the
// file. After each, the incremental findings must equal a fresh open of the same text (groups of
// statements as a large file has them). The fixtures hold every rule's cases, so this covers what
// the random-character tests (incremental-analysis.test.ts) cannot reach: a rule's findings moved
// with their messages and fixes, facts about the file, fixes anchored outside their definition.
// SECLENS_EDITS raises the count (a fifteenth of it per group of fixtures).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { RULES } from '../../rules';
import { ParsedDocument } from '../../server/src/engine/document';
import { initParser } from '../../server/src/engine/parser';
import { analyze, type AnalysisState } from '../../server/src/engine/run';
import type { Finding } from '../../server/src/engine/types';
import { pythonFiles } from '../python-files';
import { positionAt } from '../positions';
import { rng } from '../random';

const EDITS = Math.max(1, Math.round(Number(process.env.SECLENS_EDITS ?? 300) / 15));
const GROUP = 8;
const OPTIONS = { fromChars: 0, every: 2 };

/** What differs between two lists of findings, for the failure message. */
function difference(a: Finding[], b: Finding[]): string {
  const key = (f: Finding) => JSON.stringify(f);
  const inB = new Set(b.map(key));
  const inA = new Set(a.map(key));
  const show = (f: Finding) => `${f.rule} line ${f.range.start.line + 1}`;
  return `incremental only: ${a.filter((f) => !inB.has(key(f))).map(show).join(', ')}; fresh only: ${b.filter((f) => !inA.has(key(f))).map(show).join(', ')}`;
}

const fixtures = pythonFiles('test/fixtures').filter((f) => !f.endsWith('.fixed.py'));

describe(`line edits over every fixture (${EDITS} per group of ${GROUP})`, () => {
  for (let g = 0; g < fixtures.length; g += GROUP) {
    const group = fixtures.slice(g, g + GROUP);
    it(group.map((f) => f.split('/').pop()).join(' '), async () => {
      await initParser();
      let text = group.map((f) => readFileSync(f, 'utf8')).join('\n\n');
      const random = rng(20261126 + g);
      const doc = new ParsedDocument('file:///edits.py', 1, text, OPTIONS);
      const state: AnalysisState = {};
      analyze(doc.module, doc.text, RULES, { state });
      try {
        for (let i = 0; i < EDITS; i++) {
          const lines = text.split('\n');
          const row = Math.floor(random() * lines.length);
          const offset = lines.slice(0, row).reduce((n, l) => n + l.length + 1, 0);
          let start = offset;
          let end = offset;
          let insert = '';
          const kind = random();
          if (kind < 0.4) {
            insert = `${/^\s*/.exec(lines[row])![0]}${lines[Math.floor(random() * lines.length)].trim()}\n`;
          } else if (kind < 0.6) {
            end = Math.min(text.length, offset + lines[row].length + 1);
          } else {
            const names = [...lines[row].matchAll(/[A-Za-z_]\w*/g)];
            if (names.length === 0) continue;
            const name = names[Math.floor(random() * names.length)];
            const others = [...text.matchAll(/[A-Za-z_]\w*/g)];
            start = offset + name.index!;
            end = start + name[0].length;
            insert = others[Math.floor(random() * others.length)][0];
          }
          doc.update([{ range: { start: positionAt(text, start), end: positionAt(text, end) }, text: insert }], i + 2);
          text = text.slice(0, start) + insert + text.slice(end);
          const incremental = analyze(doc.module, doc.text, RULES, { state });
          const fresh = new ParsedDocument('file:///fresh.py', 1, text, OPTIONS);
          try {
            const expected = analyze(fresh.module, text, RULES);
            assert.deepEqual(incremental, expected, `after edit ${i} (${JSON.stringify(insert)} at row ${row}): ${difference(incremental, expected)}`);
          } finally {
            fresh.dispose();
          }
        }
      } finally {
        doc.dispose();
      }
    });
  }
});
