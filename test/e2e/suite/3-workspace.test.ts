/// <reference types="mocha" />
// The workspace scan fills the Problems panel for files nobody opened (respecting .gitignore and
// seclens.exclude), and hands a file over to the live analysis when it opens.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { afterChange, codeActions, file, isIgnore, open, ruleOf, seclens, seclensActions, until } from './helpers';

interface ScanSummary {
  files: number;
  filesWithFindings: number;
  findings: number;
  cancelled: boolean;
}

suite('workspace scan', () => {
  const closed = file('scan/closed_agent.py');

  test('closed files have no problems before the scan', () => {
    assert.ok(!vscode.workspace.textDocuments.some((d) => d.uri.toString() === closed.toString()), 'closed_agent.py is not open');
    assert.deepEqual(seclens(closed), []);
  });

  test('"SecLens: Scan Workspace" reports closed files, skipping ignored and excluded ones', async () => {
    const commands = await vscode.commands.getCommands(true);
    assert.ok(commands.includes('seclens.scanWorkspace'));
    const summary = await vscode.commands.executeCommand<ScanSummary>('seclens.scanWorkspace');
    assert.ok(summary && !summary.cancelled, 'the scan ran to the end');
    const diags = await until(() => seclens(closed).length > 0 && seclens(closed), 'problems of the closed file');
    assert.deepEqual(diags.map((d) => [ruleOf(d), d.range.start.line]), [['shell-command-injection', 5]]);
    assert.match(diags[0].message, /parameter `cidr`, parameter `gateway`/);
    for (const skipped of ['ignored_dir/risky.py', 'scan/build/generated.py', 'vendor/lib.py']) {
      assert.deepEqual(seclens(file(skipped)), [], `${skipped} is skipped`);
    }
    // The fixtures copied into the workspace are scanned too (many files, many findings).
    assert.ok(summary.files >= 10, `scanned ${summary.files} files`);
    assert.ok(summary.findings >= summary.filesWithFindings && summary.filesWithFindings >= 2);
  });

  test('opening a scanned file hands it to the live analysis', async () => {
    const editor = await open('scan/closed_agent.py');
    assert.equal(seclens(closed).length, 1);
    const line = editor.document.lineAt(5);
    const from = line.text.indexOf('%s via %s" % (cidr, gateway)');
    const diags = await afterChange(
      closed,
      () => editor.edit((e) => e.replace(new vscode.Range(5, from, 5, from + '%s via %s" % (cidr, gateway)'.length), '10.0.0.0/8 via 192.0.2.1"')),
      'live diagnostics after the edit',
    );
    assert.deepEqual(diags, [], 'the edit in the open file clears its problem');
  });
});

suite('notebooks', () => {
  test('a Python code cell gets diagnostics, a hover and a fix', async () => {
    const nb = await vscode.workspace.openNotebookDocument(file('notebook.ipynb'));
    await vscode.window.showNotebookDocument(nb);
    const cell = nb.getCells().find((c) => c.kind === vscode.NotebookCellKind.Code && c.document.getText().includes('systemctl'))!;
    const quiet = nb.getCells().find((c) => c.kind === vscode.NotebookCellKind.Code && c.document.getText().includes('nothing risky'))!;
    assert.equal(cell.document.uri.scheme, 'vscode-notebook-cell');
    assert.equal(cell.document.languageId, 'python');
    const diags = await until(() => seclens(cell.document.uri).length > 0 && seclens(cell.document.uri), 'diagnostics in the notebook cell', 60000);
    assert.deepEqual(diags.map((d) => [ruleOf(d), d.range.start.line]), [['shell-command-injection', 4]]);
    assert.deepEqual(seclens(quiet.document.uri), []);
    const hovers = (await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', cell.document.uri, diags[0].range.start.translate(0, 1))) ?? [];
    const text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
    assert.match(text, /shell-command-injection/);
    const actions = seclensActions(await codeActions(cell.document.uri, diags[0].range)).filter((a) => !isIgnore(a));
    assert.ok(actions.length > 0 && actions[0].edit, 'a fix for the cell');
    assert.ok(await vscode.workspace.applyEdit(actions[0].edit!));
    await until(() => !seclens(cell.document.uri).some((d) => ruleOf(d) === 'shell-command-injection'), 'the cell diagnostic gone after the fix');
    assert.match(cell.document.getText(), /subprocess\.run\(\["systemctl", "restart", str\(service\)\], shell=False\)$/);
  });
});
