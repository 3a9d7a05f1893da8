// Headless scanning for the CLI: find Python files, read each once, analyse, and format.
import { lstatSync, readdirSync, readFileSync, statSync, type Stats } from 'node:fs';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import * as path from 'node:path';
import { initParser } from './engine/parser';
import type { Rule } from './engine/rule';
import { analyze, EXHAUSTIVE } from './engine/run';
import { parseForAnalysis } from './engine/sparse';
import { decodeSource } from './engine/source';
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
  /** Bytes; larger files are skipped with one message each. */
  maxFileSize?: number;
  /** Worker threads; 0 or 1 scans on this thread. */
  workers?: number;
  /** The script a worker runs (the CLI bundle itself); without it the scan stays on this thread. */
  workerScript?: string;
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


/** Files larger than this are skipped: generated or vendored code, not worth the memory. */
export const DEFAULT_MAX_FILE_SIZE = 2 * 1024 * 1024;

/** What scanning one file gave: findings, or why it was skipped, plus messages for stderr. */
interface FileOutcome {
  findings?: Finding[];
  unused?: UnusedSuppression[];
  skipped?: string;
  error?: boolean;
  messages: string[];
}

/** One file's job as plain data (it travels to a worker): index, path, and its plan. */
type Job = [index: number, file: string, rules: string[], ignoreSuppressions: boolean, unused: boolean];

/** Rules by the set of names a plan asks for (one subset per distinct plan, cached). */
class RuleSubsets {
  private readonly subsets = new Map<string, readonly Rule[]>();
  constructor(private readonly all: readonly Rule[]) {}
  get(names: string[]): readonly Rule[] {
    const key = names.join(',');
    let subset = this.subsets.get(key);
    if (!subset) {
      const wanted = new Set(names);
      subset = this.all.filter((r) => wanted.has(r.name));
      this.subsets.set(key, subset);
    }
    return subset;
  }
}

/** Reads, parses, analyses and fingerprints one file; never throws. */
function scanFile(job: Job, subsets: RuleSubsets, maxFileSize: number): FileOutcome {
  const [, file, names, ignoreSuppressions, wantUnused] = job;
  const messages: string[] = [];
  let bytes: Buffer;
  try {
    const size = statSync(file).size;
    if (size > maxFileSize) {
      const reason = `larger than the ${formatSize(maxFileSize)} limit (${formatSize(size)}; raise it with --max-file-size)`;
      return { skipped: reason, messages: [`skipped ${file}: ${reason}`] };
    }
    bytes = readFileSync(file);
  } catch (error) {
    return { error: true, messages: [`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`] };
  }
  const decoded = decodeSource(bytes);
  if ('skipped' in decoded) return { skipped: decoded.skipped, messages: [`skipped ${file}: ${decoded.skipped}`] };
  const text = decoded.text;
  const rules = subsets.get(names);
  // Parsed once, without the code no rule can report in (sparse.ts); positions are unchanged.
  const parsed = parseForAnalysis(text, rules, EXHAUSTIVE);
  const tree = parsed.tree;
  let findings: Finding[];
  let unused: UnusedSuppression[] | undefined;
  try {
    findings = analyze(tree, parsed.text, rules, {
      known: parsed.known,
      ignoreSuppressions,
      onUnusedSuppressions: wantUnused ? (u) => (unused = u) : undefined,
      onRuleError: (rule, error) => messages.push(`rule ${rule.name} failed on ${file}: ${error instanceof Error ? error.message : String(error)}`),
    });
  } finally {
    tree.delete();
  }
  // Fingerprints need the text, which stays where it was read.
  return { findings: addFingerprints(findings, text), unused, messages };
}

