// A minimal LSP client for tests: spawns the real bundled server over stdio and records what
// it publishes. Waits are for conditions, with a deadline, never fixed sleeps. With `settings`
// it acts as an editor with settings: it answers workspace/configuration from them (per
// scopeUri), accepts dynamic registrations, and records messages shown and traces logged.
// Tracing is on from `initialize` ($/setTrace "messages"): the server does not publish again the
// diagnostics of a version that are those it published last, and only its trace line
// ("analysed <uri> vN: ... (unchanged, not republished)") tells that such a version is analysed.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';

export interface Published {
  uri: string;
  version?: number;
  diagnostics: any[];
  /** Order of arrival, over all documents, publications and traces: tells a fresh publication from an old one. */
  seq: number;
}

/** The end of the server's trace line for a complete analysis that changed no diagnostic. */
export const UNCHANGED = ' (unchanged, not republished)';

export interface EditorOptions {
  /** The `seclens` section answered for a scopeUri. */
  settings: (scopeUri: string | undefined) => unknown;
  workspaceFolders?: string[];
  /** Advertise `workspace.workspaceEdit.documentChanges` (versioned edits), as VS Code does. */
  documentChanges?: boolean;
  /** Sent as `initializationOptions` (e.g. `{ maxFileSize }`). */
  initializationOptions?: unknown;
}

export class TestClient {
  readonly proc: ChildProcess;
  readonly conn: MessageConnection;
  readonly stderr: string[] = [];
  readonly messages: { type: number; message: string }[] = [];
  readonly traces: string[] = [];
  /** For each trace, its sequence number (in the order of publications and traces). */
  private readonly traceSeqs: number[] = [];
  readonly registrations: { method: string; registerOptions?: any }[] = [];
  readonly configurationRequests: { scopeUri?: string; section?: string }[] = [];
  private readonly published = new Map<string, Published>();
  /** Every publication, in order of arrival. */
  readonly history: Published[] = [];
  private waiters: (() => void)[] = [];
  private seq = 0;
  editor?: EditorOptions;

  constructor(serverPath = path.resolve('dist', 'server.js')) {
    this.proc = spawn(process.execPath, [serverPath, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.proc.stderr!.on('data', (d) => this.stderr.push(String(d)));
    this.conn = createMessageConnection(new StreamMessageReader(this.proc.stdout!), new StreamMessageWriter(this.proc.stdin!));
    this.conn.onNotification('textDocument/publishDiagnostics', (p: Omit<Published, 'seq'>) => {
      const published = { ...p, seq: ++this.seq };
      this.published.set(p.uri, published);
      this.history.push(published);
      this.wake();
    });
    this.conn.onNotification('window/logMessage', (p: { message: string }) => {
      this.stderr.push(p.message);
    });
    this.conn.onNotification('window/showMessage', (p: { type: number; message: string }) => {
      this.messages.push(p);
      this.wake();
    });
    this.conn.onNotification('$/logTrace', (p: { message: string }) => {
      this.traces.push(p.message);
      this.traceSeqs.push(++this.seq);
      this.wake();
    });
    this.conn.onRequest('workspace/configuration', (p: { items: { scopeUri?: string; section?: string }[] }) => {
      this.configurationRequests.push(...p.items);
      return p.items.map((item) => (this.editor && item.section === 'seclens' ? this.editor.settings(item.scopeUri) : null));
    });
    this.conn.onRequest('client/registerCapability', (p: { registrations: { method: string; registerOptions?: any }[] }) => {
      this.registrations.push(...p.registrations);
      this.wake();
      return null;
    });
    this.conn.listen();
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  /** Without `editor`: a bare client with no capabilities. With it: an editor with settings. */
  async initialize(editor?: EditorOptions): Promise<any> {
    this.editor = editor;
    const folders = editor?.workspaceFolders ?? [];
    const capabilities = editor
      ? {
        workspace: {
          configuration: true, didChangeConfiguration: { dynamicRegistration: true }, didChangeWatchedFiles: { dynamicRegistration: true }, workspaceFolders: true,
          ...(editor.documentChanges ? { workspaceEdit: { documentChanges: true } } : {}),
        },
      }
      : {};
    const result = await this.conn.sendRequest('initialize', {
      processId: process.pid,
      rootUri: folders[0] ?? null,
      workspaceFolders: folders.length ? folders.map((uri) => ({ uri, name: path.basename(uri) })) : null,
      capabilities,
      initializationOptions: editor?.initializationOptions,
    });
    await this.conn.sendNotification('initialized', {});
    await this.conn.sendNotification('$/setTrace', { value: 'messages' });
    return result;
  }

  open(uri: string, text: string, version = 1): Promise<void> {
    return this.conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'python', version, text } });
  }

