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
    // A file outside the set's folder (`seclens scan /elsewhere --exclude tests/` from another
    // folder) is matched by its whole path, so unanchored patterns still apply to it; settings
    // files' patterns stay relative to their own folder.
    const rel = relativeTo(path.resolve(set.base || '.'), abs) ?? (set.anywhere ? relativeTo(path.parse(abs).root, abs) : null);
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
  private readonly scanRoots: string[];

  /**
   * `scanRoots`: folders the user named. A `.gitignore` above one of them that ignores the
   * folder itself (`seclens scan ~/.pyenv/versions/3.11/lib` under pyenv's `/versions`) does
   * not apply inside it: naming a folder asks for it to be scanned.
   */
  constructor(scanRoots: string[] = []) {
    this.scanRoots = scanRoots.map((r) => path.resolve(r));
  }

  private overridden(abs: string, d: string, set: ExcludeSet): boolean {
    return this.scanRoots.some((root) => {
      const inRoot = abs === root || abs.startsWith(root + path.sep);
      const above = d === root || root.startsWith(d + path.sep);
      return inRoot && above && d !== root && isExcluded(root, [set], true);
    });
  }

  ignored(file: string, dir = false): boolean {
    const abs = path.resolve(file);
    let d = path.dirname(abs);
    for (;;) {
      if (!this.sets.has(d)) this.sets.set(d, gitignoreIn(d));
      const set = this.sets.get(d);
      if (set && isExcluded(abs, [set], dir) && !this.overridden(abs, d, set)) return true;
      if (!this.roots.has(d)) this.roots.set(d, existsSync(path.join(d, '.git')));
      const parent = path.dirname(d);
      if (this.roots.get(d) || parent === d) return false;
      d = parent;
    }
  }
}