export function formatSize(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${+(bytes / 1024 / 1024).toFixed(1)} MiB`;
  if (bytes >= 1024) return `${+(bytes / 1024).toFixed(1)} KiB`;
  return `${bytes} bytes`;
}

/** `2M`, `512k`, `1000000` -> bytes; NaN when not a size. */
export function parseSize(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([kmg]?)i?b?$/i.exec(text.trim());
  if (!m) return NaN;
  const unit = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[m[2].toLowerCase() as '' | 'k' | 'm' | 'g'];
  return Math.floor(Number(m[1]) * unit);
}

export async function scanPaths(paths: string[], rules: readonly Rule[], report: (m: string) => void, options: ScanOptions = {}): Promise<ScanResult> {
  const result: ScanResult = { files: [], scanned: 0, skipped: [], errors: 0 };
  const files = collect(paths, report, result, options.skip);
  const maxFileSize = options.maxFileSize ?? DEFAULT_MAX_FILE_SIZE;
  // Plans are closures over the settings: evaluated here, sent on as plain data.
  const allNames = rules.map((r) => r.name);
  const jobs: Job[] = [];
  for (const file of files) {
    const plan = options.plan ? options.plan(file) : { rules: allNames };
    if (plan) jobs.push([jobs.length, file, plan.rules, !!plan.ignoreSuppressions, !!plan.unused]);
  }
  // A worker costs a parser and a copy of the rules: only worth it for more than a few files.
  const workers = Math.min(options.workers ?? 1, Math.ceil(jobs.length / 8));
  let done = 0;
  const tick = () => options.progress?.(done++, jobs.length);
  const outcomes = workers > 1 && options.workerScript
    ? await scanInWorkers(jobs, rules, maxFileSize, workers, options.workerScript, tick)
    : await scanHere(jobs, rules, maxFileSize, tick);
  options.progress?.(jobs.length, jobs.length);
  // Merged in path order whichever thread finished first; `post` runs here, in that order.
  outcomes.forEach((o, i) => {
    const file = jobs[i][1];
    for (const m of o.messages) report(m);
    if (o.error) result.errors++;
    else if (o.skipped) result.skipped.push({ path: toUri(file), reason: o.skipped });
    else {
      let findings = o.findings!;
      if (options.post) findings = options.post(file, toUri(file), findings, o.unused);
      result.scanned++;
      if (findings.length > 0) result.files.push({ uri: toUri(file), findings });
    }
  });
  return result;
}

async function scanHere(jobs: Job[], rules: readonly Rule[], maxFileSize: number, tick: () => void): Promise<FileOutcome[]> {
  await initParser();
  const subsets = new RuleSubsets(rules);
  return jobs.map((job) => {
    tick();
    return scanFile(job, subsets, maxFileSize);
  });
}

/** Worker heap limits (MiB): see scanInWorkers. */
const WORKER_YOUNG_MB = 12;
const WORKER_OLD_MB = Number(process.env.SECLENS_WORKER_HEAP_MB) || 64;

/** Files go out in small batches as workers ask, so a slow file does not hold up a whole share. */
const BATCH = 4;

function scanInWorkers(jobs: Job[], rules: readonly Rule[], maxFileSize: number, count: number, script: string, tick: () => void): Promise<FileOutcome[]> {
  const outcomes: FileOutcome[] = new Array(jobs.length);
  let next = 0;
  let running = count;
  /** Jobs of a worker that died (out of memory on a huge file): scanned again on this thread. */
  const orphans: Job[] = [];
  let died = 0;
  return new Promise((resolve, reject) => {
    const finish = async () => {
      // If every worker died, what was never sent is left too.
      while (next < jobs.length) orphans.push(jobs[next++]);
      if (orphans.length > 0) {
        const again = await scanHere(orphans, rules, maxFileSize, tick);
        again.forEach((o, i) => (outcomes[orphans[i][0]] = o));
        if (died > 0) again[0].messages.unshift(`${died} worker thread(s) ran out of memory; ${orphans.length} file(s) scanned again on the main thread`);
      }
      for (let i = 0; i < jobs.length; i++) outcomes[i] ??= { error: true, messages: [`internal error: no result for ${jobs[i][1]}`] };
      resolve(outcomes);
    };
    for (let w = 0; w < count; w++) {
      const worker = new Worker(script, {
        workerData: { seclensScanWorker: true, maxFileSize },
        stdout: false,
        stderr: false,
        // Peak memory is mostly garbage V8 has not collected yet: a file's garbage dies young and
        // the live data is small, so each worker's heap is kept small. A file that needs more
        // kills its worker, and its batch is scanned again on this thread, which has no limit.
        resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_MB, maxOldGenerationSizeMb: WORKER_OLD_MB },
      });
      let inFlight: Job[] = [];
      const feed = () => {
        const batch: Job[] = [];
        while (batch.length < BATCH && next < jobs.length) batch.push(jobs[next++]);
        inFlight = batch;
        worker.postMessage(batch);
      };
      worker.on('message', (m: [number, FileOutcome][] | 'ready') => {
        if (m !== 'ready') {
          for (const [i, o] of m) {
            outcomes[i] = o;
            tick();
          }
        }
        feed();
      });
      worker.on('error', () => {
        died++;
        orphans.push(...inFlight);
        inFlight = [];
      });
      worker.on('exit', () => {
        if (--running === 0) finish().catch(reject);
      });
    }
  });
}

/**
 * The worker side (the CLI bundle started with `workerData.seclensScanWorker`): initialise the
 * parser once, then scan each batch of jobs the main thread sends; an empty batch means done.
 * Each job names its rules (from the file's plan), looked up in the registry given here.
 */
export async function runScanWorker(allRules: readonly Rule[]): Promise<void> {
  const data = workerData as { maxFileSize: number };
  const subsets = new RuleSubsets(allRules);
  await initParser();
  const port = parentPort!;
  port.on('message', (batch: Job[]) => {
    if (batch.length === 0) {
      port.close();
      return;
    }
    port.postMessage(batch.map((job) => [job[0], scanFile(job, subsets, data.maxFileSize)]));
  });
  port.postMessage('ready');
}

export function isScanWorker(): boolean {
  return !isMainThread && !!(workerData as { seclensScanWorker?: boolean } | null)?.seclensScanWorker;
}

/** The report of a scan as a JSON value (`json`, `sarif`; see report/write-json.ts), or its text. */
export function formatReport(result: ScanResult, format: Format, rules: readonly Rule[], version: string): object | string {
  if (format === 'sarif') return toSarif(result.files, rules, version);
  if (format === 'json') {
    const findings = result.files.flatMap((f) => f.findings.map(({ suppressLines: _, ...x }) => ({ path: f.uri, ...x })));
    return { version, scanned: result.scanned, skipped: result.skipped, findings };
  }
  return result.files
    .flatMap((f) => f.findings.map((x) => `${f.uri}:${x.range.start.line + 1}:${x.range.start.character + 1}: ${x.code} ${x.rule} ${x.message}\n`))
    .join('');
}
