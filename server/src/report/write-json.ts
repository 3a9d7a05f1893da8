// A report as JSON, written in pieces: the text equals JSON.stringify(value, null, 2), but no
// single string holds the whole of it. A scan of a large tree has tens of thousands of findings,
// whose report as one string (two bytes a character once a message holds a non-Latin-1 character
// such as the trace's arrows) was the largest allocation of the whole scan.

/** Containers this shallow are written member by member; deeper values as one string each. */
const SPLIT_DEPTH = 3;

/** Sends `JSON.stringify(value, null, 2)` to `write`, in pieces of about `chunk` characters. */
export function writeJson(value: unknown, write: (text: string) => void, chunk = 64 * 1024): void {
  let pending = '';
  const put = (s: string) => {
    pending += s;
    if (pending.length >= chunk) {
      write(pending);
      pending = '';
    }
  };
  piece(value, '', 0, put);
  if (pending) write(pending);
}

function piece(value: unknown, indent: string, depth: number, put: (s: string) => void): void {
  const json = value as { toJSON?: unknown } | null;
  if (depth > SPLIT_DEPTH || value === null || typeof value !== 'object' || typeof json?.toJSON === 'function') {
    // JSON strings hold no raw line breaks, so indenting after each one is exact.
    put((JSON.stringify(value, null, 2) ?? 'null').replace(/\n/g, `\n${indent}`));
    return;
  }
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return put('[]');
    put('[');
    value.forEach((v, i) => {
      put(i === 0 ? `\n${inner}` : `,\n${inner}`);
      // As JSON.stringify: what has no JSON form is null inside an array.
      piece(v === undefined || typeof v === 'function' || typeof v === 'symbol' ? null : v, inner, depth + 1, put);
    });
    return put(`\n${indent}]`);
  }
  // As JSON.stringify: members without a JSON form are left out.
  const members = Object.entries(value).filter(([, v]) => v !== undefined && typeof v !== 'function' && typeof v !== 'symbol');
  if (members.length === 0) return put('{}');
  put('{');
  members.forEach(([k, v], i) => {
    put(`${i === 0 ? '' : ','}\n${inner}${JSON.stringify(k)}: `);
    piece(v, inner, depth + 1, put);
  });
  put(`\n${indent}}`);
}
