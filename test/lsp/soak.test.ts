// Many random edits on one document through the real server: it keeps answering (hover), and
// its last diagnostics equal those of a fresh open of the same text. SECLENS_SOAK raises the
// count (10,000 for the full soak).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { applyEdits } from '../../server/src/engine/fixes';
import { TestClient } from './client';
import { rng } from '../random';

const EDITS = Number(process.env.SECLENS_SOAK ?? 300);
const SNIPPETS = ['x', 'é', '😀', ' ', '\n', '\n    ', '(', ')', '"', 'os.system(cmd)\n', 'shell=True', '# nosec', 'def f(a):\n    return a\n', 'import os\n', '\r\n', ''];


describe(`soak: ${EDITS} edits through the server`, () => {
  let client: TestClient;
  before(async () => {
    client = new TestClient();
    await client.initialize();
  });
  after(() => client.shutdown());

  it('keeps answering and ends where a fresh open does', async () => {
    const uri = 'file:///soak/agent.py';
    let text = readFileSync('test/fixtures/injection/shell-command-injection.py', 'utf8');
    await client.open(uri, text, 1);
    const random = rng(99);
    let version = 1;
    for (let i = 0; i < EDITS; i++) {
      const lines = text.split('\n');
      const line = Math.floor(random() * lines.length);
      const len = lines[line].replace(/\r$/, '').length;
      const character = Math.floor(random() * (len + 1));
      const endLine = Math.min(lines.length - 1, line + (random() < 0.1 ? 1 : 0));
      const endLen = lines[endLine].replace(/\r$/, '').length;
      const end = endLine === line ? { line, character: Math.min(len, character + Math.floor(random() * 5)) } : { line: endLine, character: Math.floor(random() * (endLen + 1)) };
      // Keep surrogate pairs whole, as an editor does.
      const range = { start: { line, character }, end };
      const candidate = applyEdits(text, [{ range, newText: '' }]);
      if (/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(candidate)) continue;
      const newText = SNIPPETS[Math.floor(random() * SNIPPETS.length)];
      text = applyEdits(text, [{ range, newText }]);
      version++;
      await client.change(uri, version, [{ range, text: newText }]);
      if (i % 100 === 99) await client.request('textDocument/hover', { textDocument: { uri }, position: { line: 0, character: 0 } });
    }
    const last = await client.diagnostics(uri, version, undefined, 60_000);
    const hover = await client.request('textDocument/hover', { textDocument: { uri }, position: { line: 0, character: 0 } });
    assert.ok(hover === null || typeof hover === 'object');
    await client.open('file:///soak/fresh.py', text, 1);
    const fresh = await client.diagnostics('file:///soak/fresh.py', 1);
    // Everything equal but the URI in related information.
    const strip = (ds: any[]) => ds.map(({ relatedInformation, ...d }) => ({ ...d, related: relatedInformation?.map((x: any) => [x.location.range, x.message]) }));
    assert.deepEqual(strip(last), strip(fresh));
  });
});
