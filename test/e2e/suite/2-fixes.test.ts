/// <reference types="mocha" />
// Every kind of quick fix, applied in the editor the way a user applies it (the light bulb's
// action through vscode.executeCodeActionProvider + applyEdit): for each rule with a fix,
// workspace/fixes/<rule>.py holds one finding and <rule>.fixed.py the text after its fix.
// A new rule with a fix fails here until it has its pair; test/unit/e2e-fix-pairs.test.ts checks
// the same pairs at the engine level, so `npm test` catches a missing or stale pair first.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { RULES } from '../../../rules';
import { apply, codeActions, file, isIgnore, ruleOf, seclens, seclensActions, until } from './helpers';

const withFix = RULES.filter((r) => r.fix !== 'none');

suite('quick fixes: one per rule with a fix', () => {
  test('there are fixable rules to check', () => assert.ok(withFix.length >= 3));

  for (const rule of withFix) {
    test(`${rule.name}: the fix leaves fixes/${rule.name}.fixed.py`, async () => {
      const expected = new TextDecoder().decode(await vscode.workspace.fs.readFile(file(`fixes/${rule.name}.fixed.py`)));
      const doc = await vscode.workspace.openTextDocument(file(`fixes/${rule.name}.py`));
      await vscode.window.showTextDocument(doc);
      const d = await until(() => seclens(doc.uri).find((x) => ruleOf(x) === rule.name), `the ${rule.name} diagnostic`);
      const fix = seclensActions(await codeActions(doc.uri, d.range)).find((a) => !isIgnore(a));
      assert.ok(fix, `a ${rule.name} quick fix is offered`);
      await apply(fix);
      await until(() => !seclens(doc.uri).some((x) => ruleOf(x) === rule.name), `the ${rule.name} diagnostic gone after "${fix.title}"`);
      assert.equal(doc.getText(), expected);
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    });
  }
});
