// After any sequence of incremental edits the tree and the findings equal those of a fresh
// parse of the same text. Edits are random (seeded), include multi-byte characters, and
// delete across lines. SECLENS_EDITS raises the count.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';
import type { Node, Tree } from 'web-tree-sitter';
import { RULES } from '../../rules';
import { ParsedDocument } from '../../server/src/engine/document';
import { initParser, parse } from '../../server/src/engine/parser';
import { analyze } from '../../server/src/engine/run';
import { rng } from '../random';

const EDITS = Number(process.env.SECLENS_EDITS ?? 300);
const SNIPPETS = ['é', '😀', '中文', ' ', '\n', '\n    ', '(', ')', '"', "f'{x}'", 'os.system(cmd)', '# ✓ 注释\n', 'shell=True', 'x = 1\n', ', ', '\t', '\r\n'];

/** Deterministic PRNG (mulberry32), so a failure can be replayed. */

/** Every node's type and span: positions included, unlike toString(). */
function shape(tree: Tree): string {
  const out: string[] = [];
  const stack: Node[] = [tree.rootNode];
  while (stack.length) {
    const n = stack.pop()!;
    out.push(`${n.type}@${n.startIndex}-${n.endIndex}:${n.startPosition.row},${n.startPosition.column}`);
    for (let i = n.childCount - 1; i >= 0; i--) stack.push(n.child(i)!);
  }
  return out.join('\n');
}

/** An LSP position: lines end at \r\n, \n or a lone \r. */
function positionAt(text: string, offset: number) {
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

it(`${EDITS} random incremental edits match a fresh parse`, async () => {
  await initParser();
  const base = readFileSync('test/fixtures/injection/shell-command-injection.py', 'utf8');
  const random = rng(20261125);
  const doc = new ParsedDocument('file:///x.py', 1, base);
  let text = base;
  for (let i = 0; i < EDITS; i++) {
    const a = Math.floor(random() * (text.length + 1));
    const span = random() < 0.5 ? 0 : Math.floor(random() * 40);
    let b = Math.min(text.length, a + span);
    let start = a;
    // Never split a surrogate pair: the editor never does either.
    if (/[\uDC00-\uDFFF]/.test(text[start] ?? '')) start--;
    if (/[\uDC00-\uDFFF]/.test(text[b] ?? '')) b++;
    // Nor a CRLF pair: no LSP position lies between its two characters.
    if (text[start - 1] === '\r' && text[start] === '\n') start--;
    if (text[b - 1] === '\r' && text[b] === '\n') b++;
    const insert = random() < 0.3 ? '' : SNIPPETS[Math.floor(random() * SNIPPETS.length)];
    const range = { start: positionAt(text, start), end: positionAt(text, b) };
    doc.update([{ range, text: insert }], i + 2);
    text = text.slice(0, start) + insert + text.slice(b);
    assert.equal(doc.text, text);
    if (i % 10 === 9 || i === EDITS - 1) {
      const fresh = parse(text);
      try {
        assert.equal(shape(doc.tree), shape(fresh), `tree differs after edit ${i}`);
        assert.deepEqual(analyze(doc.tree, text, RULES), analyze(fresh, text, RULES), `findings differ after edit ${i}`);
      } finally {
        fresh.delete();
      }
    }
  }
  doc.dispose();
});
