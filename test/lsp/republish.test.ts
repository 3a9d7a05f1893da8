// Unchanged diagnostics are not published again (server/src/handlers/diagnostics.ts): typing
// inside a statement changes no diagnostic until the statement is complete, and republishing
// hundreds of them on every keystroke costs the editor time for nothing. The server's trace
// line still says each version is analysed ("... (unchanged, not republished)"). What the editor
// shows must always be the diagnostics of a fresh analysis of the current text, and the
// diagnostics of an older version that it keeps showing still get the quick fixes of the new one.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { applyEdits } from '../../server/src/engine/fixes';
import { TestClient, UNCHANGED } from './client';

const TEXT = [
  'import os',
  'import subprocess',
  '',
  '',
  'def flush(zone):',
  '    os.system("conntrack -D -w %s" % zone)', // 5: SL101
  '',
  '',
  'def up(dev):',
  '    subprocess.run(["ip", "link", "set", dev, "up"])', // 9: SL102
  '    return dev',
  '',
].join('\n');

type Range = { start: { line: number; character: number }; end: { line: number; character: number } };
const at = (line: number, character: number): Range => ({ start: { line, character }, end: { line, character } });
const summary = (ds: any[]) => ds.map((d) => `${d.range.start.line}:${d.code}:${d.severity}`);

/** A document the test edits, keeping its text and version in step with the server's. */
class Doc {
  version = 1;
  constructor(private readonly client: TestClient, readonly uri: string, public text: string) {}

  async open(): Promise<any[]> {
    await this.client.open(this.uri, this.text, this.version);
    return this.client.complete(this.uri, this.version);
  }

  /** One change; resolves with the diagnostics shown once its version is analysed. */
  async edit(range: Range, text: string): Promise<any[]> {
    this.version++;
    this.text = applyEdits(this.text, [{ range, newText: text }]);
    await this.client.change(this.uri, this.version, [{ range, text }]);
    // A publication of the version, or the trace saying it found the diagnostics shown.
    return this.client.diagnostics(this.uri, this.version);
  }

  /** Whether the analysis of the current version found the diagnostics already shown. */
  unchanged(): boolean {
    const line = this.client.traces.find((t) => t.startsWith(`analysed ${this.uri} v${this.version}:`));
    assert.ok(line, `no trace for v${this.version}`);
    return line.endsWith(UNCHANGED);
  }

  publications(): number {
    return this.client.history.filter((p) => p.uri === this.uri).length;
  }

  lines(): string[] {
    return this.text.split('\n');
  }
}

