// `npm run bench`: whole-tree scans side by side with Ruff's `S` rules (WASM) and Bandit (when
// installed), then typing latency through the real language server over stdio.
//
// Every tool runs in its own child process under /usr/bin/time, so wall, CPU (user + system)
// and peak RSS are the child's own. The machine may be shared: compare the ratios of one run,
// not absolute numbers across runs; BENCH_REPEAT runs each scan several times and keeps the
// fastest wall of each tool.
//
// Environment: BENCH_REPEAT (default 2), BENCH_FILES / BENCH_LINES (generated tree, default
// 1000 files x 250 lines), BENCH_KEYS (keystrokes, default 300), BENCH_BANDIT=0 to skip Bandit,
// BENCH_ONLY=stdlib,generated,typing to pick sections.
//
// The `parse` row is no linter: web-tree-sitter parsing each file once on every core and
// nothing else (bench/parse-only.mjs), the floor under SecLens's scan.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pythonFiles } from './files.mjs';
import { generateTree } from './generate.mjs';
import { typing } from './typing.mjs';

const ROOT = resolve(fileURLToPath(import.meta.url), '..', '..');
const REPEAT = Number(process.env.BENCH_REPEAT ?? 2);
const FILES = Number(process.env.BENCH_FILES ?? 1000);
const LINES = Number(process.env.BENCH_LINES ?? 250);
const ONLY = new Set((process.env.BENCH_ONLY ?? 'stdlib,generated,typing').split(','));
const TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : null;
const BANDIT = process.env.BENCH_BANDIT !== '0' ? which('bandit') : null;
const work = join(tmpdir(), `seclens-bench-${process.pid}`);

