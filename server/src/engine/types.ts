// The data every stage shares. Positions are zero-based lines and UTF-16 columns: the units of
// LSP, of JavaScript strings and of web-tree-sitter when it parses a JavaScript string, so no
// stage converts between encodings.

export type Level = 'error' | 'warning' | 'info';
export type Severity = 'low' | 'medium' | 'high';
export type Confidence = 'low' | 'medium' | 'high';

export interface Pos {
  line: number;
  character: number;
}

export interface TextRange {
  start: Pos;
  end: Pos;
}

export interface TextEdit {
  range: TextRange;
  newText: string;
}

export interface Fix {
  title: string;
  /** Safe fixes keep the program's behaviour for valid input; unsafe ones may change it. */
  safe: boolean;
  edits: TextEdit[];
}

export interface TraceStep {
  range: TextRange;
  message: string;
}

export interface Finding {
  rule: string;
  code: string;
  range: TextRange;
  message: string;
  level: Level;
  severity: Severity;
  confidence: Confidence;
  cwe: number[];
  fix?: Fix;
  /** How the data reached the sink, source first. */
  trace?: TraceStep[];
  /** Lines (zero-based) whose comments may suppress this finding. */
  suppressLines?: number[];
  /** Line-independent identity for baselines and SARIF partialFingerprints (CLI only). */
  fingerprint?: string;
}

export const LEVEL_RANK: Record<Level, number> = { info: 0, warning: 1, error: 2 };

export function minLevel(a: Level, b: Level): Level {
  return LEVEL_RANK[a] <= LEVEL_RANK[b] ? a : b;
}
