// The stdio writer (server/src/handlers/transport.ts): a publication assembled from each
// diagnostic's cached bytes is the very text JSON.stringify gives, and the messages of one tick
// leave in one write, each framed with its own Content-Length.
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, it } from 'node:test';
import { readFileSync } from 'node:fs';
import { analyzeText, RULES } from '../../server/src/engine';
import { encodeMessage, StdoutWriter } from '../../server/src/handlers/transport';
import { diagnosticJson, toDiagnostic } from '../../server/src/report/diagnostic';
import { fixturePath } from '../unit/annotations';

const DIAGNOSTIC = {
  range: { start: { line: 5, character: 40 }, end: { line: 5, character: 64 } },
  severity: 2,
  code: 'SL101',
  codeDescription: { href: 'file:///opt/seclens/docs/rules/shell-command-injection.md' },
  source: 'seclens',
  message: 'Shell command built from parameter `clé 🔑` is run by `subprocess.run()` "quoted" \\ [shell-command-injection]',
  relatedInformation: [{ location: { uri: 'file:///w/a.py', range: { start: { line: 4, character: 14 }, end: { line: 4, character: 17 } } }, message: '`x` ← `f(y)`' }],
  data: { rule: 'shell-command-injection' },
};

function publication(diagnostics: unknown[], version?: number) {
  return { jsonrpc: '2.0', method: 'textDocument/publishDiagnostics', params: { uri: 'file:///w/a "b".py', version, diagnostics } };
}

/** A stdout stand-in that records each write. */
class Sink extends EventEmitter {
  writes: Buffer[] = [];
  write(data: Buffer, cb?: (error?: Error | null) => void): boolean {
    this.writes.push(Buffer.from(data));
    if (cb) process.nextTick(cb);
    return true;
  }
  end(): void {}
}

describe('stdio transport', () => {
  it('encodes a publication exactly as JSON.stringify does, reusing each diagnostic', () => {
    const other = { ...DIAGNOSTIC, range: { start: { line: 9, character: 0 }, end: { line: 9, character: 3 } } };
    for (const msg of [publication([DIAGNOSTIC, other, DIAGNOSTIC], 7), publication([], 3), publication([DIAGNOSTIC])]) {
      assert.equal(encodeMessage(msg as any).toString('utf8'), JSON.stringify(msg));
      // Twice: the second time from the cached bytes.
      assert.equal(encodeMessage(msg as any).toString('utf8'), JSON.stringify(msg));
    }
    const request = { jsonrpc: '2.0', id: 1, result: { contents: { kind: 'markdown', value: 'clé 🔑' } } };
    assert.equal(encodeMessage(request as any).toString('utf8'), JSON.stringify(request));
  });

  it('writes the diagnostic of every fixture finding as JSON.stringify does', async () => {
    // toDiagnostic writes its diagnostics' JSON itself (from their strings' JSON, kept): every
    // rule's messages, traces and links, on a URI that needs escaping.
    let count = 0;
    for (const rule of RULES) {
      for (const f of await analyzeText(readFileSync(fixturePath(rule), 'utf8'))) {
        const d = toDiagnostic(f, RULES.find((r) => r.name === f.rule)!, 'file:///w/a "b\\c".py', `file:///opt/seclens/docs/rules/${f.rule}.md`);
        assert.equal(diagnosticJson(d), JSON.stringify(d), `${f.rule} at line ${f.range.start.line + 1}`);
        count++;
      }
    }
    assert.ok(count > RULES.length, `${count} findings`);
  });

  it('frames each message with its byte length and writes the messages of one tick at once', async () => {
    const sink = new Sink();
    const writer = new StdoutWriter(sink as unknown as NodeJS.WritableStream);
    const log = { jsonrpc: '2.0', method: '$/logTrace', params: { message: 'analysed ✓' } };
    const pub = publication([DIAGNOSTIC], 2);
    await Promise.all([writer.write(log as any), writer.write(pub as any)]);
    assert.equal(sink.writes.length, 1, 'one write');
    const frames: string[] = [];
    let rest = sink.writes[0];
    while (rest.length > 0) {
      const head = /^Content-Length: (\d+)\r\n\r\n/.exec(rest.toString('latin1'))!;
      const length = Number(head[1]);
      frames.push(rest.subarray(head[0].length, head[0].length + length).toString('utf8'));
      rest = rest.subarray(head[0].length + length);
    }
    assert.deepEqual(frames.map((f) => JSON.parse(f)), [log, pub]);
    await writer.write(log as any);
    assert.equal(sink.writes.length, 2, 'a later tick writes again');
  });
});
