// The edit behind "Ignore on this line": append `# seclens: ignore[name]` to the line, or add
// the name to a SecLens marker already there.
import { lineText } from './fixes';
import type { TextEdit, TextRange } from './types';

const MARKER = /seclens:\s*ignore\[([^\]]*)\]/i;

/** `lines` are the finding's candidate lines (statement first line, last line, flagged line). */
export function suppressionEdit(text: string, lines: number[], rule: string): TextEdit {
  // A line continued with a backslash cannot take a comment: use the statement's last line.
  const line = lines.find((l) => !/\\\s*$/.test(lineText(text, l))) ?? lines[lines.length - 1];
  const current = lineText(text, line);
  const existing = MARKER.exec(current);
  if (existing) {
    const names = existing[1].split(',').map((s) => s.trim()).filter(Boolean);
    const start = existing.index + existing[0].indexOf('[') + 1;
    const end = start + existing[1].length;
    return {
      range: { start: { line, character: start }, end: { line, character: end } },
      newText: [...names, rule].join(', '),
    };
  }
  const trimmedEnd = current.replace(/\s+$/, '').length;
  return {
    range: { start: { line, character: trimmedEnd }, end: { line, character: current.length } },
    newText: `  # seclens: ignore[${rule}]`,
  };
}

const FILE_MARKER = /^#\s*seclens:\s*ignore-file\[([^\]]*)\]/i;

/**
 * The edit behind "Ignore in this file": a `# seclens: ignore-file[name]` line at the top of the
 * module, after a shebang, an encoding line and the module docstring; or the name added to
 * such a line already there. `docstringEnd` is the last line of the module docstring, if any.
 */
export function fileSuppressionEdit(text: string, rule: string, docstringEnd?: number): TextEdit {
  const lines = text.split(/\r?\n|\r/);
  for (let i = 0; i < lines.length; i++) {
    const m = FILE_MARKER.exec(lines[i]);
    if (!m) continue;
    const names = m[1].split(',').map((s) => s.trim()).filter(Boolean);
    const start = lines[i].indexOf('[') + 1;
    return {
      range: { start: { line: i, character: start }, end: { line: i, character: start + m[1].length } },
      newText: [...names, rule].join(', '),
    };
  }
  let line = 0;
  if (lines[0]?.startsWith('#!')) line = 1;
  // PEP 263: the encoding declaration sits on the first or second line.
  while (line < 2 && line < lines.length && /^[ \t\f]*#.*?coding[:=][ \t]*[-\w.]+/.test(lines[line])) line++;
  if (docstringEnd !== undefined && docstringEnd + 1 > line) line = docstringEnd + 1;
  const newText = `# seclens: ignore-file[${rule}]\n`;
  if (line >= lines.length) {
    // After the last line, which has no newline of its own.
    const last = lines.length - 1;
    return { range: { start: { line: last, character: lines[last].length }, end: { line: last, character: lines[last].length } }, newText: `\n${newText.trimEnd()}` };
  }
  return { range: { start: { line, character: 0 }, end: { line, character: 0 } }, newText };
}

const ANY_MARKER = /seclens:\s*ignore(-file)?(?!-)(?:\[([^\]]*)\])?/i;

/**
 * The edit behind "Remove unused suppression": drop `id` from the marker's list, or (id null,
 * or the last name) the marker; a comment left empty goes, and so does a line left blank.
 * `comment` is the comment's range (one line).
 */
export function removeSuppressionEdit(text: string, comment: TextRange, id: string | null): TextEdit | null {
  const line = comment.start.line;
  const full = lineText(text, line);
  const body = full.slice(comment.start.character, comment.end.character);
  const m = ANY_MARKER.exec(body);
  if (!m) return null;
  const names = (m[2] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const at = comment.start.character + m.index;
  if (id !== null && names.length > 1) {
    const start = at + m[0].indexOf('[') + 1;
    return {
      range: { start: { line, character: start }, end: { line, character: start + m[2].length } },
      newText: names.filter((n) => n !== id).join(', '),
    };
  }
  const rest = (body.slice(0, m.index) + body.slice(m.index + m[0].length)).replace(/^#\s*/, '').trim();
  if (rest !== '' && rest !== '#') {
    // Other text shares the comment (another tool's marker, a reason): keep it.
    let start = at;
    let end = at + m[0].length;
    const hash = /\s*#\s*$/.exec(full.slice(comment.start.character + 1, at));
    if (hash) {
      // `# nosec  # seclens: ignore`: the marker's own `#` goes with it.
      start = comment.start.character + 1 + hash.index;
    } else {
      while (end < full.length && full[end] === ' ') end++;
    }
    return { range: { start: { line, character: start }, end: { line, character: end } }, newText: '' };
  }
  const before = full.slice(0, comment.start.character);
  if (before.trim() === '') {
    // A comment on a line of its own: remove the line.
    return { range: { start: { line, character: 0 }, end: { line: line + 1, character: 0 } }, newText: '' };
  }
  const start = before.replace(/\s+$/, '').length;
  return { range: { start: { line, character: start }, end: { line, character: comment.end.character } }, newText: '' };
}
