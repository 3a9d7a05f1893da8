// Human-readable text about a rule and a finding: the hover, the docs pages and SARIF's help
// all come from here, so they never disagree.
import type { Rule } from '../engine/rule';
import type { Finding, TraceStep } from '../engine/types';
import { cweUri } from './links';

const LEVEL_LABEL = { error: 'Error', warning: 'Warning', info: 'Info' } as const;

function py(code: string): string {
  return '```python\n' + code.trim() + '\n```';
}

export function cweLinks(rule: Rule): string {
  return rule.cwe.map((c) => `[CWE-${c}](${cweUri(c)})`).join(', ');
}

export function traceMarkdown(trace: TraceStep[]): string {
  return trace.map((s, i) => `${i + 1}. line ${s.range.start.line + 1}: ${s.message}`).join('\n');
}

/** The "Explain finding" hover. */
export function hoverMarkdown(finding: Finding, rule: Rule, docUri: string): string {
  const parts = [
    `### ${rule.summary}`,
    `\`${rule.code}\` **${rule.name}** · ${LEVEL_LABEL[finding.level]} · severity ${finding.severity} · confidence ${finding.confidence} · ${cweLinks(rule)}`,
    finding.message,
  ];
  if (finding.trace && finding.trace.length > 1) parts.push('**Where the data came from**\n\n' + traceMarkdown(finding.trace));
  parts.push('**Why it matters**\n\n' + rule.explanation.why);
  parts.push('**Before**\n\n' + py(rule.explanation.example));
  parts.push('**After**\n\n' + py(rule.explanation.useInstead));
  if (finding.fix) parts.push(`**Quick fix:** ${finding.fix.title} (${finding.fix.safe ? 'safe' : 'review the change: it can alter behaviour'})`);
  parts.push(`[Rule documentation](${docUri})`);
  return parts.join('\n\n');
}

/** The rule's page in docs/rules/, in the order Ruff's rule docs use. */
export function ruleDoc(rule: Rule): string {
  const e = rule.explanation;
  const equivalents = [
    rule.bandit.length ? `Bandit ${rule.bandit.join(', ')}` : '',
    rule.ruff.length ? `Ruff ${rule.ruff.join(', ')}` : '',
  ].filter(Boolean).join('; ') || 'none';
  const lines = [
    `<!-- Generated from rules/${rule.category}/${rule.name}.ts by \`npm run docs\`; edit the rule, not this file. -->`,
    `# ${rule.name} (${rule.code})`,
    '',
    `${rule.summary}.`,
    '',
    `| | |`,
    `|---|---|`,
    `| Category | ${rule.category} |`,
    `| Severity | ${rule.severity} |`,
    `| Confidence | ${rule.confidence} |`,
    `| Default level | ${rule.defaultLevel} (at most ${rule.maxLevel}) |`,
    `| CWE | ${cweLinks(rule)} |`,
    `| Equivalents | ${equivalents} |`,
    `| Fix | ${rule.fix === 'none' ? 'none' : rule.fix} |`,
    '',
    '## What it does',
    '',
    e.what,
    '',
    '## Why is this bad?',
    '',
    e.why,
    '',
    '## Example',
    '',
    py(e.example),
    '',
    '## Use instead',
    '',
    py(e.useInstead),
    '',
  ];
  if (e.fixSafety) lines.push('## Fix safety', '', e.fixSafety, '');
  lines.push('## Suppressing', '', `Add \`# seclens: ignore[${rule.name}]\` to the first or last line of the statement` +
    (rule.bandit.length ? ` (\`# nosec ${rule.bandit[0]}\` also works)` : '') + '.', '');
  lines.push('## References', '', ...e.references.map((r) => `- <${r}>`), '');
  return lines.join('\n');
}
