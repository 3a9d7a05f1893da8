// Invariants every rule must keep: unique codes and names, complete metadata, a fixture with
// at least one `expect` and one `ok`, a `.fixed.py` exactly when it has a fix, and a docs page
// that matches what `npm run docs` generates from the rule.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';
import { RULES } from '../../rules';
import { ruleDoc, rulesIndex } from '../../server/src/report/markdown';
import { fixturePath, parseAnnotations } from './annotations';

it('registers at least ten rules with unique codes and names, sorted by code', () => {
  assert.ok(RULES.length >= 10, `only ${RULES.length} rules`);
  const codes = RULES.map((r) => r.code);
  const names = RULES.map((r) => r.name);
  assert.equal(new Set(codes).size, codes.length, 'duplicate code');
  assert.equal(new Set(names).size, names.length, 'duplicate name');
  assert.deepEqual(codes, [...codes].sort(), 'rules/index.ts is not sorted by code');
});

for (const rule of RULES) {
  it(`${rule.code} ${rule.name} has complete metadata, fixture and docs`, () => {
    assert.match(rule.code, /^SL\d{3}$/);
    assert.match(rule.name, /^[a-z][a-z0-9]*(-[a-z0-9]+)+$/, 'kebab-case name');
    assert.doesNotMatch(rule.name, /^(avoid|no|dont|do-not)-/, 'a name names the bad pattern, it gives no orders');
    assert.ok(rule.cwe.length > 0 && rule.cwe.every((c) => Number.isInteger(c) && c > 0), 'CWE');
    assert.ok(rule.bandit.every((c) => /^B\d{3}$/.test(c)), 'Bandit codes look like B602');
    assert.ok(rule.ruff.every((c) => /^S\d{3}$/.test(c)), 'Ruff codes look like S602');
    const e = rule.explanation;
    for (const field of ['what', 'why', 'example', 'useInstead'] as const) assert.ok(e[field].trim().length > 20, `explanation.${field}`);
    assert.ok(e.references.length > 0 && e.references.every((r) => /^https:\/\//.test(r)), 'references');
    assert.ok(e.references.some((r) => r.includes('cwe.mitre.org')), 'a CWE reference');
    assert.equal(rule.fix !== 'none', !!e.fixSafety, 'fixSafety is explained exactly when there is a fix');
    assert.ok(rule.onCall || rule.onReturn || rule.onFile || (rule.onNode && rule.nodeTypes?.length), 'a matcher');

    const file = fixturePath(rule);
    const notes = parseAnnotations(readFileSync(file, 'utf8')).filter((n) => n.rule === rule.name);
    assert.ok(notes.some((n) => n.kind.startsWith('expect')), `${file} has no expect line`);
    assert.ok(notes.some((n) => n.kind === 'ok'), `${file} has no ok (near-miss) line`);
    assert.equal(existsSync(file.replace(/\.py$/, '.fixed.py')), rule.fix !== 'none', '.fixed.py exists exactly when the rule has a fix');

    const doc = join('docs', 'rules', `${rule.name}.md`);
    assert.ok(existsSync(doc), `${doc} is missing: run npm run docs`);
    assert.equal(readFileSync(doc, 'utf8'), ruleDoc(rule), `${doc} is stale: run npm run docs`);
  });
}

it('docs/rules/README.md lists every rule as npm run docs writes it', () => {
  assert.equal(readFileSync(join('docs', 'rules', 'README.md'), 'utf8'), rulesIndex(RULES), 'docs/rules/README.md is stale: run npm run docs');
});

it('every fixture and docs page belongs to a registered rule', () => {
  const names = new Set(RULES.map((r) => r.name));
  for (const category of readdirSync(join('test', 'fixtures'))) {
    for (const f of readdirSync(join('test', 'fixtures', category))) {
      assert.ok(names.has(f.replace(/(\.fixed)?\.py$/, '')), `test/fixtures/${category}/${f} has no rule`);
    }
  }
  for (const f of readdirSync(join('docs', 'rules'))) {
    if (f !== 'README.md') assert.ok(names.has(f.replace(/\.md$/, '')), `docs/rules/${f} has no rule`);
  }
});
