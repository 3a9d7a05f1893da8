// `seclens scan PATH... [options]` and `seclens docs DIR`, on the same engine and the same
// settings model as the editor: defaults < [tool.seclens] in the nearest pyproject.toml (or
// --config FILE) < flags.
import { closeSync, mkdirSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import * as path from 'node:path';
import { RULES } from '../../rules';
import { flagsLayer, parseScanArgs, UsageError, type FailOn, type ScanArgs } from './cli-options';
import { applyConfig, enabledRules } from './config/apply';
import { GitignoreFilter } from './config/exclude';
import { loadConfigFile, type ConfigFile } from './config/pyproject';
import { PyprojectFinder, resolveFor } from './config/resolve';
import { formatProblem, type Config } from './config/schema';
import type { UnusedSuppression } from './engine/suppressions';
import { LEVEL_RANK, type Finding } from './engine/types';
import { Baseline } from './report/baseline';
import { unusedSuppressionDiagnostics } from './report/diagnostic';
import { ruleDoc, rulesIndex } from './report/markdown';
import { writeJson } from './report/write-json';
import { formatReport, isScanWorker, runScanWorker, scanPaths, type FilePlan } from './scan';
import { VERSION } from './version';

const USAGE = `Usage:
  seclens scan PATH... [options]
  seclens docs DIR          write one Markdown page per rule into DIR
  seclens --version | --help

Scan options:
  --format text|json|sarif  output format (default text)
  -o, --output FILE         write the report to FILE instead of stdout
  --config FILE             settings from FILE ([tool.seclens] of a pyproject.toml, or a TOML
                            file with the same keys at top level) instead of the nearest
                            pyproject.toml of each scanned file
  --exclude GLOB            leave out matching paths (gitignore syntax, relative to the current
                            folder); repeatable, or comma-separated
  --select RULES            run only these rules (names, codes or globs, comma-separated)
  --ignore RULES            switch these rules off
  --min-confidence LEVEL    drop findings below low|medium|high confidence
  --fail-on LEVEL           exit 1 only for findings at error|warning|info or above, or never
                            (default warning)
  --baseline FILE           report only findings not in FILE (an earlier --format json or sarif
                            output of this scan)
  --ignore-suppressions     report findings that suppression comments would silence (audits)
  --unused-suppressions     also report '# seclens: ignore[...]' names that silence nothing
  --no-gitignore            also scan files that .gitignore lists
  --no-progress             no progress bar (it is only ever drawn when stderr is a terminal)
  --max-file-size SIZE      skip larger files (bytes, or with a k/M suffix; default 2M)
  -j, --jobs N              worker threads (default: one per core)

Exit status: 0 no findings at the --fail-on level or above, 1 findings, 2 usage or I/O error.`;

/** A one-line bar on stderr, redrawn at most every 100 ms, only on a terminal and for long scans. */
function progressBar(enabled: boolean): ((done: number, total: number) => void) | undefined {
  if (!enabled || !process.stderr.isTTY) return undefined;
  let last = 0;
  let drawn = false;
  return (done, total) => {
    if (total < 20) return;
    const now = Date.now();
    if (done === total) {
      if (drawn) process.stderr.write('\r\x1b[K');
      return;
    }
    if (now - last < 100) return;
    last = now;
    drawn = true;
    const width = 30;
    const filled = Math.round((done / total) * width);
    process.stderr.write(`\r[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${total} files`);
  };
}

async function scan(args: ScanArgs): Promise<number> {
  const cwd = process.cwd();
  const report = (message: string) => process.stderr.write(`seclens: ${message}\n`);
  const top = flagsLayer(args, cwd, RULES);
  let explicit: ConfigFile | null | undefined;
  if (args.config) {
    explicit = loadConfigFile(args.config, RULES, true);
    const fatal = explicit?.problems.find((p) => p.key === '(syntax)' || p.key === '(file)');
    if (fatal) {
      report(formatProblem(fatal));
      return 2;
    }
  }
  let baseline: Baseline | undefined;
  if (args.baseline) {
    try {
      baseline = Baseline.load(args.baseline);
    } catch (error) {
      report(`cannot use baseline ${args.baseline}: ${(error as Error).message}`);
      return 2;
    }
  }
  const finder = new PyprojectFinder(RULES);
  const gitignore = args.gitignore ? new GitignoreFilter(args.paths) : undefined;
  const shown = new Set<string>();
  let left = 0;
  const unusedOut: { path: string; line: number; column: number; message: string }[] = [];

  const configs = new Map<string, Config>();
  const plan = (file: string): FilePlan | null => {
    const root = path.relative(cwd, path.resolve(file)).startsWith('..') ? undefined : cwd;
    const { config, problems } = resolveFor(file, finder, root, top, explicit);
    const rel = (f: string) => (path.isAbsolute(f) && !path.relative(cwd, f).startsWith('..') ? path.relative(cwd, f) : f);
    for (const p of problems) {
      const line = formatProblem({ ...p, file: rel(p.file) });
      if (!shown.has(line)) report(line);
      shown.add(line);
    }
    if (config.excluded) return null;
    configs.set(file, config);
    return {
      rules: enabledRules(RULES, config).map((r) => r.name),
      ignoreSuppressions: config.ignoreSuppressions,
      unused: args.unusedSuppressions,
    };
  };
  const post = (file: string, uri: string, findings: Finding[], unused: UnusedSuppression[] | undefined): Finding[] => {
    const config = configs.get(file)!;
    configs.delete(file);
    const kept = applyConfig(findings, RULES, config);
    for (const d of unusedSuppressionDiagnostics(unused ?? [], RULES, config)) {
      unusedOut.push({ path: uri, line: d.range.start.line + 1, column: d.range.start.character + 1, message: d.message as string });
    }
    if (!baseline) return kept;
    const fresh = kept.filter((f) => baseline!.isNew(f, uri));
    left += kept.length - fresh.length;
    return fresh;
  };

  const result = await scanPaths(args.paths, RULES, report, {
    skip: gitignore ? (file, dir) => gitignore.ignored(file, dir) : undefined,
    plan,
    post,
    progress: progressBar(args.progress),
    maxFileSize: args.maxFileSize,
    workers: args.jobs ?? (typeof availableParallelism === 'function' ? availableParallelism() : cpus().length),
    workerScript: __filename,
  });
  let out = formatReport(result, args.format, RULES, VERSION);
  if (args.unusedSuppressions) {
    if (typeof out === 'string') out += unusedOut.map((u) => `${u.path}:${u.line}:${u.column}: unused-suppression ${u.message}\n`).join('');
    else if (args.format === 'json') out = { ...out, unusedSuppressions: unusedOut };
  }
  // A large report goes out in pieces (report/write-json.ts), to the file or to stdout.
  const send = (write: (text: string) => void) => {
    if (typeof out === 'string') write(out);
    else {
      writeJson(out, write);
      write('\n');
    }
  };
  if (args.output) {
    let fd: number | undefined;
    try {
      fd = openSync(args.output, 'w');
      send((text) => writeSync(fd!, text));
    } catch (error) {
      report(`cannot write ${args.output}: ${(error as Error).message}`);
      return 2;
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
  } else {
    send((text) => process.stdout.write(text));
  }
  const counts = { error: 0, warning: 0, info: 0 };
  for (const f of result.files) for (const x of f.findings) counts[x.level]++;
  process.stderr.write(
    `seclens: ${counts.error + counts.warning + counts.info} findings (${counts.error} error, ${counts.warning} warning, ${counts.info} info) in ${result.scanned} files` +
      (result.skipped.length ? `, ${result.skipped.length} skipped` : '') +
      (baseline ? `, ${left} in the baseline` : '') + '\n',
  );
  if (result.errors > 0) return 2;
  return failing(result.files.flatMap((f) => f.findings), args.failOn) ? 1 : 0;
}

function failing(findings: Finding[], failOn: FailOn): boolean {
  if (failOn === 'never') return false;
  return findings.some((f) => LEVEL_RANK[f.level] >= LEVEL_RANK[failOn]);
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === '--version' || command === '-V') {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return command === undefined ? 2 : 0;
  }
  if (command === 'docs') {
    const dir = rest[0];
    if (!dir || rest.length > 1) throw new UsageError('docs needs exactly one DIR');
    mkdirSync(dir, { recursive: true });
    for (const rule of RULES) writeFileSync(path.join(dir, `${rule.name}.md`), ruleDoc(rule));
    writeFileSync(path.join(dir, 'README.md'), rulesIndex(RULES));
    process.stderr.write(`wrote ${RULES.length} rule pages to ${dir}\n`);
    return 0;
  }
  if (command !== 'scan') throw new UsageError(`unknown command '${command}'`);
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  return scan(parseScanArgs(rest));
}

if (isScanWorker()) {
  void runScanWorker(RULES);
} else {
  run();
}

function run(): void {
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    if (error instanceof UsageError) {
      process.stderr.write(`seclens: ${error.message}\n\n${USAGE}\n`);
    } else {
      process.stderr.write(`seclens: internal error: ${error instanceof Error ? error.stack : String(error)}\n`);
    }
    process.exitCode = 2;
  },
);
}
