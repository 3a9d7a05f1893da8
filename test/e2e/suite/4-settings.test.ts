/// <reference types="mocha" />
// Settings changed in the real editor take effect on open files: a rule switched off by
// `seclens.rules.customizations` loses its squiggles, `seclens.enable: false` clears them all,
// and putting the settings back restores them. The changes go to the workspace's
// .vscode/settings.json (a copy made for the run) and are undone at the end.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { apply, codeActions, file, open, ruleOf, seclens, seclensActions, until } from './helpers';

const TEXT = [
  'import subprocess',
  '',
  'import yaml',
  '',
  '',
  'def apply(key, stream):',
  '    subprocess.run("sysctl -w %s" % key, shell=True)',
  '    return yaml.load(stream)',
  '',
].join('\n');

suite('settings take effect in the editor', () => {
  const uri = file('settings_check.py');
  const config = () => vscode.workspace.getConfiguration('seclens', uri);
  const rules = () => seclens(uri).map(ruleOf).sort().join(',');
  const BOTH = 'shell-command-injection,unsafe-yaml-load';

  suiteSetup(async () => {
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(TEXT));
    await open('settings_check.py');
    await until(() => rules() === BOTH, `both findings on settings_check.py (have: ${rules()})`);
  });

  suiteTeardown(async () => {
    await config().update('rules.customizations', undefined, vscode.ConfigurationTarget.Workspace);
    await config().update('enable', undefined, vscode.ConfigurationTarget.Workspace);
    await config().update('run', undefined, vscode.ConfigurationTarget.Workspace);
  });

  test('a rule set to "off" in seclens.rules.customizations loses its diagnostics; removing the entry brings them back', async () => {
    await config().update('rules.customizations', { 'shell-command-injection': 'off' }, vscode.ConfigurationTarget.Workspace);
    await until(() => rules() === 'unsafe-yaml-load', 'only the yaml finding once shell-command-injection is off');
    await config().update('rules.customizations', undefined, vscode.ConfigurationTarget.Workspace);
    await until(() => rules() === BOTH, 'both findings again');
  });

  test('a level set in seclens.rules.customizations changes the severity', async () => {
    await config().update('rules.customizations', [{ rule: 'SL101', severity: 'error' }], vscode.ConfigurationTarget.Workspace);
    const shell = await until(
      () => seclens(uri).find((d) => ruleOf(d) === 'shell-command-injection' && d.severity === vscode.DiagnosticSeverity.Error),
      'shell-command-injection at error level',
    );
    assert.equal(shell.range.start.line, 6);
    await config().update('rules.customizations', undefined, vscode.ConfigurationTarget.Workspace);
    await until(() => seclens(uri).find((d) => ruleOf(d) === 'shell-command-injection')?.severity === vscode.DiagnosticSeverity.Warning, 'the default level again');
  });

  test('seclens.enable: false clears the diagnostics; true brings them back', async () => {
    await config().update('enable', false, vscode.ConfigurationTarget.Workspace);
    await until(() => seclens(uri).length === 0, 'no SecLens diagnostics when disabled');
    await config().update('enable', undefined, vscode.ConfigurationTarget.Workspace);
    await until(() => rules() === BOTH, 'both findings once enabled again');
  });

  test('seclens.run: onSave: no quick fix from the analysis of older text; after the save, the fix lands on the moved line', async () => {
    // Both settings arrive together: the new level shows that onSave is in force too.
    await config().update('rules.customizations', { SL101: 'error' }, vscode.ConfigurationTarget.Workspace);
    await config().update('run', 'onSave', vscode.ConfigurationTarget.Workspace);
    await until(() => seclens(uri).some((d) => ruleOf(d) === 'shell-command-injection' && d.severity === vscode.DiagnosticSeverity.Error), 'the error level');
    const editor = await open('settings_check.py');
    const all = () => new vscode.Range(0, 0, editor.document.lineCount, 0);
    assert.ok(seclensActions(await codeActions(uri, all())).some((a) => !/^Ignore /.test(a.title)), 'a fix for the analysed text');
    assert.ok(await editor.edit((e) => e.insert(new vscode.Position(0, 0), '# Sysctl helpers.\n')));
    // The diagnostics shown describe the text before the edit: their edits would land a line off.
    assert.deepEqual(seclensActions(await codeActions(uri, all())).map((a) => a.title), [], 'no SecLens action for unanalysed text');
    assert.ok(await editor.document.save());
    await until(() => seclens(uri).find((d) => ruleOf(d) === 'shell-command-injection')?.range.start.line === 7, 'the finding on its new line after the save');
    const fix = seclensActions(await codeActions(uri, all())).find((a) => /shell=False/.test(a.title));
    assert.ok(fix, 'the shell fix once the saved text is analysed');
    await apply(fix);
    assert.equal(editor.document.lineAt(0).text, '# Sysctl helpers.');
    assert.match(editor.document.lineAt(7).text, /^    subprocess\.run\(\[.*shell=False\)$/);
  });
});