  change(uri: string, version: number, contentChanges: unknown[]): Promise<void> {
    return this.conn.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges });
  }

  save(uri: string): Promise<void> {
    return this.conn.sendNotification('textDocument/didSave', { textDocument: { uri } });
  }

  close(uri: string): Promise<void> {
    return this.conn.sendNotification('textDocument/didClose', { textDocument: { uri } });
  }

  /** As an editor does after a settings change in the pull model. */
  settingsChanged(): Promise<void> {
    return this.conn.sendNotification('workspace/didChangeConfiguration', { settings: null });
  }

  /** type: 1 created, 2 changed, 3 deleted. */
  filesChanged(changes: { uri: string; type: number }[]): Promise<void> {
    return this.conn.sendNotification('workspace/didChangeWatchedFiles', { changes });
  }

  /** The sequence number of the newest publication or trace so far. */
  get lastSeq(): number {
    return this.seq;
  }

  last(uri: string): Published | undefined {
    return this.published.get(uri);
  }

  /**
   * The diagnostics published for `uri` once `ok` holds for them (default: version matches).
   * With a version and no `ok`: also those shown when the server says it analysed that version
   * and found the diagnostics it published last (nothing is published then).
   */
  async diagnostics(uri: string, version?: number, ok?: (p: Published) => boolean, timeoutMs = 10_000): Promise<any[]> {
    const test = ok ?? ((p: Published) => version === undefined || p.version === version);
    let last: Published | undefined;
    let shown: any[] | undefined;
    await this.until(() => {
      last = this.published.get(uri);
      if (last && test(last)) return true;
      if (ok || version === undefined) return false;
      const i = this.traces.findIndex((t) => t.startsWith(`analysed ${uri} v${version}:`) && t.endsWith(UNCHANGED));
      if (i >= 0) shown = this.shownAt(uri, this.traceSeqs[i]);
      return shown !== undefined;
    }, () => `no diagnostics for ${uri} v${version}; last: ${JSON.stringify(last)}; stderr: ${this.stderr.join('')}`, timeoutMs);
    return shown ?? last!.diagnostics;
  }

  /** The diagnostics the editor showed for `uri` at sequence number `seq`: those published last before it. */
  private shownAt(uri: string, seq: number): any[] {
    const before = this.history.filter((p) => p.uri === uri && p.seq < seq);
    assert.ok(before.length > 0, `"unchanged" for ${uri}, which was never published`);
    return before[before.length - 1].diagnostics;
  }

  /**
   * The diagnostics in force once `uri` is next analysed after sequence number `after` (a
   * settings change, a save): those of the next publication, or those already shown if the
   * analysis found them unchanged.
   */
  async analysedAfter(uri: string, after: number, timeoutMs = 10_000): Promise<any[]> {
    let result: any[] | undefined;
    await this.until(() => {
      const p = this.history.find((h) => h.uri === uri && h.seq > after);
      const i = this.traces.findIndex((t, k) => this.traceSeqs[k] > after && t.startsWith(`analysed ${uri} v`) && t.endsWith(UNCHANGED));
      if (i >= 0 && (!p || this.traceSeqs[i] < p.seq)) result = this.shownAt(uri, this.traceSeqs[i]);
      else if (p) result = p.diagnostics;
      return result !== undefined;
    }, () => `no analysis of ${uri} after #${after}; traces: ${this.traces.slice(-5).join(' | ')}`, timeoutMs);
    return result!;
  }

  /**
   * The diagnostics of the complete analysis of `uri` at `version`: the publication that follows
   * the server's trace "analysed <uri> vN", or, when that line says they are unchanged, those
   * published last before it (tracing must be on: `$/setTrace`). Large documents are published
   * in parts first ("analysed the start of ...").
   */
  async complete(uri: string, version: number, timeoutMs = 60_000): Promise<any[]> {
    const line = `analysed ${uri} v${version}:`;
    let found: Published | undefined;
    let shown: any[] | undefined;
    await this.until(() => {
      const i = this.traces.findIndex((t) => t.startsWith(line));
      if (i < 0) return false;
      if (this.traces[i].endsWith(UNCHANGED)) shown = this.shownAt(uri, this.traceSeqs[i]);
      else found = this.history.find((p) => p.uri === uri && p.seq > this.traceSeqs[i]);
      return !!found || !!shown;
    }, () => `no complete analysis of ${uri} v${version}; traces: ${this.traces.slice(-5).join(' | ')}`, timeoutMs);
    if (shown) return shown;
    assert.equal(found!.version, version, 'the publication after the trace line is of its version');
    return found!.diagnostics;
  }

  /** The next diagnostics for `uri` published after sequence number `after`. */
  publishedAfter(uri: string, after: number): Promise<any[]> {
    return this.diagnostics(uri, undefined, (p) => p.seq > after);
  }

  /** Waits until `cond` holds, re-checking whenever something arrives. */
  async until(cond: () => boolean, what: () => string, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (cond()) return;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out: ${what()}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  request<T = any>(method: string, params: unknown): Promise<T> {
    return this.conn.sendRequest(method, params) as Promise<T>;
  }

  notify(method: string, params: unknown): Promise<void> {
    return this.conn.sendNotification(method, params);
  }

  async shutdown(): Promise<void> {
    try {
      await this.conn.sendRequest('shutdown');
      await this.conn.sendNotification('exit');
    } finally {
      this.conn.dispose();
      this.proc.kill();
    }
  }
}
