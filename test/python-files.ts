// Every Python file under a folder, in a stable order (tests that compare two ways of analysing).
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export function pythonFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...pythonFiles(p));
    else if (name.endsWith('.py')) out.push(p);
  }
  return out;
}
