// Entry point of the suite that runs inside a real editor's extension host: the standard
// `run()` that VS Code calls for extensionTestsPath, so the same suite runs under code-server
// (test/e2e/launch.mjs) and under @vscode/test-electron.
import { readdirSync } from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';

export function run(): Promise<void> {
  // SECLENS_E2E_GREP (inherited through the editor's environment) runs a subset while developing.
  const mocha = new Mocha({ ui: 'tdd', color: false, timeout: 60000, reporter: 'spec', grep: process.env.SECLENS_E2E_GREP || undefined });
  for (const f of readdirSync(__dirname).filter((n) => n.endsWith('.test.js')).sort()) mocha.addFile(path.join(__dirname, f));
  return new Promise((resolve, reject) => {
    mocha.run((failures) => (failures > 0 ? reject(new Error(`${failures} e2e test(s) failed`)) : resolve()));
  });
}
