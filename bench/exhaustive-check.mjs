// Trigger words must never change a result: scan the same paths with the rules' triggers
// (the default) and with SECLENS_EXHAUSTIVE=1 (every rule on every statement), and list every
// finding one has and the other lacks. Exit 1 on any difference.
//   node bench/exhaustive-check.mjs PATH... [scan flags such as --select shell-*]
// Run it on a large tree (the standard library, site-packages) after changing a rule's triggers;
// the unit tests compare both ways on every Python file under test/ only.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(fileURLToPath(import.meta.url), '..', '..');

export function exhaustiveCheck(args) {
  const dir = mkdtempSync(join(tmpdir(), 'seclens-exhaustive-'));
  try {
    const scan = (exhaustive) => {
      const out = join(dir, exhaustive ? 'full.json' : 'sparse.json');
      const t0 = performance.now();
      const r = spawnSync(process.execPath, [join(ROOT, 'dist', 'cli.js'), 'scan', ...args, '--format', 'json', '--output', out, '--no-progress'], {
        encoding: 'utf8',
        env: { ...process.env, SECLENS_EXHAUSTIVE: exhaustive ? '1' : '0' },
        maxBuffer: 1 << 30,
      });
      if (r.status !== 0 && r.status !== 1) throw new Error(`seclens scan exited ${r.status}: ${r.stderr.slice(-2000)}`);
      const json = JSON.parse(readFileSync(out, 'utf8'));
      const keys = json.findings.map((f) => JSON.stringify([f.path, f.rule, f.range, f.level, f.message]));
      return { keys, seconds: (performance.now() - t0) / 1000 };
    };
    const sparse = scan(false);
    const full = scan(true);
    const a = new Set(sparse.keys);
    const b = new Set(full.keys);
    return {
      findings: full.keys.length,
      sparseSeconds: sparse.seconds,
      exhaustiveSeconds: full.seconds,
      missing: full.keys.filter((k) => !a.has(k)),
      extra: sparse.keys.filter((k) => !b.has(k)),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const r = exhaustiveCheck(process.argv.slice(2));
  console.log(`${r.findings} findings; with triggers ${r.sparseSeconds.toFixed(1)} s, exhaustive ${r.exhaustiveSeconds.toFixed(1)} s`);
  for (const k of r.missing) console.log(`missing with triggers: ${k}`);
  for (const k of r.extra) console.log(`extra with triggers: ${k}`);
  process.exit(r.missing.length + r.extra.length > 0 ? 1 : 0);
}
