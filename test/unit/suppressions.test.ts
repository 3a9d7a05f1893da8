// Suppression comments, on real Python through the whole engine: which markers silence which
// rules, and which lines of a multi-line statement they may sit on.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { analyzeText } from '../../server/src/engine';

async function flaggedLines(text: string, options = {}): Promise<number[]> {
  return (await analyzeText(text, undefined, options)).filter((f) => f.rule === 'shell-command-injection').map((f) => f.range.start.line + 1);
}

const HEAD = 'import os\n\n\ndef run(cmd):\n';

it('honours seclens, nosec, noqa and nosemgrep markers for the right rules only', async () => {
  const body = [
    '    os.system("a " + cmd)  # seclens: ignore[shell-command-injection]', // 5 by name
    '    os.system("b " + cmd)  # seclens: ignore[SL101]', // 6 by code
    '    os.system("c " + cmd)  # seclens: ignore', // 7 all rules
    '    os.system("d " + cmd)  # seclens: ignore[unsafe-yaml-load]', // 8 another rule: still flagged
    '    os.system("e " + cmd)  # nosec', // 9 bare nosec
    '    os.system("f " + cmd)  # nosec B605', // 10 Bandit code of this rule
    '    os.system("g " + cmd)  # nosec B506', // 11 Bandit code of another rule: still flagged
    '    os.system("h " + cmd)  # noqa: S605', // 12 Ruff code
    '    os.system("i " + cmd)  # noqa', // 13 bare noqa is too broad: still flagged
    '    os.system("j " + cmd)  # nosemgrep', // 14
    '    os.system("k # nosec " + cmd)', // 15 inside a string, not a comment: still flagged
    '    os.system("l " + cmd)  # seclens: ignore[unsafe-yaml-load, shell-command-injection]', // 16
  ].join('\n');
  assert.deepEqual(await flaggedLines(HEAD + body + '\n'), [8, 11, 13, 15]);
});

it('covers a multi-line statement from its first or last line, not from the middle', async () => {
  const text = HEAD + [
    '    os.system(  # nosec',
    '        "a " + cmd',
    '    )',
    '    os.system(',
    '        "b " + cmd',
    '    )  # seclens: ignore',
    '    os.system(',
    '        "c "',
    '        + cmd,  # nosec',
    '        )',
  ].join('\n') + '\n';
  // The third statement's comment sits on neither its first nor its last line, nor on the
  // line where the flagged argument starts.
  assert.deepEqual(await flaggedLines(text), [12]);
});

it('reports everything with ignoreSuppressions, for audits', async () => {
  const text = HEAD + '    os.system("a " + cmd)  # nosec\n';
  assert.deepEqual(await flaggedLines(text, { ignoreSuppressions: true }), [5]);
});

it('ignore-file covers the named rules anywhere in the file, and is not a line marker', async () => {
  const body = '    os.system("a " + cmd)\n    os.system("b " + cmd)  # seclens: ignore-file[unsafe-yaml-load]\n';
  assert.deepEqual(await flaggedLines(HEAD + body), [5, 6], 'another rule named: still flagged');
  assert.deepEqual(await flaggedLines('# seclens: ignore-file[SL101]\n' + HEAD + body), []);
  assert.deepEqual(await flaggedLines('# seclens: ignore-file\n' + HEAD + body), []);
});

it('reports seclens names that silence nothing, never other tools\' markers', async () => {
  const unused: any[] = [];
  const text = '# seclens: ignore-file[unsafe-yaml-load]\n' + HEAD + [
    '    os.system("a " + cmd)  # seclens: ignore[SL101, tls-verification-disabled]',
    '    x = 1  # seclens: ignore',
    '    y = 2  # nosec',
    '    z = 3  # noqa: S602',
  ].join('\n') + '\n';
  await analyzeText(text, undefined, { onUnusedSuppressions: (u) => unused.push(...u) });
  assert.deepEqual(unused.map((u) => [u.range.start.line, u.range.start.character, u.id, u.file]), [
    [0, 0, 'unsafe-yaml-load', true],
    [5, 27, 'tls-verification-disabled', false],
    [6, 11, null, false],
  ]);
});

it('"Ignore in this file" places the marker after shebang, encoding and docstring, or extends one', async () => {
  const { fileSuppressionEdit } = await import('../../server/src/engine/suppress-edit');
  const { applyEdits } = await import('../../server/src/engine/fixes');
  const put = (text: string, docEnd?: number) => applyEdits(text, [fileSuppressionEdit(text, 'shell-command-injection', docEnd)]);
  assert.equal(put('import os\n'), '# seclens: ignore-file[shell-command-injection]\nimport os\n');
  assert.equal(put('#!/usr/bin/python\nimport os\n'), '#!/usr/bin/python\n# seclens: ignore-file[shell-command-injection]\nimport os\n');
  assert.equal(put('# coding: latin-1\nimport os\n'), '# coding: latin-1\n# seclens: ignore-file[shell-command-injection]\nimport os\n');
  assert.equal(put('"""Doc."""', 0), '"""Doc."""\n# seclens: ignore-file[shell-command-injection]');
  assert.equal(put('import os\n# seclens: ignore-file[unsafe-yaml-load]\n'), 'import os\n# seclens: ignore-file[unsafe-yaml-load, shell-command-injection]\n');
});

it('"Remove unused suppression" keeps what else the comment says, and removes a line left blank', async () => {
  const { removeSuppressionEdit } = await import('../../server/src/engine/suppress-edit');
  const { applyEdits } = await import('../../server/src/engine/fixes');
  const remove = (text: string, line: number, id: string | null) => {
    const at = text.split('\n')[line].indexOf('#');
    const len = text.split('\n')[line].length;
    return applyEdits(text, [removeSuppressionEdit(text, { start: { line, character: at }, end: { line, character: len } }, id)!]);
  };
  assert.equal(remove('x = 1\n# seclens: ignore-file[SL101]\ny = 2\n', 1, 'SL101'), 'x = 1\ny = 2\n');
  assert.equal(remove('x = 1  # seclens: ignore[SL101] -- reviewed\n', 0, 'SL101'), 'x = 1  # -- reviewed\n');
  assert.equal(remove('x = 1  # nosec  # seclens: ignore\n', 0, null), 'x = 1  # nosec\n');
  assert.equal(remove('x = 1  # seclens: ignore[SL101,SL102]\n', 0, 'SL101'), 'x = 1  # seclens: ignore[SL102]\n');
});
