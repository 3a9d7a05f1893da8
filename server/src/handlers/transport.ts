// Outgoing JSON-RPC messages over stdio. A publication of a large file carries hundreds of
// diagnostics, most of them the very objects of the previous one (report/diagnostic.ts builds one
// Diagnostic per Finding and keeps its JSON): the message is written from those texts into one
// buffer, instead of stringifying the whole message on every keystroke. The messages of one turn
// of the event loop (an analysis's trace line and its publication) leave in one write, header and
// body together: every write to the pipe wakes the client. The IPC transport (Node serializes
// its messages itself) is left as it is.
import { inspect } from 'node:util';
import type { Diagnostic } from 'vscode-languageserver';
import { AbstractMessageWriter, type Message, type MessageWriter } from 'vscode-languageserver/node';
import { diagnosticJson } from '../report/diagnostic';

const PUBLISH = 'textDocument/publishDiagnostics';

/** The message as JSON in UTF-8: the same text `JSON.stringify` gives, diagnostics last. */
export function encodeMessage(msg: Message): Buffer {
  const m = msg as { method?: string; params?: { diagnostics?: Diagnostic[] } };
  const diagnostics = m.method === PUBLISH ? m.params?.diagnostics : undefined;
  if (!Array.isArray(diagnostics)) return Buffer.from(JSON.stringify(msg), 'utf8');
  // `{..., "params": {..., "diagnostics": [` + each diagnostic + `]}}`
  const head = JSON.stringify({ ...m, params: { ...m.params, diagnostics: undefined } });
  if (!head.endsWith('}}')) return Buffer.from(JSON.stringify(msg), 'utf8');
  const start = `${head.slice(0, -2)},"diagnostics":[`;
  const json = diagnostics.map(diagnosticJson);
  let chars = start.length + 3;
  for (const j of json) chars += j.length + 1;
  // Written into one buffer, which UTF-8 cannot overflow (at most 3 bytes per UTF-16 unit).
  const out = Buffer.allocUnsafe(chars * 3);
  let at = out.write(start, 0, 'utf8');
  for (let i = 0; i < json.length; i++) {
    if (i > 0) out[at++] = 0x2c; // ,
    at += out.write(json[i], at, 'utf8');
  }
  at += out.write(']}}', at, 'utf8');
  return out.subarray(0, at);
}

/** Writes each message with its Content-Length header; those of one tick in one write. */
export class StdoutWriter extends AbstractMessageWriter implements MessageWriter {
  private pending: Buffer[] = [];
  private waiting: { resolve: () => void; reject: (e: unknown) => void }[] = [];
  private errors = 0;

  constructor(private readonly out: NodeJS.WritableStream) {
    super();
    out.on('error', (error: Error) => this.fireError(error));
    out.on('close', () => this.fireClose());
  }

  write(msg: Message): Promise<void> {
    let body: Buffer;
    try {
      body = encodeMessage(msg);
    } catch (error) {
      this.fireError(error, msg, ++this.errors);
      return Promise.reject(error);
    }
    if (this.pending.length === 0) process.nextTick(() => this.flush());
    this.pending.push(Buffer.from(`Content-Length: ${body.length}\r\n\r\n`, 'ascii'), body);
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  private flush(): void {
    const data = Buffer.concat(this.pending);
    const waiting = this.waiting;
    this.pending = [];
    this.waiting = [];
    this.out.write(data, (error?: Error | null) => {
      if (error) {
        this.fireError(error, undefined, ++this.errors);
        for (const w of waiting) w.reject(error);
      } else {
        for (const w of waiting) w.resolve();
      }
    });
  }

  end(): void {
    if (this.pending.length > 0) this.flush();
    this.out.end();
  }
}

/**
 * Over stdio, anything written to stdout corrupts the protocol: console output goes to the
 * client's log instead (as vscode-languageserver does when it opens stdio itself).
 */
export function consoleToClient(log: { log(m: string): void; info(m: string): void; warn(m: string): void; error(m: string): void }): void {
  const text = (args: unknown[]) => args.map((a) => (typeof a === 'string' ? a : inspect(a))).join(' ');
  console.log = (...args: unknown[]) => log.log(text(args));
  console.debug = (...args: unknown[]) => log.log(text(args));
  console.info = (...args: unknown[]) => log.info(text(args));
  console.warn = (...args: unknown[]) => log.warn(text(args));
  console.error = (...args: unknown[]) => log.error(text(args));
}
