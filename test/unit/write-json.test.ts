// A scan's JSON and SARIF reports are written in pieces (report/write-json.ts): the text must be
// exactly JSON.stringify(value, null, 2), whatever the value holds.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { writeJson } from '../../server/src/report/write-json';

function written(value: unknown, chunk?: number): { text: string; pieces: number } {
  let text = '';
  let pieces = 0;
  writeJson(value, (s) => {
    text += s;
    pieces++;
  }, chunk);
  return { text, pieces };
}

it('writes what JSON.stringify(value, null, 2) does, in pieces', () => {
  const finding = (i: number) => ({
    path: `file:///a/${i}.py`,
    rule: 'shell-command-injection',
    range: { start: { line: i, character: 4 }, end: { line: i, character: 9 } },
    message: 'Shell command built from `x` ← `argv[1]`\nsecond line "quoted" \\ é 😀',
    fix: i % 2 ? undefined : { title: 't', safe: false, edits: [] },
    trace: [{ message: 'a', range: null }, undefined],
    nothing: () => 1,
    nan: NaN,
  });
  const values: unknown[] = [
    { version: '1', scanned: 3, skipped: [], findings: Array.from({ length: 500 }, (_, i) => finding(i)), unusedSuppressions: [] },
    { runs: [{ tool: { driver: { rules: [{ id: 'SL1', properties: { tags: ['a', 'b'] } }] } }, results: [{ a: { b: { c: { d: [1, [2, [3]]] } } } }] }] },
    [],
    {},
    [[[[[1]]]], { deep: { deeper: { deepest: { x: [] } } } }],
    { when: new Date(0), nested: [new Date(0)] },
    'text',
    42,
    null,
  ];
  for (const v of values) assert.equal(written(v).text, JSON.stringify(v, null, 2));
  // A large report is not one string.
  const big = written(values[0], 4096);
  assert.ok(big.pieces > 10, `${big.pieces} pieces`);
  assert.equal(big.text, JSON.stringify(values[0], null, 2));
});
