// Open, change, close: keep each document's tree current, analyse it, publish diagnostics
// tagged with the version they describe. A complete analysis whose diagnostics are exactly
// those last published for the document (typing inside a statement changes none until it is
// complete) is not published again: the trace line still says the version is analysed, adding
// "(unchanged, not republished)". The editor keeps showing the diagnostics of an older version,
// which are those of the new one: code actions match them with the findings of the new analysis
// (handlers/codeAction.ts) and offer edits computed for its text.
import type { Connection, Diagnostic } from 'vscode-languageserver';
import { applyConfig, enabledRules } from '../config/apply';
import { DEFAULT_DOC_CONFIG, type DocConfig } from '../config/resolve';
import { ParsedDocument } from '../engine/document';
import type { Rule } from '../engine/rule';
import { parse } from '../engine/parser';
import { analysis, analyze, settle, type AnalysisState } from '../engine/run';
import { statements } from '../engine/sparse';
import type { UnusedSuppression } from '../engine/suppressions';
import type { Finding } from '../engine/types';
import { sameDiagnostics, toDiagnostic, unusedSuppressionDiagnostics } from '../report/diagnostic';
import { localDocUri } from '../report/links';

/**
 * Large documents are analysed in slices of about this many milliseconds, top of the file
 * first, publishing after each: squiggles appear early and a keystroke never waits behind a
 * whole-file analysis of text that is already stale.
 */
const SLICE_MS = 40;
/** Smaller documents are analysed in one go (they take a few milliseconds). */
const SLICED_FROM_CHARS = 64 * 1024;
/**
 * A large document just opened is not parsed whole before its first diagnostics: its first
 * statements, up to about this many characters, are parsed and analysed alone and published as
 * the start of the file; then the whole text is parsed and analysed in slices.
 */
const PREFIX_CHARS = 16 * 1024;

/**
 * Where the statements that start `text` end, at about PREFIX_CHARS; null when the file cannot
 * be split there (the tokenizer is unsure, or one statement runs on far past it) or has a
 * file-wide suppression, which may sit anywhere.
 */
export function prefixEnd(text: string): number | null {
  if (/ignore-file/.test(text)) return null;
  // Only the start of the file is tokenized, unless that leaves a string or bracket open.
  const window = Math.min(text.length, PREFIX_CHARS * 4);
  const found = (window < text.length ? statements(text, 0, window) : null) ?? statements(text);
  if (!found) return null;
  // The last statement found in the window may go on past it.
  const whole = window < text.length && found.length > 0 && found[found.length - 1].end >= window ? found.slice(0, -1) : found;
  let end = 0;
  for (const s of whole) {
    if (s.end > PREFIX_CHARS * 2) break;
    end = s.end;
    if (end >= PREFIX_CHARS) break;
  }
  return end > 0 && end < text.length ? end : null;
}

export interface Analysed {
  doc: ParsedDocument;
  findings: Finding[];
  /** What the last analysis learned per top-level definition, reused by the next one. */
  state: AnalysisState;
  /** Over the size limit: not analysed (said once). */
  tooLarge?: boolean;
  /** The document version `findings` (and their fixes) describe. */
  analysedVersion?: number;
  /** The hints for unused suppressions published with `findings`. */
  unused?: Diagnostic[];
  /**
   * The diagnostics last sent for the document (of a complete analysis, a slice or the start
   * alone): what the editor shows. Undefined until the first publication of this opening.
   */
  published?: readonly Diagnostic[];
  /** An analysis is queued: changes arriving meanwhile only move the tree on. */
  pending?: boolean;
  /** The start of the file was analysed alone (once, when opened). */
  startAlone?: boolean;
  /**
   * The last line of the findings published from the start of the file alone: slices of the
   * whole analysis that reach less far are not published (squiggles would go and come back).
   */
  prefixReach?: number;
  /** The analysis of a large document between two slices, for `analysedVersion`'s text. */
  slices?: Generator<Finding[], Finding[], number | undefined>;
}

export class DocumentAnalyses {
  private readonly docs = new Map<string, Analysed>();
  private readonly byName: Map<string, Rule>;
  /** Documents larger than this (bytes) are not analysed; `seclens.maxFileSize` overrides it. */
  maxFileSize = 2 * 1024 * 1024;

  constructor(
    private readonly connection: Connection,
    private readonly rules: readonly Rule[],
    /** The settings in force for a document, resolved before it is opened or refreshed. */
    private readonly config: (uri: string) => DocConfig = () => DEFAULT_DOC_CONFIG,
  ) {
    this.byName = new Map(rules.map((r) => [r.name, r]));
  }

