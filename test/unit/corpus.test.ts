// Recall and false positives on the held-out corpus (test/corpus/README.md): the bar users judge
// us by. A `# flag` line needs a finding at warning or error level from any rule; a `# noflag`
// line must have none at those levels (info is an audit hint and counts neither way).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';
import { analyzeText } from '../../server/src/engine';

const DIR = join('test', 'corpus');
const LABEL = /#\s*(flag|noflag)\s*$/;

it('finds >= 85 % of the flag lines and flags <= 3 % of the near misses', async () => {
  const missed: string[] = [];
  const noisy: string[] = [];
  let flags = 0;
  let nears = 0;
  for (const name of readdirSync(DIR).filter((f) => f.endsWith('.py')).sort()) {
    const text = readFileSync(join(DIR, name), 'utf8');
    const loud = new Set((await analyzeText(text)).filter((f) => f.level !== 'info').map((f) => f.range.start.line));
    text.split(/\r?\n/).forEach((line, i) => {
      const label = LABEL.exec(line)?.[1];
      if (label === 'flag') {
        flags++;
        if (!loud.has(i)) missed.push(`${name}:${i + 1}: ${line.trim()}`);
      } else if (label === 'noflag') {
        nears++;
        if (loud.has(i)) noisy.push(`${name}:${i + 1}: ${line.trim()}`);
      }
    });
  }
  const recall = (flags - missed.length) / flags;
  const fpRate = noisy.length / nears;
  console.log(`corpus: recall ${(recall * 100).toFixed(1)} % (${flags - missed.length}/${flags}), false positives ${(fpRate * 100).toFixed(1)} % (${noisy.length}/${nears})`);
  assert.ok(flags >= 50 && nears >= 50, 'the corpus is big enough to mean something');
  assert.ok(recall >= 0.85, `recall ${(recall * 100).toFixed(1)} %; missed:\n${missed.join('\n')}`);
  assert.ok(fpRate <= 0.03, `false positives ${(fpRate * 100).toFixed(1)} %:\n${noisy.join('\n')}`);
});
