// After any sequence of incremental edits the trees and the findings equal those of a fresh
// open of the same text: a small text's one tree, a large text's groups of statements (forced
// small here, so that edits move, merge and split groups). Edits are random (seeded), include multi-byte characters, and
// delete across lines. SECLENS_EDITS raises the count.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';
import type { Node } from 'web-tree-sitter';
import { RULES } from '../../rules';
import { ParsedDocument, type GroupOptions } from '../../server/src/engine/document';
import { initParser, parse } from '../../server/src/engine/parser';
import { analyze } from '../../server/src/engine/run';
import { positionAt } from '../positions';
import { rng } from '../random';

const EDITS = Number(process.env.SECLENS_EDITS ?? 300);
const SNIPPETS = ['é', '😀', '中文', ' ', '\n', '\n    ', '(', ')', '"', "f'{x}'", 'os.system(cmd)', '# ✓ 注释\n', 'shell=True', 'x = 1\n', ', ', '\t', '\r\n', '\r'];

/** Edits that mostly keep brackets and strings closed, and add or change definitions. */
const GROUP_SNIPPETS = ['é', '😀', ' ', '\n', '\n    ', 'os.system(cmd)', '# ✓ 注释\n', "f'{x}'", 'x = 1\n', '\r\n', 'def g(a):\n    return a\n', '@deco\n', 'class K:\n    pass\n', '()', 'd', '    ', '(\n'];

/** Deterministic PRNG (mulberry32), so a failure can be replayed. */

/** Every node's type and span: positions included, unlike toString(). */
function shape(roots: readonly Node[]): string {
  const out: string[] = [];
  const stack: Node[] = [...roots].reverse();
  while (stack.length) {
    const n = stack.pop()!;
    out.push(`${n.type}@${n.startIndex}-${n.endIndex}:${n.startPosition.row},${n.startPosition.column}`);
    for (let i = n.childCount - 1; i >= 0; i--) stack.push(n.child(i)!);
  }
  return out.join('\n');
}

/** Random edits to `base`, checked every `checkEvery` against a fresh open (and a plain parse). */
async function randomEdits(base: string, seed: number, options: Partial<GroupOptions>, snippets: readonly string[], checkEvery: number, check: (doc: ParsedDocument, text: string, i: number) => string | void) {
  await initParser();
  const random = rng(seed);
  const doc = new ParsedDocument('file:///x.py', 1, base, options);
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
    const insert = random() < 0.3 ? '' : snippets[Math.floor(random() * snippets.length)];
    const range = { start: positionAt(text, start), end: positionAt(text, b) };
    doc.update([{ range, text: insert }], i + 2);
    text = text.slice(0, start) + insert + text.slice(b);
    assert.equal(doc.text, text);
    if (i % checkEvery === checkEvery - 1 || i === EDITS - 1) {
      // The check may put a text back (a whole-text change).
      const back = check(doc, text, i);
      if (back !== undefined) {
        doc.update([{ text: back }], i + 2);
        text = back;
      }
    }
  }
  doc.dispose();
}

it(`${EDITS} random incremental edits match a fresh parse`, async () => {
  const base = readFileSync('test/fixtures/injection/shell-command-injection.py', 'utf8');
  await randomEdits(base, 20261125, {}, SNIPPETS, 10, (doc, text, i) => {
    const fresh = parse(text);
    try {
      assert.equal(doc.treeCount, 1);
      assert.equal(shape(doc.module.roots), shape([fresh.rootNode]), `tree differs after edit ${i}`);
      assert.deepEqual(analyze(doc.module, text, RULES), analyze(fresh, text, RULES), `findings differ after edit ${i}`);
    } finally {
      fresh.delete();
    }
  });
});

// Gentle edits keep most of the text in groups; harsh ones (brackets and quotes) leave one open
// most of the time, so the last group runs on to the end of the text.
for (const [every, snippets] of [[1, GROUP_SNIPPETS], [3, GROUP_SNIPPETS], [2, SNIPPETS]] as const) {
  it(`${EDITS} random ${snippets === SNIPPETS ? 'harsh ' : ''}edits to a document parsed in groups (every ${every}) match a fresh open`, async () => {
    // Many definitions, module code between them, decorators, a class: groups start at many of them.
    const base = ['test/fixtures/injection/shell-command-injection.py', 'test/fixtures/path/path-traversal.py', 'test/fixtures/reliability/resource-release-not-in-finally.py']
      .map((f) => readFileSync(f, 'utf8'))
      .join('\n\n');
    const options = { fromChars: 0, every };
    let grouped = 0;
    let lastGrouped = base;
    await randomEdits(base, 20261126 + every, options, snippets, Number(process.env.CHECK_EVERY ?? 3), (doc, text, i) => {
      const fresh = new ParsedDocument('file:///y.py', 1, text, options);
      try {
        if (doc.treeCount > 1) {
          grouped++;
          lastGrouped = text;
        }
        assert.deepEqual(doc.treeStarts, fresh.treeStarts, `groups differ after edit ${i}`);
        assert.equal(shape(doc.module.roots), shape(fresh.module.roots), `trees differ after edit ${i}`);
        // Trees at every check, findings (slower) at every fourth.
        if (i % 4 === 0 || i === EDITS - 1) assert.deepEqual(analyze(doc.module, text, RULES), analyze(fresh.module, text, RULES), `findings differ after edit ${i}`);
      } finally {
        fresh.dispose();
      }
      // A random edit soon leaves a bracket or string open (one tree to the end): go back to the
      // last text in groups, so that most checks compare groups.
      return doc.treeCount > 1 ? undefined : lastGrouped;
    });
    // The text must have stayed in groups for most checks, or this tested the one-tree case.
    assert.ok(grouped >= Math.floor(EDITS / 20), `grouped at only ${grouped} checks`);
  });
}
