// Whole-tree scans on worker threads give the same report, in the same order, as one thread;
// files over the size limit are skipped with one message each; a rule that throws is reported.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';

const CLI = path.resolve('dist', 'cli.js');

function seclens(args: string[], cwd: string, env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, env: { ...process.env, ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('seclens scan on worker threads', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'seclens-workers-'));
    const fixtures = path.resolve('test', 'fixtures');
    let n = 0;
    // Every fixture, twice, in several folders: enough files for more than one worker.
    for (const cat of ['injection', 'exposure', 'transport', 'deserialization', 'concurrency']) {
      for (const copy of [0, 1]) {
        const target = path.join(dir, 'tree', `${cat}${copy}`);
        mkdirSync(target, { recursive: true });
        const src = path.join(fixtures, cat);
        for (const f of readdirSync(src)) {
          if (f.endsWith('.py')) writeFileSync(path.join(target, f), readFileSync(path.join(src, f)));
          n++;
        }
      }
    }
    assert.ok(n > 16);
    writeFileSync(path.join(dir, 'tree', 'big.py'), `import os\nos.system(input())\n${'x = 1\n'.repeat(20_000)}`);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('reports the same findings in the same order with 1 and 3 jobs', () => {
    const one = seclens(['scan', 'tree', '--jobs', '1', '--format', 'json'], dir);
    const three = seclens(['scan', 'tree', '--jobs=3', '--format', 'json'], dir);
    assert.equal(one.code, 1, one.stderr);
    assert.equal(three.code, 1, three.stderr);
    assert.ok(JSON.parse(one.stdout).findings.length > 20);
    assert.equal(three.stdout, one.stdout);
    assert.equal(three.stderr, one.stderr);
  });

  it('loses no file when a worker runs out of memory: its files are scanned again on the main thread', () => {
    const one = seclens(['scan', 'tree', '--jobs', '1', '--format', 'json'], dir);
    // A heap too small for any worker: every file goes back to the main thread.
    const starved = seclens(['scan', 'tree', '--jobs', '2', '--format', 'json'], dir, { SECLENS_WORKER_HEAP_MB: '4' });
    assert.equal(starved.code, 1, starved.stderr);
    assert.match(starved.stderr, /2 worker thread\(s\) ran out of memory; \d+ file\(s\) scanned again on the main thread/);
    assert.equal(starved.stdout, one.stdout);
  });

  it('skips files over --max-file-size with one clear message', () => {
    const r = seclens(['scan', 'tree', '--max-file-size', '64k', '--format', 'json'], dir);
    const json = JSON.parse(r.stdout);
    assert.deepEqual(json.skipped.map((s: { path: string }) => s.path), ['tree/big.py']);
    const lines = r.stderr.split('\n').filter((l) => l.includes('big.py'));
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0], /skipped tree\/big\.py: larger than the 64 KiB limit \(117\.2 KiB; raise it with --max-file-size\)/);
    assert.ok(!json.findings.some((f: { path: string }) => f.path === 'tree/big.py'));
    // Under the default limit (2 MiB) it is scanned.
    const all = JSON.parse(seclens(['scan', 'tree/big.py', '--format', 'json'], dir).stdout);
    assert.equal(all.findings.length, 1);
  });

  it('rejects a size it cannot read', () => {
    const r = seclens(['scan', 'tree', '--max-file-size', 'lots'], dir);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--max-file-size needs a size/);
  });
});
