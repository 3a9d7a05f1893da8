// Python source bytes -> text, as Python reads them (PEP 263): UTF-8 unless a coding cookie on
// the first or second line names another encoding. Only the CLI and the workspace scan read
// bytes; an open document's text comes decoded from the editor.

export type Decoded = { text: string } | { skipped: string };

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The cookie: a comment naming the encoding, `# -*- coding: latin-1 -*-` or `# vim: set fileencoding=cp1252 :`. */
const COOKIE = /^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)/;
/** A line that lets the cookie come on the next one: blank, or a comment alone (a shebang). */
const BLANK_OR_COMMENT = /^[ \t\f]*(?:#.*)?$/;

/** The encoding a file's first two lines declare, as written; null when they declare none. */
export function declaredEncoding(bytes: Uint8Array): string | null {
  // The cookie is ASCII: latin-1 reads the first lines of any ASCII-compatible encoding.
  const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  const head = Buffer.from(bytes.buffer, bytes.byteOffset + bom, Math.min(bytes.length - bom, 1024)).toString('latin1');
  const [first, second] = head.split(/\r\n|\r|\n/, 2);
  const m = COOKIE.exec(first) ?? (second !== undefined && BLANK_OR_COMMENT.test(first) ? COOKIE.exec(second) : null);
  return m ? m[1] : null;
}

/** What a Python codec name is called here: 'utf-8', 'latin-1', 'ascii', or a label TextDecoder may know. */
function codec(name: string): string {
  const n = name.toLowerCase().replace(/_/g, '-');
  if (/^(utf-?8|u8|utf-8-sig|cp65001)$/.test(n)) return 'utf-8';
  // Python's latin-1 maps every byte to the code point of its value (TextDecoder's "iso-8859-1" is windows-1252).
  if (/^(latin-?1|l1|iso-?8859-1|8859|cp819|iso-ir-100)$/.test(n)) return 'latin-1';
  if (/^(ascii|us-ascii|646)$/.test(n)) return 'ascii';
  const windows = /^(?:cp|windows-)(125[0-8])$/.exec(n);
  if (windows) return `windows-${windows[1]}`;
  const iso = /^iso-?8859-(\d+)$/.exec(n);
  if (iso) return `iso-8859-${iso[1]}`;
  return n;
}

export function decodeSource(bytes: Uint8Array): Decoded {
  const declared = declaredEncoding(bytes);
  const name = declared === null ? 'utf-8' : codec(declared);
  // Python reads source only in encodings that keep ASCII as it is (the cookie itself is ASCII).
  if (/^utf-?(16|32)/.test(name)) return { skipped: `declares encoding ${declared}, in which Python cannot read source` };
  const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  // Python rejects a BOM with any other cookie.
  if (bom && name !== 'utf-8') return { skipped: `starts with a UTF-8 byte order mark but declares ${declared}` };
  try {
    if (name === 'utf-8') return { text: utf8.decode(bytes) };
    const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
    if (name === 'latin-1') return { text: buffer.toString('latin1') };
    if (name === 'ascii') {
      if (buffer.some((b) => b > 0x7f)) return { skipped: 'not valid ASCII, the encoding it declares' };
      return { text: buffer.toString('latin1') };
    }
    if (name === 'windows-1252') return { text: windows1252(buffer) };
    return { text: new TextDecoder(name, { fatal: true }).decode(bytes) };
  } catch (error) {
    if (error instanceof RangeError) return { skipped: `declares encoding ${declared}, which SecLens cannot decode` };
    return { skipped: declared === null || name === 'utf-8' ? 'not valid UTF-8' : `not valid ${declared}, the encoding it declares` };
  }
}

/** 0x80-0x9f in windows-1252 (Node's TextDecoder reads that label as latin-1); -1: undefined there. */
const CP1252 = [
  0x20ac, -1, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, -1, 0x017d, -1,
  -1, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, -1, 0x017e, 0x0178,
];

function windows1252(buffer: Buffer): string {
  const text = buffer.toString('latin1');
  if (!/[\x80-\x9f]/.test(text)) return text;
  return text.replace(/[\x80-\x9f]/g, (c) => {
    const code = CP1252[c.charCodeAt(0) - 0x80];
    if (code < 0) throw new TypeError('undefined in windows-1252');
    return String.fromCharCode(code);
  });
}
