// The shape of a rule module. One object holds everything about a rule: the hover, the docs
// page, SARIF's rule metadata, the registry test and the engine all read it.
import type { Node } from 'web-tree-sitter';
import type { Flow, Scope, Value } from './dataflow';
import type { Names } from './names';
import type { ModuleTrees } from './trees';
import type { Confidence, Fix, Level, Severity, TextRange, TraceStep } from './types';

export interface Explanation {
  /** What the rule finds, one paragraph. */
  what: string;
  /** Why it is dangerous: the attack, in the reader's terms. */
  why: string;
  /** Flagged Python. */
  example: string;
  /** The same code written safely. */
  useInstead: string;
  /** What the quick fix changes and when it may change behaviour. */
  fixSafety?: string;
  references: string[];
}

export interface CallSite {
  node: Node;
  /** The callee's qualified name after import aliases, e.g. `subprocess.run`; null if it has none. */
  qname: string | null;
  callee: Node | null;
  args: Node[];
  /** Positional arguments only, in order. */
  positional: Node[];
  keywords: Map<string, Node>;
  /** `*args` or `**kwargs` present: arguments we cannot see. */
  hasSplat: boolean;
}

export interface Report {
  node: Node;
  /** A narrower range than `node`'s (one character of it); defaults to the node's range. */
  range?: TextRange;
  message: string;
  /** Defaults to the rule's default level; capped by `maxLevel`. */
  level?: Level;
  confidence?: Confidence;
  fix?: Fix;
  trace?: TraceStep[];
}

export interface Ctx {
  /** The text parsed (in a scan, the definitions not walked are blanked out): read it around nodes. */
  readonly text: string;
  /**
   * The module-level code: the top-level statements that are not definitions (imports, settings,
   * module constants; trees.ts isModuleCode), joined by line breaks. A fact about the file (it
   * imports Flask, it is a Django settings module) comes from here or from the statement being
   * checked, never from the whole text: an edit inside another definition walks that definition
   * alone, and a scan leaves definitions nothing calls out, so their text can change nothing
   * outside them. (descendantsIn reads a module's nodes from the same statements.)
   */
  readonly moduleCode: string;
  /** The file's trees: look at "the module" through it, never through one tree's root. */
  readonly module: ModuleTrees;
  readonly names: Names;
  readonly flow: Flow;
  readonly scope: Scope;
  valueOf(node: Node | null): Value;
  report(report: Report): void;
}

/** The folder under rules/ and test/fixtures/ the rule lives in. */
export type Category =
  | 'injection' // commands, code, SQL, templates, LDAP, XPath, headers
  | 'path' // traversal, archives, temporary files, permissions
  | 'web' // SSRF, redirects, debug mode, cookies, CSRF, binding
  | 'exposure' // exception text and secrets in logs and responses
  | 'secrets' // hard-coded credentials and keys
  | 'deserialization' // pickle and kin, YAML, XML
  | 'crypto' // hashes, ciphers, keys, randomness, JWT
  | 'transport' // TLS, timeouts, clear-text protocols, SSH host keys
  | 'concurrency' // locks
  | 'reliability'; // swallowed errors, cleanup, unbounded input, ReDoS

export interface Rule {
  /** Stable code, e.g. `SL101`; never reused. */
  code: string;
  /** Kebab-case name of the bad pattern, e.g. `shell-command-injection`. */
  name: string;
  category: Category;
  /** One line for lists and SARIF shortDescription. */
  summary: string;
  severity: Severity;
  confidence: Confidence;
  /** Level of a finding that does not choose one. */
  defaultLevel: Level;
  /** The loudest a finding of this rule may be. */
  maxLevel: Level;
  cwe: number[];
  bandit: string[];
  ruff: string[];
  /** Whether the rule offers a rewrite. */
  fix: 'none' | 'sometimes' | 'always';
  explanation: Explanation;
  /**
   * Words (identifiers, attribute or keyword names, words in strings or comments) at least one
   * of which appears in every top-level statement where the rule can report, or in the
   * module-level code when it reports there. Elsewhere the rule does not run. Omitted (and no
   * `triggerPattern`): it runs everywhere. An imported alias counts as the parts of the name it
   * stands for. A test compares every fixture with and without triggers.
   */
  triggers?: readonly string[];
  /**
   * For what whole words cannot say (parts of names, shapes of strings); tested on the same
   * text, and for an `onFile` rule also on the whole file (blank space belongs to no statement).
   */
  triggerPattern?: RegExp;
  /**
   * Tested on the whole file: where it does not match, the rule cannot report anywhere in the
   * file and does not run there (e.g. a rule about `http://` URLs in a file without one).
   */
  fileTrigger?: RegExp;
  /** Every call, with the dataflow bindings in force at it. */
  onCall?(call: CallSite, ctx: Ctx): void;
  onReturn?(node: Node, ctx: Ctx): void;
  /** Node types (tree-sitter names) whose nodes `onNode` receives when the walk enters them. */
  nodeTypes?: readonly string[];
  onNode?(node: Node, ctx: Ctx): void;
  /** Once per file after the walk: checks of the whole text (e.g. invisible characters). */
  onFile?(ctx: Ctx): void;
}
