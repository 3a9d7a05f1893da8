// Neither the CLI nor the server opens a network connection or reads files outside the scanned
// tree (or, for the server, at all beyond its own bundle): both run under a preload that records
// every socket connect, DNS lookup, HTTP request and file open/read by path.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';

const PRELOAD = `
const fs = require('fs');
const log = process.env.SECLENS_SANDBOX_LOG;
const write = fs.appendFileSync.bind(fs);
const record = (kind, what) => write(log, kind + ' ' + String(what) + '\\n');
const wrap = (obj, name, kind) => {
  const orig = obj[name];
  if (typeof orig !== 'function') return;
  obj[name] = function (target, ...rest) {
    record(kind, typeof target === 'number' ? '<fd>' : target && target.href ? target.href : typeof target === 'object' ? JSON.stringify(target) : target);
    return orig.call(this, target, ...rest);
  };
};
for (const n of ['openSync', 'open', 'readFileSync', 'readFile', 'createReadStream', 'opendirSync', 'readdirSync', 'readdir']) wrap(fs, n, 'fs');
for (const n of ['open', 'readFile', 'opendir', 'readdir']) wrap(fs.promises, n, 'fs');
const net = require('net');
wrap(net, 'connect', 'net');
wrap(net, 'createConnection', 'net');
wrap(net.Socket.prototype, 'connect', 'net');
for (const m of ['http', 'https']) { const h = require(m); wrap(h, 'request', 'net'); wrap(h, 'get', 'net'); }
const dns = require('dns');
wrap(dns, 'lookup', 'net');
wrap(dns, 'resolve', 'net');
wrap(dns.promises, 'lookup', 'net');
globalThis.fetch = new Proxy(globalThis.fetch || (() => {}), { apply(t, self, args) { record('net', args[0]); return Reflect.apply(t, self, args); } });
`;

describe('sandbox: no network, no reads outside the workspace', () => {
  let dir: string;
  let preload: string;
  const dist = path.resolve('dist');
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'seclens-sandbox-'));
    preload = path.join(dir, 'preload.cjs');
    writeFileSync(preload, PRELOAD);
    mkdirSync(path.join(dir, 'ws', 'pkg'), { recursive: true });
    // A repository root: the CLI reads .gitignore files up to it (or up to / outside a repository).
    mkdirSync(path.join(dir, 'ws', '.git'));
    for (let i = 0; i < 20; i++) {
      writeFileSync(path.join(dir, 'ws', 'pkg', `m${i}.py`), 'import os\nimport urllib.request\n\ndef f(u):\n    urllib.request.urlopen("http://example.com/" + u)\n    os.system(input())\n');
    }
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  function entries(log: string): { kind: string; what: string }[] {
    return readFileSync(log, 'utf8').trim().split('\n').filter(Boolean).map((l) => ({ kind: l.slice(0, l.indexOf(' ')), what: l.slice(l.indexOf(' ') + 1) }));
  }

  /** File reads must be under one of `allowed`. */
  function assertConfined(log: string, allowed: string[], cwd: string) {
    const all = entries(log);
    assert.deepEqual(all.filter((e) => e.kind === 'net'), [], 'network access');
    const outside = all.filter((e) => e.kind === 'fs' && e.what !== '<fd>' && !allowed.some((a) => path.resolve(cwd, e.what).startsWith(a + path.sep) || path.resolve(cwd, e.what) === a));
    assert.deepEqual(outside, [], 'reads outside the workspace');
  }

  it('seclens scan (worker threads too)', () => {
    const log = path.join(dir, 'cli.log');
    writeFileSync(log, '');
    const r = spawnSync(process.execPath, ['--require', preload, path.join(dist, 'cli.js'), 'scan', 'pkg', '--jobs', '2'], {
      cwd: path.join(dir, 'ws'),
      env: { ...process.env, SECLENS_SANDBOX_LOG: log },
      encoding: 'utf8',
    });
    assert.equal(r.status, 1, r.stderr);
    assert.ok(entries(log).some((e) => e.what.includes('m19.py')), 'the preload saw the reads');
    assertConfined(log, [path.join(dir, 'ws'), dist], path.join(dir, 'ws'));
  });

  it('language server over stdio', async () => {
    const log = path.join(dir, 'server.log');
    writeFileSync(log, '');
    const proc = spawn(process.execPath, ['--require', preload, path.join(dist, 'server.js'), '--stdio'], {
      cwd: path.join(dir, 'ws'),
      env: { ...process.env, SECLENS_SANDBOX_LOG: log },
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    const conn = createMessageConnection(new StreamMessageReader(proc.stdout!), new StreamMessageWriter(proc.stdin!));
    const published = new Promise<any>((resolve) => conn.onNotification('textDocument/publishDiagnostics', resolve));
    conn.listen();
    try {
      await conn.sendRequest('initialize', { processId: process.pid, rootUri: `file://${path.join(dir, 'ws')}`, capabilities: {} });
      await conn.sendNotification('initialized', {});
      const uri = `file://${path.join(dir, 'ws', 'pkg', 'm0.py')}`;
      await conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'python', version: 1, text: readFileSync(path.join(dir, 'ws', 'pkg', 'm0.py'), 'utf8') } });
      const p = await published;
      assert.ok(p.diagnostics.length > 0);
      await conn.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 5, character: 8 } });
      await conn.sendRequest('shutdown');
      await conn.sendNotification('exit');
    } finally {
      conn.dispose();
      proc.kill();
    }
    // The server reads its own bundle's grammar and nothing of the workspace: documents come over LSP.
    assertConfined(log, [dist], path.join(dir, 'ws'));
  });
});
