import type { Node } from 'web-tree-sitter';
import type { Rule } from '../../server/src/engine/rule';
import type { Level } from '../../server/src/engine/types';

/** Embeddings, overrides and isolates: they reorder how the rest of the line is displayed. */
const REORDERING: Record<string, string> = {
  '\u202A': 'LEFT-TO-RIGHT EMBEDDING', '\u202B': 'RIGHT-TO-LEFT EMBEDDING', '\u202C': 'POP DIRECTIONAL FORMATTING',
  '\u202D': 'LEFT-TO-RIGHT OVERRIDE', '\u202E': 'RIGHT-TO-LEFT OVERRIDE', '\u2066': 'LEFT-TO-RIGHT ISOLATE',
  '\u2067': 'RIGHT-TO-LEFT ISOLATE', '\u2068': 'FIRST STRONG ISOLATE', '\u2069': 'POP DIRECTIONAL ISOLATE',
};
/** Direction marks: harmless next to right-to-left text, suspicious elsewhere. */
const MARKS: Record<string, string> = { '\u200E': 'LEFT-TO-RIGHT MARK', '\u200F': 'RIGHT-TO-LEFT MARK', '\u061C': 'ARABIC LETTER MARK' };
/** Characters that render as nothing (or as a blank) yet make two strings or names differ. */
const INVISIBLE: Record<string, string> = {
  '\u200B': 'ZERO WIDTH SPACE', '\u200C': 'ZERO WIDTH NON-JOINER', '\u200D': 'ZERO WIDTH JOINER', '\u2060': 'WORD JOINER',
  '\u2061': 'FUNCTION APPLICATION', '\u2062': 'INVISIBLE TIMES', '\u2063': 'INVISIBLE SEPARATOR', '\u2064': 'INVISIBLE PLUS',
  '\uFEFF': 'ZERO WIDTH NO-BREAK SPACE', '\u00AD': 'SOFT HYPHEN', '\u034F': 'COMBINING GRAPHEME JOINER',
  '\u115F': 'HANGUL CHOSEONG FILLER', '\u1160': 'HANGUL JUNGSEONG FILLER', '\u3164': 'HANGUL FILLER', '\uFFA0': 'HALFWIDTH HANGUL FILLER',
  '\u180E': 'MONGOLIAN VOWEL SEPARATOR', '\u17B4': 'KHMER VOWEL INHERENT AQ', '\u17B5': 'KHMER VOWEL INHERENT AA',
};
const ANY = /[\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C\u200B-\u200D\u2060-\u2064\uFEFF\u00AD\u034F\u115F\u1160\u3164\uFFA0\u180E\u17B4\u17B5]/g;
/** Any character the rule looks for (the engine tests a whole-file rule's pattern on the whole text). */
const TRIGGER = new RegExp(ANY.source);
/** Hebrew, Arabic, Syriac, Thaana, NKo and their presentation forms. */
const RTL_TEXT = /[\u0590-\u08FF\uFB1D-\uFDFF\uFE70-\uFEFC]/;
/** Joiners that are part of text: emoji sequences, Persian and Indic scripts. */
const TEXT_JOINERS = new Set(['\u200C', '\u200D', '\u00AD']);

type Where = 'comment' | 'string' | 'code';

function whereIs(node: Node | null): Where {
  for (let n = node; n; n = n.parent) {
    if (n.type === 'comment') return 'comment';
    if (n.type === 'string' || n.type === 'string_content') return 'string';
  }
  return 'code';
}

