// Settings, as an editor drives them: the real server over stdio asks for the `seclens`
// section per document (workspace/configuration), reads [tool.seclens] from the nearest
// pyproject.toml, and re-analyses open documents when either changes. Every setting is changed
// here and its effect on the published diagnostics checked.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { applyEdits } from '../../server/src/engine/fixes';
import { TestClient } from './client';

const APP = [
  'import logging',
  'import subprocess',
  '',
  'import requests',
  '',
  'LOG = logging.getLogger(__name__)',
  '',
  '',
  'def up(dev):',
  '    subprocess.run("ip link set %s up" % dev, shell=True)', // 9: SL101, confidence high
  '',
  '',
  'def fetch(url):',
  '    try:',
  '        return requests.get(url)', // 14: SL402, high
  '    except Exception as e:',
  '        LOG.error("fetch failed: %s", e)', // 16: SL201, medium
  '',
].join('\n');

const summary = (ds: any[]) => ds.map((d) => `${d.range.start.line}:${d.code}:${['', 'error', 'warning', 'info', 'hint'][d.severity]}`);

describe('settings over LSP', () => {
  let dir: string;
  let client: TestClient;
  let settings: Record<string, any> = {};
  let app: string;
  let sub: string;
  const uri = (p: string) => pathToFileURL(path.join(dir, p)).href;
  const pyproject = (text: string | null) => {
    if (text === null) rmSync(path.join(dir, 'pyproject.toml'), { force: true });
    else writeFileSync(path.join(dir, 'pyproject.toml'), text);
    return client.filesChanged([{ uri: uri('pyproject.toml'), type: 2 }]);
  };
  /**
   * Waits for the re-analysis of both open documents, then returns `doc`'s diagnostics (those
   * shown: a document whose diagnostics did not change is not published again).
   */
  async function refreshed(seq: number, doc = app): Promise<any[]> {
    const [a, s] = await Promise.all([client.analysedAfter(app, seq), client.analysedAfter(sub, seq)]);
    return doc === sub ? s : a;
  }
  /** Changes the editor settings and returns the next diagnostics for `doc`. */
  async function set(next: Record<string, any>, doc = app): Promise<any[]> {
    settings = next;
    const seq = client.lastSeq;
    await client.settingsChanged();
    return refreshed(seq, doc);
  }

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'seclens-lsp-config-'));
    mkdirSync(path.join(dir, 'sub'));
    app = uri('app.py');
    sub = uri('sub/tool.py');
    client = new TestClient();
    await client.initialize({ settings: () => settings, workspaceFolders: [pathToFileURL(dir).href] });
    await client.open(app, APP);
    await client.open(sub, APP);
  });
  after(async () => {
    await client.shutdown();
    rmSync(dir, { recursive: true, force: true });
  });

  it('asks for the settings of each document by its scope, and registers the watchers it needs', async () => {
    assert.deepEqual(summary(await client.diagnostics(app, 1)), ['9:SL101:warning', '14:SL402:warning', '16:SL201:warning']);
    await client.diagnostics(sub, 1);
    const scopes = client.configurationRequests.filter((r) => r.section === 'seclens').map((r) => r.scopeUri);
    assert.ok(scopes.includes(app) && scopes.includes(sub), JSON.stringify(scopes));
    await client.until(() => client.registrations.length >= 2, () => JSON.stringify(client.registrations));
    const methods = client.registrations.map((r) => r.method).sort();
    assert.deepEqual(methods, ['workspace/didChangeConfiguration', 'workspace/didChangeWatchedFiles']);
    const watch = client.registrations.find((r) => r.method === 'workspace/didChangeWatchedFiles')!;
    assert.deepEqual(watch.registerOptions.watchers, [{ globPattern: '**/pyproject.toml' }]);
  });

  it('seclens.rules.customizations: a map by code or glob switches rules off and pins levels', async () => {
    const ds = await set({ rules: { customizations: { SL402: 'off', 'exception-*': 'error' } } });
    assert.deepEqual(summary(ds), ['9:SL101:warning', '16:SL201:error']);
  });

  it('seclens.rules.customizations: a list of {rule, severity}, the last match winning', async () => {
    const ds = await set({ rules: { customizations: [{ rule: '*', severity: 'info' }, { rule: 'shell-command-injection', severity: 'error' }] } });
    assert.deepEqual(summary(ds), ['9:SL101:error', '14:SL402:info', '16:SL201:info']);
  });

  it('seclens.minConfidence: high hides the medium-confidence finding', async () => {
    assert.deepEqual(summary(await set({ minConfidence: 'high' })), ['9:SL101:warning', '14:SL402:warning']);
    assert.deepEqual(summary(await set({ minConfidence: null })), ['9:SL101:warning', '14:SL402:warning', '16:SL201:warning']);
  });

  it('seclens.exclude: a folder pattern clears its files and leaves the others', async () => {
    const ds = await set({ exclude: ['sub/'] }, sub);
    assert.deepEqual(ds, []);
    assert.equal(client.last(app)!.diagnostics.length, 3);
    assert.equal((await set({}, sub)).length, 3);
  });

  it('seclens.enable: false clears the diagnostics, true brings them back; the server keeps serving', async () => {
    assert.deepEqual(await set({ enable: false }), []);
    assert.equal((await set({ enable: true })).length, 3);
  });

  it('seclens.run: onSave analyses on save, not while typing', async () => {
    await set({ run: 'onSave' });
    // Remove the shell=True call (line 9): the diagnostics stay until the file is saved.
    await client.change(app, 2, [{ range: { start: { line: 9, character: 0 }, end: { line: 9, character: 57 } }, text: '    pass' }]);
    // A round trip after the change: by the time another document is analysed, a change
    // analysed on typing would have been published.
    const seq = client.lastSeq;
    await client.close(sub);
    await client.open(sub, APP, 2);
    await client.publishedAfter(sub, seq);
    assert.equal(client.last(app)!.version, 1, 'no analysis while typing');
    await client.save(app);
    const saved = await client.diagnostics(app, 2);
    assert.deepEqual(summary(saved), ['14:SL402:warning', '16:SL201:warning']);
    // Back to onType: a change is analysed at once.
    await set({ run: 'onType' });
    await client.change(app, 3, [{ range: { start: { line: 9, character: 0 }, end: { line: 9, character: 8 } }, text: '    subprocess.run("ip link set %s up" % dev, shell=True)' }]);
    assert.deepEqual(summary(await client.diagnostics(app, 3)), ['9:SL101:warning', '14:SL402:warning', '16:SL201:warning']);
  });

  it('seclens.trace.server: with tracing on ($/setTrace) the server logs its analyses', async () => {
    // (The test client traces "messages" from the start: off first.)
    await client.notify('$/setTrace', { value: 'off' });
    const traced = client.traces.length;
    await client.close(sub);
    await client.open(sub, APP, 3);
    await client.diagnostics(sub, 3);
    assert.equal(client.traces.length, traced, 'tracing off: an analysis logs nothing');
    await client.notify('$/setTrace', { value: 'verbose' });
    await set({});
    await client.until(() => client.traces.slice(traced).some((t) => t.startsWith(`analysed ${app} v3:`)), () => client.traces.join('\n'));
    await client.notify('$/setTrace', { value: 'messages' });
  });

  it('[tool.seclens] in pyproject.toml applies, and editor settings override it', async () => {
    const seq = client.lastSeq;
    await pyproject('[tool.seclens]\nmin-confidence = "high"\nexclude = ["sub/"]\n\n[tool.seclens.rules]\n"shell-command-injection" = "off"\n"SL402" = "error"\n');
    assert.deepEqual(summary(await refreshed(seq)), ['14:SL402:error']);
    assert.deepEqual(client.last(sub)!.diagnostics, []);
    // The editor's minConfidence and customizations come on top of the file's.
    const ds = await set({ minConfidence: 'low', rules: { customizations: { SL101: 'info' } } });
    assert.deepEqual(summary(ds), ['9:SL101:info', '14:SL402:error', '16:SL201:warning']);
    await set({});
    const before = client.lastSeq;
    await pyproject(null);
    assert.deepEqual(summary(await refreshed(before)), ['9:SL101:warning', '14:SL402:warning', '16:SL201:warning']);
  });

  it('a broken pyproject.toml: one message naming the file, defaults apply, the server keeps working', async () => {
    const shown = client.messages.length;
    let seq = client.lastSeq;
    await pyproject('[tool.seclens]\nexclude = ["sub/"\n');
    assert.equal((await refreshed(seq, sub)).length, 3, 'defaults');
    await client.until(() => client.messages.length > shown, () => 'no message');
    const m = client.messages[shown];
    assert.equal(m.type, 2, 'a warning');
    assert.match(m.message, /pyproject\.toml/);
    assert.match(m.message, /not valid TOML/);
    // The same broken state again: no second message.
    await set({});
    assert.equal(client.messages.length, shown + 1);
    // A wrong value names its key; the other keys still apply.
    seq = client.lastSeq;
    await pyproject('[tool.seclens]\nmin-confidence = "hgh"\n\n[tool.seclens.rules]\nSL402 = "off"\n');
    assert.deepEqual(summary(await refreshed(seq)), ['9:SL101:warning', '16:SL201:warning']);
    await client.until(() => client.messages.length > shown + 1, () => 'no message');
    assert.match(client.messages[shown + 1].message, /pyproject\.toml: tool\.seclens\.min-confidence: 'hgh' is not one of 'low', 'medium', 'high'/);
    seq = client.lastSeq;
    await pyproject(null);
    await refreshed(seq);
  });

  it('a wrong editor setting names its key and falls back to the default', async () => {
    const shown = client.messages.length;
    const ds = await set({ minConfidence: 'sometimes', rules: { customizations: { 'no-such-rule': 'off', SL402: 'loud' } } });
    assert.equal(ds.length, 3);
    await client.until(() => client.messages.length > shown, () => 'no message');
    const text = client.messages[shown].message;
    for (const part of ['seclens.minConfidence', "seclens.rules.customizations.no-such-rule: 'no-such-rule' matches no SecLens rule", "level 'loud'"]) {
      assert.ok(text.includes(part), `${part} not in: ${text}`);
    }
    await set({});
  });
});