  get(uri: string): Analysed | undefined {
    return this.docs.get(uri);
  }

  rule(name: string): Rule | undefined {
    return this.byName.get(name);
  }

  open(uri: string, version: number, text: string): void {
    this.docs.get(uri)?.doc.dispose();
    const entry: Analysed = { doc: new ParsedDocument(uri, version, text), findings: [], state: {} };
    this.docs.set(uri, entry);
    this.analyseAndPublish(entry);
  }

  change(uri: string, version: number, changes: Parameters<ParsedDocument['update']>[0]): void {
    const entry = this.docs.get(uri);
    if (!entry) return;
    entry.doc.update(changes, version);
    if (this.config(uri).run === 'onSave') return;
    // Keystrokes that arrive together are parsed one by one but analysed once, for the newest text.
    if (entry.pending) return;
    entry.pending = true;
    setImmediate(() => {
      entry.pending = false;
      if (this.docs.get(entry.doc.uri) === entry) this.analyseAndPublish(entry);
    });
  }

  /** Analyse again (after a save in `onSave` mode, or a settings change). */
  refresh(uri: string): void {
    const entry = this.docs.get(uri);
    if (entry) this.analyseAndPublish(entry);
  }

  uris(): string[] {
    return [...this.docs.keys()];
  }

  close(uri: string): void {
    this.docs.get(uri)?.doc.dispose();
    this.docs.delete(uri);
    void this.connection.sendDiagnostics({ uri, diagnostics: [] });
  }

  private analyseAndPublish(entry: Analysed): void {
    const { doc } = entry;
    // Whatever was in progress described older text or settings: this one starts afresh (reusing
    // the definitions its slices finished).
    entry.slices = undefined;
    try {
      this.analyse(entry);
    } catch (error) {
      this.failed(doc.uri, error);
    }
  }

  private analyse(entry: Analysed): void {
    const { doc } = entry;
    const config = this.config(doc.uri);
    if (!config.enable || config.excluded) {
      entry.findings = [];
      entry.unused = [];
      entry.state = {};
      entry.analysedVersion = doc.version;
      this.send(entry, []);
      return;
    }
    const text = doc.text;
    if (text.length * 3 > this.maxFileSize && Buffer.byteLength(text) > this.maxFileSize) {
      if (!entry.tooLarge) {
        this.connection.console.warn(`seclens: ${doc.uri} is larger than the ${this.maxFileSize}-byte limit (seclens.maxFileSize): not analysed`);
      }
      entry.tooLarge = true;
      entry.findings = [];
      entry.unused = [];
      entry.state = {};
      entry.analysedVersion = doc.version;
      this.send(entry, []);
      return;
    }
    entry.tooLarge = false;
    const started = Date.now();
    const unused: UnusedSuppression[] = [];
    // The incremental state holds findings of one rule set: kept while the settings enable the
    // same rules (the same array, which `analyze` checks), dropped when they change.
    let rules = enabledRules(this.rules, config);
    const prev = entry.state.rules;
    if (prev && prev.length === rules.length && prev.every((r, i) => r === rules[i])) rules = prev as Rule[];
    else entry.state = {};
    if (!entry.startAlone && entry.analysedVersion === undefined && !doc.parsed && text.length >= SLICED_FROM_CHARS) {
      const end = prefixEnd(text);
      if (end !== null) {
        entry.startAlone = true;
        this.publishPrefix(entry, text.slice(0, end), rules, config, started);
        return;
      }
    }
    const slices = analysis(doc.module, text, rules, {
      state: entry.state,
      deadline: text.length >= SLICED_FROM_CHARS ? performance.now() + SLICE_MS : undefined,
      ignoreSuppressions: config.ignoreSuppressions,
      onRuleError: (rule, error) => this.connection.console.error(`seclens: rule ${rule.name} failed on ${doc.uri}: ${String(error)}`),
      onUnusedSuppressions: (u) => unused.push(...u),
    });
    this.publish(entry, slices, slices.next(), config, unused, started);
  }

