// The workspace scan over LSP: closed files' findings are published with the same settings as
// open files (.gitignore, seclens.exclude and pyproject.toml's exclude, rule levels), an open document is left to the live analysis and handed back
// to the scan's on-disk view when it closes. Also: a notebook cell URI is analysed like a file.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { CancellationTokenSource } from 'vscode-jsonrpc/node';
import { TestClient } from './client';

const RISKY = ['import subprocess', '', '', 'def run(cmd):', '    subprocess.call(cmd, shell=True)', ''].join('\n');

describe('workspace scan over LSP', () => {
  let client: TestClient;
  let dir: string;
  const uri = (rel: string) => pathToFileURL(path.join(dir, rel)).href;
  const configRequests: unknown[] = [];
  let settings: Record<string, unknown> = { exclude: ['vendor/'] };

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'seclens-scan-'));
    for (const [rel, text] of Object.entries({
      'agent.py': RISKY,
      'clean.py': 'print("hello")\n',
      '.gitignore': 'build/\n',
      'build/gen.py': RISKY,
      'pkg/.gitignore': '*_generated.py\n',
      'pkg/x_generated.py': RISKY,
      'pkg/y.py': RISKY,
      'vendor/lib.py': RISKY,
      'pyproject.toml': '[tool.seclens]\nexclude = ["third_party/", "*_pb2.py"]\n',
      'third_party/lib.py': RISKY,
      'pkg/msg_pb2.py': RISKY,
      // A sub-project whose own pyproject.toml switches the rule off: scanned, nothing reported.
      'tools/pyproject.toml': '[tool.seclens.rules]\n"shell-command-injection" = "off"\n',
      'tools/task.py': RISKY,
    })) {
      mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
      writeFileSync(path.join(dir, rel), text);
    }
    client = new TestClient();
    await client.initialize({
      settings: (scopeUri) => {
        configRequests.push(scopeUri);
        return settings;
      },
      workspaceFolders: [pathToFileURL(dir).href],
    });
  });
  after(async () => {
    await client.shutdown();
    rmSync(dir, { recursive: true, force: true });
  });

  it('publishes closed files, skipping .gitignore (nested too), seclens.exclude and pyproject exclude', async () => {
    const summary = await client.request('seclens/scanWorkspace', { folders: [pathToFileURL(dir).href] });
    // agent.py, clean.py, pkg/y.py, tools/task.py (its rule switched off by tools/pyproject.toml)
    assert.deepEqual(summary, { files: 4, filesWithFindings: 2, findings: 2, cancelled: false });
    for (const rel of ['build/gen.py', 'pkg/x_generated.py', 'vendor/lib.py', 'third_party/lib.py', 'pkg/msg_pb2.py', 'tools/task.py']) {
      assert.equal(client.last(uri(rel)), undefined, `${rel} has no published problems`);
    }
    for (const rel of ['agent.py', 'pkg/y.py']) {
      const diags = await client.diagnostics(uri(rel), undefined, (p) => p.diagnostics.length > 0);
      assert.deepEqual(diags.map((d) => [d.code, d.range.start.line]), [['SL101', 4]]);
    }
    assert.ok(configRequests.includes(pathToFileURL(dir).href), "the folder's settings were asked of the editor");
  });

  it('an open document belongs to the live analysis; closing it shows the saved text again', async () => {
    await client.open(uri('agent.py'), 'print("fixed but not saved")\n', 1);
    assert.deepEqual(await client.diagnostics(uri('agent.py'), 1), []);
    await client.close(uri('agent.py'));
    const diags = await client.diagnostics(uri('agent.py'), undefined, (p) => p.diagnostics.length > 0);
    assert.equal(diags[0].code, 'SL101');
  });

  it('a scanned file that changes or goes away on disk is updated in place', async () => {
    writeFileSync(path.join(dir, 'pkg/y.py'), 'print("rewritten by a checkout")\n');
    await client.conn.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: uri('pkg/y.py'), type: 2 }] });
    assert.deepEqual(await client.diagnostics(uri('pkg/y.py'), undefined, (p) => p.diagnostics.length === 0), []);
    rmSync(path.join(dir, 'agent.py'));
    await client.conn.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: uri('agent.py'), type: 3 }] });
    assert.deepEqual(await client.diagnostics(uri('agent.py'), undefined, (p) => p.diagnostics.length === 0), []);
  });

  it('a scan stops when the editor cancels it, and reports progress until then', async () => {
    const big = mkdtempSync(path.join(tmpdir(), 'seclens-scan-big-'));
    try {
      for (let i = 0; i < 300; i++) writeFileSync(path.join(big, `m${String(i).padStart(3, '0')}.py`), RISKY);
      const source = new CancellationTokenSource();
      const progress: { done: number; total: number }[] = [];
      const sub = client.conn.onNotification('seclens/scanProgress', (p: { done: number; total: number }) => {
        progress.push(p);
        if (p.done === 5) source.cancel();
      });
      const summary = await client.conn.sendRequest<any>('seclens/scanWorkspace', { folders: [pathToFileURL(big).href] }, source.token);
      sub.dispose();
      assert.equal(summary.cancelled, true);
      assert.ok(summary.files >= 5 && summary.files < 300, `stopped early, after ${summary.files} files`);
      assert.deepEqual(progress[0], { done: 1, total: 300 });
    } finally {
      rmSync(big, { recursive: true, force: true });
    }
  });

  it('a Jupyter code cell (vscode-notebook-cell URI) is analysed', async () => {
    const cell = `vscode-notebook-cell:${path.join(dir, 'nb.ipynb')}#W1sZmlsZQ%3D%3D`;
    await client.open(cell, 'import subprocess as sp\nsp.run(input(), shell=True)\n', 1);
    const diags = await client.diagnostics(cell, 1);
    assert.deepEqual(diags.map((d) => [d.code, d.severity]), [['SL101', 1]]);
  });

  it('a settings change applies to closed files re-read from disk, and a rescan drops what is now excluded', async () => {
    writeFileSync(path.join(dir, 'pkg/y.py'), RISKY);
    await client.filesChanged([{ uri: uri('pkg/y.py'), type: 2 }]);
    await client.diagnostics(uri('pkg/y.py'), undefined, (p) => p.diagnostics.length > 0);
    settings = { exclude: ['vendor/', 'pkg/'], rules: { customizations: { SL101: 'error' } } };
    await client.settingsChanged();
    writeFileSync(path.join(dir, 'clean.py'), RISKY);
    await client.filesChanged([{ uri: uri('clean.py'), type: 2 }]);
    const diags = await client.diagnostics(uri('clean.py'), undefined, (p) => p.diagnostics.length > 0);
    assert.deepEqual(diags.map((d) => [d.code, d.severity]), [['SL101', 1]]);
    const summary = await client.request('seclens/scanWorkspace', { folders: [pathToFileURL(dir).href] });
    // clean.py and tools/task.py, whose rule the editor's customization turns back on over tools/pyproject.toml.
    assert.deepEqual(summary, { files: 2, filesWithFindings: 2, findings: 2, cancelled: false });
    assert.equal(client.last(uri('tools/task.py'))?.diagnostics[0]?.severity, 1);
    assert.deepEqual(client.last(uri('pkg/y.py'))?.diagnostics, []);
    settings = { exclude: ['vendor/'] };
    await client.settingsChanged();
  });
});
