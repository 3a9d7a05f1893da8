// The one settings model for the editor and the CLI: what each key means, its default, and the
// validation of one source (editor settings, a pyproject.toml, CLI flags) into a Layer that
// holds only what that source sets. Problems name the file and the key; a bad key falls back
// to its default and never stops the analysis.
import type { Rule } from '../engine/rule';
import type { Confidence, Level } from '../engine/types';

export type RunMode = 'onType' | 'onSave';
/** What a customization does to a rule: switch it off, pin its level, or (CLI --select) keep its default. */
export type RuleSetting = 'off' | Level | 'default';

export interface RuleCustomization {
  /** A rule name, a code (`SL101`), or a glob over either (`*-injection`, `SL1*`). */
  rule: string;
  level: RuleSetting;
}

/** Gitignore-style patterns, relative to `base` (the folder of the file or workspace that set them). */
export interface ExcludeSet {
  base: string;
  patterns: string[];
  /** Command-line `--exclude`: a file outside `base` is matched by its whole path. */
  anywhere?: boolean;
}

/** One source's settings: only the keys it sets. */
export interface Layer {
  enable?: boolean;
  run?: RunMode;
  rules?: RuleCustomization[];
  minConfidence?: Confidence;
  exclude?: ExcludeSet;
  ignoreSuppressions?: boolean;
}

export interface Config {
  enable: boolean;
  run: RunMode;
  /** In order of precedence, lowest first: the last entry that matches a rule wins. */
  rules: RuleCustomization[];
  minConfidence: Confidence;
  exclude: ExcludeSet[];
  ignoreSuppressions: boolean;
}

export const DEFAULTS: Config = Object.freeze({
  enable: true,
  run: 'onType',
  rules: [],
  minConfidence: 'low',
  exclude: [],
  ignoreSuppressions: false,
}) as Config;

export interface Problem {
  /** The file (or `settings`, `command line`) that holds the bad key. */
  file: string;
  /** The full key, e.g. `tool.seclens.min-confidence` or `seclens.rules.customizations[2]`. */
  key: string;
  message: string;
}

export const RULE_SETTINGS: readonly string[] = ['off', 'info', 'warning', 'error'];
export const CONFIDENCES: readonly Confidence[] = ['low', 'medium', 'high'];
export const RUN_MODES: readonly RunMode[] = ['onType', 'onSave'];

