// Typing latency through the real server over stdio: open a generated ~7,500-line file, then
// type statements into function bodies one character at a time, waiting for each keystroke's
// diagnostics (the version it describes) before the next. Large files are analysed in slices,
// publishing after each: the server's trace log ("analysed <uri> vN", without "the start of")
// tells when a version's analysis is complete, which is what the keystroke times measure.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';
import { pythonModule, rng } from './generate.mjs';

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))];
}

export async function typing(root, keys, lines = 7500) {
  const t0 = performance.now();
  const proc = spawn(process.execPath, [join(root, 'dist', 'server.js'), '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const conn = createMessageConnection(new StreamMessageReader(proc.stdout), new StreamMessageWriter(proc.stdin));
  let waiting = null;
  let firstOf = null;
  let last = null;
  conn.onNotification('textDocument/publishDiagnostics', (p) => {
    last = p;
    if (firstOf && p.version === firstOf.version) {
      const w = firstOf;
      firstOf = null;
      w.resolve(p);
    }
  });
  conn.onNotification('$/logTrace', ({ message }) => {
    const m = /^analysed (the start of )?\S+ v(\d+):/.exec(message);
    if (m && !m[1] && waiting && Number(m[2]) === waiting.version) {
      const w = waiting;
      waiting = null;
      // The publication follows the log line on the same stream.
      setImmediate(() => w.resolve(last));
    }
  });
  conn.listen();
  /** Resolves once the analysis of `version` is complete and published. */
  const published = (version) => new Promise((resolve) => (waiting = { version, resolve }));
  const firstPublished = (version) => new Promise((resolve) => (firstOf = { version, resolve }));
  try {
    await conn.sendRequest('initialize', { processId: process.pid, rootUri: null, capabilities: {} });
    await conn.sendNotification('initialized', {});
    await conn.sendNotification('$/setTrace', { value: 'messages' });
    const startMs = performance.now() - t0;
    const uri = 'file:///bench/typing.py';
    let text = pythonModule(lines, 42);
    const docLines = text.split('\n');
    let version = 1;
    const openStart = performance.now();
    const first = firstPublished(version);
    const complete = published(version);
    await conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'python', version, text } });
    await first;
    const coldOpenMs = performance.now() - openStart;
    const diags = await complete;
    const coldCompleteMs = performance.now() - openStart;

    // Lines inside function bodies: typing goes after them, on a new line of the same indent.
    const bodies = docLines.map((l, i) => [l, i]).filter(([l]) => /^ {4,}\S/.test(l) && !/^\s*(return|raise|else|elif|except|finally)/.test(l)).map(([, i]) => i);
    const random = rng(7);
    const times = [];
    const statements = ['value = helper(name)', 'LOG.debug("x=%s", value)', 'os.system(cmd)', 'items.append(value)'];
    let inserted = 0; // lines added above later positions
    while (times.length < keys) {
      const row = bodies[Math.floor(random() * bodies.length)] + 0;
      const indent = /^ */.exec(docLines[row])[0];
      const stmt = `\n${indent}${statements[Math.floor(random() * statements.length)]}`;
      const at = { line: row + inserted, character: docLines[row].length };
      // Each character is a keystroke; the line grows as it is typed.
      let line = at.line;
      let col = at.character;
      for (const ch of stmt) {
        if (times.length >= keys) break;
        version++;
        const pos = { line, character: col };
        const wait = published(version);
        const s = performance.now();
        await conn.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ range: { start: pos, end: pos }, text: ch }] });
        await wait;
        times.push(performance.now() - s);
        if (ch === '\n') {
          line++;
          col = 0;
        } else col++;
      }
      inserted += 0; // the typed lines sit below `row`; rows of later bodies shift, which is fine for a benchmark
    }
    times.sort((a, b) => a - b);
    return {
      lines: docLines.length,
      diagnostics: diags.diagnostics.length,
      keys: times.length,
      startMs,
      coldOpenMs,
      coldCompleteMs,
      p50: percentile(times, 50),
      p95: percentile(times, 95),
      max: times[times.length - 1],
    };
  } finally {
    try {
      await conn.sendRequest('shutdown');
      await conn.sendNotification('exit');
    } catch {}
    conn.dispose();
    proc.kill();
  }
}
