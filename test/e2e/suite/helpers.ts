// Shared by the e2e tests: every wait polls for a condition (never a fixed sleep).
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';

export async function until<T>(fn: () => T | undefined | false | Promise<T | undefined | false>, what: string, ms = 30000): Promise<T> {
  const end = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export function root(): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the e2e run opens a workspace folder');
  return folder.uri;
}

export function file(rel: string): vscode.Uri {
  return vscode.Uri.joinPath(root(), ...rel.split('/'));
}

export function seclens(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'seclens');
}

export function codeOf(d: vscode.Diagnostic): string {
  return typeof d.code === 'object' ? String(d.code.value) : String(d.code);
}

/** The rule name SecLens appends to each message: `... [shell-command-injection]`. */
export function ruleOf(d: vscode.Diagnostic): string {
  return /\[([a-z0-9-]+)\]$/.exec(d.message)?.[1] ?? '';
}

export async function open(rel: string): Promise<vscode.TextEditor> {
  const doc = await vscode.workspace.openTextDocument(file(rel));
  return vscode.window.showTextDocument(doc);
}

export function key(diags: vscode.Diagnostic[]): string {
  return JSON.stringify(diags.map((d) => [codeOf(d), d.range.start.line, d.range.start.character, d.range.end.line, d.range.end.character, d.message]));
}

/** Run `change`, then wait until the published diagnostics of `uri` differ from before. */
export async function afterChange(uri: vscode.Uri, change: () => Thenable<unknown>, what: string): Promise<vscode.Diagnostic[]> {
  const before = key(seclens(uri));
  await change();
  return until(() => {
    const now = seclens(uri);
    return key(now) !== before ? now : undefined;
  }, what);
}

export async function codeActions(uri: vscode.Uri, range: vscode.Range): Promise<vscode.CodeAction[]> {
  return (await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, range, vscode.CodeActionKind.QuickFix.value)) ?? [];
}

/**
 * SecLens's quick fixes and ignore actions. The actions that vscode.executeCodeActionProvider
 * returns carry no `diagnostics` (seen in the real editor), so they are told apart by kind:
 * SecLens offers plain `quickfix`; the editor's own assistants add `quickfix.copilot` and kin.
 */
export function seclensActions(actions: vscode.CodeAction[]): vscode.CodeAction[] {
  return actions.filter((a) => a.kind?.value === vscode.CodeActionKind.QuickFix.value);
}

export const isIgnore = (a: vscode.CodeAction): boolean => /^Ignore /.test(a.title);

export async function apply(action: vscode.CodeAction): Promise<void> {
  assert.ok(action.edit, `code action "${action.title}" carries an edit`);
  assert.ok(await vscode.workspace.applyEdit(action.edit), `applying "${action.title}"`);
}

export async function hoverText(uri: vscode.Uri, pos: vscode.Position): Promise<string> {
  const hovers = (await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, pos)) ?? [];
  return hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
}