/** Does a customization pattern name this rule (by name, code, or a glob over either)? */
export function ruleMatches(pattern: string, rule: Pick<Rule, 'name' | 'code' | 'category'>): boolean {
  const p = pattern.trim();
  if (!/[*?]/.test(p)) return p === rule.name || p.toUpperCase() === rule.code;
  const re = new RegExp(`^${p.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i');
  return re.test(rule.name) || re.test(rule.code) || re.test(`${rule.category}/${rule.name}`);
}

type Known = readonly Pick<Rule, 'name' | 'code' | 'category'>[];

const describe = (v: unknown) => (typeof v === 'string' ? `'${v}'` : JSON.stringify(v));

/** Shared checks; `problem` records against `prefix + key`. */
class Checker {
  readonly problems: Problem[] = [];
  constructor(private readonly file: string, private readonly prefix: string) {}

  problem(key: string, message: string): void {
    this.problems.push({ file: this.file, key: `${this.prefix}${key}`, message });
  }

  oneOf<T extends string>(key: string, v: unknown, allowed: readonly T[]): T | undefined {
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'string' && (allowed as readonly string[]).includes(v)) return v as T;
    this.problem(key, `${describe(v)} is not one of ${allowed.map((a) => `'${a}'`).join(', ')}; using the default`);
    return undefined;
  }

  bool(key: string, v: unknown): boolean | undefined {
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'boolean') return v;
    this.problem(key, `${describe(v)} is not true or false; using the default`);
    return undefined;
  }

  strings(key: string, v: unknown): string[] | undefined {
    if (v === undefined || v === null) return undefined;
    if (Array.isArray(v) && v.every((s) => typeof s === 'string')) return v as string[];
    if (typeof v === 'string') return [v];
    this.problem(key, `${describe(v)} is not a list of strings; ignored`);
    return undefined;
  }

  rule(key: string, pattern: unknown, level: unknown, known: Known): RuleCustomization | undefined {
    if (typeof pattern !== 'string' || pattern.trim() === '') {
      this.problem(key, `${describe(pattern)} is not a rule name, code or glob; ignored`);
      return undefined;
    }
    if (typeof level !== 'string' || !RULE_SETTINGS.includes(level)) {
      this.problem(key, `level ${describe(level)} for '${pattern}' is not one of ${RULE_SETTINGS.map((a) => `'${a}'`).join(', ')}; ignored`);
      return undefined;
    }
    if (!known.some((r) => ruleMatches(pattern, r))) {
      this.problem(key, `'${pattern}' matches no SecLens rule (names, codes and globs are accepted); ignored`);
      return undefined;
    }
    return { rule: pattern.trim(), level: level as RuleSetting };
  }

  /** A map `{pattern: level}` or (editor) a list of `{rule, severity|level}`. */
  rules(key: string, v: unknown, known: Known): RuleCustomization[] | undefined {
    if (v === undefined || v === null) return undefined;
    const out: RuleCustomization[] = [];
    if (Array.isArray(v)) {
      v.forEach((item, i) => {
        if (item && typeof item === 'object' && !Array.isArray(item)) {
          const o = item as Record<string, unknown>;
          const c = this.rule(`${key}[${i}]`, o.rule, o.severity ?? o.level, known);
          if (c) out.push(c);
        } else {
          this.problem(`${key}[${i}]`, `${describe(item)} is not {"rule": ..., "severity": ...}; ignored`);
        }
      });
      return out;
    }
    if (typeof v === 'object') {
      for (const [pattern, level] of Object.entries(v as Record<string, unknown>)) {
        const c = this.rule(`${key}.${/^[\w-]+$/.test(pattern) ? pattern : JSON.stringify(pattern)}`, pattern, level, known);
        if (c) out.push(c);
      }
      return out;
    }
    this.problem(key, `${describe(v)} is not a table of rule -> level; ignored`);
    return undefined;
  }
}

function isTable(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Date);
}

/**
 * The `seclens` section of the editor's settings (`workspace/configuration`). `base` is the
 * workspace folder, for `exclude`.
 */
export function editorLayer(raw: unknown, base: string | undefined, known: Known): { layer: Layer; problems: Problem[] } {
  const c = new Checker('settings', 'seclens.');
  const layer: Layer = {};
  if (!isTable(raw)) return { layer, problems: [] };
  layer.enable = c.bool('enable', raw.enable);
  layer.run = c.oneOf('run', raw.run, RUN_MODES);
  layer.minConfidence = c.oneOf('minConfidence', raw.minConfidence, CONFIDENCES);
  const rules = raw.rules;
  if (isTable(rules)) layer.rules = c.rules('rules.customizations', rules.customizations, known);
  else if (rules !== undefined && rules !== null) c.problem('rules', `${describe(rules)} is not an object with "customizations"; ignored`);
  const exclude = c.strings('exclude', raw.exclude);
  if (exclude && exclude.length > 0) layer.exclude = { base: base ?? '', patterns: exclude };
  return { layer, problems: c.problems };
}

const PYPROJECT_KEYS: Record<string, keyof Layer> = {
  exclude: 'exclude',
  'min-confidence': 'minConfidence',
  minConfidence: 'minConfidence',
  rules: 'rules',
  'ignore-suppressions': 'ignoreSuppressions',
};

/**
 * A `[tool.seclens]` table (from pyproject.toml or a --config file). `base` is the folder of
 * that file, against which `exclude` patterns are resolved. `enable` and `run` are editor-only.
 */
export function tomlLayer(table: unknown, file: string, prefix: string, base: string, known: Known): { layer: Layer; problems: Problem[] } {
  const c = new Checker(file, prefix);
  const layer: Layer = {};
  if (!isTable(table)) {
    c.problem('', `is ${describe(table)}, not a table; ignored`);
    return { layer, problems: c.problems };
  }
  for (const [key, value] of Object.entries(table)) {
    switch (PYPROJECT_KEYS[key]) {
      case 'exclude': {
        const patterns = c.strings(key, value);
        if (patterns && patterns.length > 0) layer.exclude = { base, patterns };
        break;
      }
      case 'minConfidence':
        layer.minConfidence = c.oneOf(key, value, CONFIDENCES);
        break;
      case 'rules':
        if (Array.isArray(value)) c.problem(key, 'is a list; write a table of rule -> level, e.g. [tool.seclens.rules] "SL101" = "off"');
        else layer.rules = c.rules(key, value, known);
        break;
      case 'ignoreSuppressions':
        layer.ignoreSuppressions = c.bool(key, value);
        break;
      default:
        c.problem(key, `unknown key (known: ${Object.keys(PYPROJECT_KEYS).filter((k) => k !== 'minConfidence').join(', ')}; 'enable' and 'run' are editor settings)`);
    }
  }
  return { layer, problems: c.problems };
}

/** Defaults, then each layer in order: later scalars win, rule customizations and excludes add up. */
export function merge(layers: readonly (Layer | undefined)[]): Config {
  const config: Config = { ...DEFAULTS, rules: [], exclude: [] };
  for (const l of layers) {
    if (!l) continue;
    if (l.enable !== undefined) config.enable = l.enable;
    if (l.run !== undefined) config.run = l.run;
    if (l.minConfidence !== undefined) config.minConfidence = l.minConfidence;
    if (l.ignoreSuppressions !== undefined) config.ignoreSuppressions = l.ignoreSuppressions;
    if (l.rules) config.rules.push(...l.rules);
    if (l.exclude) config.exclude.push(l.exclude);
  }
  return config;
}

export function formatProblem(p: Problem): string {
  return `${p.file}: ${p.key}: ${p.message}`;
}
