// Connection wiring only: the LSP handlers live in handlers/, the analysis in engine/.
// Runs over IPC when started by the VS Code client, over stdio with `--stdio` for other editors.
import {
  CodeActionKind, createConnection, FileChangeType, ProposedFeatures, TextDocumentSyncKind, type InitializeResult,
} from 'vscode-languageserver/node';
import { RULES } from '../../rules';
import { initParser } from './engine/parser';
import { codeActions, FIX_ALL_KIND } from './handlers/codeAction';
import { DocumentAnalyses } from './handlers/diagnostics';
import { hover } from './handlers/hover';
import { SCAN_REQUEST, WorkspaceScan, type ScanParams } from './handlers/workspaceScan';
import { VERSION } from './version';

const connection = createConnection(ProposedFeatures.all);
const analyses = new DocumentAnalyses(connection, RULES);
// Seam for the settings model: `seclens.exclude` is read straight from the editor's settings of
// the folder until the shared configuration (server/src/config/) provides it.
const workspaceScan = new WorkspaceScan(connection, analyses, RULES, async (folderUri) => {
  const exclude: unknown = await connection.workspace.getConfiguration({ scopeUri: folderUri, section: 'seclens.exclude' }).catch(() => undefined);
  return Array.isArray(exclude) ? exclude.filter((g): g is string => typeof g === 'string') : [];
});
// Notifications that arrive before the grammar is loaded wait for it, in order.
let ready: Promise<unknown> = Promise.resolve();

connection.onInitialize((): InitializeResult => {
  ready = initParser();
  return {
    capabilities: {
      textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
      hoverProvider: true,
      codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, FIX_ALL_KIND] },
    },
    serverInfo: { name: 'seclens', version: VERSION },
  };
});

function guarded(what: string, fn: () => void): void {
  try {
    fn();
  } catch (error) {
    connection.console.error(`seclens: ${what} failed: ${error instanceof Error ? error.stack : String(error)}`);
  }
}

// Python files and Jupyter code cells (`vscode-notebook-cell:` URIs, language python) alike:
// each cell is analysed on its own.
connection.onDidOpenTextDocument((p) => {
  if (p.textDocument.languageId !== 'python') return;
  ready = ready.then(() => guarded('open', () => analyses.open(p.textDocument.uri, p.textDocument.version, p.textDocument.text)));
});
connection.onDidChangeTextDocument((p) => {
  ready = ready.then(() => guarded('change', () => analyses.change(p.textDocument.uri, p.textDocument.version, p.contentChanges)));
});
connection.onDidCloseTextDocument((p) => {
  ready = ready.then(() =>
    guarded('close', () => {
      analyses.close(p.textDocument.uri);
      workspaceScan.closed(p.textDocument.uri);
    }),
  );
});
connection.onDidChangeWatchedFiles((p) => {
  ready = ready.then(() =>
    guarded('watched files', () => {
      for (const c of p.changes) workspaceScan.changedOnDisk(c.uri, c.type === FileChangeType.Deleted);
    }),
  );
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
  return codeActions(p, analyses);
});

connection.listen();
