// The engine's front door for the CLI and the tests: text in, findings out.
import { RULES } from '../../../rules';
import { initParser, parse } from './parser';
import type { Rule } from './rule';
import { analyze, type AnalyzeOptions } from './run';
import type { Finding } from './types';

export { initParser } from './parser';
export { RULES };

export async function analyzeText(text: string, rules: readonly Rule[] = RULES, options?: AnalyzeOptions): Promise<Finding[]> {
  await initParser();
  const tree = parse(text);
  try {
    return analyze(tree, text, rules, options);
  } finally {
    tree.delete();
  }
}
