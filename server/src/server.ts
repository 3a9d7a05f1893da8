// Connection wiring only: the LSP handlers live in handlers/, the analysis in engine/.
// Runs over IPC when started by the VS Code client, over stdio with `--stdio` for other editors.
import {
  CodeActionKind, createConnection, ProposedFeatures, TextDocumentSyncKind, type InitializeResult,
} from 'vscode-languageserver/node';
import { RULES } from '../../rules';
import { initParser } from './engine/parser';
import { codeActions, FIX_ALL_KIND } from './handlers/codeAction';
import { DocumentAnalyses } from './handlers/diagnostics';
import { hover } from './handlers/hover';
import { VERSION } from './version';

const connection = createConnection(ProposedFeatures.all);
const analyses = new DocumentAnalyses(connection, RULES);
// Notifications that arrive before the grammar is loaded wait for it, in order.
let ready: Promise<unknown> = Promise.resolve();

connection.onInitialize((params): InitializeResult => {
  // `{"maxFileSize": n}` or `{"seclens": {"maxFileSize": n}}` in initializationOptions.
  const init = params.initializationOptions as { maxFileSize?: unknown; seclens?: { maxFileSize?: unknown } } | undefined;
  const maxFileSize = init?.seclens?.maxFileSize ?? init?.maxFileSize;
  if (typeof maxFileSize === 'number' && maxFileSize > 0) analyses.maxFileSize = maxFileSize;
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

connection.onDidOpenTextDocument((p) => {
  if (p.textDocument.languageId !== 'python') return;
  ready = ready.then(() => guarded('open', () => analyses.open(p.textDocument.uri, p.textDocument.version, p.textDocument.text)));
});
connection.onDidChangeTextDocument((p) => {
  ready = ready.then(() => guarded('change', () => analyses.change(p.textDocument.uri, p.textDocument.version, p.contentChanges)));
});
connection.onDidCloseTextDocument((p) => {
  ready = ready.then(() => guarded('close', () => analyses.close(p.textDocument.uri)));
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
