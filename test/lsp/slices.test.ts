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
