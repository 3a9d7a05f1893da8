// One build for everything: the extension client, the language server, the CLI, (with
// --tests) the test files and (with --e2e) the suite that runs inside a real editor's extension
// host (mocha stays external there: it is loaded from node_modules by the suite's index). Each bundle is self-contained CommonJS; `vscode` stays external
// because the editor provides it. The grammar and runtime .wasm files sit next to each bundle,
// which is where the engine looks for them.
import * as esbuild from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const withTests = process.argv.includes('--tests');
const withE2e = process.argv.includes('--e2e');

const wasm = [
  require.resolve('web-tree-sitter/web-tree-sitter.wasm'),
  join(dirname(require.resolve('tree-sitter-python/package.json')), 'tree-sitter-python.wasm'),
];

function copyWasm(dir) {
  mkdirSync(dir, { recursive: true });
  for (const file of wasm) copyFileSync(file, join(dir, file.split(/[\\/]/).pop()));
}

const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node18',
  sourcemap: true,
  external: ['vscode'],
  // The ESM build of web-tree-sitter reads import.meta.url, which a CommonJS bundle lacks.
  alias: { 'web-tree-sitter': require.resolve('web-tree-sitter') },
  logLevel: 'warning',
};

rmSync('dist', { recursive: true, force: true });
copyWasm('grammars');
copyWasm('dist');
await Promise.all([
  esbuild.build({ ...common, entryPoints: ['client/src/extension.ts'], outfile: 'dist/client.js' }),
  esbuild.build({
    ...common,
    entryPoints: ['server/src/server.ts'],
    outfile: 'dist/server.js',
    banner: { js: '#!/usr/bin/env node' },
  }),
  esbuild.build({
    ...common,
    entryPoints: ['server/src/cli.ts'],
    outfile: 'dist/cli.js',
    banner: { js: '#!/usr/bin/env node' },
  }),
]);

if (withTests) {
  rmSync('out', { recursive: true, force: true });
  const entryPoints = [];
  for (const sub of ['unit', 'lsp', 'cli'].filter((s) => existsSync(join('test', s)))) {
    for (const f of readdirSync(join('test', sub))) {
      if (f.endsWith('.test.ts')) entryPoints.push(join('test', sub, f));
    }
  }
  copyWasm('out/test');
  await esbuild.build({ ...common, entryPoints, outdir: 'out/test', outExtension: { '.js': '.cjs' }, entryNames: '[name]' });
}

if (withE2e) {
  rmSync('out/e2e', { recursive: true, force: true });
  const dir = join('test', 'e2e', 'suite');
  const entryPoints = readdirSync(dir).filter((f) => f === 'index.ts' || f.endsWith('.test.ts')).map((f) => join(dir, f));
  await esbuild.build({ ...common, entryPoints, outdir: 'out/e2e/suite', external: ['vscode', 'mocha'] });
}
