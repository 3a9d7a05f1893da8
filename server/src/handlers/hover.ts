// "Explain finding": hovering a flagged range shows what, why, how to fix, and the trace.
import { MarkupKind, type Hover, type HoverParams } from 'vscode-languageserver';
import type { Pos, TextRange } from '../engine/types';
import { localDocUri } from '../report/links';
import { hoverMarkdown } from '../report/markdown';
import type { DocumentAnalyses } from './diagnostics';

function contains(r: TextRange, p: Pos): boolean {
  const after = p.line > r.start.line || (p.line === r.start.line && p.character >= r.start.character);
  const before = p.line < r.end.line || (p.line === r.end.line && p.character <= r.end.character);
  return after && before;
}

export function hover(params: HoverParams, analyses: DocumentAnalyses): Hover | null {
  const entry = analyses.get(params.textDocument.uri);
  if (!entry) return null;
  const here = entry.findings.filter((f) => contains(f.range, params.position));
  if (here.length === 0) return null;
  const value = here
    .map((f) => {
      const rule = analyses.rule(f.rule)!;
      return hoverMarkdown(f, rule, localDocUri(rule));
    })
    .join('\n\n---\n\n');
  return { contents: { kind: MarkupKind.Markdown, value }, range: here[0].range };
}
