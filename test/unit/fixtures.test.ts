// Every rule's fixture, both ways: each `expect` line is found at the stated level and every
// finding sits on a line annotated for it. A rule with a fix is also checked against its
// `.fixed.py`: all its fixes applied give exactly that text, and the fixed text no longer
// offers the same fixes.
//
// Annotations (on the line where the finding starts):
//   # expect: rule            a finding at warning or error level
//   # expect-error: rule      ... exactly at error level (likewise expect-warning, expect-info)
//   # ok: rule                a near miss: no finding of that rule at all
//   # todo-expect: rule / # todo-ok: rule   known gaps, recorded instead of hidden; not asserted
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { analyzeText, RULES } from '../../server/src/engine';
import { applyEdits, combineFixes } from '../../server/src/engine/fixes';
import type { Finding } from '../../server/src/engine/types';
import { fixturePath, parseAnnotations } from './annotations';

function levelMatches(kind: string, f: Finding): boolean {
  if (kind === 'expect') return f.level === 'warning' || f.level === 'error';
  return kind === `expect-${f.level}`;
}

for (const rule of RULES) {
  describe(`${rule.code} ${rule.name}`, () => {
    const file = fixturePath(rule);
    const text = readFileSync(file, 'utf8');

    it('finds every expected line and nothing unannotated', async () => {
      const findings = await analyzeText(text);
      const notes = parseAnnotations(text);
      const problems: string[] = [];
      for (const n of notes) {
        const here = findings.filter((f) => f.rule === n.rule && f.range.start.line === n.line);
        if (n.kind.startsWith('expect') && !here.some((f) => levelMatches(n.kind, f))) {
          problems.push(`line ${n.line + 1}: expected ${n.rule} (${n.kind}), got ${here.map((f) => f.level).join(', ') || 'nothing'}`);
        }
        if (n.kind === 'ok' && here.length > 0) problems.push(`line ${n.line + 1}: ${n.rule} flagged a near miss: ${here[0].message}`);
      }
      for (const f of findings) {
        const covered = notes.some((n) => n.rule === f.rule && n.line === f.range.start.line && (n.kind.startsWith('expect') || n.kind.startsWith('todo')));
        if (!covered) problems.push(`line ${f.range.start.line + 1}: unannotated ${f.rule} (${f.level}): ${f.message}`);
      }
      assert.deepEqual(problems, [], `${file}\n${problems.join('\n')}`);
    });

    const fixed = file.replace(/\.py$/, '.fixed.py');
    if (rule.fix !== 'none') {
      it('has a .fixed.py and applying every fix gives it', async () => {
        assert.ok(existsSync(fixed), `${fixed} is missing`);
        const findings = (await analyzeText(text)).filter((f) => f.rule === rule.name && f.fix);
        assert.ok(findings.length > 0, 'the fixture exercises no fix');
        const out = applyEdits(text, combineFixes(text, findings.map((f) => f.fix!)));
        assert.equal(out, readFileSync(fixed, 'utf8'));
        const again = (await analyzeText(out)).filter((f) => f.rule === rule.name && f.fix);
        assert.deepEqual(again.map((f) => `${f.range.start.line + 1}: ${f.message}`), [], 'fixed text still offers fixes');
      });
    }
  });
}

it('fixture files exist for exactly the registered rules', () => {
  for (const rule of RULES) assert.ok(existsSync(fixturePath(rule)), `missing ${fixturePath(rule)}`);
  assert.ok(existsSync(join('test', 'fixtures')));
});
