// The real-editor suite (test/e2e/suite/2-fixes.test.ts) applies one quick fix per rule with a
// fix, from test/e2e/workspace/fixes/<rule>.py, and compares the text with <rule>.fixed.py.
// That suite is slow and needs a browser; this checks the same pairs at the engine level so a
// missing or stale pair fails in `npm test`:
// - every rule with a fix has a pair, and every pair belongs to such a rule;
// - the .py has exactly one finding of the rule, and it carries a fix;
// - no other finding whose range meets it carries a fix (the editor would offer both, and the
//   e2e takes the first SecLens action that is not an "Ignore ...");
// - applying that fix gives the .fixed.py, which has no finding of the rule left.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { analyzeText, RULES } from '../../server/src/engine';
import { applyEdits, combineFixes } from '../../server/src/engine/fixes';
import type { Finding } from '../../server/src/engine/types';

const DIR = join('test', 'e2e', 'workspace', 'fixes');
const withFix = RULES.filter((r) => r.fix !== 'none');

type Range = Finding['range'];
const before = (a: Range['start'], b: Range['start']): boolean => a.line < b.line || (a.line === b.line && a.character <= b.character);
const meets = (a: Range, b: Range): boolean => before(a.start, b.end) && before(b.start, a.end);

describe('e2e quick-fix pairs (test/e2e/workspace/fixes)', () => {
  it('there is a pair for exactly the rules with a fix', () => {
    const want = withFix.map((r) => r.name).sort();
    const files = readdirSync(DIR).filter((f) => f.endsWith('.py'));
    const have = files.filter((f) => !f.endsWith('.fixed.py')).map((f) => f.slice(0, -3)).sort();
    const missing = want.filter((n) => !have.includes(n) || !existsSync(join(DIR, `${n}.fixed.py`)));
    const stray = files.map((f) => f.replace(/(\.fixed)?\.py$/, '')).filter((n) => !want.includes(n));
    assert.deepEqual(missing, [], `rules with a fix but no ${DIR}/<rule>.py + <rule>.fixed.py pair`);
    assert.deepEqual([...new Set(stray)], [], 'pairs for rules that are gone or have no fix');
  });

  for (const rule of withFix) {
    it(`${rule.name}: one finding with a fix, and the fix gives ${rule.name}.fixed.py`, async (t) => {
      const src = join(DIR, `${rule.name}.py`);
      const dst = join(DIR, `${rule.name}.fixed.py`);
      if (!existsSync(src) || !existsSync(dst)) return t.skip('no pair (reported above)');
      const text = readFileSync(src, 'utf8');
      const findings = await analyzeText(text);
      const mine = findings.filter((f) => f.rule === rule.name);
      assert.equal(mine.length, 1, `${src}: ${mine.length} ${rule.name} findings, want exactly 1`);
      const [finding] = mine;
      assert.ok(finding.fix, `${src}: the ${rule.name} finding offers no fix`);
      const rivals = findings.filter((f) => f !== finding && f.fix && meets(f.range, finding.range));
      assert.deepEqual(rivals.map((f) => `${f.rule}: ${f.fix!.title}`), [], `${src}: other fixes offered at the same place`);
      const out = applyEdits(text, combineFixes(text, [finding.fix]));
      assert.equal(out, readFileSync(dst, 'utf8'), `${dst} is not the text after "${finding.fix.title}"`);
      const left = (await analyzeText(out)).filter((f) => f.rule === rule.name);
      assert.deepEqual(left.map((f) => `${f.range.start.line + 1}: ${f.message}`), [], `${dst} still has ${rule.name} findings`);
    });
  }
});
