// The settings in force for one file: defaults < [tool.seclens] of the nearest pyproject.toml <
// editor settings or CLI flags; plus whether `exclude` leaves the file out.
import type { Rule } from '../engine/rule';
import { isExcluded } from './exclude';
import type { ConfigFile } from './pyproject';
import { PyprojectFinder } from './pyproject';
import { DEFAULTS, merge, type Config, type Layer, type Problem } from './schema';

export interface DocConfig extends Config {
  excluded: boolean;
  /** The pyproject.toml (or --config file) that contributed, if any. */
  source?: string;
}

export const DEFAULT_DOC_CONFIG: DocConfig = Object.freeze({ ...DEFAULTS, excluded: false }) as DocConfig;

export interface Resolved {
  config: DocConfig;
  problems: Problem[];
}

/**
 * Resolves the settings for `file` (a path; undefined for an unsaved buffer). `file` may be
 * given explicitly (CLI --config) instead of being looked up from the file's folder up to `root`.
 */
export function resolveFor(
  file: string | undefined,
  finder: PyprojectFinder,
  root: string | undefined,
  top: Layer | undefined,
  explicit?: ConfigFile | null,
): Resolved {
  const project = explicit !== undefined ? explicit : file ? finder.find(file, root) : null;
  const config = merge([project?.layer, top]);
  return {
    config: { ...config, excluded: file ? isExcluded(file, config.exclude) : false, source: project?.file },
    problems: project?.problems ?? [],
  };
}

export { PyprojectFinder };
export type KnownRules = readonly Pick<Rule, 'name' | 'code' | 'category'>[];
