// Large documents are analysed in slices, publishing after each (server/src/handlers/diagnostics.ts):
// the top of the file gets its squiggles first, the last publication of a version holds exactly
// the findings of one whole analysis, and a newer version stops the older one's remaining slices.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { analyzeText } from '../../server/src/engine';
import { TestClient } from './client';

const URI = 'file:///work/agent/big.py';
const COUNT = 1500;
const TEXT = 'import os\n' + Array.from({ length: COUNT }, (_, i) => `\n\ndef flush_${i}(zone):\n    os.system("conntrack -D -w %s" % zone)\n`).join('');

describe('a large document is analysed in slices', () => {
  let client: TestClient;
  before(async () => {
    client = new TestClient();
    await client.initialize();
  });
  after(() => client.shutdown());

  it('publishes the start of the file first, then every finding of one whole analysis', async () => {
    assert.ok(TEXT.length > 64 * 1024, `${TEXT.length} characters`);
    const whole = await analyzeText(TEXT);
    assert.equal(whole.length, COUNT);
    await client.open(URI, TEXT, 1);
    const diags = await client.diagnostics(URI, 1, (p) => p.version === 1 && p.diagnostics.length === COUNT, 120_000);
    assert.deepEqual(diags.map((d) => d.range), whole.map((f) => f.range));
    const counts = client.history.filter((p) => p.uri === URI).map((p) => p.diagnostics.length);
    assert.ok(counts.length > 1 && counts[0] < COUNT, `publications: ${counts.join(', ')}`);
    // Each slice adds findings further down, none go away.
    assert.deepEqual([...counts].sort((a, b) => a - b), counts);
  });

  it('analyses a file with a file-wide suppression whole: a slice would show what its last line silences', async () => {
    const uri = 'file:///work/agent/big-ignored.py';
    const text = TEXT + '\n# seclens: ignore-file[shell-command-injection]\n';
    await client.open(uri, text, 1);
    const done = await client.diagnostics(uri, 1, (p) => p.version === 1, 120_000);
    assert.deepEqual(done, []);
    assert.deepEqual(client.history.filter((p) => p.uri === uri).map((p) => p.diagnostics.length), [0], 'one publication, with nothing in it');
    // Typed away and back: the text search that decides it follows the edits.
    const end = text.split('\n').length - 2;
    const marker = { start: { line: end, character: 0 }, end: { line: end, character: 1 } };
    await client.change(uri, 2, [{ range: marker, text: '' }]);
    const shown = await client.diagnostics(uri, 2, (p) => p.version === 2 && p.diagnostics.length === COUNT, 120_000);
    assert.equal(shown.length, COUNT);
    const from = client.history.length;
    await client.change(uri, 3, [{ range: { start: marker.start, end: marker.start }, text: '#' }]);
    await client.diagnostics(uri, 3, (p) => p.version === 3, 120_000);
    assert.deepEqual(client.history.slice(from).filter((p) => p.uri === uri).map((p) => p.diagnostics.length), [0]);
  });

  it('drops the slices of an older version when newer text arrives', async () => {
    const from = client.history.length;
    const top = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
    await client.change(URI, 2, [{ range: top, text: '# one\n' }]);
    await client.change(URI, 3, [{ range: top, text: '# two\n' }]);
    const diags = await client.diagnostics(URI, 3, (p) => p.version === 3 && p.diagnostics.length === COUNT, 120_000);
    assert.equal(diags[0].range.start.line, 6, 'two comment lines pushed the first finding down');
    const versions = client.history.slice(from).filter((p) => p.uri === URI).map((p) => p.version ?? 0);
    assert.deepEqual([...versions].sort((a, b) => a - b), versions, `versions published in order: ${versions.join(', ')}`);
    assert.ok(!versions.includes(1), 'nothing more for version 1 once newer text arrived');
  });
});
