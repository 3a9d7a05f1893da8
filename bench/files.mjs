// The Python files under some paths, found the way `seclens scan` finds them (same skipped
// folders, sorted), so every tool in the benchmark is given the same files.
import { lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const SKIP_DIRS = new Set(['node_modules', '__pycache__', '.git', '.hg', '.svn', '.tox', '.nox', '.venv', '.mypy_cache', '.pytest_cache']);

export function pythonFiles(paths) {
  const out = [];
  const stack = [];
  for (const p of paths) {
    if (lstatSync(p).isDirectory()) stack.push(p);
    else out.push(p);
  }
  while (stack.length) {
    const dir = stack.pop();
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, e.name);
      if (e.isDirectory()) {
        if (!SKIP_DIRS.has(e.name)) stack.push(full);
      } else if ((e.isFile() || e.isSymbolicLink()) && e.name.endsWith('.py')) out.push(full);
    }
  }
  return out.sort();
}
