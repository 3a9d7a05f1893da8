// The settings model on its own: rule patterns, layering, validation messages, pyproject lookup.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { it } from 'node:test';
import { RULES } from '../../rules';
import { applyConfig, enabledRules, ruleSetting } from '../../server/src/config/apply';
import { isExcluded } from '../../server/src/config/exclude';
import { PyprojectFinder } from '../../server/src/config/pyproject';
import { editorLayer, merge, ruleMatches, tomlLayer } from '../../server/src/config/schema';
import type { Finding } from '../../server/src/engine/types';

const shell = RULES.find((r) => r.name === 'shell-command-injection')!;

it('a rule is named by name, code (any case) or a glob over name, code or category/name', () => {
  for (const p of ['shell-command-injection', 'SL101', 'sl101', 'SL1*', '*-injection', 'injection/*', 'SL10?']) assert.ok(ruleMatches(p, shell), p);
  for (const p of ['shell', 'SL102', 'SL2*', 'exposure/*']) assert.ok(!ruleMatches(p, shell), p);
});

it('layers: later scalars win, rule entries add up with the last match winning, excludes add up', () => {
  const config = merge([
    { minConfidence: 'high', rules: [{ rule: 'SL1*', level: 'off' }], exclude: { base: '/p', patterns: ['a/'] } },
    { minConfidence: 'medium', rules: [{ rule: 'SL101', level: 'error' }], exclude: { base: '/w', patterns: ['b/'] } },
  ]);
  assert.equal(config.minConfidence, 'medium');
  assert.equal(ruleSetting(shell, config), 'error');
  assert.ok(!enabledRules(RULES, config).some((r) => r.code === 'SL102'));
  assert.ok(enabledRules(RULES, config).includes(shell));
  assert.ok(isExcluded('/p/a/x.py', config.exclude) && isExcluded('/w/b/c/y.py', config.exclude));
  assert.ok(!isExcluded('/w/a/x.py', config.exclude), 'patterns are relative to their own base');
});

it('applyConfig pins levels and drops findings under the confidence floor', () => {
  const f: Finding = { rule: shell.name, code: shell.code, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } }, message: 'm', level: 'warning', severity: 'high', confidence: 'medium', cwe: [78] };
  const info = merge([{ rules: [{ rule: 'SL101', level: 'info' }] }]);
  const [pinned] = applyConfig([f], RULES, info);
  assert.equal(pinned.level, 'info');
  assert.equal(f.level, 'warning', 'the engine\'s finding is left as it was');
  // The next analysis of unchanged code (the same finding) gets the same copy: its diagnostic stands.
  assert.equal(applyConfig([f], RULES, info)[0], pinned);
  assert.deepEqual(applyConfig([f], RULES, merge([{ rules: [{ rule: 'SL101', level: 'error' }] }])).map((x) => x.level), ['error']);
  assert.deepEqual(applyConfig([f], RULES, merge([{ minConfidence: 'high' }])), []);
});

it('validation names the file and key, and keeps the good keys', () => {
  const { layer, problems } = tomlLayer({ exclude: ['x/'], 'min-confidence': 'hgh', rules: { SL101: 'loud', 'nope-*': 'off', SL102: 'off' }, enable: false }, 'pyproject.toml', 'tool.seclens.', '/p', RULES);
  assert.deepEqual(layer.exclude, { base: '/p', patterns: ['x/'] });
  assert.equal(layer.minConfidence, undefined);
  assert.deepEqual(layer.rules, [{ rule: 'SL102', level: 'off' }]);
  assert.deepEqual(problems.map((p) => `${p.file} ${p.key}`), [
    'pyproject.toml tool.seclens.min-confidence', 'pyproject.toml tool.seclens.rules.SL101', 'pyproject.toml tool.seclens.rules."nope-*"', 'pyproject.toml tool.seclens.enable',
  ]);
  const editor = editorLayer({ run: 'sometimes', enable: 'yes', rules: { customizations: [{ rule: 'SL101', severity: 'off' }, 'SL102'] } }, '/w', RULES);
  assert.deepEqual(editor.layer.rules, [{ rule: 'SL101', level: 'off' }]);
  assert.deepEqual(editor.problems.map((p) => p.key), ['seclens.enable', 'seclens.run', 'seclens.rules.customizations[1]']);
});

it('finds the nearest pyproject.toml with [tool.seclens], not above the workspace root', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'seclens-pyproject-'));
  try {
    mkdirSync(path.join(dir, 'ws', 'pkg', 'sub'), { recursive: true });
    writeFileSync(path.join(dir, 'pyproject.toml'), '[tool.seclens]\nmin-confidence = "high"\n');
    writeFileSync(path.join(dir, 'ws', 'pkg', 'pyproject.toml'), '[project]\nname = "pkg"\n');
    const file = path.join(dir, 'ws', 'pkg', 'sub', 'a.py');
    assert.equal(new PyprojectFinder(RULES).find(file)?.file, path.join(dir, 'pyproject.toml'), 'passes over one without [tool.seclens]');
    assert.equal(new PyprojectFinder(RULES).find(file, path.join(dir, 'ws')), null, 'stops at the root');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
