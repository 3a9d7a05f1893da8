// Reads `# expect: rule` style annotations from fixture files (see fixtures.test.ts).
import { join } from 'node:path';
import type { Rule } from '../../server/src/engine/rule';

export interface Annotation {
  line: number;
  kind: string;
  rule: string;
}

const NOTE = /#\s*(expect(?:-error|-warning|-info)?|ok|todo-expect|todo-ok):\s*([a-z0-9-]+(?:\s*,\s*[a-z0-9-]+)*)/g;

export function parseAnnotations(text: string): Annotation[] {
  const out: Annotation[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    for (const m of line.matchAll(NOTE)) {
      for (const rule of m[2].split(',')) out.push({ line: i, kind: m[1], rule: rule.trim() });
    }
  });
  return out;
}

export function fixturePath(rule: Rule): string {
  return join('test', 'fixtures', rule.category, `${rule.name}.py`);
}
