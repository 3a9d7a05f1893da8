/// <reference types="mocha" />
// Squiggles, typing, hover and "ignore on this line" on a real Python file in a real editor.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { RULES } from '../../../rules';
import { afterChange, apply, codeActions, codeOf, file, hoverText, isIgnore, open, ruleOf, seclens, seclensActions, until } from './helpers';

const shell = RULES.find((r) => r.name === 'shell-command-injection')!;

suite('editor: diagnostics, typing, hover, ignore', () => {
  const uri = file('agent.py');

  test('diagnostics appear when the file opens', async () => {
    await open('agent.py');
    const diags = await until(() => seclens(uri).length === 2 && seclens(uri), 'two SecLens diagnostics on agent.py');
    for (const d of diags) {
      assert.equal(codeOf(d), shell.code);
      assert.equal(ruleOf(d), 'shell-command-injection');
      assert.equal(d.severity, vscode.DiagnosticSeverity.Warning);
      assert.match(d.message, /parameter `(key|zone)`/);
    }
    assert.deepEqual(diags.map((d) => d.range.start.line).sort(), [5, 9]);
    assert.ok(diags.every((d) => d.code && typeof d.code === 'object' && /shell-command-injection/.test(d.code.target.toString())), 'the code links to the rule page');
  });

  test('typing a constant command clears the squiggle, typing the parameter back restores it', async () => {
    const editor = await open('agent.py');
    const line = editor.document.lineAt(5);
    const start = line.text.indexOf('{key}={val}');
    const range = new vscode.Range(5, start, 5, start + '{key}={val}'.length);
    let diags = await afterChange(uri, () => editor.edit((e) => e.replace(range, 'vm.swappiness=10')), 'diagnostics after removing the parameters');
    assert.deepEqual(diags.map((d) => d.range.start.line), [9], 'only the conntrack call is still flagged');
    // Type the risk back one keystroke at a time, as a user would.
    const at = new vscode.Range(5, start, 5, start + 'vm.swappiness=10'.length);
    await editor.edit((e) => e.delete(at));
    for (const [i, ch] of [...'{key}={val}'].entries()) {
      await editor.edit((e) => e.insert(new vscode.Position(5, start + i), ch));
    }
    assert.equal(editor.document.lineAt(5).text, line.text);
    // Keystrokes are analysed as they come: wait for the analysis of the last one.
    diags = await until(() => {
      const now = seclens(uri);
      return now.length === 2 && now.some((d) => d.range.start.line === 5 && /parameter `key`, parameter `val`/.test(d.message)) && now;
    }, 'the squiggle back after typing {key}={val}');
    assert.deepEqual(diags.map((d) => d.range.start.line).sort(), [5, 9]);
    assert.deepEqual(diags.map(ruleOf), ['shell-command-injection', 'shell-command-injection']);
  });

  test('the hover explains the finding', async () => {
    const d = seclens(uri).find((x) => x.range.start.line === 9)!;
    const text = await hoverText(uri, d.range.start.translate(0, 1));
    assert.match(text, new RegExp(`${shell.code}.*${shell.name}`));
    assert.ok(text.includes(shell.summary), 'summary');
    assert.ok(text.includes('Why it matters') && text.includes(shell.explanation.why.slice(0, 60)), 'why');
    assert.ok(text.includes(shell.explanation.useInstead.trim().split('\n')[0]), 'what to use instead');
    assert.match(text, /parameter `zone`/);
  });

  test('"Ignore on this line" adds a marker and the squiggle goes', async () => {
    const d = seclens(uri).find((x) => x.range.start.line === 9)!;
    const ignore = seclensActions(await codeActions(uri, d.range)).find((a) => /^Ignore .*on this line/.test(a.title));
    assert.ok(ignore, 'an "Ignore on this line" action');
    const diags = await afterChange(uri, () => apply(ignore), 'diagnostics after ignoring');
    assert.deepEqual(diags.map((x) => x.range.start.line), [5]);
    const doc = await vscode.workspace.openTextDocument(uri);
    assert.match(doc.lineAt(9).text, /shell=True, check=True\)  # seclens: ignore\[shell-command-injection\]$/);
  });

  test('a quick fix lands in the editor', async () => {
    const d = seclens(uri).find((x) => x.range.start.line === 5)!;
    const fix = seclensActions(await codeActions(uri, d.range)).find((a) => !isIgnore(a));
    assert.ok(fix, 'a fix for the f-string shell command');
    assert.match(fix.title, /argument list/);
    await apply(fix);
    await until(() => !seclens(uri).some((x) => ruleOf(x) === 'shell-command-injection'), 'the shell diagnostic gone');
    const doc = await vscode.workspace.openTextDocument(uri);
    assert.equal(doc.lineAt(5).text, '    subprocess.run(["sysctl", "-w", f"{key}={val}"], shell=False, check=True)');
    // The argument list still carries the parameters: the next rule takes over, as in the LSP tests.
    assert.deepEqual(seclens(uri).map(ruleOf), ['unvalidated-command-argument']);
  });
});
