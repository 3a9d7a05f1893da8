// Findings -> SARIF 2.1.0. Columns are UTF-16 code units (SARIF's default columnKind), the
// units the engine already uses; lines and columns are 1-based.
import type { Rule } from '../engine/rule';
import type { Finding, TextRange } from '../engine/types';
import { repoDocUri } from './links';
import { ruleDoc } from './markdown';

export interface FileFindings {
  /** Path relative to the scan's base, with forward slashes. */
  uri: string;
  findings: Finding[];
}

/** The key of SecLens's own fingerprint in SARIF `partialFingerprints`. */
export const FINGERPRINT_KEY = 'seclens/v1';

const SEVERITY_SCORE = { low: '3.0', medium: '5.5', high: '8.0' } as const;
const LEVEL = { error: 'error', warning: 'warning', info: 'note' } as const;

function region(r: TextRange) {
  return {
    startLine: r.start.line + 1,
    startColumn: r.start.character + 1,
    endLine: r.end.line + 1,
    endColumn: r.end.character + 1,
  };
}

function sarifRule(rule: Rule) {
  return {
    id: rule.code,
    name: rule.name,
    shortDescription: { text: rule.summary },
    fullDescription: { text: rule.explanation.what },
    help: { text: `${rule.explanation.why}\n\nUse instead:\n${rule.explanation.useInstead}`, markdown: ruleDoc(rule) },
    helpUri: repoDocUri(rule),
    defaultConfiguration: { level: LEVEL[rule.defaultLevel] },
    properties: {
      tags: ['security', ...rule.cwe.map((c) => `external/cwe/cwe-${c}`), ...rule.cwe.map((c) => `CWE-${c}`)],
      precision: rule.confidence,
      'security-severity': SEVERITY_SCORE[rule.severity],
      category: rule.category,
      bandit: rule.bandit,
      ruff: rule.ruff,
    },
  };
}

export function toSarif(files: FileFindings[], rules: readonly Rule[], version: string) {
  const index = new Map(rules.map((r, i) => [r.code, i]));
  const results = files.flatMap(({ uri, findings }) =>
    findings.map((f) => {
      const location = (r: TextRange) => ({ physicalLocation: { artifactLocation: { uri, uriBaseId: '%SRCROOT%' }, region: region(r) } });
      const result: Record<string, unknown> = {
        ruleId: f.code,
        ruleIndex: index.get(f.code),
        level: LEVEL[f.level],
        message: { text: f.message },
        locations: [location(f.range)],
        properties: { name: f.rule, severity: f.severity, confidence: f.confidence },
      };
      if (f.fingerprint) result.partialFingerprints = { [FINGERPRINT_KEY]: f.fingerprint };
      if (f.fix) {
        result.fixes = [{
          description: { text: `${f.fix.title}${f.fix.safe ? '' : ' (unsafe: review the change)'}` },
          artifactChanges: [{
            artifactLocation: { uri, uriBaseId: '%SRCROOT%' },
            replacements: f.fix.edits.map((e) => ({ deletedRegion: region(e.range), insertedContent: { text: e.newText } })),
          }],
        }];
      }
      if (f.trace && f.trace.length > 0) {
        result.codeFlows = [{
          threadFlows: [{
            locations: f.trace.map((step) => ({ location: { ...location(step.range), message: { text: step.message } } })),
          }],
        }];
      }
      return result;
    }),
  );
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [{
      tool: {
        driver: {
          name: 'SecLens',
          version,
          semanticVersion: version,
          informationUri: 'https://github.com/seclens/seclens',
          rules: rules.map(sarifRule),
        },
      },
      columnKind: 'utf16CodeUnits',
      results,
    }],
  };
}
