// The VS Code side: start the bundled language server over stdio for Python files and notebook
// cells, offer the workspace scan and show the problem count. No analysis happens here. (Over
// stdio, the server writes each diagnostic's JSON once and reuses it while it stands: over IPC,
// Node would stringify every publication whole, hundreds of diagnostics per keystroke in a large
// file. It is also how every other editor runs the server.)
import * as path from 'node:path';
import * as vscode from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';

// Must match server/src/handlers/workspaceScan.ts (the client bundle does not import the server).
const SCAN_REQUEST = 'seclens/scanWorkspace';
const SCAN_PROGRESS = 'seclens/scanProgress';
interface ScanSummary {
  files: number;
  filesWithFindings: number;
  findings: number;
  cancelled: boolean;
}

let client: LanguageClient | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const module = context.asAbsolutePath(path.join('dist', 'server.js'));
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.stdio },
    debug: { module, transport: TransportKind.stdio, options: { execArgv: ['--nolazy', '--inspect=6009'] } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'python' },
      { scheme: 'untitled', language: 'python' },
      // Jupyter code cells reach the server as text documents, one per cell.
      { scheme: 'vscode-notebook-cell', language: 'python' },
      // Virtual workspaces (e.g. a GitHub repository opened remotely): open files are analysed.
      { scheme: 'vscode-vfs', language: 'python' },
    ],
    // Scanned files that change on disk while closed are analysed again.
    synchronize: { fileEvents: vscode.workspace.createFileSystemWatcher('**/*.py') },
  };
  const lc = new LanguageClient('seclens', 'SecLens', serverOptions, clientOptions);
  client = lc;

  let reportProgress: ((done: number, total: number) => void) | undefined;
  context.subscriptions.push(
    lc.onNotification(SCAN_PROGRESS, (p: { done: number; total: number }) => reportProgress?.(p.done, p.total)),
  );

  const scanWorkspace = async (): Promise<ScanSummary | undefined> => {
    const folders = (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.toString());
    if (folders.length === 0) {
      void vscode.window.showInformationMessage('SecLens: open a folder to scan a workspace.');
      return undefined;
    }
    return vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'SecLens: scanning workspace', cancellable: true },
      async (progress, token) => {
        let shown = 0;
        reportProgress = (done, total) => {
          const pct = total > 0 ? (done / total) * 100 : 100;
          progress.report({ message: `${done}/${total} files`, increment: pct - shown });
          shown = pct;
        };
        try {
          return await lc.sendRequest<ScanSummary>(SCAN_REQUEST, { folders }, token);
        } catch (error) {
          if (token.isCancellationRequested) return { files: 0, filesWithFindings: 0, findings: 0, cancelled: true };
          throw error;
        } finally {
          reportProgress = undefined;
        }
      },
    );
  };
  context.subscriptions.push(vscode.commands.registerCommand('seclens.scanWorkspace', scanWorkspace));

  // The count of SecLens problems, open files and scanned files alike; a click opens Problems.
  const status = vscode.window.createStatusBarItem('seclens.problems', vscode.StatusBarAlignment.Left, 50);
  status.name = 'SecLens problems';
  status.command = 'workbench.actions.view.problems';
  status.tooltip = 'SecLens findings (warning and error level); click to open the Problems view';
  const updateStatus = () => {
    let count = 0;
    for (const [, diagnostics] of vscode.languages.getDiagnostics()) {
      for (const d of diagnostics) if (d.source === 'seclens' && d.severity <= vscode.DiagnosticSeverity.Warning) count++;
    }
    status.text = `$(shield) SecLens: ${count}`;
  };
  updateStatus();
  status.show();
  context.subscriptions.push(status, vscode.languages.onDidChangeDiagnostics(updateStatus));

  await lc.start();
  if (vscode.workspace.getConfiguration('seclens').get<boolean>('workspaceScan.onStartup', false)) void scanWorkspace();
}

export async function deactivate(): Promise<void> {
  await client?.stop();
  client = undefined;
}
