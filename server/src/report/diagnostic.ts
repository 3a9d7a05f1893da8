// Findings -> LSP diagnostics. The fix's edits ride in `Diagnostic.data`, so a code action is a
// lookup, never a recomputation; `data.version` names the document version those edits (and the
// suppression lines) were computed for, so that a code action never applies them to newer text.
import { DiagnosticSeverity, DiagnosticTag, type Diagnostic } from 'vscode-languageserver';
import { ruleSetting } from '../config/apply';
import type { Config } from '../config/schema';
import type { Rule } from '../engine/rule';
import type { UnusedSuppression } from '../engine/suppressions';
import type { Finding, Fix } from '../engine/types';

export const SOURCE = 'seclens';
export const UNUSED_SUPPRESSION = 'unused-suppression';

export interface DiagnosticData {
  rule: string;
  fix?: Fix;
  /** Lines whose comments may suppress the finding; the first is where "ignore" writes. */
  suppressLines: number[];
  /** The document version analysed; absent for files analysed from disk (not open). */
  version?: number;
}

const SEVERITY = { error: DiagnosticSeverity.Error, warning: DiagnosticSeverity.Warning, info: DiagnosticSeverity.Information } as const;

export function toDiagnostic(f: Finding, rule: Rule, uri: string, docUri: string, version?: number): Diagnostic {
  const data: DiagnosticData = { rule: f.rule, fix: f.fix, suppressLines: f.suppressLines ?? [f.range.start.line], version };
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

export interface UnusedData {
  /** The unused name, or null for a bare marker. */
  unused: string | null;
  /** The document version analysed, as in DiagnosticData. */
  version?: number;
}

/** Faded hints for `seclens: ignore` names that silence nothing (not for rules switched off by settings). */
export function unusedSuppressionDiagnostics(unused: UnusedSuppression[], rules: readonly Rule[], config: Config, version?: number): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const u of unused) {
    const marker = u.file ? 'seclens: ignore-file' : 'seclens: ignore';
    let message: string;
    if (u.id === null) {
      message = `Unused suppression: \`${marker}\` silences no finding here; remove it`;
    } else {
      const rule = rules.find((r) => r.name === u.id || r.code === u.id);
      if (rule && ruleSetting(rule, config) === 'off') continue;
      message = rule
        ? `Unused suppression: \`${u.id}\` reports nothing ${u.file ? 'in this file' : 'here'}; remove it from \`${marker}[...]\``
        : `Unused suppression: \`${u.id}\` is not a SecLens rule name or code`;
    }
    out.push({
      range: u.range,
      severity: DiagnosticSeverity.Hint,
      tags: [DiagnosticTag.Unnecessary],
      code: UNUSED_SUPPRESSION,
      source: SOURCE,
      message,
      data: { unused: u.id, version } satisfies UnusedData,
    });
  }
  return out;
}
