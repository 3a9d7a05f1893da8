// Code actions for the diagnostics the editor sends back: the rule's fix, "Ignore on this line",
// "Ignore in this file", "Remove unused suppression", and a fix-all for the safe fixes
// (`source.fixAll.seclens`). Edits are those of the analysis of the current text: a diagnostic
// is matched (code, range, message) with a finding of that analysis, whose fix and suppression
// lines are used. A diagnostic of older text that no current finding matches (a keystroke moved
// it) offers nothing, nor does anything while newer text awaits analysis; and every edit names
// its version (a versioned TextDocumentEdit) so that the editor refuses it if the text moved on
// in between.
import {
  CodeActionKind, TextDocumentEdit, type CodeAction, type CodeActionParams, type Diagnostic, type TextEdit, type WorkspaceEdit,
} from 'vscode-languageserver';
import { applyEdits, combineFixes } from '../engine/fixes';
import { fileSuppressionEdit, removeSuppressionEdit, suppressionEdit } from '../engine/suppress-edit';
import type { Finding } from '../engine/types';
import type { UnusedData } from '../report/diagnostic';
import { diagnosticKey, diagnosticMessage, SOURCE } from '../report/diagnostic';
import type { ModuleTrees } from '../engine/trees';
import type { Analysed, DocumentAnalyses } from './diagnostics';

export const FIX_ALL_KIND = `${CodeActionKind.SourceFixAll}.${SOURCE}`;

function wants(only: string[] | undefined, kind: string): boolean {
  return !only || only.some((o) => kind === o || kind.startsWith(`${o}.`));
}

/** The last line of the module docstring, if the module starts with one. */
function docstringEnd(module: ModuleTrees): number | undefined {
  // One statement at a time (namedChildren would bring every top-level statement out of WASM).
  const root = module.roots[0];
  let first = null;
  for (let i = 0; i < root.namedChildCount && !first; i++) {
    const n = root.namedChild(i);
    if (n && n.type !== 'comment') first = n;
  }
  if (first?.type === 'expression_statement' && first.namedChild(0)?.type === 'string') return first.endPosition.row;
  return undefined;
}

export interface CodeActionOptions {
  /** The client takes `documentChanges` (versioned edits); else plain `changes`. */
  documentChanges?: boolean;
}

type Published = Map<string, { finding: Finding } | { unused: Diagnostic }>;
/** Per published list of findings: the editor asks for code actions at the cursor after each keystroke. */
const publishedKeys = new WeakMap<Finding[], { unused: Diagnostic[] | undefined; keys: Published }>();

/** The findings and unused-suppression hints of the entry's analysis, by diagnostic key. */
function published(entry: Analysed, analyses: DocumentAnalyses): Published {
  const known = publishedKeys.get(entry.findings);
  if (known && known.unused === entry.unused) return known.keys;
  const out: Published = new Map();
  for (const finding of entry.findings) {
    const rule = analyses.rule(finding.rule);
    if (rule) out.set(diagnosticKey(rule.code, finding.range, diagnosticMessage(finding, rule)), { finding });
  }
  for (const d of entry.unused ?? []) out.set(keyOf(d), { unused: d });
  publishedKeys.set(entry.findings, { unused: entry.unused, keys: out });
  return out;
}

function keyOf(d: Diagnostic): string {
  return diagnosticKey(d.code, d.range, typeof d.message === 'string' ? d.message : d.message.value);
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

  // The analysis describes older text (typing, or `run: onSave` before the save): its ranges and
  // edits may point anywhere now.
  const current = entry.analysedVersion === version;
  const ours = (params.context.diagnostics as Diagnostic[]).filter((d) => d.source === SOURCE);
  const byKey = current && ours.length > 0 && wants(only, CodeActionKind.QuickFix) ? published(entry, analyses) : undefined;
  for (const diagnostic of byKey ? ours : []) {
    const match = byKey!.get(keyOf(diagnostic));
    if (!match) continue;
    if ('unused' in match) {
      const edit = removeSuppressionEdit(text, match.unused.range, (match.unused.data as UnusedData).unused);
      if (edit) {
        actions.push({ title: 'Remove unused suppression', kind: CodeActionKind.QuickFix, diagnostics: [diagnostic], isPreferred: true, edit: workspaceEdit([edit]) });
      }
      continue;
    }
    const { fix, rule, range, suppressLines } = match.finding;
    if (fix) {
      actions.push({
        title: `${fix.title}${fix.safe ? '' : ' (review: may change behaviour)'}`,
        kind: CodeActionKind.QuickFix,
        diagnostics: [diagnostic],
        isPreferred: fix.safe,
        edit: workspaceEdit(fix.edits),
      });
    }
    actions.push({
      title: `Ignore ${rule} on this line`,
      kind: CodeActionKind.QuickFix,
      diagnostics: [diagnostic],
      edit: workspaceEdit([suppressionEdit(text, suppressLines ?? [range.start.line], rule)]),
    });
    actions.push({
      title: `Ignore ${rule} in this file`,
      kind: CodeActionKind.QuickFix,
      diagnostics: [diagnostic],
      edit: workspaceEdit([fileSuppressionEdit(text, rule, docstringEnd(entry.doc.module))]),
    });
  }

  // The findings' fixes describe the analysed version: none while newer text awaits analysis
  // (typing, or `run: onSave` before the save).
  if (only && current && wants(only, FIX_ALL_KIND) && only.some((o) => FIX_ALL_KIND.startsWith(o) && o !== '')) {
    const safe = entry.findings.filter((f) => f.fix?.safe).map((f) => f.fix!);
    const edits = combineFixes(text, safe);
    if (edits.length > 0 && applyEdits(text, edits) !== text) {
      actions.push({ title: 'Fix all safe SecLens issues', kind: FIX_ALL_KIND, edit: workspaceEdit(edits) });
    }
  }
  return actions;
}
