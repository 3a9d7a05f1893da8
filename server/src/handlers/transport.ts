// The JSON-RPC encoding of outgoing messages over stdio. A publication of a large file carries
// hundreds of diagnostics, most of them the very objects of the previous one (report/diagnostic.ts
// builds one Diagnostic per Finding): each diagnostic's JSON is encoded to UTF-8 once and the
// message is assembled from those bytes, instead of stringifying and encoding the whole message
// on every keystroke. Other messages, and the IPC transport (Node serializes those itself), are
// encoded as usual.
import { inspect } from 'node:util';
import type { Diagnostic } from 'vscode-languageserver';
import type { ContentTypeEncoder, ContentTypeEncoderOptions, Message } from 'vscode-languageserver/node';

const PUBLISH = 'textDocument/publishDiagnostics';
const encoded = new WeakMap<Diagnostic, Buffer>();
const COMMA = Buffer.from(',');

function bytesOf(d: Diagnostic): Buffer {
  let b = encoded.get(d);
  if (!b) {
    b = Buffer.from(JSON.stringify(d), 'utf8');
    encoded.set(d, b);
  }
  return b;
}

/** The message as JSON in UTF-8: the same text `JSON.stringify` gives, diagnostics last. */
export function encodeMessage(msg: Message): Buffer {
  const m = msg as { method?: string; params?: { diagnostics?: Diagnostic[] } };
  const diagnostics = m.method === PUBLISH ? m.params?.diagnostics : undefined;
  if (!Array.isArray(diagnostics)) return Buffer.from(JSON.stringify(msg), 'utf8');
  // `{..., "params": {..., "diagnostics": [` + each diagnostic + `]}}`
  const head = JSON.stringify({ ...m, params: { ...m.params, diagnostics: undefined } });
  if (!head.endsWith('}}')) return Buffer.from(JSON.stringify(msg), 'utf8');
  const parts: Buffer[] = [Buffer.from(`${head.slice(0, -2)},"diagnostics":[`, 'utf8')];
  diagnostics.forEach((d, i) => {
    if (i > 0) parts.push(COMMA);
    parts.push(bytesOf(d));
  });
  parts.push(Buffer.from(']}}'));
  return Buffer.concat(parts);
}

export const jsonEncoder: ContentTypeEncoder = {
  name: 'application/json',
  encode(msg: Message, options: ContentTypeEncoderOptions): Promise<Uint8Array> {
    try {
      if (options.charset !== 'utf-8') return Promise.resolve(Buffer.from(JSON.stringify(msg), options.charset));
      return Promise.resolve(encodeMessage(msg));
    } catch (error) {
      return Promise.reject(error);
    }
  },
};

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
