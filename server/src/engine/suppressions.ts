// Comments that silence findings, compatible with what teams already wrote:
//   # seclens: ignore            every SecLens finding on the statement
//   # seclens: ignore[name,SL101] the listed rules (by name or code)
//   # nosec / # nosec B602,B607  Bandit's marker, bare or with Bandit codes
//   # noqa: S602                 Ruff's codes (a bare `# noqa` is not honoured: it is too broad)
//   # nosemgrep                  Semgrep's marker
// A comment on the first or last line of a statement, or on the line a finding starts, covers it.
import type { Rule } from './rule';

export interface Suppression {
  all: boolean;
  ids: Set<string>;
}

const SECLENS = /seclens:\s*ignore(?:\[([^\]]*)\])?/i;
const NOSEC = /\bnosec\b(?:[:\s]+((?:[A-Z]\d{3}[\s,]*)+))?/;
const NOQA = /\bnoqa:\s*((?:[A-Z]+\d+[\s,]*)+)/;
const NOSEMGREP = /\bnosemgrep\b/;

function ids(list: string | undefined): string[] {
  return (list ?? '').split(/[\s,]+/).map((s) => s.trim()).filter(Boolean);
}

export function parseSuppression(comment: string): Suppression | null {
  const s: Suppression = { all: false, ids: new Set() };
  let found = false;
  const m = SECLENS.exec(comment);
  if (m) {
    found = true;
    if (m[1] === undefined || ids(m[1]).length === 0) s.all = true;
    for (const id of ids(m[1])) s.ids.add(id);
  }
  const n = NOSEC.exec(comment);
  if (n) {
    found = true;
    if (!n[1]) s.all = true;
    for (const id of ids(n[1])) s.ids.add(id);
  }
  const q = NOQA.exec(comment);
  if (q) {
    found = true;
    for (const id of ids(q[1])) s.ids.add(id);
  }
  if (NOSEMGREP.test(comment)) {
    found = true;
    s.all = true;
  }
  return found ? s : null;
}

export function suppresses(s: Suppression, rule: Rule): boolean {
  return (
    s.all ||
    s.ids.has(rule.name) ||
    s.ids.has(rule.code) ||
    rule.bandit.some((c) => s.ids.has(c)) ||
    rule.ruff.some((c) => s.ids.has(c))
  );
}