function which(cmd) {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

/** Runs argv in a child; wall from here, CPU and peak RSS from /usr/bin/time when present. */
function measure(argv, okCodes = [0, 1]) {
  const timeFile = join(work, 'time.txt');
  const full = TIME ? [TIME, '-f', '%U %S %M', '-o', timeFile, ...argv] : argv;
  const t0 = process.hrtime.bigint();
  const r = spawnSync(full[0], full.slice(1), { encoding: 'utf8', maxBuffer: 1 << 30, cwd: ROOT });
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  if (!okCodes.includes(r.status ?? -1)) throw new Error(`${argv.join(' ')} exited ${r.status}: ${r.stderr.slice(-2000)}`);
  let cpu = null;
  let rssMiB = null;
  if (TIME) {
    const [u, s, kb] = readFileSync(timeFile, 'utf8').trim().split('\n').pop().split(' ').map(Number);
    cpu = u + s;
    rssMiB = kb / 1024;
  }
  return { wall, cpu, rssMiB, stdout: r.stdout, stderr: r.stderr };
}

const tools = {
  seclens(paths) {
    const out = join(work, 'seclens.json');
    const m = measure([process.execPath, 'dist/cli.js', 'scan', ...paths, '--format', 'json', '--output', out]);
    const json = JSON.parse(readFileSync(out, 'utf8'));
    return { ...m, files: json.scanned, findings: json.findings.filter((f) => f.level !== 'info').length };
  },
  ruff(paths) {
    const m = measure([process.execPath, 'bench/ruff-scan.mjs', ...paths], [0]);
    const json = JSON.parse(m.stdout);
    return { ...m, files: json.files, findings: json.findings };
  },
  parse(paths) {
    const m = measure([process.execPath, 'bench/parse-only.mjs', ...paths], [0]);
    return { ...m, files: JSON.parse(m.stdout).files, findings: null };
  },
  bandit(paths) {
    const out = join(work, 'bandit.json');
    const m = measure([BANDIT, '-r', ...paths, '-q', '-f', 'json', '-o', out]);
    const json = JSON.parse(readFileSync(out, 'utf8'));
    return { ...m, files: Object.keys(json.metrics ?? {}).filter((k) => k !== '_totals').length, findings: json.results.length };
  },
};

function scanTree(label, paths) {
  const files = pythonFiles(paths);
  let lines = 0;
  for (const f of files) {
    const t = readFileSync(f);
    for (let i = t.indexOf(10); i >= 0; i = t.indexOf(10, i + 1)) lines++;
  }
  console.error(`[bench] ${label}: ${files.length} files, ${lines} lines`);
  const results = {};
  const order = ['seclens', 'ruff', 'parse', ...(BANDIT ? ['bandit'] : [])];
  for (let rep = 0; rep < REPEAT; rep++) {
    for (const tool of order) {
      // Bandit is an order of magnitude slower: once is enough to place it.
      if (tool === 'bandit' && rep > 0) continue;
      console.error(`[bench] ${label}: ${tool} run ${rep + 1}`);
      const r = tools[tool](paths);
      const { stdout: _o, stderr: _e, ...keep } = r;
      (results[tool] ??= []).push(keep);
    }
  }
  const best = Object.fromEntries(Object.entries(results).map(([tool, runs]) => [tool, runs.reduce((a, b) => (b.wall < a.wall ? b : a))]));
  return { label, files: files.length, lines, runs: results, best };
}

function fmt(n, digits = 2) {
  return n === null || n === undefined ? '-' : n.toFixed(digits);
}

function printScan(s) {
  const base = s.best.ruff;
  console.log(`\n${s.label}: ${s.files} files, ${s.lines} lines (best of ${REPEAT}; Bandit once)`);
  console.log('tool      wall s   CPU s  peak MiB   files/s  findings  wall/ruff  CPU/ruff');
  for (const [tool, r] of Object.entries(s.best)) {
    console.log(
      `${tool.padEnd(8)} ${fmt(r.wall).padStart(7)} ${fmt(r.cpu).padStart(7)} ${fmt(r.rssMiB, 0).padStart(9)} ${fmt(r.files / r.wall, 0).padStart(9)} ${String(r.findings ?? '-').padStart(9)} ${fmt(r.wall / base.wall).padStart(10)} ${fmt(r.cpu !== null ? r.cpu / base.cpu : null).padStart(9)}`,
    );
  }
  const { seclens, parse } = s.best;
  if (seclens && parse) console.log(`parse: tree-sitter parsing alone (every file once, every core, no rules); SecLens takes ${fmt(seclens.wall / parse.wall)}x its wall`);
}

mkdirSync(work, { recursive: true });
const results = { date: new Date().toISOString(), cpus: cpus().length, node: process.version, repeat: REPEAT, scans: [], typing: null };
try {
  if (ONLY.has('stdlib')) {
    const stdlib = execFileSync('python3', ['-c', "import sysconfig; print(sysconfig.get_paths()['stdlib'])"], { encoding: 'utf8' }).trim();
    // The standard library proper: installed third-party packages are not part of it.
    const paths = readdirSync(stdlib, { withFileTypes: true })
      .filter((e) => e.name !== 'site-packages' && (e.isDirectory() || e.name.endsWith('.py')))
      .map((e) => join(stdlib, e.name));
    results.scans.push(scanTree(`Python stdlib (${stdlib})`, paths));
  }
  if (ONLY.has('generated')) {
    const dir = join(work, 'tree');
    generateTree(dir, FILES, LINES);
    results.scans.push(scanTree(`generated tree (${FILES} x ${LINES} lines)`, [dir]));
  }
  if (ONLY.has('typing')) {
    console.error('[bench] typing');
    results.typing = await typing(ROOT, Number(process.env.BENCH_KEYS ?? 300));
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

console.log(`\nSecLens benchmark, ${results.date}, ${results.cpus} CPUs, Node ${results.node}. Ratios are from the same run; the machine may be shared.`);
for (const s of results.scans) printScan(s);
if (results.typing) {
  const t = results.typing;
  console.log(`\ntyping on a ${t.lines}-line file through the server over stdio (${t.keys} keystrokes)`);
  console.log(`cold open to first diagnostics: ${fmt(t.coldOpenMs, 1)} ms, to the whole file's: ${fmt(t.coldCompleteMs, 1)} ms (server start to initialized: ${fmt(t.startMs, 0)} ms)`);
  console.log(`keystroke to the complete publishDiagnostics: p50 ${fmt(t.p50, 2)} ms, p95 ${fmt(t.p95, 2)} ms, max ${fmt(t.max, 2)} ms`);
  if (t.unchanged !== undefined) console.log(`keystrokes whose diagnostics were unchanged (not republished, done at the trace line): ${t.unchanged} of ${t.keys}`);
}
writeFileSync(join(ROOT, 'bench', 'results.json'), JSON.stringify(results, null, 2) + '\n');
console.log('\nwrote bench/results.json');
