// Typing latency through the real server over stdio: open a generated ~7,500-line file, then
// type statements into function bodies one keystroke at a time, waiting for each keystroke's
// diagnostics (the version it describes) before the next. Large files are analysed in slices,
// publishing after each: the server's trace log ("analysed <uri> vN", without "the start of")
// tells when a version's analysis is complete, which is what the keystroke times measure. A
// complete analysis whose diagnostics are those already published is not published again (the
// trace line ends "(unchanged, not republished)"): such a keystroke is done when that trace line
// arrives, and `unchanged` counts them.
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
    if (waiting?.complete && p.version === waiting.version) {
      const w = waiting;
      waiting = null;
      w.resolve(p);
    }
  });
  /** Whether the last version waited for was found unchanged (nothing published). */
  let wasUnchanged = false;
  conn.onNotification('$/logTrace', ({ message }) => {
    const m = /^analysed (the start of )?\S+ v(\d+):/.exec(message);
    if (!m || m[1] || !waiting || Number(m[2]) !== waiting.version) return;
    if (message.endsWith(' (unchanged, not republished)')) {
      // Nothing follows: the diagnostics shown are those of this version.
      const w = waiting;
      waiting = null;
      wasUnchanged = true;
      w.resolve(last);
      return;
    }
    // The publication follows the log line on the same stream: it completes the keystroke when
    // it has arrived (a large one may take several reads of the pipe after the log line).
    waiting.complete = true;
  });
  conn.listen();
  /** Resolves once the analysis of `version` is complete and published (or found unchanged). */
  const published = (version) =>
    new Promise((resolve) => {
      wasUnchanged = false;
      waiting = { version, resolve, complete: false };
    });
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

    // Typing as VS Code sends it for Python: Enter inserts the line break with the indentation
    // in one change; an opening bracket or quote inserts its closing partner too, and typing
    // that partner then only moves the cursor (no change, nothing to measure). Unbalanced
    // quotes typed raw make tree-sitter's error recovery turn the rest of the file into
    // module-level statements, which the editor's auto-closing never shows it.
    const CLOSER = { '(': ')', '[': ']', '{': '}', '"': '"', "'": "'" };
    const random = rng(7);
    const times = [];
    let unchanged = 0;
    const statements = ['value = helper(name)', 'LOG.debug("x=%s", value)', 'os.system(cmd)', 'items.append(value)'];
    const current = docLines.slice();
    const change = async (line, character, insert) => {
      version++;
      const pos = { line, character };
      const wait = published(version);
      const s = performance.now();
      await conn.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ range: { start: pos, end: pos }, text: insert }] });
      await wait;
      times.push(performance.now() - s);
      if (wasUnchanged) unchanged++;
      current[line] = current[line].slice(0, character) + insert + current[line].slice(character);
    };
    while (times.length < keys) {
      // Lines inside function bodies: typing goes after one, on a new line of the same indent.
      const bodies = current.map((l, i) => [l, i]).filter(([l]) => /^ {4,}\S/.test(l) && !/^\s*(return|raise|else|elif|except|finally)/.test(l)).map(([, i]) => i);
      const row = bodies[Math.floor(random() * bodies.length)];
      // Enter after a line ending in `:` indents one level deeper, as the editor does.
      const indent = /^ */.exec(current[row])[0] + (/:\s*$/.test(current[row]) ? '    ' : '');
      const statement = statements[Math.floor(random() * statements.length)];
      // Enter at the end of the row.
      version++;
      const enterAt = { line: row, character: current[row].length };
      const waitEnter = published(version);
      const s0 = performance.now();
      await conn.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ range: { start: enterAt, end: enterAt }, text: `\n${indent}` }] });
      await waitEnter;
      times.push(performance.now() - s0);
      if (wasUnchanged) unchanged++;
      current.splice(row + 1, 0, indent);
      const line = row + 1;
      let col = indent.length;
      for (const ch of statement) {
        if (times.length >= keys) break;
        if (current[line][col] === ch && /[)\]}"']/.test(ch)) {
          col++; // typed over the partner inserted with its opener
          continue;
        }
        await change(line, col, CLOSER[ch] ? ch + CLOSER[ch] : ch);
        col++;
      }
    }
    times.sort((a, b) => a - b);
    return {
      lines: docLines.length,
      diagnostics: diags.diagnostics.length,
      keys: times.length,
      unchanged,
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
