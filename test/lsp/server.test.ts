// Drives the real bundled server over stdio: open, incremental edits with non-ASCII text,
// hover, quick fix and suppression applied to the text, close.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { applyEdits } from '../../server/src/engine/fixes';
import { TestClient } from './client';

const URI = 'file:///work/agent/sysctl.py';
const FRESH = 'file:///work/agent/fresh.py';

const TEXT = [
  'import subprocess',
  '# 注释: réseau 🚀',
  '',
  '',
  'def set_sysctl(key, val):',
  '    label = "clé 🔑 中文"; subprocess.run(f"sysctl -w {key}={val}", shell=True)',
  '    return label',
  '',
].join('\n');

function lineOf(text: string, line: number): string {
  return text.split('\n')[line];
}

describe('language server over stdio', () => {
  let client: TestClient;
  let text = TEXT;
  let version = 1;
  let freshVersion = 0;

  before(async () => {
    client = new TestClient();
    const init = await client.initialize();
    assert.equal(init.capabilities.textDocumentSync.change, 2, 'incremental sync');
    assert.equal(init.capabilities.hoverProvider, true);
  });
  after(() => client.shutdown());

  /** Applies one range edit on both sides, then checks the result against a fresh open. */
  async function edit(range: { start: [number, number]; end: [number, number] }, newText: string) {
    const r = { start: { line: range.start[0], character: range.start[1] }, end: { line: range.end[0], character: range.end[1] } };
    text = applyEdits(text, [{ range: r, newText }]);
    version++;
    await client.change(URI, version, [{ range: r, text: newText }]);
    const incremental = await client.diagnostics(URI, version);
    freshVersion++;
    await client.close(FRESH);
    await client.open(FRESH, text, freshVersion);
    const fresh = await client.diagnostics(FRESH, freshVersion);
    // Same findings (related information of each document's own URI).
    const strip = (ds: any[]) => ds.map(({ relatedInformation, ...d }) => ({ ...d, related: relatedInformation?.map((x: any) => [x.location.range, x.message]) }));
    assert.deepEqual(strip(incremental), strip(fresh), `incremental and fresh analysis differ for:\n${text}`);
    return incremental;
  }

  it('publishes a diagnostic at the right UTF-16 column, with code, source, link and version', async () => {
    await client.open(URI, text, version);
    const diags = await client.diagnostics(URI, version);
    assert.equal(diags.length, 1);
    const d = diags[0];
    // `    label = "clé 🔑 中文"; subprocess.run(` is 40 UTF-16 units (the key emoji is two).
    assert.equal(lineOf(text, 5).indexOf('f"sysctl'), 40);
    assert.deepEqual(d.range, { start: { line: 5, character: 40 }, end: { line: 5, character: 64 } });
    assert.equal(d.code, 'SL101');
    assert.equal(d.source, 'seclens');
    assert.equal(d.severity, 2);
    assert.match(d.codeDescription.href, /^file:\/\/.*\/docs\/rules\/shell-command-injection\.md$/);
    assert.match(d.message, /parameter `key`, parameter `val` is run by `subprocess\.run\(\)`/);
    assert.deepEqual(d.relatedInformation.map((r: any) => r.message), ['parameter `key` of `set_sysctl()`']);
  });

  it('moves the squiggle after an edit that inserts an emoji before it', async () => {
    const diags = await edit({ start: [5, 4], end: [5, 4] }, 'x = "😀"; ');
    assert.deepEqual(diags.map((d) => d.range.start), [{ line: 5, character: 50 }]);
  });

  it('clears the squiggle when an edit removes the risk, and brings it back', async () => {
    const at = lineOf(text, 5).indexOf('shell=True') + 'shell='.length;
    assert.deepEqual(await edit({ start: [5, at], end: [5, at + 4] }, 'False'), []);
    const back = await edit({ start: [5, at], end: [5, at + 5] }, 'True');
    assert.equal(back.length, 1);
  });

  it('follows deletions across lines', async () => {
    const diags = await edit({ start: [1, 0], end: [3, 0] }, '');
    assert.deepEqual(diags.map((d) => d.range.start), [{ line: 3, character: 50 }]);
    const more = await edit({ start: [0, 17], end: [0, 17] }, '\nimport os  # ✓ 😀😀\n\nos.system("ls " + name)');
    assert.deepEqual(more.map((d) => [d.range.start.line, d.severity]), [[3, 3], [6, 2]]);
    await edit({ start: [1, 0], end: [4, 0] }, '');
  });

  it('explains the finding on hover, with the trace', async () => {
    const [d] = await client.diagnostics(URI, version);
    const hover = await client.request('textDocument/hover', { textDocument: { uri: URI }, position: { line: d.range.start.line, character: d.range.start.character + 3 } });
    const md: string = hover.contents.value;
    assert.equal(hover.contents.kind, 'markdown');
    for (const part of ['`SL101` **shell-command-injection**', 'CWE-78', 'Where the data came from', 'parameter `key` of `set_sysctl()`', '**Before**', '**After**', 'Quick fix:']) {
      assert.ok(md.includes(part), `hover lacks ${part}:\n${md}`);
    }
    const none = await client.request('textDocument/hover', { textDocument: { uri: URI }, position: { line: 0, character: 2 } });
    assert.equal(none, null);
  });

  it('offers a quick fix whose edit gives the safe call', async () => {
    const diags = await client.diagnostics(URI, version);
    const actions: any[] = await client.request('textDocument/codeAction', {
      textDocument: { uri: URI }, range: diags[0].range, context: { diagnostics: diags },
    });
    assert.deepEqual(actions.map((a) => a.title), [
      'Pass the command as an argument list with shell=False (review: may change behaviour)',
      'Ignore shell-command-injection on this line',
      'Ignore shell-command-injection in this file',
    ]);
    const fixed = applyEdits(text, actions[0].edit.changes[URI]);
    assert.equal(lineOf(fixed, 3), '    x = "😀"; label = "clé 🔑 中文"; subprocess.run(["sysctl", "-w", f"{key}={val}"], shell=False)');

    const ignored = applyEdits(text, actions[1].edit.changes[URI]);
    assert.equal(lineOf(ignored, 3), `${lineOf(text, 3)}  # seclens: ignore[shell-command-injection]`);
    const [e] = actions[1].edit.changes[URI];
    const diagsAfter = await edit({ start: [e.range.start.line, e.range.start.character], end: [e.range.end.line, e.range.end.character] }, e.newText);
    assert.deepEqual(diagsAfter, [], 'the suppression comment silences the finding');
  });

  it('fixes all safe findings with source.fixAll.seclens, leaving unsafe ones', async () => {
    const uri = 'file:///work/agent/fixall.py';
    const before = [
      'import logging',
      'import os',
      'import yaml',
      '',
      'LOG = logging.getLogger(__name__)',
      '',
      '',
      'def load(path, name):',
      '    try:',
      '        with open(path) as f:',
      '            return yaml.load(f)',
      '    except OSError as e:',
      '        LOG.error("cannot read %s: %s", path, e)',
      '        os.system("rm " + name)',
      '',
    ].join('\n');
    await client.open(uri, before, 1);
    const diags = await client.diagnostics(uri, 1);
    assert.deepEqual(diags.map((d) => d.code), ['SL301', 'SL201', 'SL101']);
    const actions: any[] = await client.request('textDocument/codeAction', {
      textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      context: { diagnostics: [], only: ['source.fixAll'] },
    });
    assert.deepEqual(actions.map((a) => [a.title, a.kind]), [['Fix all safe SecLens issues', 'source.fixAll.seclens']]);
    const after = applyEdits(before, actions[0].edit.changes[uri]);
    assert.equal(after, before
      .replace('yaml.load(f)', 'yaml.safe_load(f)')
      .replace('path, e)', 'path, type(e).__name__)'));
    const quick: any[] = await client.request('textDocument/codeAction', {
      textDocument: { uri }, range: diags[0].range, context: { diagnostics: diags, only: ['quickfix'] },
    });
    assert.ok(quick.every((a) => a.kind === 'quickfix'), 'only quick fixes when only quickfix is asked');
    assert.equal(quick.filter((a) => a.isPreferred).length, 2, 'the safe fixes are preferred');
  });

  it('after a burst of keystrokes, publishes the findings of the newest text', async () => {
    const uri = 'file:///work/agent/burst.py';
    let t = 'import os\n\n\ndef f(dev):\n    os.system("ip link show ")\n';
    await client.open(uri, t, 1);
    assert.deepEqual(await client.diagnostics(uri, 1), []);
    // Type ` + dev` one character at a time, inside the call, without waiting.
    const col = t.split('\n')[4].indexOf('")') + 1;
    const typed = ' + dev';
    for (let i = 0; i < typed.length; i++) {
      await client.change(uri, i + 2, [{ range: { start: { line: 4, character: col + i }, end: { line: 4, character: col + i } }, text: typed[i] }]);
    }
    t = applyEdits(t, [{ range: { start: { line: 4, character: col }, end: { line: 4, character: col } }, newText: typed }]);
    const last = typed.length + 1;
    const diags = await client.diagnostics(uri, last);
    assert.deepEqual(diags.map((d) => [d.code, d.range]), [['SL101', { start: { line: 4, character: 14 }, end: { line: 4, character: 35 } }]]);
    assert.equal(t.split('\n')[4], '    os.system("ip link show " + dev)');
  });

  it('keeps analysing past a syntax error', async () => {
    const uri = 'file:///work/agent/broken.py';
    await client.open(uri, 'import os\ndef broken(:\n    pass\n\ndef run(cmd):\n    os.system("sh -c " + cmd)\n', 1);
    const diags = await client.diagnostics(uri, 1);
    assert.deepEqual(diags.map((d) => [d.code, d.range.start.line]), [['SL101', 5]]);
  });

  it('clears diagnostics on close', async () => {
    await client.close(URI);
    assert.deepEqual(await client.diagnostics(URI, undefined, (p) => p.diagnostics.length === 0), []);
  });
});
