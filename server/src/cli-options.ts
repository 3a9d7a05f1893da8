// `seclens scan` flags -> the settings model: one more Layer on top of pyproject.toml, plus
// what only the CLI does (output, exit status, baseline, progress).
import type { Level } from './engine/types';
import { CONFIDENCES, ruleMatches, type Layer, type RuleCustomization } from './config/schema';
import type { Rule } from './engine/rule';
import type { Confidence } from './engine/types';
import { parseSize } from './scan';

export type Format = 'text' | 'json' | 'sarif';
export type FailOn = Level | 'never';

export class UsageError extends Error {}

export interface ScanArgs {
  paths: string[];
  format: Format;
  output?: string;
  config?: string;
  exclude: string[];
  select: string[];
  ignore: string[];
  minConfidence?: Confidence;
  failOn: FailOn;
  baseline?: string;
  ignoreSuppressions: boolean;
  unusedSuppressions: boolean;
  gitignore: boolean;
  progress: boolean;
  /** Bytes; larger files are skipped (default in scan.ts). */
  maxFileSize?: number;
  /** Worker threads (default: one per core). */
  jobs?: number;
}

const list = (v: string) => v.split(',').map((s) => s.trim()).filter(Boolean);

export function parseScanArgs(argv: string[]): ScanArgs {
  const args: ScanArgs = {
    paths: [], format: 'text', exclude: [], select: [], ignore: [], failOn: 'warning',
    ignoreSuppressions: false, unusedSuppressions: false, gitignore: true, progress: true,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const flag = a.startsWith('--') && a.includes('=') ? a.slice(0, a.indexOf('=')) : a;
    const value = (): string => {
      const eq = a.indexOf('=');
      if (a.startsWith('--') && eq >= 0) return a.slice(eq + 1);
      const next = argv[++i];
      if (next === undefined) throw new UsageError(`${flag} needs a value`);
      return next;
    };
    switch (flag) {
      case '--format': {
        const f = value();
        if (f !== 'text' && f !== 'json' && f !== 'sarif') throw new UsageError(`unknown format '${f}' (text, json or sarif)`);
        args.format = f;
        break;
      }
      case '--output':
      case '-o':
        args.output = value();
        break;
      case '--config':
        args.config = value();
        break;
      case '--exclude':
        args.exclude.push(...list(value()));
        break;
      case '--select':
        args.select.push(...list(value()));
        break;
      case '--ignore':
        args.ignore.push(...list(value()));
        break;
      case '--min-confidence': {
        const c = value();
        if (!(CONFIDENCES as string[]).includes(c)) throw new UsageError(`--min-confidence: '${c}' is not low, medium or high`);
        args.minConfidence = c as Confidence;
        break;
      }
      case '--fail-on': {
        const l = value();
        if (!['error', 'warning', 'info', 'never'].includes(l)) throw new UsageError(`--fail-on: '${l}' is not error, warning, info or never`);
        args.failOn = l as FailOn;
        break;
      }
      case '--baseline':
        args.baseline = value();
        break;
      case '--ignore-suppressions':
        args.ignoreSuppressions = true;
        break;
      case '--unused-suppressions':
        args.unusedSuppressions = true;
        break;
      case '--no-gitignore':
        args.gitignore = false;
        break;
      case '--no-progress':
        args.progress = false;
        break;
      case '--max-file-size': {
        const size = parseSize(value());
        if (!(size > 0)) throw new UsageError('--max-file-size needs a size such as 2000000, 512k or 4M');
        args.maxFileSize = size;
        break;
      }
      case '--jobs':
      case '-j': {
        const jobs = Number(value());
        if (!Number.isInteger(jobs) || jobs < 1) throw new UsageError('--jobs needs a whole number of at least 1');
        args.jobs = jobs;
        break;
      }
      default:
        if (a.startsWith('-') && a !== '-') throw new UsageError(`unknown option '${a}'`);
        args.paths.push(a);
    }
  }
  if (args.paths.length === 0) throw new UsageError('scan needs at least one PATH');
  return args;
}

/** The flags as the top settings layer; `--select` switches every other rule off. */
export function flagsLayer(args: ScanArgs, cwd: string, known: readonly Rule[]): Layer {
  for (const [flag, patterns] of [['--select', args.select], ['--ignore', args.ignore]] as const) {
    for (const p of patterns) {
      if (!known.some((r) => ruleMatches(p, r))) throw new UsageError(`${flag}: '${p}' matches no rule (names, codes and globs such as 'SL1*' are accepted)`);
    }
  }
  const rules: RuleCustomization[] = [];
  // Rules left out by --select are switched off; the selected are switched on (even if
  // pyproject.toml had them off) and keep a level pyproject.toml gave them.
  if (args.select.length > 0) {
    for (const r of known) if (!args.select.some((p) => ruleMatches(p, r))) rules.push({ rule: r.name, level: 'off' });
    for (const p of args.select) rules.push({ rule: p, level: 'default' });
  }
  for (const s of args.ignore) rules.push({ rule: s, level: 'off' });
  return {
    rules: rules.length > 0 ? rules : undefined,
    minConfidence: args.minConfidence,
    exclude: args.exclude.length > 0 ? { base: cwd, patterns: args.exclude, anywhere: true } : undefined,
    ignoreSuppressions: args.ignoreSuppressions || undefined,
  };
}
