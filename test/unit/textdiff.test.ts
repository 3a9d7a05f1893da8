// The line map the incremental analysis builds from a character diff: every row it maps holds
// the same line in both texts, the new line starts equal those of a fresh count, and a keystroke
// inside a line leaves every other row mapped.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { diffText, lineStarts } from '../../server/src/engine/textdiff';
import { rng } from '../random';

const PIECES = ['a', 'b', '\n', '\r\n', ' ', 'é', '😀', 'def f():\n', '    x = 1\n', '', '\n\n', 'abc'];

function check(before: string, after: string) {
  const d = diffText(before, lineStarts(before), after);
  assert.deepEqual([...d.starts], [...lineStarts(after)], 'line starts');
  const a = before.split('\n');
  const b = after.split('\n');
  assert.equal(a.length - d.oldSuffixRow, b.length - d.newSuffixRow, 'as many rows after the change in both');
  assert.ok(d.prefixRows <= d.oldSuffixRow && d.prefixRows <= d.newSuffixRow, 'prefix before suffix');
  for (let r = 0; r < d.prefixRows; r++) assert.equal(b[r], a[r], `prefix row ${r}`);
  for (let r = d.oldSuffixRow; r < a.length; r++) assert.equal(b[r - d.oldSuffixRow + d.newSuffixRow], a[r], `suffix row ${r}`);
  return d;
}

it('a character diff maps only rows equal in both texts', () => {
  const random = rng(20261126);
  for (let n = 0; n < 3000; n++) {
    let text = '';
    const len = Math.floor(random() * 30);
    for (let i = 0; i < len; i++) text += PIECES[Math.floor(random() * PIECES.length)];
    let next = text;
    for (let e = 0; e < 1 + Math.floor(random() * 2); e++) {
      const at = Math.floor(random() * (next.length + 1));
      const end = Math.min(next.length, at + (random() < 0.5 ? 0 : Math.floor(random() * 6)));
      next = next.slice(0, at) + PIECES[Math.floor(random() * PIECES.length)] + next.slice(end);
    }
    check(text, next);
  }
});

it('a keystroke maps every other row; Enter moves the rows after it', () => {
  const lines = Array.from({ length: 5000 }, (_, i) => `    value_${i} = compute(${i})`);
  const text = lines.join('\n') + '\n';
  const typed = text.replace('value_2500 =', 'value_2500x =');
  const d = check(text, typed);
  assert.deepEqual([d.prefixRows, d.oldSuffixRow, d.newSuffixRow], [2500, 2501, 2501]);
  // Enter at the end of a row, indented as the next one: the diff sees that next row changed.
  const entered = text.replace('compute(2500)', 'compute(2500)\n    ');
  const e = check(text, entered);
  assert.deepEqual([e.prefixRows, e.oldSuffixRow, e.newSuffixRow], [2501, 2502, 2503]);
  const same = check(text, text.slice());
  assert.equal(same.prefixRows, 5001);
});
