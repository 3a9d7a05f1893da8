// Headless scanning for the CLI: find Python files, read each once, analyse, and format.
import { lstatSync, readdirSync, readFileSync, type Stats } from 'node:fs';
import * as path from 'node:path';
import { initParser, parse } from './engine/parser';
import type { Rule } from './engine/rule';
import { analyze } from './engine/run';
import type { UnusedSuppression } from './engine/suppressions';
import type { Finding } from './engine/types';
import { addFingerprints } from './report/baseline';
import { toSarif, type FileFindings } from './report/sarif';

export type Format = 'text' | 'json' | 'sarif';

export interface ScanResult {
  files: FileFindings[];
  scanned: number;
  skipped: { path: string; reason: string }[];
  /** Paths that could not be read at all (missing, permission denied). */
  errors: number;
}

export interface ScanOptions {
  /** Leaves out a file or (dir) a folder met while walking a folder; named paths are kept. */
  skip?: (file: string, dir: boolean) => boolean;
  /** The settings for one file as plain data (so it can travel to a worker), or null to leave it out. */
  plan?: (file: string) => FilePlan | null;
  /** Edits a file's findings after analysis (settings, baseline); `unused` when the plan asked. */
  post?: (file: string, uri: string, findings: Finding[], unused: UnusedSuppression[] | undefined) => Finding[];
  progress?: (done: number, total: number) => void;
}

export interface FilePlan {
  /** Names of the rules to run. */
  rules: string[];
  ignoreSuppressions?: boolean;
  /** Collect the `seclens: ignore` names that silence nothing. */
  unused?: boolean;
}

/** Folders that hold no project source or are another tool's copy of packages. */
const SKIP_DIRS = new Set(['node_modules', '__pycache__', '.git', '.hg', '.svn', '.tox', '.nox', '.venv', '.mypy_cache', '.pytest_cache']);

function toUri(file: string): string {
  const rel = path.relative(process.cwd(), file);
  return (rel.startsWith('..') || path.isAbsolute(rel) ? file : rel).split(path.sep).join('/');
}

/**
 * Every `*.py` under the given paths, in a stable order. `skip` prunes folders and files found
 * while walking (the editor's workspace scan passes .gitignore and `seclens.exclude` there).
 */
export function collect(
  paths: string[],
  report: (m: string) => void,
  result: Pick<ScanResult, 'errors'>,
  skip?: (full: string, isDir: boolean) => boolean,
): string[] {
  const out: string[] = [];
  const stack: string[] = [];
  for (const p of paths) {
    let st: Stats;
    try {
      st = lstatSync(p);
    } catch (error) {
      report(`cannot read ${p}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
      result.errors++;
      continue;
    }
    if (st.isDirectory()) stack.push(p);
    else out.push(p); // an explicitly named file is scanned whatever its extension
  }
  while (stack.length > 0) {
    const dir = stack.pop()!;
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? 1 : -1));
    } catch (error) {
      report(`cannot list ${dir}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
      result.errors++;
      continue;
    }
    for (const e of entries) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) {
        if (!SKIP_DIRS.has(e.name) && !skip?.(full, true)) stack.push(full);
      } else if ((e.isFile() || e.isSymbolicLink()) && e.name.endsWith('.py') && !skip?.(full, false)) {
        // A linked file is read through its link; linked folders are not walked (no cycles).
        out.push(full);
      }
    }
  }
  return out.sort();
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

export async function scanPaths(paths: string[], rules: readonly Rule[], report: (m: string) => void, options: ScanOptions = {}): Promise<ScanResult> {
  await initParser();
  const result: ScanResult = { files: [], scanned: 0, skipped: [], errors: 0 };
  const files = collect(paths, report, result, options.skip);
  const subsets = new Map<string, readonly Rule[]>();
  let done = 0;
  for (const file of files) {
    options.progress?.(done++, files.length);
    const plan = options.plan ? options.plan(file) : { rules: rules.map((r) => r.name) };
    if (!plan) continue;
    const key = plan.rules.join(',');
    if (!subsets.has(key)) subsets.set(key, rules.filter((r) => plan.rules.includes(r.name)));
    let bytes: Buffer;
    try {
      bytes = readFileSync(file);
    } catch (error) {
      report(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
      result.errors++;
      continue;
    }
    let text: string;
    try {
      text = utf8.decode(bytes);
    } catch {
      report(`skipped ${file}: not valid UTF-8`);
      result.skipped.push({ path: toUri(file), reason: 'not valid UTF-8' });
      continue;
    }
    const tree = parse(text);
    let findings: Finding[];
    let unused: UnusedSuppression[] | undefined;
    try {
      findings = analyze(tree, text, subsets.get(key)!, {
        ignoreSuppressions: plan.ignoreSuppressions,
        onUnusedSuppressions: plan.unused ? (u) => (unused = u) : undefined,
        onRuleError: (rule, error) => report(`rule ${rule.name} failed on ${file}: ${String(error)}`),
      });
    } finally {
      tree.delete();
    }
    findings = addFingerprints(findings, text);
    if (options.post) findings = options.post(file, toUri(file), findings, unused);
    result.scanned++;
    if (findings.length > 0) result.files.push({ uri: toUri(file), findings });
  }
  options.progress?.(files.length, files.length);
  return result;
}

export function formatReport(result: ScanResult, format: Format, rules: readonly Rule[], version: string): string {
  if (format === 'sarif') return JSON.stringify(toSarif(result.files, rules, version), null, 2) + '\n';
  if (format === 'json') {
    const findings = result.files.flatMap((f) => f.findings.map(({ suppressLines: _, ...x }) => ({ path: f.uri, ...x })));
    return JSON.stringify({ version, scanned: result.scanned, skipped: result.skipped, findings }, null, 2) + '\n';
  }
  return result.files
    .flatMap((f) => f.findings.map((x) => `${f.uri}:${x.range.start.line + 1}:${x.range.start.character + 1}: ${x.code} ${x.rule} ${x.message}\n`))
    .join('');
}
