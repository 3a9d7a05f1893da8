// "SecLens: Scan Workspace": analyse every Python file under the workspace folders that the
// editor has not opened, and publish their findings so the Problems panel lists closed files.
// Open documents belong to the live analysis (handlers/diagnostics.ts): the scan skips them, and
// when one closes its on-disk text is analysed again so its problems stay listed.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ignore, { type Ignore } from 'ignore';
import type { CancellationToken, Connection } from 'vscode-languageserver';
import { parse } from '../engine/parser';
import type { Rule } from '../engine/rule';
import { analyze } from '../engine/run';
import { toDiagnostic } from '../report/diagnostic';
import { localDocUri } from '../report/links';
import { collect } from '../scan';
import type { DocumentAnalyses } from './diagnostics';

export const SCAN_REQUEST = 'seclens/scanWorkspace';
export const SCAN_PROGRESS = 'seclens/scanProgress';

export interface ScanParams {
  /** `file:` URIs of the folders to scan. */
  folders: string[];
}
export interface ScanProgress {
  done: number;
  total: number;
}
export interface ScanSummary {
  files: number;
  filesWithFindings: number;
  findings: number;
  cancelled: boolean;
}

/** `seclens.exclude` for a folder: globs matched like .gitignore lines, relative to the folder. */
export type ExcludeFor = (folderUri: string) => Promise<string[]>;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** .gitignore files of `root` and every folder below it, read when the walk first needs them. */
function gitignoreFilter(root: string): (full: string, isDir: boolean) => boolean {
  const cache = new Map<string, Ignore | null>();
  const load = (dir: string): Ignore | null => {
    let ig = cache.get(dir);
    if (ig === undefined) {
      try {
        ig = ignore().add(readFileSync(path.join(dir, '.gitignore'), 'utf8'));
      } catch {
        ig = null;
      }
      cache.set(dir, ig);
    }
    return ig;
  };
  return (full, isDir) => {
    for (let dir = path.dirname(full); ; dir = path.dirname(dir)) {
      const ig = load(dir);
      if (ig) {
        const rel = path.relative(dir, full).split(path.sep).join('/') + (isDir ? '/' : '');
        if (ig.ignores(rel)) return true;
      }
      if (dir === root || path.dirname(dir) === dir) return false;
    }
  };
}

function excludeFilter(root: string, globs: string[]): (full: string, isDir: boolean) => boolean {
  if (globs.length === 0) return () => false;
  const ig = ignore().add(globs);
  return (full, isDir) => ig.ignores(path.relative(root, full).split(path.sep).join('/') + (isDir ? '/' : ''));
}

export class WorkspaceScan {
  /** Closed files whose diagnostics came from the last scan. */
  private readonly published = new Set<string>();
  /** Every file the last scan covered, with findings or without. */
  private covered = new Set<string>();

  constructor(
    private readonly connection: Connection,
    private readonly analyses: DocumentAnalyses,
    private readonly rules: readonly Rule[],
    private readonly excludeFor: ExcludeFor,
  ) {}

  async run(params: ScanParams, token: CancellationToken): Promise<ScanSummary> {
    const files: string[] = [];
    const errors = { errors: 0 };
    const report = (m: string) => this.connection.console.warn(`seclens: ${m}`);
    for (const folderUri of params.folders) {
      if (!folderUri.startsWith('file:')) continue; // virtual folders: nothing on disk to walk
      const root = fileURLToPath(folderUri);
      const excluded = excludeFilter(root, await this.excludeFor(folderUri));
      const gitignored = gitignoreFilter(root);
      files.push(...collect([root], report, errors, (full, isDir) => excluded(full, isDir) || gitignored(full, isDir)));
    }
    const summary: ScanSummary = { files: 0, filesWithFindings: 0, findings: 0, cancelled: false };
    const seen = new Set<string>();
    for (const file of files) {
      if (token.isCancellationRequested) {
        summary.cancelled = true;
        break;
      }
      const uri = pathToFileURL(file).href;
      seen.add(uri);
      if (!this.analyses.get(uri)) {
        const count = this.publishFromDisk(uri, file);
        summary.findings += count;
        if (count > 0) summary.filesWithFindings++;
      }
      summary.files++;
      void this.connection.sendNotification(SCAN_PROGRESS, { done: summary.files, total: files.length } satisfies ScanProgress);
      // Let a cancellation (and edits in open documents) through between files.
      await new Promise((r) => setImmediate(r));
    }
    if (!summary.cancelled) {
      this.covered = seen;
      // Files gone, fixed elsewhere, newly ignored or excluded: their old problems go too.
      for (const uri of [...this.published]) {
        if (!seen.has(uri) && !this.analyses.get(uri)) {
          this.published.delete(uri);
          void this.connection.sendDiagnostics({ uri, diagnostics: [] });
        }
      }
    }
    return summary;
  }

  /** A document closed: if the scan covers it, list the problems of its saved text again. */
  closed(uri: string): void {
    if (this.covered.has(uri) || this.published.has(uri)) this.publishFromDisk(uri, fileURLToPath(uri));
  }

  /** A scanned file changed or went away on disk (checkout, another tool) while not open. */
  changedOnDisk(uri: string, deleted: boolean): void {
    if (this.analyses.get(uri) || !(this.covered.has(uri) || this.published.has(uri))) return;
    if (deleted) {
      this.covered.delete(uri);
      if (this.published.delete(uri)) void this.connection.sendDiagnostics({ uri, diagnostics: [] });
    } else {
      this.publishFromDisk(uri, fileURLToPath(uri));
    }
  }

  private publishFromDisk(uri: string, file: string): number {
    let text: string;
    try {
      text = utf8.decode(readFileSync(file));
    } catch {
      return 0; // unreadable or not UTF-8: the CLI reports these; the editor stays quiet
    }
    const tree = parse(text);
    try {
      const findings = analyze(tree, text, this.rules, {
        onRuleError: (rule, error) => this.connection.console.error(`seclens: rule ${rule.name} failed on ${file}: ${String(error)}`),
      });
      const diagnostics = findings.map((f) => {
        const rule = this.analyses.rule(f.rule)!;
        return toDiagnostic(f, rule, uri, localDocUri(rule));
      });
      if (diagnostics.length > 0 || this.published.has(uri)) void this.connection.sendDiagnostics({ uri, diagnostics });
      if (diagnostics.length > 0) this.published.add(uri);
      else this.published.delete(uri);
      return diagnostics.length;
    } finally {
      tree.delete();
    }
  }
}
