// Code actions straight from Diagnostic.data: the rule's fix, "Ignore on this line", "Ignore in
// this file", "Remove unused suppression", and a fix-all for the safe fixes (`source.fixAll.seclens`).
// Edits are computed for one document version: a diagnostic whose data names another version
// than the open text (a keystroke came after its analysis) offers nothing until the next
// publication, and every edit names its version (a versioned TextDocumentEdit) so that the editor
// refuses it if the text moved on in between.
import {
  CodeActionKind, TextDocumentEdit, type CodeAction, type CodeActionParams, type Diagnostic, type TextEdit, type WorkspaceEdit,
} from 'vscode-languageserver';
import { applyEdits, combineFixes } from '../engine/fixes';
import { fileSuppressionEdit, removeSuppressionEdit, suppressionEdit } from '../engine/suppress-edit';
import type { DiagnosticData, UnusedData } from '../report/diagnostic';
import { SOURCE, UNUSED_SUPPRESSION } from '../report/diagnostic';
import type { Tree } from 'web-tree-sitter';
import type { DocumentAnalyses } from './diagnostics';

export const FIX_ALL_KIND = `${CodeActionKind.SourceFixAll}.${SOURCE}`;

function wants(only: string[] | undefined, kind: string): boolean {
  return !only || only.some((o) => kind === o || kind.startsWith(`${o}.`));
}

/** The last line of the module docstring, if the module starts with one. */
function docstringEnd(tree: Tree): number | undefined {
  const first = tree.rootNode.namedChildren.find((n) => n && n.type !== 'comment');
  if (first?.type === 'expression_statement' && first.namedChild(0)?.type === 'string') return first.endPosition.row;
  return undefined;
}

export interface CodeActionOptions {
  /** The client takes `documentChanges` (versioned edits); else plain `changes`. */
  documentChanges?: boolean;
}

export function codeActions(params: CodeActionParams, analyses: DocumentAnalyses, options: CodeActionOptions = {}): CodeAction[] {
  const entry = analyses.get(params.textDocument.uri);
  if (!entry) return [];
  const uri = params.textDocument.uri;
  const text = entry.doc.text;
  const version = entry.doc.version;
  const only = params.context.only;
  const actions: CodeAction[] = [];
  const workspaceEdit = (edits: TextEdit[]): WorkspaceEdit =>
    options.documentChanges ? { documentChanges: [TextDocumentEdit.create({ uri, version }, edits)] } : { changes: { [uri]: edits } };

  for (const diagnostic of params.context.diagnostics as Diagnostic[]) {
    if (diagnostic.source !== SOURCE || !diagnostic.data) continue;
    // Computed for older (or unknown) text: its ranges and edits may point anywhere now.
    if ((diagnostic.data as { version?: number }).version !== version) continue;
    if (diagnostic.code === UNUSED_SUPPRESSION) {
      const edit = wants(only, CodeActionKind.QuickFix) && removeSuppressionEdit(text, diagnostic.range, (diagnostic.data as UnusedData).unused);
      if (edit) {
        actions.push({ title: 'Remove unused suppression', kind: CodeActionKind.QuickFix, diagnostics: [diagnostic], isPreferred: true, edit: workspaceEdit([edit]) });
      }
      continue;
    }
    const data = diagnostic.data as DiagnosticData;
    if (data.fix && wants(only, CodeActionKind.QuickFix)) {
      actions.push({
        title: `${data.fix.title}${data.fix.safe ? '' : ' (review: may change behaviour)'}`,
        kind: CodeActionKind.QuickFix,
        diagnostics: [diagnostic],
        isPreferred: data.fix.safe,
        edit: workspaceEdit(data.fix.edits),
      });
    }
    if (wants(only, CodeActionKind.QuickFix)) {
      actions.push({
        title: `Ignore ${data.rule} on this line`,
        kind: CodeActionKind.QuickFix,
        diagnostics: [diagnostic],
        edit: workspaceEdit([suppressionEdit(text, data.suppressLines, data.rule)]),
      });
      actions.push({
        title: `Ignore ${data.rule} in this file`,
        kind: CodeActionKind.QuickFix,
        diagnostics: [diagnostic],
        edit: workspaceEdit([fileSuppressionEdit(text, data.rule, docstringEnd(entry.doc.tree))]),
      });
    }
  }

  // The findings' fixes describe the analysed version: none while newer text awaits analysis
  // (typing, or `run: onSave` before the save).
  if (only && entry.analysedVersion === version && wants(only, FIX_ALL_KIND) && only.some((o) => FIX_ALL_KIND.startsWith(o) && o !== '')) {
    const safe = entry.findings.filter((f) => f.fix?.safe).map((f) => f.fix!);
    const edits = combineFixes(text, safe);
    if (edits.length > 0 && applyEdits(text, edits) !== text) {
      actions.push({ title: 'Fix all safe SecLens issues', kind: FIX_ALL_KIND, edit: workspaceEdit(edits) });
    }
  }
  return actions;
}
