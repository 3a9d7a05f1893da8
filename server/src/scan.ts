// Headless scanning for the CLI: find Python files, read each once, analyse, and format.
import { lstatSync, readdirSync, readFileSync, statSync, type Stats } from 'node:fs';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import * as path from 'node:path';
import { initParser, parse } from './engine/parser';
import type { Rule } from './engine/rule';
import { analyze } from './engine/run';
import type { Finding } from './engine/types';
import { toSarif, type FileFindings } from './report/sarif';

export type Format = 'text' | 'json' | 'sarif';

export interface ScanResult {
  files: FileFindings[];
  scanned: number;
  skipped: { path: string; reason: string }[];
  /** Paths that could not be read at all (missing, permission denied). */
  errors: number;
}

/** Folders that hold no project source or are another tool's copy of packages. */
const SKIP_DIRS = new Set(['node_modules', '__pycache__', '.git', '.hg', '.svn', '.tox', '.nox', '.venv', '.mypy_cache', '.pytest_cache']);

function toUri(file: string): string {
  const rel = path.relative(process.cwd(), file);
  return (rel.startsWith('..') || path.isAbsolute(rel) ? file : rel).split(path.sep).join('/');
}

/** Every `*.py` under the given paths, in a stable order. */
function collect(paths: string[], report: (m: string) => void, result: ScanResult): string[] {
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
        if (!SKIP_DIRS.has(e.name)) stack.push(full);
      } else if ((e.isFile() || e.isSymbolicLink()) && e.name.endsWith('.py')) {
        // A linked file is read through its link; linked folders are not walked (no cycles).
        out.push(full);
      }
    }
  }
  return out.sort();
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Files larger than this are skipped: generated or vendored code, not worth the memory. */
export const DEFAULT_MAX_FILE_SIZE = 2 * 1024 * 1024;

export interface ScanOptions {
  /** Bytes; larger files are skipped with one message each. */
  maxFileSize?: number;
  /** Worker threads; 0 or 1 scans on this thread. */
  workers?: number;
  /** The script a worker runs (the CLI bundle itself); without it the scan stays on this thread. */
  workerScript?: string;
}

/** What scanning one file gave: findings, or why it was skipped, plus messages for stderr. */
interface FileOutcome {
  findings?: Finding[];
  skipped?: string;
  error?: boolean;
  messages: string[];
}

/** Reads, parses and analyses one file; never throws. */
function scanFile(file: string, rules: readonly Rule[], maxFileSize: number): FileOutcome {
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
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return { skipped: 'not valid UTF-8', messages: [`skipped ${file}: not valid UTF-8`] };
  }
  const tree = parse(text);
  try {
    const findings = analyze(tree, text, rules, {
      onRuleError: (rule, error) => messages.push(`rule ${rule.name} failed on ${file}: ${error instanceof Error ? error.message : String(error)}`),
    });
    return { findings, messages };
  } finally {
    tree.delete();
  }
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
  const files = collect(paths, report, result);
  const maxFileSize = options.maxFileSize ?? DEFAULT_MAX_FILE_SIZE;
  // A worker costs a parser and a copy of the rules: only worth it for more than a few files.
  const workers = Math.min(options.workers ?? 1, Math.ceil(files.length / 8));
  const outcomes = workers > 1 && options.workerScript
    ? await scanInWorkers(files, rules, maxFileSize, workers, options.workerScript)
    : await scanHere(files, rules, maxFileSize);
  // Merged in path order whichever thread finished first.
  outcomes.forEach((o, i) => {
    for (const m of o.messages) report(m);
    if (o.error) result.errors++;
    else if (o.skipped) result.skipped.push({ path: toUri(files[i]), reason: o.skipped });
    else {
      result.scanned++;
      if (o.findings!.length > 0) result.files.push({ uri: toUri(files[i]), findings: o.findings! });
    }
  });
  return result;
}

async function scanHere(files: string[], rules: readonly Rule[], maxFileSize: number): Promise<FileOutcome[]> {
  await initParser();
  return files.map((f) => scanFile(f, rules, maxFileSize));
}

/** Files go out in small batches as workers ask, so a slow file does not hold up a whole share. */
const BATCH = 4;

function scanInWorkers(files: string[], rules: readonly Rule[], maxFileSize: number, count: number, script: string): Promise<FileOutcome[]> {
  const outcomes: FileOutcome[] = new Array(files.length);
  let next = 0;
  let running = count;
  return new Promise((resolve, reject) => {
    for (let w = 0; w < count; w++) {
      const worker = new Worker(script, {
        workerData: { seclensScanWorker: true, rules: rules.map((r) => r.name), maxFileSize },
        stdout: false,
        stderr: false,
      });
      const feed = () => {
        const batch: [number, string][] = [];
        while (batch.length < BATCH && next < files.length) batch.push([next, files[next++]]);
        worker.postMessage(batch);
      };
      worker.on('message', (m: [number, FileOutcome][] | 'ready') => {
        if (m !== 'ready') for (const [i, o] of m) outcomes[i] = o;
        feed();
      });
      worker.on('error', reject);
      worker.on('exit', () => {
        if (--running === 0) {
          const missing = outcomes.findIndex((o) => !o);
          if (missing >= 0 || outcomes.length < files.length) {
            for (let i = 0; i < files.length; i++) outcomes[i] ??= { error: true, messages: [`internal error: no result for ${files[i]}`] };
          }
          resolve(outcomes);
        }
      });
    }
  });
}

/**
 * The worker side (the CLI bundle started with `workerData.seclensScanWorker`): initialise the
 * parser once, then scan each batch the main thread sends; an empty batch means done.
 */
export async function runScanWorker(allRules: readonly Rule[]): Promise<void> {
  const data = workerData as { rules: string[]; maxFileSize: number };
  const wanted = new Set(data.rules);
  const rules = allRules.filter((r) => wanted.has(r.name));
  await initParser();
  const port = parentPort!;
  port.on('message', (batch: [number, string][]) => {
    if (batch.length === 0) {
      port.close();
      return;
    }
    port.postMessage(batch.map(([i, file]) => [i, scanFile(file, rules, data.maxFileSize)]));
  });
  port.postMessage('ready');
}

export function isScanWorker(): boolean {
  return !isMainThread && !!(workerData as { seclensScanWorker?: boolean } | null)?.seclensScanWorker;
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
