// Runs Ruff's `S` (flake8-bandit) rules, compiled to WASM, over every file under the given
// paths, one file at a time as its Node API allows. Prints files and findings as JSON.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pythonFiles } from './files.mjs';

const require = createRequire(import.meta.url);
const { Workspace, PositionEncoding } = require('@astral-sh/ruff-wasm-nodejs');

const ws = new Workspace({ lint: { select: ['S'] } }, PositionEncoding.Utf16);
let files = 0;
let findings = 0;
let failed = 0;
for (const file of pythonFiles(process.argv.slice(2))) {
  let text;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    failed++;
    continue;
  }
  try {
    findings += ws.check(text).filter((d) => d.code && d.code.startsWith('S')).length;
  } catch {
    failed++;
  }
  files++;
}
process.stdout.write(JSON.stringify({ files, findings, failed }) + '\n');
