// Settings per document, for the server: the editor's `seclens` section for the document's
// scope (workspace/configuration) on top of the nearest pyproject.toml's `[tool.seclens]`.
// Resolved when a document opens and again after a settings or pyproject.toml change; never
// kept in module globals. A broken file or setting is shown once per broken state (and
// logged), and its keys fall back to the defaults.
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { MessageType, type Connection, type InitializeParams } from 'vscode-languageserver';
import { DEFAULT_DOC_CONFIG, PyprojectFinder, resolveFor, type DocConfig } from '../config/resolve';
import { editorLayer, formatProblem, type Problem } from '../config/schema';
import { isInside } from '../config/pyproject';
import type { Rule } from '../engine/rule';

function toPath(uri: string): string | undefined {
  if (!uri.startsWith('file:')) return undefined;
  try {
    return fileURLToPath(uri);
  } catch {
    return undefined;
  }
}

/** The client may never answer: settings are then the defaults rather than a hang. */
const CONFIGURATION_TIMEOUT_MS = 5000;

export class ConfigStore {
  private readonly resolved = new Map<string, DocConfig>();
  private readonly finder: PyprojectFinder;
  /** Problems already shown, per file (or `settings\0<folder>`): shown again only once fixed and broken anew. */
  private readonly shown = new Map<string, Set<string>>();
  private folders: string[] = [];
  private pull = false;

  constructor(private readonly connection: Connection, private readonly rules: readonly Rule[]) {
    this.finder = new PyprojectFinder(rules);
  }

  initialize(params: InitializeParams): void {
    this.pull = !!params.capabilities.workspace?.configuration;
    const uris = params.workspaceFolders?.map((f) => f.uri) ?? (params.rootUri ? [params.rootUri] : []);
    this.folders = uris.map(toPath).filter((p): p is string => !!p);
    if (this.folders.length === 0 && params.rootPath) this.folders = [params.rootPath];
  }

  setFolders(added: string[], removed: string[]): void {
    const gone = new Set(removed.map(toPath));
    this.folders = [...this.folders.filter((f) => !gone.has(f)), ...added.map(toPath).filter((p): p is string => !!p)];
  }

  get(uri: string): DocConfig {
    return this.resolved.get(uri) ?? DEFAULT_DOC_CONFIG;
  }

  forget(uri: string): void {
    this.resolved.delete(uri);
  }

  /** A pyproject.toml changed, appeared or went away. */
  invalidateFiles(): void {
    this.finder.invalidate();
  }

  private folderOf(file: string): string | undefined {
    return this.folders.filter((f) => isInside(file, f)).sort((a, b) => b.length - a.length)[0];
  }

  /**
   * For a scan of closed files (the workspace scan): one settings request for the folder, then
   * the settings of each file under it (its pyproject.toml, `exclude`) without more requests.
   */
  async forFolder(folderUri: string): Promise<(file: string) => DocConfig> {
    const folder = toPath(folderUri);
    const editor = editorLayer(await this.editorSettings(folderUri), folder, this.rules);
    this.report(`settings\0${folder ?? ''}`, editor.problems);
    return (file: string) => {
      const { config, problems } = resolveFor(file, this.finder, folder, editor.layer);
      if (config.source) this.report(config.source, problems);
      return config;
    };
  }

  private async editorSettings(scopeUri: string): Promise<unknown> {
    if (!this.pull) return undefined;
    try {
      let timer: NodeJS.Timeout | undefined;
      const raw = await Promise.race([
        this.connection.workspace.getConfiguration({ scopeUri, section: 'seclens' }),
        new Promise((resolve) => {
          timer = setTimeout(resolve, CONFIGURATION_TIMEOUT_MS);
        }),
      ]);
      clearTimeout(timer);
      return raw;
    } catch (error) {
      this.connection.console.warn(`seclens: could not read the settings for ${scopeUri}: ${String(error)}`);
      return undefined;
    }
  }

  async load(uri: string): Promise<DocConfig> {
    const file = toPath(uri);
    const root = file ? this.folderOf(file) : undefined;
    const raw = await this.editorSettings(uri);
    const editor = editorLayer(raw, root ?? (file ? path.dirname(file) : undefined), this.rules);
    // Settings differ per folder: their problems are remembered per folder.
    this.report(`settings\0${root ?? ''}`, editor.problems);
    const { config, problems } = resolveFor(file, this.finder, root, editor.layer);
    if (config.source) this.report(config.source, problems);
    this.resolved.set(uri, config);
    return config;
  }

  private report(source: string, problems: Problem[]): void {
    const keys = new Set(problems.map(formatProblem));
    const before = this.shown.get(source) ?? new Set<string>();
    const fresh = problems.filter((p) => !before.has(formatProblem(p)));
    if (keys.size > 0) this.shown.set(source, keys);
    else this.shown.delete(source);
    if (fresh.length === 0) return;
    for (const p of fresh) this.connection.console.warn(`seclens: ${formatProblem(p)}`);
    const where = source.startsWith('settings\0') ? 'SecLens settings' : `SecLens: ${source}`;
    const text = fresh.map((p) => `${p.key}: ${p.message}`).join('; ');
    void this.connection.sendNotification('window/showMessage', { type: MessageType.Warning, message: `${where}: ${text}` });
  }
}

