// What changed between two versions of a document's text, found without splitting either into
// lines: the common prefix and suffix (compared in chunks, which V8 compares as memory), and the
// line starts of the new text derived from the old ones (only the changed middle is read). A
// keystroke in a 7,500-line file costs a few microseconds here instead of a split and a
// line-by-line comparison of the whole file.

/** Offsets at which the lines of `text` start (rows end at `\n` only, as tree-sitter's do). */
export function lineStarts(text: string): Int32Array {
  let n = 1;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n++;
  const out = new Int32Array(n);
  let k = 1;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) out[k++] = i + 1;
  return out;
}

/** The change from one text to the next. */
export interface TextDiff {
  /** Length of the old text. */
  oldLength: number;
  /** Characters equal at the start of both texts. */
  prefix: number;
  /** Characters equal at the end of both texts (never overlapping `prefix` in either). */
  suffix: number;
  /** Rows equal at the start (each with its line break inside `prefix`). */
  prefixRows: number;
  /** First row of the equal rows at the end, in the old text and in the new one. */
  oldSuffixRow: number;
  newSuffixRow: number;
  /** Line starts of the new text. */
  starts: Int32Array;
}

/** Length of the common prefix of `a` and `b`, at most `max` characters. */
function commonPrefix(a: string, b: string, max: number): number {
  let i = 0;
  for (let chunk = 4096; chunk >= 16; chunk >>= 1) {
    while (i + chunk <= max && a.slice(i, i + chunk) === b.slice(i, i + chunk)) i += chunk;
  }
  while (i < max && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  return i;
}

/** Length of the common suffix of `a` and `b`, at most `max` characters. */
function commonSuffix(a: string, b: string, max: number): number {
  const la = a.length;
  const lb = b.length;
  let i = 0;
  for (let chunk = 4096; chunk >= 16; chunk >>= 1) {
    while (i + chunk <= max && a.slice(la - i - chunk, la - i) === b.slice(lb - i - chunk, lb - i)) i += chunk;
  }
  while (i < max && a.charCodeAt(la - 1 - i) === b.charCodeAt(lb - 1 - i)) i++;
  return i;
}

/** First index of `starts` whose value is >= `x` (starts ascending). */
function lowerBound(starts: Int32Array, x: number): number {
  let lo = 0;
  let hi = starts.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (starts[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The change from `oldText` (whose line starts are `oldStarts`) to `text`. */
export function diffText(oldText: string, oldStarts: Int32Array, text: string): TextDiff {
  const oldLen = oldText.length;
  const newLen = text.length;
  const oldRows = oldStarts.length;
  if (oldText === text) {
    return { oldLength: oldLen, prefix: oldLen, suffix: 0, prefixRows: oldRows, oldSuffixRow: oldRows, newSuffixRow: oldRows, starts: oldStarts };
  }
  const min = Math.min(oldLen, newLen);
  const prefix = commonPrefix(oldText, text, min);
  const suffix = commonSuffix(oldText, text, min - prefix);
  const delta = newLen - oldLen;
  // Rows 0..prefixRows-1 end with a line break inside the prefix: equal in both texts.
  const prefixRows = lowerBound(oldStarts, prefix + 1) - 1;
  // The first row lying wholly in the suffix: starting in it, after a line break in both texts.
  let oldSuffixRow = lowerBound(oldStarts, oldLen - suffix);
  if (oldSuffixRow < oldRows && oldStarts[oldSuffixRow] === oldLen - suffix) {
    // Its line break is not in the suffix: the new text must have one before it too.
    const before = newLen - suffix - 1;
    if (before >= 0 && text.charCodeAt(before) !== 10) oldSuffixRow++;
  }
  // The new line starts: those up to the prefix, those in the changed middle, the suffix's moved.
  const tailFrom = lowerBound(oldStarts, oldLen - suffix + 1);
  const middle: number[] = [];
  const middleEnd = newLen - suffix;
  for (let i = text.indexOf('\n', prefix); i >= 0 && i < middleEnd; i = text.indexOf('\n', i + 1)) middle.push(i + 1);
  const head = prefixRows + 1;
  const starts = new Int32Array(head + middle.length + (oldRows - tailFrom));
  starts.set(oldStarts.subarray(0, head));
  for (let k = 0; k < middle.length; k++) starts[head + k] = middle[k];
  let k = head + middle.length;
  for (let j = tailFrom; j < oldRows; j++) starts[k++] = oldStarts[j] + delta;
  return { oldLength: oldLen, prefix, suffix, prefixRows, oldSuffixRow, newSuffixRow: oldSuffixRow + (starts.length - oldRows), starts };
}