  /** The first diagnostics of a large document just opened: those of its start alone. */
  private publishPrefix(entry: Analysed, prefix: string, rules: readonly Rule[], config: DocConfig, started: number): void {
    const { doc } = entry;
    try {
      const tree = parse(prefix);
      let findings: Finding[];
      try {
        findings = analyze(tree, prefix, rules, {
          ignoreSuppressions: config.ignoreSuppressions,
          onRuleError: (rule, error) => this.connection.console.error(`seclens: rule ${rule.name} failed on ${doc.uri}: ${String(error)}`),
        });
      } finally {
        tree.delete();
      }
      entry.findings = applyConfig(findings, this.rules, config);
      entry.unused = [];
      entry.analysedVersion = doc.version;
      entry.prefixReach = lastLine(entry.findings);
      const diagnostics = entry.findings.map((f) => {
        const rule = this.byName.get(f.rule)!;
        return toDiagnostic(f, rule, doc.uri, localDocUri(rule));
      });
      this.connection.tracer.log(`analysed the start of ${doc.uri} v${doc.version}: ${entry.findings.length} findings in ${Date.now() - started} ms`);
      this.send(entry, diagnostics);
    } finally {
      // The whole text next (whatever became of its start), after the messages waiting now: a
      // change among them analyses its newer text instead.
      setImmediate(() => {
        if (this.docs.get(doc.uri) === entry && !entry.pending) this.analyseAndPublish(entry);
      });
    }
  }

  private publish(
    entry: Analysed,
    slices: Generator<Finding[], Finding[], number | undefined>,
    step: IteratorResult<Finding[], Finding[]>,
    config: DocConfig,
    unused: UnusedSuppression[],
    started: number,
  ): void {
    const { doc } = entry;
    const partial = !step.done;
    const findings = applyConfig(step.value, this.rules, config);
    if (partial && entry.prefixReach !== undefined && lastLine(findings) < entry.prefixReach) {
      // Less than the start of the file shows now: the next slice, unpublished.
      this.nextSlice(entry, slices, config, unused, started);
      return;
    }
    entry.prefixReach = undefined;
    const before = entry.findings;
    entry.findings = findings;
    entry.analysedVersion = doc.version;
    // The very findings of the last analysis (most keystrokes): their diagnostics are the first
    // ones published, or the same JSON.
    const diagnostics =
      entry.published && entry.published.length >= findings.length && sameItems(before, findings)
        ? entry.published.slice(0, findings.length)
        : findings.map((f) => {
            const rule = this.byName.get(f.rule)!;
            return toDiagnostic(f, rule, doc.uri, localDocUri(rule));
          });
    entry.unused = unusedSuppressionDiagnostics(unused, this.rules, config);
    diagnostics.push(...entry.unused);
    // A slice always goes out (it shows the start of newer text); a complete analysis only when
    // it changes what the editor shows.
    const unchanged = !partial && entry.published !== undefined && sameDiagnostics(entry.published, diagnostics);
    this.connection.tracer.log(
      `analysed ${partial ? 'the start of ' : ''}${doc.uri} v${doc.version}: ${entry.findings.length} findings in ${Date.now() - started} ms${unchanged ? ' (unchanged, not republished)' : ''}`,
    );
    if (!unchanged) this.send(entry, diagnostics);
    if (partial) this.nextSlice(entry, slices, config, unused, started);
    else if (entry.state.unitsLater) {
      // What the analysis left for after its publication, before the next keystroke if there is time.
      const state = entry.state;
      setImmediate(() => {
        try {
          settle(state);
        } catch (error) {
          this.failed(doc.uri, error);
        }
      });
    }
  }

  private failed(uri: string, error: unknown): void {
    this.connection.console.error(`seclens: analysis of ${uri} failed: ${error instanceof Error ? error.stack : String(error)}`);
  }

  /** Publishes the document's diagnostics for its current version, and remembers them. */
  private send(entry: Analysed, diagnostics: Diagnostic[]): void {
    entry.published = diagnostics;
    void this.connection.sendDiagnostics({ uri: entry.doc.uri, version: entry.doc.version, diagnostics });
  }

  private nextSlice(entry: Analysed, slices: Generator<Finding[], Finding[], number | undefined>, config: DocConfig, unused: UnusedSuppression[], started: number): void {
    const { doc } = entry;
    // The next slice after the messages waiting now (a keystroke is handled first), unless the
    // document closed, changed or was re-analysed meanwhile.
    entry.slices = slices;
    const version = doc.version;
    setImmediate(() => {
      if (this.docs.get(doc.uri) !== entry || entry.slices !== slices || entry.pending || entry.doc.version !== version) return;
      try {
        this.publish(entry, slices, slices.next(performance.now() + SLICE_MS), config, unused, started);
      } catch (error) {
        entry.slices = undefined;
        this.failed(doc.uri, error);
      }
    });
  }
}

function sameItems<T>(a: readonly T[], b: readonly T[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The line of the last finding (they are sorted), -1 for none. */
function lastLine(findings: Finding[]): number {
  return findings.length === 0 ? -1 : findings[findings.length - 1].range.start.line;
}
