// Findings -> LSP diagnostics. A diagnostic carries what the editor shows (range, code, message,
// the trace as related information) and nothing else: its fix and suppression lines stay with the
// server's analysis, where a code action looks them up (handlers/codeAction.ts) by the
// diagnostic's code, range and message in the analysis of the current text. (Every publication
// of a large file is parsed whole by the client on each change: a field no one reads costs on
// every keystroke; the rule's name is in the message and its code.) Nothing in a
// diagnostic names a document version, so a finding that an edit did not touch keeps its
// Diagnostic object (and its encoded bytes) from one publication to the next.
import { DiagnosticSeverity, DiagnosticTag, type Diagnostic } from 'vscode-languageserver';
import { ruleSetting } from '../config/apply';
import type { Config } from '../config/schema';
import type { Rule } from '../engine/rule';
import type { UnusedSuppression } from '../engine/suppressions';
import type { Finding, TextRange } from '../engine/types';

export const SOURCE = 'seclens';
export const UNUSED_SUPPRESSION = 'unused-suppression';

const SEVERITY = { error: DiagnosticSeverity.Error, warning: DiagnosticSeverity.Warning, info: DiagnosticSeverity.Information } as const;

const built = new WeakMap<Finding, { uri: string; diagnostic: Diagnostic }>();

/**
 * The diagnostic of a finding, built once per Finding object (the engine reuses the objects of
 * definitions an edit did not touch). Never mutate the result: publications share it.
 */
export function toDiagnostic(f: Finding, rule: Rule, uri: string, docUri: string): Diagnostic {
  const known = built.get(f);
  if (known && known.uri === uri && known.diagnostic.codeDescription?.href === docUri && known.diagnostic.severity === SEVERITY[f.level]) return known.diagnostic;
  const diagnostic: Diagnostic = {
    range: f.range,
    severity: SEVERITY[f.level],
    code: rule.code,
    codeDescription: { href: docUri },
    source: SOURCE,
    message: diagnosticMessage(f, rule),
  };
  // The trace but its last step (the finding itself); none for a finding with no trace.
  if (f.trace && f.trace.length > 1) diagnostic.relatedInformation = f.trace.slice(0, -1).map((step) => ({ location: { uri, range: step.range }, message: step.message }));
  built.set(f, { uri, diagnostic });
  encoded.set(diagnostic, builtJson(diagnostic, f, rule));
  return diagnostic;
}

const encoded = new WeakMap<Diagnostic, string>();

/**
 * A diagnostic's JSON (the text `JSON.stringify` gives), encoded once per (never mutated)
 * Diagnostic object. Those `toDiagnostic` builds are written out as they are built (builtJson).
 */
export function diagnosticJson(d: Diagnostic): string {
  let json = encoded.get(d);
  if (json === undefined) {
    json = JSON.stringify(d);
    encoded.set(d, json);
  }
  return json;
}

/** Strings as JSON, by their text (messages, links, URIs: few distinct ones per file). */
const quoted = new Map<string, string>();

function quote(s: string): string {
  let q = quoted.get(s);
  if (q === undefined) {
    q = JSON.stringify(s);
    // A long session sees many messages: start over rather than grow without bound.
    if (quoted.size >= 20_000) quoted.clear();
    quoted.set(s, q);
  }
  return q;
}

function rangeJson(r: TextRange): string {
  return `{"start":{"line":${r.start.line},"character":${r.start.character}},"end":{"line":${r.end.line},"character":${r.end.character}}}`;
}

/** What `JSON.stringify` gives for a diagnostic as `toDiagnostic` builds it (the same fields, in the same order). */
function builtJson(d: Diagnostic, f: Finding, rule: Rule): string {
  // The message is `diagnosticMessage`: a finding moved by an edit keeps its message's string, whose JSON is at hand.
  const message = `${quote(f.message).slice(0, -1)}${quote(ruleSuffix(rule)).slice(1)}`;
  let related = '';
  for (const r of d.relatedInformation ?? []) {
    related += related ? ',' : ',"relatedInformation":[';
    related += `{"location":{"uri":${quote(r.location.uri)},"range":${rangeJson(r.location.range)}},"message":${quote(r.message)}}`;
  }
  if (related) related += ']';
  return (
    `{"range":${rangeJson(d.range)},"severity":${d.severity},"code":${quote(d.code as string)},"codeDescription":{"href":${quote(d.codeDescription!.href)}},` +
    `"source":${quote(d.source!)},"message":${message}${related}}`
  );
}

/**
 * Whether two lists of diagnostics publish the same JSON, in the same order. Diagnostics built
 * from the same Finding are the same object (toDiagnostic), so a keystroke that changes no
 * finding costs one identity check per diagnostic; only objects built anew (a re-walked
 * definition, the unused-suppression hints) are compared by their JSON.
 */
export function sameDiagnostics(a: readonly Diagnostic[], b: readonly Diagnostic[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i] && diagnosticJson(a[i]) !== diagnosticJson(b[i])) return false;
  }
  return true;
}

export function diagnosticMessage(f: Finding, rule: Rule): string {
  return f.message + ruleSuffix(rule);
}

function ruleSuffix(rule: Rule): string {
  return ` [${rule.name}]`;
}

/** What tells a diagnostic the editor sends back (a code action's context) from any other. */
export function diagnosticKey(code: string | number | undefined, range: TextRange, message: string): string {
  return `${code}|${range.start.line}:${range.start.character}-${range.end.line}:${range.end.character}|${message}`;
}

export interface UnusedData {
  /** The unused name, or null for a bare marker. */
  unused: string | null;
}

/** Faded hints for `seclens: ignore` names that silence nothing (not for rules switched off by settings). */
export function unusedSuppressionDiagnostics(unused: UnusedSuppression[], rules: readonly Rule[], config: Config): Diagnostic[] {
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
      data: { unused: u.id } satisfies UnusedData,
    });
  }
  return out;
}
