// The engine's front door for the CLI and the tests: text in, findings out.
import { RULES } from '../../../rules';
import { initParser } from './parser';
import type { Rule } from './rule';
import { analyze, EXHAUSTIVE, type AnalyzeOptions } from './run';
import { parseForAnalysis } from './sparse';
import type { Finding } from './types';

export { initParser } from './parser';
export { RULES };

export async function analyzeText(text: string, rules: readonly Rule[] = RULES, options?: AnalyzeOptions): Promise<Finding[]> {
  await initParser();
  // Parsed once, without the code no rule can report in (sparse.ts).
  const parsed = parseForAnalysis(text, rules, options?.exhaustive ?? EXHAUSTIVE);
  const tree = parsed.tree;
  try {
    return analyze(tree, parsed.text, rules, { ...options, known: parsed.known });
  } finally {
    tree.delete();
  }
}
