// The transport the VS Code client uses: the bundled server forked with --node-ipc.
import assert from 'node:assert/strict';
import { fork } from 'node:child_process';
import * as path from 'node:path';
import { it } from 'node:test';
import { createMessageConnection, IPCMessageReader, IPCMessageWriter } from 'vscode-jsonrpc/node';

it('serves diagnostics over node IPC, as started by the extension client', async () => {
  const child = fork(path.resolve('dist', 'server.js'), ['--node-ipc'], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
  const conn = createMessageConnection(new IPCMessageReader(child), new IPCMessageWriter(child));
  try {
    const published = new Promise<any>((resolve) => conn.onNotification('textDocument/publishDiagnostics', resolve));
    conn.listen();
    await conn.sendRequest('initialize', { processId: process.pid, rootUri: null, capabilities: {} });
    await conn.sendNotification('initialized', {});
    await conn.sendNotification('textDocument/didOpen', {
      textDocument: { uri: 'file:///ipc.py', languageId: 'python', version: 7, text: 'import yaml\n\ndef f(doc):\n    return yaml.load(doc)\n' },
    });
    const p = await published;
    assert.equal(p.version, 7);
    assert.deepEqual(p.diagnostics.map((d: any) => [d.code, d.range.start.line]), [['SL301', 3]]);
    await conn.sendRequest('shutdown');
  } finally {
    conn.dispose();
    child.kill();
  }
});