describe('suppressions over LSP', () => {
  let client: TestClient;
  before(async () => {
    client = new TestClient();
    await client.initialize({ settings: () => ({}) });
  });
  after(() => client.shutdown());

  it('shows a seclens: ignore name that silences nothing as a faded hint', async () => {
    const uri = 'file:///work/agent/unused.py';
    const text = [
      'import subprocess',
      '',
      '',
      'def up(dev):',
      '    subprocess.run("ip link set %s up" % dev, shell=True)  # seclens: ignore[shell-command-injection, unsafe-yaml-load]',
      '    subprocess.run(["ip", "link"])  # seclens: ignore',
      '    subprocess.run(["ip", "addr"])  # nosec',
      '',
    ].join('\n');
    await client.open(uri, text);
    const ds = await client.diagnostics(uri, 1);
    assert.deepEqual(ds.map((d) => [d.range.start.line, d.severity, d.tags, d.code, d.message]), [
      [4, 4, [1], 'unused-suppression', 'Unused suppression: `unsafe-yaml-load` reports nothing here; remove it from `seclens: ignore[...]`'],
      [5, 4, [1], 'unused-suppression', 'Unused suppression: `seclens: ignore` silences no finding here; remove it'],
    ]);
    // The hint range is the comment.
    assert.equal(text.split('\n')[4].slice(ds[0].range.start.character, ds[0].range.end.character).startsWith('# seclens: ignore['), true);
    // "Remove unused suppression" drops the stale name, or the whole marker.
    const removed = [];
    for (const d of ds) {
      const actions: any[] = await client.request('textDocument/codeAction', { textDocument: { uri }, range: d.range, context: { diagnostics: [d] } });
      assert.deepEqual(actions.map((a) => a.title), ['Remove unused suppression']);
      removed.push(applyEdits(text, actions[0].edit.changes[uri]).split('\n')[d.range.start.line]);
    }
    assert.deepEqual(removed, [
      '    subprocess.run("ip link set %s up" % dev, shell=True)  # seclens: ignore[shell-command-injection]',
      '    subprocess.run(["ip", "link"])',
    ]);
    // A name of a rule switched off in the settings is not "unused": the setting may be local.
    await client.close(uri);
    client.editor = { settings: () => ({ rules: { customizations: { 'unsafe-yaml-load': 'off' } } }) };
    await client.open(uri, text, 2);
    assert.deepEqual((await client.diagnostics(uri, 2)).map((d) => d.range.start.line), [5]);
    client.editor = { settings: () => ({}) };
  });

  it('"Ignore in this file" writes an ignore-file marker after the shebang, encoding line and docstring', async () => {
    const uri = 'file:///work/agent/file-ignore.py';
    const text = [
      '#!/usr/bin/env python3',
      '# -*- coding: utf-8 -*-',
      '"""Agent helpers.',
      '',
      'Runs ip commands."""',
      'import subprocess',
      '',
      '',
      'def up(dev):',
      '    subprocess.run("ip link set %s up" % dev, shell=True)',
      '',
      'def down(dev):',
      '    subprocess.run("ip link set %s down" % dev, shell=True)',
      '',
    ].join('\n');
    await client.open(uri, text);
    const ds = await client.diagnostics(uri, 1);
    assert.equal(ds.length, 2);
    const actions: any[] = await client.request('textDocument/codeAction', { textDocument: { uri }, range: ds[0].range, context: { diagnostics: [ds[0]] } });
    const action = actions.find((a) => a.title === 'Ignore shell-command-injection in this file');
    assert.ok(action, JSON.stringify(actions.map((a) => a.title)));
    const after = applyEdits(text, action.edit.changes[uri]);
    assert.deepEqual(after.split('\n').slice(3, 7), ['', 'Runs ip commands."""', '# seclens: ignore-file[shell-command-injection]', 'import subprocess']);
    await client.close(uri);
    await client.open(uri, after, 2);
    assert.deepEqual(await client.diagnostics(uri, 2), [], 'both findings silenced, and the marker is used');
  });
});
