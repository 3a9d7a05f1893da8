// The CLI's settings, as a user meets them: [tool.seclens] in the nearest pyproject.toml,
// --config, flags on top, --fail-on, --baseline, suppression audits, .gitignore and excludes.
// Each case runs the bundled dist/cli.js on real files and checks what it reports.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';

const CLI = path.resolve('dist', 'cli.js');

function seclens(args: string[], cwd: string) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** `path:line code level` of each finding, from --format json. */
function findings(args: string[], cwd: string): string[] {
  const r = seclens([...args, '--format', 'json'], cwd);
  assert.ok(r.code === 0 || r.code === 1, `exit ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout).findings.map((f: any) => `${f.path}:${f.range.start.line + 1} ${f.code} ${f.level}`);
}

const AGENT = [
  'import logging',
  'import os',
  'import subprocess',
  '',
  'import requests',
  'from helpers import get_cmd',
  '',
  'LOG = logging.getLogger(__name__)',
  '',
  '',
  'def up(dev):',
  '    subprocess.run("ip link set %s up" % dev, shell=True)', // 12 SL101 warning (param), high
  '',
  '',
  'def fetch(url):',
  '    try:',
  '        return requests.get(url)', // 17 SL402 warning, high
  '    except Exception as e:',
  '        LOG.error("fetch failed: %s", e)', // 19 SL201 warning, medium
  '',
  '',
  'def hook():',
  '    subprocess.run(get_cmd(), shell=True)', // 23 SL101 info (unknown source)
  '',
].join('\n');

describe('seclens scan settings', () => {
  let dir: string;
  const write = (rel: string, text: string) => {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), text);
  };
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'seclens-cli-config-'));
    write('proj/agent.py', AGENT);
    write('proj/tests/test_agent.py', 'import os\n\n\ndef test_it(cmd):\n    os.system(cmd)\n');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));
  const proj = () => path.join(dir, 'proj');

  it('with no settings reports everything, exit 1 at warning', () => {
    assert.deepEqual(findings(['scan', '.'], proj()), [
      'agent.py:12 SL101 warning', 'agent.py:17 SL402 warning', 'agent.py:19 SL201 warning', 'agent.py:23 SL101 info',
      'tests/test_agent.py:5 SL101 warning',
    ]);
  });

  it('[tool.seclens] in the nearest pyproject.toml: rules, min-confidence, exclude; a nearer one wins', () => {
    write('proj/pyproject.toml', '[project]\nname = "agent"\n\n[tool.seclens]\nexclude = ["tests/"]\nmin-confidence = "high"\n\n[tool.seclens.rules]\n"request-*" = "off"\nSL101 = "error"\n');
    assert.deepEqual(findings(['scan', '.'], proj()), ['agent.py:12 SL101 error'], 'line 23 is of medium confidence');
    // Run from the parent folder: the same file governs proj/.
    assert.deepEqual(findings(['scan', 'proj'], dir), ['proj/agent.py:12 SL101 error']);
    // A pyproject.toml nearer to the file, with its own [tool.seclens], replaces it for its folder.
    write('proj/tests/pyproject.toml', '[tool.seclens.rules]\nSL101 = "info"\n');
    assert.deepEqual(findings(['scan', 'tests'], proj()), ['tests/test_agent.py:5 SL101 info']);
    rmSync(path.join(proj(), 'tests', 'pyproject.toml'));
    // A pyproject.toml without [tool.seclens] is passed over.
    write('proj/tests/pyproject.toml', '[project]\nname = "tests"\n');
    assert.deepEqual(findings(['scan', 'tests/test_agent.py'], proj()), [], 'excluded by proj/pyproject.toml');
    rmSync(path.join(proj(), 'tests', 'pyproject.toml'));
  });

  it('flags override pyproject.toml: --select, --ignore, --min-confidence, --exclude', () => {
    // --select switches the other rules off and switches a rule back on; levels set in the file stay.
    assert.deepEqual(findings(['scan', '.', '--select', 'request-without-timeout,SL1*', '--min-confidence', 'low'], proj()), [
      'agent.py:12 SL101 error', 'agent.py:17 SL402 warning', 'agent.py:23 SL101 error',
    ]);
    assert.deepEqual(findings(['scan', '.', '--ignore', 'shell-*', '--min-confidence', 'low'], proj()), ['agent.py:19 SL201 warning']);
    assert.deepEqual(findings(['scan', '.', '--exclude', 'agent.py'], proj()), []);
    const r = seclens(['scan', '.', '--select', 'no-such-rule'], proj());
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--select: 'no-such-rule' matches no rule/);
  });

  it('--config FILE replaces the pyproject.toml lookup; a broken one is an error', () => {
    write('strict.toml', 'min-confidence = "low"\n\n[rules]\n"*" = "error"\n');
    assert.deepEqual(findings(['scan', '.', '--config', '../strict.toml'], proj()), [
      'agent.py:12 SL101 error', 'agent.py:17 SL402 error', 'agent.py:19 SL201 error', 'agent.py:23 SL101 error',
      'tests/test_agent.py:5 SL101 error',
    ]);
    write('broken.toml', '[tool.seclens\nexclude = 1\n');
    const r = seclens(['scan', '.', '--config', '../broken.toml'], proj());
    assert.equal(r.code, 2);
    assert.match(r.stderr, /broken\.toml: \(syntax\): not valid TOML/);
  });

  it('a broken pyproject.toml: one message naming the file and key, defaults apply', () => {
    const saved = readFileSync(path.join(proj(), 'pyproject.toml'), 'utf8');
    write('proj/pyproject.toml', '[tool.seclens]\nmin-confidence = "hgh"\nexclude = "tests/"\ncolour = "blue"\n');
    const r = seclens(['scan', '.', '--format', 'json'], proj());
    assert.equal(r.code, 1);
    const lines = r.stderr.split('\n').filter((l) => l.includes('pyproject.toml'));
    assert.deepEqual(lines, [
      "seclens: pyproject.toml: tool.seclens.min-confidence: 'hgh' is not one of 'low', 'medium', 'high'; using the default",
      "seclens: pyproject.toml: tool.seclens.colour: unknown key (known: exclude, min-confidence, rules, ignore-suppressions; 'enable' and 'run' are editor settings)",
    ], 'each problem once, though two files use it');
    // exclude = "tests/" (a string) is accepted as a one-item list; min-confidence fell back to low.
    assert.equal(JSON.parse(r.stdout).findings.length, 4);
    write('proj/pyproject.toml', '[tool.seclens]\nexclude = ["tests/"\n');
    const s = seclens(['scan', '.'], proj());
    assert.equal(s.code, 1);
    assert.match(s.stderr, /pyproject\.toml: \(syntax\): not valid TOML: .*; using the defaults/);
    assert.match(s.stdout, /tests\/test_agent\.py:5/, 'the defaults: nothing excluded');
    write('proj/pyproject.toml', saved);
  });

  it('--fail-on sets the level that fails the run', () => {
    write('levels/x.py', 'import os\nimport subprocess\nfrom helpers import get_cmd\n\n\ndef a():\n    subprocess.run(get_cmd(), shell=True)\n');
    assert.equal(seclens(['scan', 'levels'], dir).code, 0, 'info only: passes by default');
    assert.equal(seclens(['scan', 'levels', '--fail-on', 'info'], dir).code, 1);
    assert.equal(seclens(['scan', 'proj', '--fail-on', 'error', '--select', 'SL402'], dir).code, 0, 'warnings only');
    assert.equal(seclens(['scan', 'proj', '--fail-on', 'warning', '--select', 'SL402'], dir).code, 1);
    assert.equal(seclens(['scan', 'proj', '--fail-on', 'never'], dir).code, 0);
    assert.equal(seclens(['scan', 'proj', '--fail-on', 'loud'], dir).code, 2);
  });

  for (const format of ['json', 'sarif'] as const) {
    it(`--baseline (${format}): old findings stay quiet after edits above them; new ones are reported`, () => {
      const base = mkdtempSync(path.join(dir, 'baseline-'));
      const file = path.join(base, 'svc.py');
      const v1 = 'import subprocess\n\n\ndef up(dev):\n    subprocess.run("ip link set %s up" % dev, shell=True)\n';
      writeFileSync(file, v1);
      const out = path.join(base, `old.${format}`);
      assert.equal(seclens(['scan', 'svc.py', '--format', format, '-o', out], base).code, 1);
      const saved = JSON.parse(readFileSync(out, 'utf8'));
      if (format === 'sarif') assert.match(saved.runs[0].results[0].partialFingerprints['seclens/v1'], /^[0-9a-f]{16}:0$/);
      else assert.match(saved.findings[0].fingerprint, /^[0-9a-f]{16}:0$/);
      // Lines added above move the finding; the baseline still matches it.
      writeFileSync(file, '"""Service helpers."""\n# moved\n' + v1.replace('    subprocess', '    # bring it up\n    subprocess'));
      const same = seclens(['scan', 'svc.py', '--baseline', out], base);
      assert.equal(same.code, 0, same.stdout + same.stderr);
      assert.equal(same.stdout, '');
      assert.match(same.stderr, /0 findings .* 1 in the baseline/);
      // A second, identical call is new: only it is reported.
      writeFileSync(file, readFileSync(file, 'utf8') + '    subprocess.run("ip link set %s up" % dev, shell=True)\n');
      const more = seclens(['scan', 'svc.py', '--baseline', out], base);
      assert.equal(more.code, 1);
      assert.deepEqual(more.stdout.trim().split('\n').map((l) => l.split(': ')[0]), ['svc.py:9:20']);
    });
  }

  it('--baseline with a file that is not a report is an error', () => {
    write('notes.json', '{"hello": 1}');
    const r = seclens(['scan', 'proj', '--baseline', 'notes.json'], dir);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /cannot use baseline notes\.json: not a SecLens JSON or SARIF report/);
  });

  it('--ignore-suppressions reports what comments silence; --unused-suppressions lists stale names', () => {
    write('supp/a.py', 'import os\n\n\ndef run(cmd):\n    os.system(cmd)  # nosec\n    os.system("ls")  # seclens: ignore[shell-command-injection]\n');
    assert.deepEqual(findings(['scan', 'supp'], dir), []);
    assert.deepEqual(findings(['scan', 'supp', '--ignore-suppressions'], dir), ['supp/a.py:5 SL101 warning']);
    const r = seclens(['scan', 'supp', '--unused-suppressions', '--format', 'json'], dir);
    assert.equal(r.code, 0, 'unused suppressions do not fail the run');
    assert.deepEqual(JSON.parse(r.stdout).unusedSuppressions, [
      { path: 'supp/a.py', line: 6, column: 22, message: 'Unused suppression: `shell-command-injection` reports nothing here; remove it from `seclens: ignore[...]`' },
    ]);
    assert.match(seclens(['scan', 'supp', '--unused-suppressions'], dir).stdout, /^supp\/a\.py:6:22: unused-suppression /);
    // In [tool.seclens] too.
    write('supp/pyproject.toml', '[tool.seclens]\nignore-suppressions = true\n');
    assert.deepEqual(findings(['scan', 'supp'], dir), ['supp/a.py:5 SL101 warning']);
    rmSync(path.join(dir, 'supp', 'pyproject.toml'));
  });

  it('honours .gitignore while walking folders (not for files named on the command line)', () => {
    write('repo/.git/HEAD', 'ref: refs/heads/main\n');
    write('repo/.gitignore', 'build/\n*_pb2.py\n');
    write('repo/build/gen.py', 'import os\n\n\ndef f(cmd):\n    os.system(cmd)\n');
    write('repo/src/api_pb2.py', 'import os\n\n\ndef f(cmd):\n    os.system(cmd)\n');
    write('repo/src/real.py', 'import os\n\n\ndef f(cmd):\n    os.system(cmd)\n');
    assert.deepEqual(findings(['scan', 'repo'], dir), ['repo/src/real.py:5 SL101 warning']);
    assert.deepEqual(findings(['scan', 'repo', '--no-gitignore'], dir), [
      'repo/build/gen.py:5 SL101 warning', 'repo/src/api_pb2.py:5 SL101 warning', 'repo/src/real.py:5 SL101 warning',
    ]);
    assert.deepEqual(findings(['scan', 'repo/src/api_pb2.py'], dir), ['repo/src/api_pb2.py:5 SL101 warning']);
    // A folder named on the command line is scanned even when a .gitignore above ignores it
    // (a Python under pyenv's ignored /versions); .gitignore rules inside it still apply.
    write('repo/build/sub/.gitignore', 'skip.py\n');
    write('repo/build/sub/skip.py', 'import os\n\n\ndef f(cmd):\n    os.system(cmd)\n');
    assert.deepEqual(findings(['scan', 'repo/build'], dir), ['repo/build/gen.py:5 SL101 warning']);
    // Scanned from another folder, an unanchored --exclude pattern still applies.
    assert.deepEqual(findings(['scan', path.join(dir, 'repo', 'build'), '--exclude', 'gen.py'], path.join(dir, 'repo', 'src')), []);
  });

  it('draws no progress bar when stderr is not a terminal', () => {
    for (let i = 0; i < 30; i++) write(`many/m${i}.py`, 'x = 1\n');
    const r = seclens(['scan', 'many'], dir);
    assert.equal(r.code, 0);
    assert.ok(!r.stderr.includes('\r'), JSON.stringify(r.stderr));
    assert.equal(r.stderr, 'seclens: 0 findings (0 error, 0 warning, 0 info) in 30 files\n');
  });

  // util-linux `script` runs the CLI on a pseudo-terminal, as a user at a shell would.
  const hasScript = spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0;
  it('draws a progress bar on a terminal, then clears it', { skip: hasScript ? false : 'no util-linux script(1)' }, () => {
    const r = spawnSync('script', ['-qec', `${JSON.stringify(process.execPath)} ${JSON.stringify(CLI)} scan many`, '/dev/null'], { cwd: dir, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stdout);
    assert.match(r.stdout, /\r\[[#-]{30}\] 0\/30 files/);
    assert.match(r.stdout, /\r\x1b\[K/, 'cleared before the summary');
    assert.ok(r.stdout.includes('0 findings (0 error, 0 warning, 0 info) in 30 files'));
    const quiet = spawnSync('script', ['-qec', `${JSON.stringify(process.execPath)} ${JSON.stringify(CLI)} scan many --no-progress`, '/dev/null'], { cwd: dir, encoding: 'utf8' });
    assert.ok(!quiet.stdout.includes('\r['), JSON.stringify(quiet.stdout));
  });
});
