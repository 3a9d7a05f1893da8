// Rules run only where their trigger words appear (engine/triggers.ts). Skipping must never
// change a result: every Python file the tests own is analysed both ways and compared, and the
// cases a word test can get wrong (aliases, helpers defined far away, suppression comments in
// code no rule reads) are pinned one by one.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { pythonFiles } from '../python-files';
import { analyzeText, RULES } from '../../server/src/engine';
import { TriggerIndex } from '../../server/src/engine/triggers';
import type { UnusedSuppression } from '../../server/src/engine/suppressions';


async function both(text: string) {
  const unused: UnusedSuppression[][] = [[], []];
  const sparse = await analyzeText(text, RULES, { onUnusedSuppressions: (u) => unused[0].push(...u) });
  const full = await analyzeText(text, RULES, { exhaustive: true, onUnusedSuppressions: (u) => unused[1].push(...u) });
  return { sparse, full, unused };
}

describe('trigger words skip only what cannot report', () => {
  it('gives the same findings and unused suppressions as the exhaustive walk on every test file', async () => {
    const files = pythonFiles('test');
    assert.ok(files.length > 100, `${files.length} files`);
    for (const file of files) {
      const { sparse, full, unused } = await both(readFileSync(file, 'utf8'));
      assert.deepEqual(sparse, full, file);
      assert.deepEqual(unused[0], unused[1], file);
    }
  });

  it('skips statements without trigger words, and still finds through aliases and far helpers', async () => {
    const text = [
      'from subprocess import check_output as co',
      '',
      'def total(values):',
      '    return sum(values)',
      '',
      'def build(host):',
      '    return "ping -c 1 " + host',
      '',
      'def ping(host):',
      '    return co(build(host), shell=True)',
      '',
    ].join('\n');
    const { sparse, full } = await both(text);
    assert.deepEqual(sparse, full);
    const hit = sparse.find((f) => f.rule === 'shell-command-injection');
    assert.ok(hit, JSON.stringify(sparse));
    assert.equal(hit.range.start.line, 9);
    // The parameter reached the sink through `build`, whose summary only a walk of it gives.
    assert.equal(hit.level, 'warning');
    assert.ok(hit.trace?.some((s) => s.message.includes('host')), JSON.stringify(hit.trace));
  });

  it('a file trigger finds the text far from the call, and turns the rule off where the text is missing', async () => {
    const lines = (scheme: string) => [
      'import requests',
      '',
      `KEYSTONE = "${scheme}://keystone.example.com:5000/v3"`,
      '',
      'def total(values):',
      '    return sum(values)',
      '',
      'class Client(object):',
      '    def token(self, user, password):',
      '        body = {"auth": {"password": password}}',
      '        return requests.post(KEYSTONE + "/auth/tokens", json=body, headers={"X-Auth-Token": "t"}, timeout=10)',
      '',
    ].join('\n');
    const rule = RULES.findIndex((r) => r.name === 'cleartext-credentials-over-http');
    assert.ok(RULES[rule].fileTrigger);
    const index = TriggerIndex.of(RULES);
    // The URL is a module constant eight lines above the call: the call's method does not say http://.
    const plain = lines('http');
    assert.ok(!index.offIn(plain)?.[rule]);
    const { sparse, full } = await both(plain);
    assert.deepEqual(sparse, full);
    assert.deepEqual(sparse.filter((f) => f.rule === 'cleartext-credentials-over-http').map((f) => f.range.start.line), [10]);
    // With https:// nowhere in the file says http://: the rule does not run, and the exhaustive walk agrees.
    const tls = lines('https');
    assert.equal(index.offIn(tls)?.[rule], 1);
    const other = await both(tls);
    assert.deepEqual(other.sparse, other.full);
    assert.ok(!other.full.some((f) => f.rule === 'cleartext-credentials-over-http'), JSON.stringify(other.full));
  });

  it('runs the ReDoS rule where a pattern\'s group is quantified through adjacent literals or an escape', async () => {
    // fileTrigger: `)` then escapes or adjacent literals then a quantifier, in the source text.
    // Each file below holds one catastrophic pattern and no other `)` before a quantifier.
    const rule = RULES.findIndex((r) => r.name === 'regex-catastrophic-backtracking');
    const index = TriggerIndex.of(RULES);
    const file = (pattern: string) => ['import re', 'from flask import request', '', 'def check():', `    return re.match(${pattern}, request.args["q"])`, ''].join('\n');
    for (const pattern of ['r"(a+)" r"+$"', "'(a+)' \\\n    '*$'", 'r"(a+)+$"']) {
      const text = file(pattern);
      assert.ok(!index.offIn(text)?.[rule], pattern);
      const { sparse, full } = await both(text);
      assert.deepEqual(sparse, full, pattern);
      const subject = text.split('\n').findIndex((l) => l.includes('request.args'));
      assert.deepEqual(sparse.filter((f) => f.rule === 'regex-catastrophic-backtracking').map((f) => f.range.start.line), [subject], pattern);
    }
    // An escape between them (`\\s` here): the rule runs, and finds this one harmless.
    const escaped = file('r"(ab)\\s*$"');
    assert.ok(!index.offIn(escaped)?.[rule]);
    const other = await both(escaped);
    assert.deepEqual(other.sparse, other.full);
    assert.ok(!other.full.some((f) => f.rule === 'regex-catastrophic-backtracking'), JSON.stringify(other.full));
    // Quantified groups nowhere: the rule is off for the file, and the exhaustive walk agrees.
    const plain = file('r"(ab)c+$"');
    assert.equal(index.offIn(plain)?.[rule], 1);
    const { full } = await both(plain);
    assert.ok(!full.some((f) => f.rule === 'regex-catastrophic-backtracking'), JSON.stringify(full));
  });

  it('finds a credential whose short last word (pass, pw, token) follows another word', async () => {
    const text = [
      'import kombu',
      '',
      'def connect(host):',
      '    return kombu.Connection(host, userid="nova", rabbit_pass="R4bb1tPa55")',
      '',
      'def admin():',
      '    adminPw = "Adm1nS3cr3t!"',
      '    return adminPw',
      '',
      'def ignore(f):',
      '    try:',
      '        f()',
      '    except ValueError:',
      '        pass',
      '',
    ].join('\n');
    const { sparse, full } = await both(text);
    assert.deepEqual(sparse, full);
    assert.deepEqual(sparse.filter((f) => f.rule === 'hardcoded-password').map((f) => f.range.start.line), [3, 6]);
    const rule = RULES.find((r) => r.name === 'hardcoded-password')!;
    // The `pass` statement is no name.
    assert.ok(!rule.triggerPattern!.test('def ignore(f):\n    try:\n        f()\n    except ValueError:\n        pass\n'));
  });

  it('a whole-file rule sees a character between statements, which belongs to no statement', async () => {
    const { sparse, full } = await both('def a():\n    pass\n\u200b\ndef b():\n    pass\n');
    assert.deepEqual(sparse, full);
    assert.deepEqual(sparse.map((f) => [f.rule, f.range.start.line]), [['trojan-source-character', 2]]);
  });

  it('reports an unused suppression in code no rule reads', async () => {
    const text = 'def total(values):\n    return sum(values)  # nosec B602\n';
    const { unused } = await both(text);
    assert.deepEqual(unused[0], unused[1]);
  });
});
