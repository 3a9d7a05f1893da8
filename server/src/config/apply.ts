// A Config applied to the analysis: which rules run, and what becomes of their findings.
import type { Rule } from '../engine/rule';
import type { Finding } from '../engine/types';
import { CONFIDENCES, ruleMatches, type Config, type RuleSetting } from './schema';

/**
 * The last customization that matches the rule wins; `default` when none does. A `default`
 * entry (CLI --select) only switches an `off` rule back on, keeping a level set before it.
 */
export function ruleSetting(rule: Rule, config: Config): RuleSetting {
  let setting: RuleSetting = 'default';
  for (const c of config.rules) {
    if (!ruleMatches(c.rule, rule)) continue;
    if (c.level !== 'default') setting = c.level;
    else if (setting === 'off') setting = 'default';
  }
  return setting;
}

/** The rules to run: every rule not switched off. */
export function enabledRules(rules: readonly Rule[], config: Config): Rule[] {
  if (config.rules.length === 0) return rules as Rule[];
  return rules.filter((r) => ruleSetting(r, config) !== 'off');
}

/**
 * A finding's copy at the level a customization pins, kept while that finding stands: the next
 * analysis (a keystroke) gives the same copy, whose diagnostic is then not built again.
 */
const pinned = new WeakMap<Finding, Finding>();

function atLevel(f: Finding, level: Finding['level']): Finding {
  let copy = pinned.get(f);
  if (copy?.level !== level) {
    copy = { ...f, level };
    pinned.set(f, copy);
  }
  return copy;
}

/** Pins levels set by customizations and drops findings below `minConfidence`. */
export function applyConfig(findings: Finding[], rules: readonly Rule[], config: Config): Finding[] {
  if (config.rules.length === 0 && config.minConfidence === 'low') return findings;
  const byName = new Map(rules.map((r) => [r.name, r]));
  const floor = CONFIDENCES.indexOf(config.minConfidence);
  const out: Finding[] = [];
  for (const f of findings) {
    if (CONFIDENCES.indexOf(f.confidence) < floor) continue;
    const rule = byName.get(f.rule);
    const setting = rule ? ruleSetting(rule, config) : 'default';
    if (setting === 'off') continue;
    out.push(setting === 'default' ? f : atLevel(f, setting));
  }
  return out;
}
