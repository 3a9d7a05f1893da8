// The registry: the only place a rule is registered. Keep the list sorted by code.
import type { Rule } from '../server/src/engine/rule';
import shellCommandInjection from './injection/shell-command-injection';

export const RULES: readonly Rule[] = [
  shellCommandInjection,
];
