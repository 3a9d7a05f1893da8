// LSP positions in test texts: the line and UTF-16 column of an offset, with `\n`, `\r\n` and a
// lone `\r` each ending a line, as the editor counts them.
export function positionAt(text: string, offset: number): { line: number; character: number } {
  let line = 0;
  let lineStart = 0;
  for (let i = 0; i < offset; i++) {
    const c = text[i];
    if (c === '\n' || (c === '\r' && text[i + 1] !== '\n')) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, character: offset - lineStart };
}
