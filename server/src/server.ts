// Connection wiring only: the LSP handlers live in handlers/, the analysis in engine/.
// Runs over stdio with `--stdio` (as the VS Code client and other editors start it), else over IPC.
import {
  CodeActionKind, createConnection, DidChangeConfigurationNotification, DidChangeWatchedFilesNotification, FileChangeType,
  ProposedFeatures, StreamMessageReader, TextDocumentSyncKind, type InitializeParams, type InitializeResult,
} from 'vscode-languageserver/node';
import { RULES } from '../../rules';
import { initParser } from './engine/parser';
import { codeActions, FIX_ALL_KIND } from './handlers/codeAction';
import { ConfigStore } from './handlers/config';
import { DocumentAnalyses } from './handlers/diagnostics';
import { hover } from './handlers/hover';
import { consoleToClient, StdoutWriter } from './handlers/transport';
import { warmUp } from './handlers/warmup';
import { SCAN_REQUEST, WorkspaceScan, type ScanParams } from './handlers/workspaceScan';
import { VERSION } from './version';

// Over stdio the writer is ours, to encode publications from each diagnostic's cached bytes; so
// are what vscode-languageserver does when it opens stdio itself: console output to the client,
// and exiting when the client closes stdin.
const stdio = process.argv.includes('--stdio');
const connection = stdio
  ? createConnection(ProposedFeatures.all, new StreamMessageReader(process.stdin), new StdoutWriter(process.stdout))
  : createConnection(ProposedFeatures.all);
let shutdown = false;
if (stdio) {
  consoleToClient(connection.console);
  connection.onShutdown(() => {
    shutdown = true;
  });
  for (const event of ['end', 'close']) process.stdin.on(event, () => process.exit(shutdown ? 0 : 1));
}
const config = new ConfigStore(connection, RULES);
const analyses = new DocumentAnalyses(connection, RULES, (uri) => config.get(uri));
let dynamic = { configuration: false, watchedFiles: false };
let documentChanges = false;
// Closed files get the same settings as open ones: the folder's editor settings over the nearest
// pyproject.toml (`exclude`, rule levels, `enable`, `minConfidence`).
const workspaceScan = new WorkspaceScan(connection, analyses, RULES, (folderUri) => config.forFolder(folderUri));
// Notifications that arrive before the grammar is loaded wait for it, in order.
let ready: Promise<unknown> = Promise.resolve();

connection.onInitialize(async (params: InitializeParams): Promise<InitializeResult> => {
  // `{"maxFileSize": n}` or `{"seclens": {"maxFileSize": n}}` in initializationOptions.
  const init = params.initializationOptions as { maxFileSize?: unknown; seclens?: { maxFileSize?: unknown } } | undefined;
  const maxFileSize = init?.seclens?.maxFileSize ?? init?.maxFileSize;
  if (typeof maxFileSize === 'number' && maxFileSize > 0) analyses.maxFileSize = maxFileSize;
  // The grammar is loaded and the engine warmed up (handlers/warmup.ts) before the answer: the
  // client opens documents once it has it.
  ready = initParser().then(() => guarded('warm-up', () => warmUp(RULES)));
  await ready;
  config.initialize(params);
  documentChanges = !!params.capabilities.workspace?.workspaceEdit?.documentChanges;
  dynamic = {
    configuration: !!params.capabilities.workspace?.didChangeConfiguration?.dynamicRegistration,
    watchedFiles: !!params.capabilities.workspace?.didChangeWatchedFiles?.dynamicRegistration,
  };
  return {
    capabilities: {
      textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental, save: { includeText: false } },
      hoverProvider: true,
      codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, FIX_ALL_KIND] },
    },
    serverInfo: { name: 'seclens', version: VERSION },
  };
});

connection.onInitialized(() => {
  // Ask to be told when `seclens.*` settings or any pyproject.toml change; clients without
  // dynamic registration send didChangeConfiguration anyway and may watch files themselves.
  if (dynamic.configuration) void connection.client.register(DidChangeConfigurationNotification.type, { section: 'seclens' });
  if (dynamic.watchedFiles) void connection.client.register(DidChangeWatchedFilesNotification.type, { watchers: [{ globPattern: '**/pyproject.toml' }] });
});

function failed(what: string, error: unknown): void {
  connection.console.error(`seclens: ${what} failed: ${error instanceof Error ? error.stack : String(error)}`);
}

function guarded(what: string, fn: () => void): void {
  try {
    fn();
  } catch (error) {
    failed(what, error);
  }
}

/** Re-resolve every open document's settings, then analyse it again. */
function refreshAll(): void {
  workspaceScan.settingsChanged();
  ready = ready.then(async () => {
    const uris = analyses.uris();
    await Promise.all(uris.map((uri) => config.load(uri)));
    for (const uri of uris) guarded('refresh', () => analyses.refresh(uri));
  });
}

// Python files and Jupyter code cells (`vscode-notebook-cell:` URIs, language python) alike:
// each cell is analysed on its own.
connection.onDidOpenTextDocument((p) => {
  if (p.textDocument.languageId !== 'python') return;
  ready = ready.then(async () => {
    await config.load(p.textDocument.uri);
    guarded('open', () => analyses.open(p.textDocument.uri, p.textDocument.version, p.textDocument.text));
  });
});
connection.onDidSaveTextDocument((p) => {
  ready = ready.then(() => guarded('save', () => {
    if (config.get(p.textDocument.uri).run === 'onSave') analyses.refresh(p.textDocument.uri);
  }));
});
connection.onDidChangeConfiguration(() => refreshAll());
connection.onDidChangeWatchedFiles((p) => {
  // pyproject.toml (watched by the server) changes settings; Python files (watched by the
  // client) changed on disk refresh the workspace scan's results for closed files.
  // Settings first, so that Python files changed in the same batch are read with them.
  if (p.changes.some((c) => /(^|\/)pyproject\.toml$/.test(c.uri))) {
    config.invalidateFiles();
    refreshAll();
  }
  ready = ready.then(async () => {
    for (const c of p.changes) {
      if (c.uri.endsWith('.py')) await workspaceScan.changedOnDisk(c.uri, c.type === FileChangeType.Deleted).catch((e) => failed('watched files', e));
    }
  });
});
connection.onDidChangeTextDocument((p) => {
  ready = ready.then(() => guarded('change', () => analyses.change(p.textDocument.uri, p.textDocument.version, p.contentChanges)));
});
connection.onDidCloseTextDocument((p) => {
  ready = ready.then(async () => {
    guarded('close', () => {
      analyses.close(p.textDocument.uri);
      config.forget(p.textDocument.uri);
    });
    await workspaceScan.closed(p.textDocument.uri).catch((e) => failed('close', e));
  });
});
connection.onRequest(SCAN_REQUEST, async (p: ScanParams, token) => {
  await ready;
  return workspaceScan.run(p, token);
});
connection.onHover(async (p) => {
  await ready;
  return hover(p, analyses);
});
connection.onCodeAction(async (p) => {
  await ready;
  return codeActions(p, analyses, { documentChanges });
});

connection.listen();
