// The incremental analysis moves the findings of definitions an edit did not touch by the lines
// it added or removed, and keeps everything else about them (engine/run.ts). So a finding must
// not depend on the line its code is on: with blank lines put before a file's first definition
// (after its first line), its findings must be the same ones, the rows from there on moved,
// messages and fixes included.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';
import { RULES } from '../../rules';
import { initParser, parse } from '../../server/src/engine/parser';
import { analyze } from '../../server/src/engine/run';
import type { Finding } from '../../server/src/engine/types';
import { pythonFiles } from '../python-files';

function findings(text: string): Finding[] {
  const tree = parse(text);
  try {
    return analyze(tree, text, RULES);
  } finally {
    tree.delete();
  }
}

/** `value` with every row from `from` on moved by `by`: positions (of findings, traces and fix edits) and suppression lines. */
function moved<T>(value: T, from: number, by: number): T {
  const row = (r: number) => (r >= from ? r + by : r);
  return JSON.parse(JSON.stringify(value), (key, v) => {
    if (key === 'suppressLines') return (v as number[]).map(row);
    return v && typeof v === 'object' && typeof v.line === 'number' && typeof v.character === 'number' ? { ...v, line: row(v.line) } : v;
  }) as T;
}

it('findings do not depend on the line their code is on', async () => {
  await initParser();
  let compared = 0;
  for (const file of pythonFiles('test')) {
    const text = readFileSync(file, 'utf8');
    // Not at the very start: a fix importing a module inserts there, wherever that is.
    const at = text.search(/\n(?:def|class|async def|@)/) + 1;
    if (at <= 0) continue;
    const row = text.slice(0, at).split('\n').length - 1;
    const before = findings(text);
    const after = findings(`${text.slice(0, at)}\n\n\n${text.slice(at)}`);
    // (Both through the same JSON round trip, which drops fields left undefined.)
    assert.deepEqual(moved(after, 0, 0), moved(before, row, 3), file);
    compared += before.filter((f) => f.range.start.line >= row).length;
  }
  assert.ok(compared > 500, `only ${compared} findings compared`);
});