describe('unchanged diagnostics are not published again', () => {
  let client: TestClient;
  let settings: Record<string, unknown> = {};
  let fresh = 0;

  before(async () => {
    client = new TestClient();
    await client.initialize({ settings: () => settings, documentChanges: true });
  });
  after(() => client.shutdown());

  /** The diagnostics of `text` analysed afresh (a document just opened), with `uri` as their document. */
  async function freshAnalysis(text: string, uri: string): Promise<any[]> {
    const scratch = `file:///work/agent/fresh_${++fresh}.py`;
    await client.open(scratch, text, 1);
    const ds = await client.diagnostics(scratch, 1);
    await client.close(scratch);
    return JSON.parse(JSON.stringify(ds).split(scratch).join(uri));
  }

  it('typing that changes no diagnostic publishes nothing; the edit that changes one publishes the right set', async () => {
    const doc = new Doc(client, 'file:///work/agent/typing.py', TEXT);
    const first = await doc.open();
    assert.deepEqual(summary(first), ['5:SL101:2', '9:SL102:2']);
    const published = doc.publications();

    // Enter after the `subprocess.run` line, then a statement typed one key at a time (the
    // function with a finding is analysed again on every key).
    await doc.edit(at(9, doc.lines()[9].length), '\n    ');
    for (const ch of 'value = dev') {
      const shown = await doc.edit(at(10, doc.lines()[10].length), ch);
      assert.deepEqual(shown, first);
      assert.ok(doc.unchanged(), `v${doc.version} is said unchanged`);
    }
    assert.equal(doc.publications(), published, 'nothing published while typing');
    assert.equal(client.last(doc.uri)!.version, 1);
    assert.equal(doc.lines()[10], '    value = dev');

    // The diagnostics shown are of version 1; the document is at a later version whose analysis
    // found the same: their quick fix and hover are those of the current text.
    const current = doc.version;
    const actions: any[] = await client.request('textDocument/codeAction', {
      textDocument: { uri: doc.uri }, range: first[0].range, context: { diagnostics: [first[0]] },
    });
    assert.ok(actions.length >= 2, JSON.stringify(actions.map((a) => a.title)));
    for (const a of actions) assert.deepEqual(a.edit.documentChanges[0].textDocument, { uri: doc.uri, version: current });
    const ignore = actions.find((a) => a.title === 'Ignore shell-command-injection on this line');
    assert.ok(ignore);
    const fixed = applyEdits(doc.text, ignore.edit.documentChanges[0].edits).split('\n');
    assert.match(fixed[5], /^ {4}os\.system\("conntrack -D -w %s" % zone\) {2}# seclens: ignore\[shell-command-injection\]$/);
    assert.equal(fixed[10], '    value = dev', 'the rest of the current text is kept');
    const hover: any = await client.request('textDocument/hover', { textDocument: { uri: doc.uri }, position: first[1].range.start });
    assert.match(hover.contents.value, /unvalidated-command-argument/);

    // Finishing a statement that adds a finding publishes every finding of the new text.
    const line = doc.lines()[10];
    const added = await doc.edit({ start: { line: 10, character: 4 }, end: { line: 10, character: line.length } }, 'os.system("ifup " + dev)');
    assert.ok(!doc.unchanged());
    assert.deepEqual(summary(added), ['5:SL101:2', '9:SL102:2', '10:SL101:2']);
    assert.equal(client.last(doc.uri)!.version, doc.version);
    assert.equal(doc.publications(), published + 1);
    assert.deepEqual(added, await freshAnalysis(doc.text, doc.uri));

    // Back to the text of an earlier version: its diagnostics again differ from those shown.
    const back = await doc.edit({ start: { line: 10, character: 4 }, end: { line: 10, character: doc.lines()[10].length } }, 'value = dev');
    assert.ok(!doc.unchanged());
    assert.deepEqual(back, first);
    assert.equal(doc.publications(), published + 2);
    assert.deepEqual(back, await freshAnalysis(doc.text, doc.uri));
  });

  it('what is shown after each keystroke is a fresh analysis of the text', async () => {
    const doc = new Doc(client, 'file:///work/agent/keys.py', TEXT);
    await doc.open();
    // Keystrokes that add, change, remove and restore findings, and move them down and up.
    const steps: [Range, string][] = [
      [at(5, 0), '    \n'], // a line above a finding: it moves down
      [at(5, 4), 'LOG.debug'],
      [at(5, 13), '('],
      [at(5, 14), 'zone'],
      [at(5, 18), ')'],
      [{ start: { line: 5, character: 0 }, end: { line: 6, character: 0 } }, ''], // the line removed: up again
      [at(5, 37), 'shlex.quote('], // os.system("..." % shlex.quote(zone
      [at(5, 53), ')'],
      [{ start: { line: 5, character: 53 }, end: { line: 5, character: 54 } }, ''], // and back
      [{ start: { line: 5, character: 37 }, end: { line: 5, character: 49 } }, ''],
      [at(0, 0), '"""Agent."""\n'],
      [{ start: { line: 0, character: 0 }, end: { line: 1, character: 0 } }, ''],
    ];
    let unchanged = 0;
    for (const [range, text] of steps) {
      const shown = await doc.edit(range, text);
      if (doc.unchanged()) unchanged++;
      assert.deepEqual(shown, await freshAnalysis(doc.text, doc.uri), `v${doc.version}: ${JSON.stringify(doc.text)}`);
    }
    assert.equal(doc.text, TEXT, 'the steps restore the text');
    assert.ok(unchanged > 0 && unchanged < steps.length, `${unchanged} of ${steps.length} unchanged`);
  });

  it('the unused-suppression hints count: one appearing is published, the same one again is not', async () => {
    const text = [
      'import subprocess',
      '',
      '',
      'def up(dev):',
      '    subprocess.run("ip link set %s up" % dev, shell=True)  # seclens: ignore[shell-command-injection]',
      '    return dev',
      '',
    ].join('\n');
    const doc = new Doc(client, 'file:///work/agent/hints.py', text);
    assert.deepEqual(await doc.open(), [], 'the finding is silenced');
    // The command becomes a constant: the suppression silences nothing now.
    const line = doc.lines()[4];
    const from = line.indexOf('% dev');
    const hints = await doc.edit({ start: { line: 4, character: from + 2 }, end: { line: 4, character: from + 5 } }, '"eth0"');
    assert.ok(!doc.unchanged());
    assert.deepEqual(hints.map((d) => [d.range.start.line, d.code]), [[4, 'unused-suppression']]);
    // Typing below: the hint is built again, the same; not published again.
    const published = doc.publications();
    await doc.edit(at(5, 0), '    LOG.debug("up")\n');
    assert.ok(doc.unchanged());
    assert.equal(doc.publications(), published);
    assert.deepEqual(client.last(doc.uri)!.diagnostics, await freshAnalysis(doc.text, doc.uri));
    await client.close(doc.uri);
  });

  it('a document reopened is published again, even with the diagnostics it had', async () => {
    const clean = 'import os\n\n\ndef flush():\n    os.system("conntrack -F")\n';
    const doc = new Doc(client, 'file:///work/agent/clean.py', clean);
    assert.deepEqual(await doc.open(), []);
    await doc.edit(at(4, 0), '    # flush all\n');
    assert.ok(doc.unchanged());
    await client.close(doc.uri);
    await client.diagnostics(doc.uri, undefined, (p) => p.version === undefined);
    const seq = client.lastSeq;
    await client.open(doc.uri, doc.text, 1);
    assert.deepEqual(await client.publishedAfter(doc.uri, seq), []);
    assert.equal(client.last(doc.uri)!.version, 1);
    await client.close(doc.uri);
  });

  it('a settings change publishes only when it changes a diagnostic', async () => {
    const doc = new Doc(client, 'file:///work/agent/settings.py', TEXT);
    const first = await doc.open();
    let seq = client.lastSeq;
    // A level for a rule with no finding here.
    settings = { rules: { customizations: { SL301: 'error' } } };
    await client.settingsChanged();
    assert.deepEqual(await client.analysedAfter(doc.uri, seq), first);
    assert.ok(client.last(doc.uri)!.seq <= seq, 'not published again');
    seq = client.lastSeq;
    settings = { rules: { customizations: { SL101: 'error' } } };
    await client.settingsChanged();
    assert.deepEqual(summary(await client.analysedAfter(doc.uri, seq)), ['5:SL101:1', '9:SL102:2']);
    assert.ok(client.last(doc.uri)!.seq > seq);
    seq = client.lastSeq;
    settings = {};
    await client.settingsChanged();
    assert.deepEqual(await client.analysedAfter(doc.uri, seq), first);
    await client.close(doc.uri);
  });
});

describe('unchanged diagnostics and the size limit', () => {
  let client: TestClient;
  before(async () => {
    client = new TestClient();
    await client.initialize({ settings: () => ({}), initializationOptions: { maxFileSize: 400 } });
  });
  after(() => client.shutdown());

  it('a document going over the limit loses its diagnostics, and gets them back under it', async () => {
    assert.ok(TEXT.length < 400);
    const doc = new Doc(client, 'file:///work/agent/limit.py', TEXT);
    const first = await doc.open();
    assert.equal(first.length, 2);
    const comment = `# ${'x'.repeat(300)}\n`;
    await doc.edit(at(0, 0), comment);
    await client.diagnostics(doc.uri, doc.version);
    assert.deepEqual(client.last(doc.uri)!.diagnostics, [], 'over the limit: none');
    // Under the limit again: the same findings as before, published (the editor shows none).
    const back = await doc.edit({ start: { line: 0, character: 0 }, end: { line: 1, character: 0 } }, '');
    assert.ok(!doc.unchanged());
    assert.deepEqual(back, first);
    assert.equal(client.last(doc.uri)!.version, doc.version);
  });
});
