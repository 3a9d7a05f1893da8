// The edit behind "Ignore on this line": append `# seclens: ignore[name]` to the line, or add
// the name to a SecLens marker already there.
import { lineText } from './fixes';
import type { TextEdit } from './types';

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
