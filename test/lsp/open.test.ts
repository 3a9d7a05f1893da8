// Opening a large document (server/src/handlers/diagnostics.ts): its first diagnostics come from
// its first statements alone, parsed and analysed before the whole file is parsed; then the whole
// analysis replaces them. The first publication describes only that start; the complete one
// equals a fresh analysis of the text; changes arriving before the whole parse are not lost.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { analyzeText } from '../../server/src/engine';
import { applyEdits } from '../../server/src/engine/fixes';
import { prefixEnd } from '../../server/src/handlers/diagnostics';
import { TestClient } from './client';

const HEADER = [
  '"""Routes and namespaces."""',
  'import logging',
  'import os',
  'import subprocess',
  '',
  'from oslo_concurrency import processutils',
  '',
  'LOG = logging.getLogger(__name__)',
  '',
].join('\n');

const BLOCKS = [
  (i: number) => `\n\ndef flush_${i}(zone):\n    os.system("conntrack -D -w %s" % zone)\n`,
  (i: number) => `\n\ndef add_route_${i}(cidr, via):\n    processutils.execute("ip", "route", "add", cidr, "via", via, run_as_root=True)\n`,
  (i: number) => `\n\ndef list_${i}():\n    out = subprocess.check_output(["ip", "netns", "list"], timeout=30)\n    return sorted(out.decode("utf-8").split())\n`,
  (i: number) => `\n\nclass Port${i}(object):\n    def __init__(self, name):\n        self.name = name\n\n    def up(self):\n        try:\n            processutils.execute("ip", "link", "set", "tap0", "up")\n        except processutils.ProcessExecutionError as exc:\n            LOG.error("failed: %s", exc)\n            raise\n`,
];

function module(count: number): string {
  let text = HEADER;
  for (let i = 0; i < count; i++) text += BLOCKS[i % BLOCKS.length](i);
  return text;
}

const TEXT = module(1200);
const analysedTrace = (uri: string, version: number) => new RegExp(`^analysed (the start of )?${uri.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} v${version}:`);

describe('a large document just opened', () => {
  let client: TestClient;
  before(async () => {
    client = new TestClient();
    await client.initialize();
    await client.notify('$/setTrace', { value: 'messages' });
  });
  after(() => client.shutdown());

  it('publishes the findings of its start alone first, then those of a whole analysis', async () => {
    const uri = 'file:///work/agent/routes.py';
    assert.ok(TEXT.length > 64 * 1024, `${TEXT.length} characters`);
    const end = prefixEnd(TEXT);
    assert.ok(end !== null && end >= 16 * 1024 && end < 32 * 1024, `prefix of ${end} characters`);
    assert.match(TEXT.slice(end!, end! + 12), /^\n+(def|class) /, 'the start ends with a statement');
    const start = await analyzeText(TEXT.slice(0, end!));
    const whole = await analyzeText(TEXT);
    assert.ok(start.length > 10 && start.length < whole.length);

    const from = client.history.length;
    await client.open(uri, TEXT, 1);
    const complete = await client.complete(uri, 1);
    const mine = client.history.slice(from).filter((p) => p.uri === uri);
    assert.equal(mine[mine.length - 1].diagnostics, complete, 'the complete analysis is published last');
    // The first publication: exactly the findings of the start, said to be the start.
    assert.deepEqual(mine[0].diagnostics.map((d) => [d.code, d.range, d.message]), start.map((f) => [f.code, f.range, `${f.message} [${f.rule}]`]));
    assert.match(client.traces.find((t) => analysedTrace(uri, 1).test(t))!, /^analysed the start of /);
    // The last: a whole analysis, as a fresh one gives it.
    assert.deepEqual(complete.map((d) => [d.code, d.range, d.message]), whole.map((f) => [f.code, f.range, `${f.message} [${f.rule}]`]));
    // In between, no squiggle of the start goes away and comes back.
    const counts = mine.map((p) => p.diagnostics.length);
    assert.deepEqual([...counts].sort((a, b) => a - b), counts, `publications: ${counts.join(', ')}`);
  });

  it('keeps changes that arrive before the whole text is parsed', async () => {
    const uri = 'file:///work/agent/routes-typed.py';
    await client.open(uri, TEXT, 1);
    // Sent at once, not waiting for anything: a line at the top, and a new risky call at the end.
    const top = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
    const lines = TEXT.split('\n').length;
    const tail = { start: { line: lines, character: 0 }, end: { line: lines, character: 0 } };
    let text = applyEdits(TEXT, [{ range: top, newText: '# -*- coding: utf-8 -*-\n' }]);
    await client.change(uri, 2, [{ range: top, text: '# -*- coding: utf-8 -*-\n' }]);
    const added = '\n\ndef late(name):\n    subprocess.call("rm -rf %s" % name, shell=True)\n';
    text = applyEdits(text, [{ range: tail, newText: added }]);
    await client.change(uri, 3, [{ range: tail, text: added }]);
    const complete = await client.complete(uri, 3);
    const fresh = await analyzeText(text);
    assert.deepEqual(complete.map((d) => [d.code, d.range, d.message]), fresh.map((f) => [f.code, f.range, `${f.message} [${f.rule}]`]));
    assert.equal(complete[complete.length - 1].range.start.line, text.split('\n').length - 2, 'the call typed at the end is flagged');
    // Quick fixes are those of the text now open.
    const last = complete[complete.length - 1];
    const actions: any[] = await client.request('textDocument/codeAction', { textDocument: { uri }, range: last.range, context: { diagnostics: [last] } });
    assert.ok(actions.length >= 2, actions.map((a) => a.title).join(', '));
  });

  it('a small document is analysed whole at once', async () => {
    const uri = 'file:///work/agent/small.py';
    const small = module(20);
    assert.equal(prefixEnd(small) === null || small.length < 64 * 1024, true);
    const from = client.history.length;
    await client.open(uri, small, 1);
    const ds = await client.diagnostics(uri, 1);
    assert.equal(client.history.slice(from).filter((p) => p.uri === uri).length, 1, 'one publication');
    assert.equal(ds.length, (await analyzeText(small)).length);
  });

  it('a file-wide suppression, which may sit anywhere, is never left out of the start', () => {
    assert.equal(prefixEnd(`${TEXT}\n# seclens: ignore-file[shell-command-injection]\n`), null);
  });
});
