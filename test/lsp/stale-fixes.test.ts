// Quick fixes are computed for one document version. After a keystroke, the diagnostics the
// editor still shows (and sends with a code-action request) describe older text: they offer
// nothing until the new text is analysed, and then only when the analysis has the same finding
// at the same place (whose fix, computed for the new text, is the one offered); and every edit
// is a versioned TextDocumentEdit, which the editor refuses if the text moved on.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { applyEdits } from '../../server/src/engine/fixes';
import { TestClient } from './client';

const TEXT = [
  'import yaml',
  '',
  '',
  'def load(stream):',
  '    return yaml.load(stream)',
  '',
].join('\n');
const TOP = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

describe('code actions never apply edits computed for older text', () => {
  let client: TestClient;
  let settings: Record<string, unknown> = {};

  before(async () => {
    client = new TestClient();
    await client.initialize({ settings: () => settings, documentChanges: true });
  });
  after(() => client.shutdown());

  const actionsFor = (uri: string, diagnostics: any[], only?: string[]): Promise<any[]> =>
    client.request('textDocument/codeAction', { textDocument: { uri }, range: diagnostics[0]?.range ?? TOP, context: { diagnostics, only } });

  it('offers versioned edits for the current text, none for the diagnostics of an older version', async () => {
    const uri = 'file:///work/agent/stale.py';
    await client.open(uri, TEXT, 1);
    const old = await client.diagnostics(uri, 1);
    assert.deepEqual(old.map((d) => [d.code, 'data' in d]), [['SL301', false]], 'fixes stay on the server');
    const fresh = await actionsFor(uri, old);
    assert.deepEqual(fresh.map((a) => a.title), ['Use yaml.safe_load()', 'Ignore unsafe-yaml-load on this line', 'Ignore unsafe-yaml-load in this file']);
    for (const a of fresh) {
      assert.equal(a.edit.changes, undefined);
      assert.deepEqual(a.edit.documentChanges.map((c: any) => c.textDocument), [{ uri, version: 1 }]);
    }

    // A keystroke (a line added at the top), then a quick fix asked with the diagnostics still shown.
    const added = '"""Loader."""\n';
    await client.change(uri, 2, [{ range: TOP, text: added }]);
    assert.deepEqual(await actionsFor(uri, old), [], 'no edit computed for version 1 is offered at version 2');

    // Once version 2 is published, its fix lands on the moved line.
    const now = await client.diagnostics(uri, 2);
    const [fix] = await actionsFor(uri, now);
    assert.deepEqual(fix.edit.documentChanges[0].textDocument, { uri, version: 2 });
    const after = applyEdits(added + TEXT, fix.edit.documentChanges[0].edits);
    assert.equal(after.split('\n')[5], '    return yaml.safe_load(stream)');
    assert.deepEqual(await actionsFor(uri, old), [], 'the diagnostic of version 1 sits where version 2 has none');
  });

  it('a diagnostic that an edit did not move offers the fix computed for the new text', async () => {
    const uri = 'file:///work/agent/unmoved.py';
    await client.open(uri, TEXT, 1);
    const old = await client.diagnostics(uri, 1);
    // The import that the fix needs is added above the finding's line (the line count stays).
    const text = TEXT.replace('import yaml', 'import os, yaml');
    await client.change(uri, 2, [{ range: { start: { line: 0, character: 7 }, end: { line: 0, character: 7 } }, text: 'os, ' }]);
    const now = await client.diagnostics(uri, 2);
    assert.deepEqual(now, old, 'the same diagnostic');
    // Not published again: the editor keeps showing version 1's, and they get version 2's fix.
    assert.equal(client.last(uri)!.version, 1);
    const [fix] = await actionsFor(uri, old);
    assert.deepEqual(fix.edit.documentChanges[0].textDocument, { uri, version: 2 });
    assert.equal(applyEdits(text, fix.edit.documentChanges[0].edits).split('\n')[4], '    return yaml.safe_load(stream)');
    // A diagnostic the client made up (same range, another message) is not ours to fix.
    assert.deepEqual(await actionsFor(uri, [{ ...old[0], message: 'something else' }]), []);
  });

  it('with run: onSave, neither quick fixes nor fix-all apply to unsaved, unanalysed text', async () => {
    settings = { run: 'onSave' };
    const uri = 'file:///work/agent/stale-onsave.py';
    await client.open(uri, TEXT, 1);
    const old = await client.diagnostics(uri, 1);
    assert.equal((await actionsFor(uri, [], ['source.fixAll'])).length, 1, 'fix-all for the analysed text');
    await client.change(uri, 2, [{ range: TOP, text: '\n\n' }]);
    assert.deepEqual(await actionsFor(uri, old), []);
    assert.deepEqual(await actionsFor(uri, [], ['source.fixAll']), [], 'no fix-all from version 1 findings at version 2');
    await client.save(uri);
    await client.diagnostics(uri, 2);
    const [all] = await actionsFor(uri, [], ['source.fixAll']);
    assert.deepEqual(all.edit.documentChanges[0].textDocument, { uri, version: 2 });
    settings = {};
  });

  it('without documentChanges support, plain changes (still only for the current version)', async () => {
    const bare = new TestClient();
    try {
      await bare.initialize();
      const uri = 'file:///work/agent/bare.py';
      await bare.open(uri, TEXT, 1);
      const ds = await bare.diagnostics(uri, 1);
      const actions: any[] = await bare.request('textDocument/codeAction', { textDocument: { uri }, range: ds[0].range, context: { diagnostics: ds } });
      assert.ok(actions[0].edit.changes[uri]);
      await bare.change(uri, 2, [{ range: TOP, text: '\n' }]);
      assert.deepEqual(await bare.request('textDocument/codeAction', { textDocument: { uri }, range: ds[0].range, context: { diagnostics: ds } }), []);
    } finally {
      await bare.shutdown();
    }
  });
});
