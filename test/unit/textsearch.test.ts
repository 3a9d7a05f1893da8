// Whole-text pattern tests kept across edits (textsearch.ts) answer as a fresh test of the new
// text would, for every rule's fileTrigger and triggerPattern and for patterns built to probe the
// edges (word boundaries at the edit, matches spanning it, alternatives, "both somewhere").
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { RULES } from '../../rules';
import { diffText, lineStarts } from '../../server/src/engine/textdiff';
import { maxLength, planOf, TextSearch, type SearchMemo } from '../../server/src/engine/textsearch';
import { rng } from '../random';

const PROBES = [
  /\bfoo\b/, /\Bar/, /ab+c/, /x[^@]*@/, /a{2,3}b/, /(?:foo|ba+r)\d/i, /^(?=[^]*?\bgo\b)[^]*?(?:stop|s{2})/,
  /\b(?:foo|bar)\b|^(?=[^]*?\bbaz\b)[^]*?(?:qux|q\s*\()/, /^foo/, /o$/, /(a)\1/, /[\u00e9\u202e]/, /\/tmp|\/dev\/shm/,
];
const PIECES = ['foo', 'bar', 'baz', 'qux', 'q (', 'go', 'stop', 'ss', ' ', '\n', 'a', 'b', 'c', 'aa', '@', 'x', '1', '_', 'é', '\u202e', '/tmp', 'requests', 'http://', 'token', 'getattr', 'request', ')', '"a" "b"*', 'import_module',
  'eval(', 'log', '.info', '(x)', 'select(', '@', 'app.route', '(', 'verify=', 'False', '.close', 'lock', 'sha1', 'password', ')+', 'for x in y:', 'pass', 'priv_', '.parse(', '.exempt', 'P', '#c\n', '\\', '\t'];

it('patterns tested across edits answer as a fresh test does', () => {
  const patterns = [...PROBES, ...RULES.flatMap((r) => [r.fileTrigger, r.triggerPattern]).filter((p): p is RegExp => !!p)];
  const random = rng(20261126);
  const piece = () => PIECES[Math.floor(random() * PIECES.length)];
  for (let run = 0; run < 60; run++) {
    let text = '';
    for (let i = 0; i < 40; i++) text += random() < 0.7 ? piece() : ' ';
    let starts = lineStarts(text);
    let memo: SearchMemo | undefined;
    for (let edit = 0; edit < 60; edit++) {
      const at = Math.floor(random() * (text.length + 1));
      const end = Math.min(text.length, at + (random() < 0.5 ? 0 : Math.floor(random() * 8)));
      const next = text.slice(0, at) + (random() < 0.2 ? '' : piece()) + text.slice(end);
      const diff = diffText(text, starts, next);
      const search = new TextSearch(next, diff, memo);
      // Test a random subset each time, as short-circuits and inactive rules do.
      for (const re of patterns) {
        if (random() < 0.3) continue;
        assert.equal(search.test(re), new RegExp(re.source, re.flags.replace(/[gy]/g, '')).test(next), `${re} on ${JSON.stringify(next)} after ${JSON.stringify(text)}`);
      }
      memo = search.next;
      text = next;
      starts = diff.starts;
    }
  }
});

it('the rules\' whole-text patterns are searched near the edit, not over the whole text', () => {
  assert.equal(maxLength(String.raw`urllib|requests|HTTPS?Connection`), 'HTTPSConnection'.length);
  assert.equal(maxLength(String.raw`\b(?:a|bcd)\b`), 3);
  assert.equal(maxLength(String.raw`a\s*b`), Infinity);
  assert.equal(maxLength(String.raw`^a`), null);
  assert.equal(maxLength(String.raw`(?=a)b`), null);
  const kinds = (p: ReturnType<typeof planOf>): string[] => (p.kind === 'any' || p.kind === 'all' ? [p.kind, ...p.parts.flatMap(kinds)] : [p.kind]);
  for (const r of RULES) {
    if (!r.fileTrigger) continue;
    // Every rule's first test is a local part (the "both somewhere" form starts with one too).
    const k = kinds(planOf(r.fileTrigger));
    assert.ok(!k.includes('whole'), `${r.name}: ${k.join(' ')}`);
  }
});
