// Which files to skip: `exclude` patterns (gitignore syntax, relative to the folder of the file
// or workspace that set them) and, for folder walks, the `.gitignore` files on the way down.
// Shared by the CLI and the workspace scan.
import ignore, { type Ignore } from 'ignore';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { ExcludeSet } from './schema';

const compiled = new WeakMap<ExcludeSet, Ignore>();

function matcher(set: ExcludeSet): Ignore {
  let ig = compiled.get(set);
  if (!ig) {
    ig = ignore().add(set.patterns);
    compiled.set(set, ig);
  }
  return ig;
}

function relativeTo(base: string, file: string): string | null {
  const rel = path.relative(base, file);
  if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) return null;
  return rel.split(path.sep).join('/');
}

/** Is `file` (absolute, or relative to the cwd) excluded by any set? `dir` marks a folder. */
export function isExcluded(file: string, sets: readonly ExcludeSet[], dir = false): boolean {
  const abs = path.resolve(file);
  for (const set of sets) {
    const rel = relativeTo(path.resolve(set.base || '.'), abs);
    if (rel !== null && matcher(set).ignores(dir ? `${rel}/` : rel)) return true;
  }
  return false;
}

/** The `.gitignore` of a folder as an ExcludeSet, or null if it has none. */
export function gitignoreIn(dir: string): ExcludeSet | null {
  let text: string;
  try {
    text = readFileSync(path.join(dir, '.gitignore'), 'utf8');
  } catch {
    return null;
  }
  const patterns = text.split(/\r?\n/).filter((l) => l.trim() !== '' && !l.startsWith('#'));
  return patterns.length > 0 ? { base: path.resolve(dir), patterns } : null;
}

/**
 * `.gitignore` files from a path's folder up to its repository root (the first folder holding
 * `.git`) or the filesystem root, read once per folder.
 */
export class GitignoreFilter {
  private readonly sets = new Map<string, ExcludeSet | null>();
  private readonly roots = new Map<string, boolean>();

  ignored(file: string, dir = false): boolean {
    const abs = path.resolve(file);
    let d = path.dirname(abs);
    for (;;) {
      if (!this.sets.has(d)) this.sets.set(d, gitignoreIn(d));
      const set = this.sets.get(d);
      if (set && isExcluded(abs, [set], dir)) return true;
      if (!this.roots.has(d)) this.roots.set(d, existsSync(path.join(d, '.git')));
      const parent = path.dirname(d);
      if (this.roots.get(d) || parent === d) return false;
      d = parent;
    }
  }
}
