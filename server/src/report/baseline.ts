// Fingerprints and baselines: `seclens scan --baseline OLD` reports only findings that OLD (a
// previous --format json or sarif output) does not hold. A finding is matched by rule code,
// file and a fingerprint of the flagged line's text (whitespace-normalised) plus its
// occurrence among identical lines of that file, so edits elsewhere in the file, which move
// lines, do not bring old findings back.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Finding } from '../engine/types';
import { FINGERPRINT_KEY } from './sarif';

function lineAt(text: string, line: number): string {
  let start = 0;
  for (let i = 0; i < line; i++) {
    const next = text.indexOf('\n', start);
    if (next < 0) return '';
    start = next + 1;
  }
  const end = text.indexOf('\n', start);
  return text.slice(start, end < 0 ? text.length : end);
}

/** Sets `fingerprint` on each finding: hash(code, normalised line text) + ':' + occurrence. */
export function addFingerprints(findings: Finding[], text: string): Finding[] {
  const seen = new Map<string, number>();
  return findings.map((f) => {
    const normal = lineAt(text, f.range.start.line).trim().replace(/\s+/g, ' ');
    const hash = createHash('sha256').update(`${f.code}\0${normal}`).digest('hex').slice(0, 16);
    const n = seen.get(hash) ?? 0;
    seen.set(hash, n + 1);
    return { ...f, fingerprint: `${hash}:${n}` };
  });
}

const key = (code: string, path: string, fingerprint: string) => `${code}\0${path}\0${fingerprint}`;

export class Baseline {
  private readonly counts = new Map<string, number>();
  size = 0;

  private add(code: unknown, path: unknown, fingerprint: unknown): void {
    if (typeof code !== 'string' || typeof path !== 'string' || typeof fingerprint !== 'string') return;
    const k = key(code, path, fingerprint);
    this.counts.set(k, (this.counts.get(k) ?? 0) + 1);
    this.size++;
  }

  /** Reads a previous JSON or SARIF report; throws with a message naming what is wrong. */
  static load(file: string): Baseline {
    const data = JSON.parse(readFileSync(file, 'utf8')) as any;
    const b = new Baseline();
    if (Array.isArray(data?.runs)) {
      for (const run of data.runs) {
        for (const r of run?.results ?? []) {
          const uri = r?.locations?.[0]?.physicalLocation?.artifactLocation?.uri;
          b.add(r?.ruleId, uri, r?.partialFingerprints?.[FINGERPRINT_KEY]);
        }
      }
    } else if (Array.isArray(data?.findings)) {
      for (const f of data.findings) b.add(f?.code, f?.path, f?.fingerprint);
    } else {
      throw new Error('not a SecLens JSON or SARIF report (no "findings" or "runs")');
    }
    return b;
  }

  /** False for a finding the baseline holds (each baseline entry matches one finding). */
  isNew(f: Finding, path: string): boolean {
    if (!f.fingerprint) return true;
    const k = key(f.code, path, f.fingerprint);
    const n = this.counts.get(k) ?? 0;
    if (n === 0) return true;
    this.counts.set(k, n - 1);
    return false;
  }
}
