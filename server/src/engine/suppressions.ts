// Comments that silence findings, compatible with what teams already wrote:
//   # seclens: ignore                  every SecLens finding on the statement
//   # seclens: ignore[name,SL101]      the listed rules (by name or code)
//   # seclens: ignore-file[name,...]   the listed rules anywhere in the file (bare: every rule)
//   # nosec / # nosec B602,B607        Bandit's marker, bare or with Bandit codes
//   # noqa: S602                       Ruff's codes (a bare `# noqa` is not honoured: it is too broad)
//   # nosemgrep                        Semgrep's marker
// A comment on the first or last line of a statement, or on the line a finding starts, covers it.
// A `seclens: ignore[...]` name (or a bare `seclens: ignore`) that silences nothing is "unused":
// the editor shows it as a faded hint. Other tools' markers are never reported as unused, since
// the other tool may need them.
import type { Rule } from './rule';
import type { Finding, TextRange } from './types';

export interface Suppression {
  all: boolean;
  ids: Set<string>;
}

const SECLENS = /seclens:\s*ignore(?!-)(?:\[([^\]]*)\])?/i;
const SECLENS_FILE = /seclens:\s*ignore-file(?:\[([^\]]*)\])?/i;
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

function names(rule: Rule, id: string): boolean {
  return id === rule.name || id === rule.code;
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

/** A SecLens marker, kept to tell which of its names were used. */
interface Marker {
  range: TextRange;
  /** Empty for a bare `seclens: ignore` (all rules). */
  ids: string[];
  used: Set<string>;
  file: boolean;
}

export interface UnusedSuppression {
  /** The comment's range. */
  range: TextRange;
  /** The unused name, or null for a bare marker that silenced nothing. */
  id: string | null;
  file: boolean;
}

const ALL = '*';

/** The suppression comments of one file, collected during the walk, then asked per finding. */
export class Suppressions {
  private readonly byLine = new Map<number, Suppression>();
  private readonly markers = new Map<number, Marker>();
  private readonly fileMarkers: Marker[] = [];

  /** A comment node's text at its position. */
  add(line: number, character: number, text: string): void {
    const range = { start: { line, character }, end: { line, character: character + text.length } };
    const f = SECLENS_FILE.exec(text);
    if (f) this.fileMarkers.push({ range, ids: ids(f[1]), used: new Set(), file: true });
    const s = parseSuppression(text);
    if (!s) return;
    this.byLine.set(line, s);
    const m = SECLENS.exec(text);
    if (m) this.markers.set(line, { range, ids: ids(m[1]), used: new Set(), file: false });
  }

  /** Is the finding silenced? Records which SecLens names did it. */
  covers(f: Finding, rule: Rule): boolean {
    let covered = false;
    for (const line of f.suppressLines ?? [f.range.start.line]) {
      const s = this.byLine.get(line);
      if (!s || !suppresses(s, rule)) continue;
      covered = true;
      const m = this.markers.get(line);
      if (m) this.use(m, rule);
    }
    for (const m of this.fileMarkers) {
      if (m.ids.length === 0 || m.ids.some((id) => names(rule, id))) {
        covered = true;
        this.use(m, rule);
      }
    }
    return covered;
  }

  private use(m: Marker, rule: Rule): void {
    if (m.ids.length === 0) m.used.add(ALL);
    for (const id of m.ids) if (names(rule, id)) m.used.add(id);
  }

  /** SecLens names (and bare markers) that silenced no finding. */
  unused(): UnusedSuppression[] {
    const out: UnusedSuppression[] = [];
    for (const m of [...this.fileMarkers, ...this.markers.values()]) {
      if (m.ids.length === 0) {
        if (!m.used.has(ALL)) out.push({ range: m.range, id: null, file: m.file });
      } else {
        for (const id of m.ids) if (!m.used.has(id)) out.push({ range: m.range, id, file: m.file });
      }
    }
    return out.sort((a, b) => a.range.start.line - b.range.start.line);
  }
}
