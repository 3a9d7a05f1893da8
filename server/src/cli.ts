// `seclens scan PATH... [--format text|json|sarif] [--output FILE]` and `seclens docs DIR`,
// on the same engine as the editor.
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { RULES } from '../../rules';
import { ruleDoc } from './report/markdown';
import { availableParallelism, cpus } from 'node:os';
import { formatReport, isScanWorker, parseSize, runScanWorker, scanPaths, type Format } from './scan';
import { VERSION } from './version';


const USAGE = `Usage:
  seclens scan PATH... [--format text|json|sarif] [--output FILE] [--max-file-size SIZE] [--jobs N]
      --max-file-size  skip larger files (bytes, or with k/M suffix; default 2M)
      --jobs           worker threads (default: one per core)
  seclens docs DIR          write one Markdown page per rule into DIR
  seclens --version | --help

Exit status: 0 no findings at warning level or above, 1 findings, 2 usage or I/O error.`;

class UsageError extends Error {}

interface ScanArgs {
  paths: string[];
  format: Format;
  output?: string;
  maxFileSize?: number;
  jobs?: number;
}

function parseScanArgs(argv: string[]): ScanArgs {
  const args: ScanArgs = { paths: [], format: 'text' };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = (name: string): string => {
      const eq = a.indexOf('=');
      if (eq >= 0) return a.slice(eq + 1);
      const next = argv[++i];
      if (next === undefined) throw new UsageError(`${name} needs a value`);
      return next;
    };
    if (a === '--format' || a.startsWith('--format=')) {
      const f = value('--format');
      if (f !== 'text' && f !== 'json' && f !== 'sarif') throw new UsageError(`unknown format '${f}' (text, json or sarif)`);
      args.format = f;
    } else if (a === '--output' || a === '-o' || a.startsWith('--output=')) {
      args.output = value('--output');
    } else if (a === '--max-file-size' || a.startsWith('--max-file-size=')) {
      const size = parseSize(value('--max-file-size'));
      if (!(size > 0)) throw new UsageError('--max-file-size needs a size such as 2000000, 512k or 4M');
      args.maxFileSize = size;
    } else if (a === '--jobs' || a === '-j' || a.startsWith('--jobs=')) {
      const jobs = Number(value('--jobs'));
      if (!Number.isInteger(jobs) || jobs < 1) throw new UsageError('--jobs needs a whole number of at least 1');
      args.jobs = jobs;
    } else if (a.startsWith('-') && a !== '-') {
      throw new UsageError(`unknown option '${a}'`);
    } else {
      args.paths.push(a);
    }
  }
  if (args.paths.length === 0) throw new UsageError('scan needs at least one PATH');
  return args;
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
    process.stderr.write(`wrote ${RULES.length} rule pages to ${dir}\n`);
    return 0;
  }
  if (command !== 'scan') throw new UsageError(`unknown command '${command}'`);
  const args = parseScanArgs(rest);
  const cores = typeof availableParallelism === 'function' ? availableParallelism() : cpus().length;
  const result = await scanPaths(args.paths, RULES, (message) => process.stderr.write(`seclens: ${message}\n`), {
    maxFileSize: args.maxFileSize,
    workers: args.jobs ?? cores,
    workerScript: __filename,
  });
  const report = formatReport(result, args.format, RULES, VERSION);
  if (args.output) {
    try {
      writeFileSync(args.output, report);
    } catch (error) {
      process.stderr.write(`seclens: cannot write ${args.output}: ${(error as Error).message}\n`);
      return 2;
    }
  } else {
    process.stdout.write(report);
  }
  const counts = { error: 0, warning: 0, info: 0 };
  for (const f of result.files) for (const x of f.findings) counts[x.level]++;
  process.stderr.write(
    `seclens: ${counts.error + counts.warning + counts.info} findings (${counts.error} error, ${counts.warning} warning, ${counts.info} info) in ${result.scanned} files` +
      (result.skipped.length ? `, ${result.skipped.length} skipped` : '') + '\n',
  );
  if (result.errors > 0) return 2;
  return counts.error + counts.warning > 0 ? 1 : 0;
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
