// The CLI as a user runs it: the bundled dist/cli.js in a child process, on real files.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { RULES } from '../../rules';

const CLI = path.resolve('dist', 'cli.js');

function seclens(args: string[], cwd: string) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('seclens scan', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'seclens-cli-'));
    mkdirSync(path.join(dir, 'pkg', '__pycache__'), { recursive: true });
    mkdirSync(path.join(dir, 'clean'));
    writeFileSync(path.join(dir, 'pkg', 'agent.py'), 'import subprocess\n\n\ndef up(dev):\n    subprocess.run("ip link set %s up" % dev, shell=True)\n');
    writeFileSync(path.join(dir, 'pkg', '__pycache__', 'agent.py'), 'import os\nos.system(input())\n');
    writeFileSync(path.join(dir, 'pkg', 'latin1.py'), Buffer.from([0x23, 0x20, 0xe9, 0x0a, 0x78, 0x3d, 0x31, 0x0a]));
    writeFileSync(path.join(dir, 'pkg', 'notes.txt'), 'os.system(input())\n');
    writeFileSync(path.join(dir, 'clean', 'ok.py'), 'import subprocess\nsubprocess.run(["ls", "-l"])\n');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('prints path:line:col: CODE name message and exits 1 on findings', () => {
    const r = seclens(['scan', 'pkg'], dir);
    assert.equal(r.code, 1, r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.equal(lines.length, 1, r.stdout);
    assert.match(lines[0], /^pkg\/agent\.py:5:20: SL101 shell-command-injection Shell command built from parameter `dev` /);
    assert.match(r.stderr, /skipped pkg\/latin1\.py: not valid UTF-8/);
    assert.match(r.stderr, /1 findings \(0 error, 1 warning, 0 info\) in 1 files, 1 skipped/);
  });

  it('exits 0 when nothing is at warning level or above', () => {
    const r = seclens(['scan', 'clean'], dir);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '');
  });

  it('writes SARIF 2.1.0 with rules, CWE tags, 1-based regions, fixes and code flows', () => {
    const out = path.join(dir, 'out.sarif');
    const r = seclens(['scan', 'pkg', 'clean', '--format', 'sarif', '--output', out], dir);
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.stdout, '');
    const sarif = JSON.parse(readFileSync(out, 'utf8'));
    assert.equal(sarif.version, '2.1.0');
    const run = sarif.runs[0];
    assert.equal(run.tool.driver.name, 'SecLens');
    assert.equal(run.tool.driver.rules.length, RULES.length);
    for (const rule of run.tool.driver.rules) {
      assert.match(rule.id, /^SL\d{3}$/);
      assert.ok(rule.name && rule.shortDescription.text && rule.fullDescription.text && rule.help.markdown, rule.id);
      assert.match(rule.helpUri, /^https:\/\/.*\/docs\/rules\/[a-z-]+\.md$/);
      assert.ok(rule.properties.tags.some((t: string) => /^CWE-\d+$/.test(t)), `${rule.id} has no CWE tag`);
    }
    assert.equal(run.results.length, 1);
    const [res] = run.results;
    assert.equal(res.ruleId, 'SL101');
    assert.equal(run.tool.driver.rules[res.ruleIndex].id, 'SL101');
    assert.equal(res.level, 'warning');
    assert.deepEqual(res.locations[0].physicalLocation.region, { startLine: 5, startColumn: 20, endLine: 5, endColumn: 45 });
    assert.equal(res.locations[0].physicalLocation.artifactLocation.uri, 'pkg/agent.py');
    const change = res.fixes[0].artifactChanges[0];
    assert.deepEqual(change.replacements.map((x: any) => [x.deletedRegion, x.insertedContent.text]), [
      [{ startLine: 5, startColumn: 20, endLine: 5, endColumn: 45 }, '["ip", "link", "set", str(dev), "up"]'],
      [{ startLine: 5, startColumn: 53, endLine: 5, endColumn: 57 }, 'False'],
    ]);
    assert.deepEqual(
      res.codeFlows[0].threadFlows[0].locations.map((l: any) => [l.location.physicalLocation.region.startLine, l.location.message.text]),
      [[4, 'parameter `dev` of `up()`'], [5, 'reaches the shell via `subprocess.run()`']],
    );
  });

  it('writes JSON with every finding and the skipped files', () => {
    const r = seclens(['scan', '--format=json', 'pkg'], dir);
    const json = JSON.parse(r.stdout);
    assert.equal(json.scanned, 1);
    assert.deepEqual(json.skipped, [{ path: 'pkg/latin1.py', reason: 'not valid UTF-8' }]);
    assert.deepEqual(json.findings.map((f: any) => [f.path, f.code, f.range.start.line]), [['pkg/agent.py', 'SL101', 4]]);
  });

  it('reads a file in the encoding its coding cookie declares (PEP 263), and skips one it cannot read as declared', () => {
    mkdirSync(path.join(dir, 'legacy'));
    const latin1 = Buffer.from('# -*- coding: latin-1 -*-\nimport subprocess\n\n\ndef show(name):\n    subprocess.run(f"echo caf\xe9 {name}", shell=True)\n', 'latin1');
    writeFileSync(path.join(dir, 'legacy', 'menu.py'), latin1);
    writeFileSync(path.join(dir, 'legacy', 'odd.py'), '# coding: x-bogus\nx = 1\n');
    const r = seclens(['scan', '--format=json', 'legacy'], dir);
    const json = JSON.parse(r.stdout);
    assert.deepEqual(json.skipped, [{ path: 'legacy/odd.py', reason: 'declares encoding x-bogus, which SecLens cannot decode' }]);
    const [finding] = json.findings;
    assert.equal(finding.rule, 'shell-command-injection');
    assert.deepEqual(finding.range, { start: { line: 5, character: 19 }, end: { line: 5, character: 38 } });
    // The fix carries the decoded text, which the editor would write back in the file's encoding.
    assert.match(finding.fix.edits.map((e: any) => e.newText).join(' '), /"café"/);
  });

  it('exits 2 on usage errors and on paths it cannot read, after scanning the rest', () => {
    assert.equal(seclens(['scan'], dir).code, 2);
    assert.equal(seclens(['scan', 'pkg', '--format', 'xml'], dir).code, 2);
    assert.match(seclens(['scan', 'pkg', '--bogus'], dir).stderr, /unknown option '--bogus'/);
    assert.equal(seclens(['frobnicate'], dir).code, 2);
    const r = seclens(['scan', 'missing.py', 'pkg'], dir);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /cannot read missing\.py: ENOENT/);
    assert.match(r.stdout, /pkg\/agent\.py:5:20: SL101/);
  });

  it('reports an unreadable file, scans the others, and exits 2', () => {
    // A dangling link: unreadable even for root, who can read any file mode.
    const dangling = path.join(dir, 'pkg', 'gone.py');
    symlinkSync(path.join(dir, 'nowhere.py'), dangling);
    const r = seclens(['scan', 'pkg'], dir);
    rmSync(dangling);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /cannot read pkg\/gone\.py: ENOENT/);
    assert.match(r.stdout, /pkg\/agent\.py:5:20: SL101/);
  });

  it('reports an unwritable output file with exit 2', () => {
    const r = seclens(['scan', 'clean', '--output', path.join(dir, 'no', 'such', 'dir', 'x.sarif')], dir);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /cannot write/);
  });
});
