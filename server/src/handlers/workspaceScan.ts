// "SecLens: Scan Workspace": analyse every Python file under the workspace folders that the
// editor has not opened, and publish their findings so the Problems panel lists closed files.
// Open documents belong to the live analysis (handlers/diagnostics.ts): the scan skips them, and
// when one closes its on-disk text is analysed again so its problems stay listed.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { CancellationToken, Connection } from 'vscode-languageserver';
import { applyConfig, enabledRules } from '../config/apply';
import { GitignoreFilter, isExcluded } from '../config/exclude';
import { isInside } from '../config/pyproject';
import { DEFAULT_DOC_CONFIG, type DocConfig } from '../config/resolve';
import { parse } from '../engine/parser';
import type { Rule } from '../engine/rule';
import { analyze } from '../engine/run';
import { decodeSource } from '../engine/source';
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

/**
 * The settings of each file under a workspace folder: the folder's editor settings over the
 * nearest pyproject.toml's `[tool.seclens]` (ConfigStore.forFolder), `exclude` included.
 */
export type SettingsFor = (folderUri: string) => Promise<(file: string) => DocConfig>;


export class WorkspaceScan {
  /** Closed files whose diagnostics came from the last scan. */
  private readonly published = new Set<string>();
  /** Every file the last scan covered, with findings or without. */
  private covered = new Set<string>();
  /** Folders scanned (path -> URI), and their settings while no settings change drops them. */
  private readonly folders = new Map<string, string>();
  private readonly settings = new Map<string, Promise<(file: string) => DocConfig>>();

  constructor(
    private readonly connection: Connection,
    private readonly analyses: DocumentAnalyses,
    private readonly rules: readonly Rule[],
    private readonly settingsFor: SettingsFor,
  ) {}

  /** Settings or a pyproject.toml changed: later re-analyses of closed files read them anew. */
  settingsChanged(): void {
    this.settings.clear();
  }

  private folderSettings(root: string): Promise<(file: string) => DocConfig> {
    let s = this.settings.get(root);
    if (!s) {
      s = this.settingsFor(this.folders.get(root)!);
      this.settings.set(root, s);
    }
    return s;
  }

  /** The settings of a file under a scanned folder (defaults outside them). */
  private async configOf(file: string): Promise<DocConfig> {
    const root = [...this.folders.keys()].filter((f) => isInside(file, f)).sort((a, b) => b.length - a.length)[0];
    return root === undefined ? DEFAULT_DOC_CONFIG : (await this.folderSettings(root))(file);
  }

  async run(params: ScanParams, token: CancellationToken): Promise<ScanSummary> {
    const files: { file: string; config: DocConfig }[] = [];
    const errors = { errors: 0 };
    const report = (m: string) => this.connection.console.warn(`seclens: ${m}`);
    const gitignore = new GitignoreFilter();
    for (const folderUri of params.folders) {
      if (!folderUri.startsWith('file:')) continue; // virtual folders: nothing on disk to walk
      const root = fileURLToPath(folderUri);
      this.folders.set(root, folderUri);
      this.settings.delete(root); // a scan reads the settings afresh
      const settings = await this.folderSettings(root);
      const configs = new Map<string, DocConfig>();
      // A folder is pruned by the `exclude` in force in its parent (its nearest pyproject.toml
      // and the folder's settings); a file by its own settings, which is where `excluded` comes from.
      const skip = (full: string, isDir: boolean): boolean => {
        if (gitignore.ignored(full, isDir)) return true;
        if (isDir) return isExcluded(full, settings(path.join(path.dirname(full), '__init__.py')).exclude, true);
        const config = settings(full);
        if (config.excluded) return true;
        configs.set(full, config);
        return false;
      };
      for (const file of collect([root], report, errors, skip)) files.push({ file, config: configs.get(file) ?? settings(file) });
    }
    const summary: ScanSummary = { files: 0, filesWithFindings: 0, findings: 0, cancelled: false };
    const seen = new Set<string>();
    for (const { file, config } of files) {
      if (token.isCancellationRequested) {
        summary.cancelled = true;
        break;
      }
      const uri = pathToFileURL(file).href;
      seen.add(uri);
      if (!this.analyses.get(uri)) {
        const count = this.publishFromDisk(uri, file, config);
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
  async closed(uri: string): Promise<void> {
    if (!(this.covered.has(uri) || this.published.has(uri))) return;
    const file = fileURLToPath(uri);
    this.publishFromDisk(uri, file, await this.configOf(file));
  }

  /** A scanned file changed or went away on disk (checkout, another tool) while not open. */
  async changedOnDisk(uri: string, deleted: boolean): Promise<void> {
    if (this.analyses.get(uri) || !(this.covered.has(uri) || this.published.has(uri))) return;
    if (deleted) {
      this.covered.delete(uri);
      if (this.published.delete(uri)) void this.connection.sendDiagnostics({ uri, diagnostics: [] });
    } else {
      const file = fileURLToPath(uri);
      const config = await this.configOf(file);
      if (!this.analyses.get(uri)) this.publishFromDisk(uri, file, config);
    }
  }

  private publishFromDisk(uri: string, file: string, config: DocConfig): number {
    if (!config.enable || config.excluded) {
      if (this.published.delete(uri)) void this.connection.sendDiagnostics({ uri, diagnostics: [] });
      return 0;
    }
    let bytes: Buffer;
    try {
      bytes = readFileSync(file);
    } catch {
      return 0; // unreadable: the CLI reports these; the editor stays quiet
    }
    const decoded = decodeSource(bytes);
    if ('skipped' in decoded) return 0; // not readable as it declares: likewise
    const text = decoded.text;
    const tree = parse(text);
    try {
      const found = analyze(tree, text, enabledRules(this.rules, config), {
        ignoreSuppressions: config.ignoreSuppressions,
        onRuleError: (rule, error) => this.connection.console.error(`seclens: rule ${rule.name} failed on ${file}: ${String(error)}`),
      });
      const diagnostics = applyConfig(found, this.rules, config).map((f) => {
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
