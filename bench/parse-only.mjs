// The floor under any scan built on web-tree-sitter: read and parse every file once, on every
// core (one worker thread each, files handed out in small batches as `seclens scan` does), with
// no rule, no walk and no result. Prints files and failures as JSON. The benchmark places it
// beside the real scans, so each run shows how much of SecLens's time parsing alone takes and
// what ratio to Ruff no rule engine could beat without parsing less.
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { isMainThread, parentPort, Worker } from 'node:worker_threads';
import { pythonFiles } from './files.mjs';

const BATCH = 4;

if (isMainThread) {
  const files = pythonFiles(process.argv.slice(2));
  const count = Math.max(1, Math.min(availableParallelism(), Math.ceil(files.length / 8)));
  let next = 0;
  let failed = 0;
  await Promise.all(
    Array.from({ length: count }, () => {
      const worker = new Worker(fileURLToPath(import.meta.url));
      worker.on('message', (m) => {
        failed += m;
        worker.postMessage(files.slice(next, (next += BATCH)));
      });
      return new Promise((resolve, reject) => {
        worker.on('exit', resolve);
        worker.on('error', reject);
      });
    }),
  );
  process.stdout.write(JSON.stringify({ files: files.length - failed, failed }) + '\n');
} else {
  const require = createRequire(import.meta.url);
  const { Parser, Language } = require('web-tree-sitter');
  await Parser.init();
  const parser = new Parser();
  parser.setLanguage(await Language.load(require.resolve('tree-sitter-python/tree-sitter-python.wasm')));
  parentPort.on('message', (batch) => {
    if (batch.length === 0) return parentPort.close();
    let failed = 0;
    for (const file of batch) {
      try {
        parser.parse(readFileSync(file, 'utf8')).delete();
      } catch {
        failed++;
      }
    }
    parentPort.postMessage(failed);
  });
  parentPort.postMessage(0);
}
