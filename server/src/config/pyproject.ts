// `[tool.seclens]` in the nearest pyproject.toml: walk up from the analysed file's folder,
// stopping at the workspace root, and take the first pyproject.toml that has a
// `[tool.seclens]` table, or that cannot be parsed (its problem is reported, defaults apply).
import TOML from '@iarna/toml';
import { readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import type { Rule } from '../engine/rule';
import { tomlLayer, type Layer, type Problem } from './schema';

export interface ConfigFile {
  file: string;
  /** Undefined when the file could not be read or parsed. */
  layer?: Layer;
  problems: Problem[];
}

type Known = readonly Pick<Rule, 'name' | 'code' | 'category'>[];

/**
 * Reads a TOML settings file. A pyproject.toml (or any file with a `[tool.seclens]` table)
 * contributes that table; a file without one (e.g. `seclens.toml`, only with `explicit`)
 * contributes its top-level keys. Returns null for a pyproject.toml without `[tool.seclens]`.
 */
export function loadConfigFile(file: string, known: Known, explicit = false): ConfigFile | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    return { file, problems: [{ file, key: '(file)', message: `cannot read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}` }] };
  }
  // A pyproject.toml that never mentions us is not parsed at all: its syntax is not our business.
  if (!explicit && !/^\s*\[\s*tool\s*\.\s*seclens\b|^\s*tool\s*\.\s*seclens\b|\btool\s*=\s*\{[^}]*seclens/m.test(text)) return null;
  let data: Record<string, unknown>;
  try {
    data = TOML.parse(text) as Record<string, unknown>;
  } catch (error) {
    const message = (error as Error).message.split('\n')[0];
    return { file, problems: [{ file, key: '(syntax)', message: `not valid TOML: ${message}; using the defaults` }] };
  }
  const tool = data.tool as Record<string, unknown> | undefined;
  const base = path.dirname(path.resolve(file));
  if (tool && typeof tool === 'object' && 'seclens' in tool) {
    const { layer, problems } = tomlLayer(tool.seclens, file, 'tool.seclens.', base, known);
    return { file, layer, problems };
  }
  if (!explicit) return null;
  const { layer, problems } = tomlLayer(data, file, '', base, known);
  return { file, layer, problems };
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

/** Finds and caches the governing pyproject.toml per folder. `invalidate()` after a file changes. */
export class PyprojectFinder {
  private readonly byDir = new Map<string, ConfigFile | null>();

  constructor(private readonly known: Known) {}

  /** For a file at `filePath`; `root` (a folder) bounds the walk, inclusive. */
  find(filePath: string, root?: string): ConfigFile | null {
    const stop = root ? path.resolve(root) : undefined;
    let dir = path.dirname(path.resolve(filePath));
    const visited: string[] = [];
    let found: ConfigFile | null = null;
    for (;;) {
      if (this.byDir.has(dir)) {
        found = this.byDir.get(dir)!;
        break;
      }
      visited.push(dir);
      const candidate = path.join(dir, 'pyproject.toml');
      if (isFile(candidate)) {
        found = loadConfigFile(candidate, this.known);
        if (found) break;
      }
      const parent = path.dirname(dir);
      if (dir === stop || parent === dir || (stop && !isInside(parent, stop))) break;
      dir = parent;
    }
    for (const d of visited) this.byDir.set(d, found);
    return found;
  }

  invalidate(): void {
    this.byDir.clear();
  }
}

export function isInside(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}