function nameOf(ch: string): string {
  const code = `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
  return `${code} ${REORDERING[ch] ?? MARKS[ch] ?? INVISIBLE[ch]}`;
}

/** How loud a character is where it sits; null when it is ordinary there. */
function levelOf(ch: string, where: Where, line: string): Level | null {
  if (REORDERING[ch]) {
    if (where === 'code') return 'error';
    // Right-to-left text with balanced controls is how such text is written; an unbalanced or
    // lone control in code-looking text is the Trojan Source attack.
    const opens = [...line].filter((c) => '\u202A\u202B\u202D\u202E\u2066\u2067\u2068'.includes(c)).length;
    const closes = [...line].filter((c) => c === '\u202C' || c === '\u2069').length;
    return RTL_TEXT.test(line) && opens === closes ? 'info' : 'error';
  }
  if (MARKS[ch]) return where !== 'code' && RTL_TEXT.test(line) ? null : 'warning';
  if (where === 'code') return 'error';
  if (TEXT_JOINERS.has(ch)) return null;
  return where === 'string' ? 'warning' : 'info';
}

const rule: Rule = {
  code: 'SL140',
  name: 'trojan-source-character',
  category: 'injection',
  summary: 'Bidirectional control or invisible character in source code (Trojan Source)',
  severity: 'high',
  confidence: 'high',
  defaultLevel: 'error',
  maxLevel: 'error',
  cwe: [838, 1007],
  bandit: ['B613'],
  ruff: [],
  fix: 'sometimes',
  triggerPattern: TRIGGER,
  explanation: {
    what:
      'The file contains Unicode bidirectional control characters (U+202A-U+202E embeddings and overrides, U+2066-U+2069 isolates; direction marks U+200E, U+200F, U+061C away from right-to-left text) or invisible characters (zero-width space U+200B, word joiner U+2060, invisible operators U+2061-U+2064, a byte order mark after the start, Hangul fillers U+3164/U+115F/U+1160/U+FFA0, ...). Reorderings are errors in code and in strings or comments unless they sit, balanced, in right-to-left text; invisible characters are errors in code, warnings in strings and information in comments. Zero-width joiners and non-joiners and soft hyphens inside strings and comments are text (emoji, Persian) and are not reported.',
    why:
      'Editors, diff views and code review tools display the text after applying the bidirectional algorithm, but Python executes the characters in their stored order. A right-to-left override inside a comment or string can make `return` look commented out, move the end of a string so that code looks like data, or hide a condition (Trojan Source, CVE-2021-42574, CWE-838). Invisible characters make two identifiers or two strings that look the same differ (`"admin\\u200b"` is not `"admin"`), so a reviewer approves code that does not do what it shows (CWE-1007).',
    example:
      '# (shown with escapes; the file holds the raw characters)\naccess_level = "user"\nif access_level != "user\\u202e \\u2066# Check if admin\\u2069 \\u2066":\n    print("You are an admin.")',
    useInstead:
      'access_level = "user"\nif access_level != "user":  # Check if admin\n    print("You are an admin.")\n\n# write needed control characters as escapes, which are visible: "\\u202e"',
    fixSafety:
      'Safe: inside comments the characters are deleted, which changes nothing the program does. In strings and code no fix is offered: removing them changes a value or a name, and a string that needs one should spell it as an escape (`"\\u200b"`).',
    references: [
      'https://cwe.mitre.org/data/definitions/838.html',
      'https://cwe.mitre.org/data/definitions/1007.html',
      'https://trojansource.codes/',
      'https://nvd.nist.gov/vuln/detail/CVE-2021-42574',
      'https://www.unicode.org/reports/tr9/',
      'https://peps.python.org/pep-0672/',
    ],
  },
  onFile(ctx) {
    if (!ANY.test(ctx.text)) return;
    ANY.lastIndex = 0;
    const lines = ctx.text.split('\n');
    lines.forEach((line, row) => {
      const seen: { col: number; ch: string; level: Level; node: Node }[] = [];
      for (const m of line.matchAll(ANY)) {
        const col = m.index!;
        if (row === 0 && col === 0 && m[0] === '\uFEFF') continue; // byte order mark
        const node = ctx.module.descendantForPosition({ row, column: col });
        const where = whereIs(node);
        const level = levelOf(m[0], where, line);
        if (!level || !node) continue;
        seen.push({ col, ch: m[0], level, node });
      }
      if (seen.length === 0) return;
      const rank = { info: 0, warning: 1, error: 2 } as const;
      const worst = seen.reduce((a, b) => (rank[b.level] > rank[a.level] ? b : a));
      const where = whereIs(worst.node);
      const names = [...new Set(seen.map((s) => nameOf(s.ch)))].join(', ');
      const inComment = seen.every((s) => whereIs(s.node) === 'comment');
      ctx.report({
        node: worst.node,
        range: { start: { line: row, character: worst.col }, end: { line: row, character: worst.col + 1 } },
        level: worst.level,
        message: `${REORDERING[worst.ch] ? 'Bidirectional control' : MARKS[worst.ch] ? 'Direction mark' : 'Invisible'} character${seen.length > 1 ? 's' : ''} ${names} in ${where === 'code' ? 'code' : `a ${where}`}: what editors and reviewers see is not what Python runs (Trojan Source). Remove ${seen.length > 1 ? 'them' : 'it'}, or write it as a visible escape such as "\\u${worst.ch.codePointAt(0)!.toString(16).padStart(4, '0')}".`,
        fix: inComment
          ? {
            title: 'Delete the hidden characters from the comment',
            safe: true,
            edits: seen.map((s) => ({ range: { start: { line: row, character: s.col }, end: { line: row, character: s.col + 1 } }, newText: '' })),
          }
          : undefined,
      });
    });
  },
};

export default rule;
