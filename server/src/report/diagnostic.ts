// Findings -> LSP diagnostics. The fix's edits ride in `Diagnostic.data`, so a code action is a
// lookup, never a recomputation.
import { DiagnosticSeverity, type Diagnostic } from 'vscode-languageserver';
import type { Rule } from '../engine/rule';
import type { Finding, Fix } from '../engine/types';

export const SOURCE = 'seclens';

export interface DiagnosticData {
  rule: string;
  fix?: Fix;
  /** Lines whose comments may suppress the finding; the first is where "ignore" writes. */
  suppressLines: number[];
}

const SEVERITY = { error: DiagnosticSeverity.Error, warning: DiagnosticSeverity.Warning, info: DiagnosticSeverity.Information } as const;

export function toDiagnostic(f: Finding, rule: Rule, uri: string, docUri: string): Diagnostic {
  const data: DiagnosticData = { rule: f.rule, fix: f.fix, suppressLines: f.suppressLines ?? [f.range.start.line] };
  return {
    range: f.range,
    severity: SEVERITY[f.level],
    code: rule.code,
    codeDescription: { href: docUri },
    source: SOURCE,
    message: `${f.message} [${rule.name}]`,
    relatedInformation: (f.trace ?? []).slice(0, -1).map((step) => ({ location: { uri, range: step.range }, message: step.message })),
    data,
  };
}
