import type { Point } from "web-tree-sitter";

// Everything here runs per keystroke on the extension host's thread, on documents that may be one 5 MB line or fifty
// megabytes of lines: a search for a line break is always bounded by a slice, never left to run to the end of the text.

/** Row and column (UTF-16 code units, like tree-sitter's JS binding and VS Code) of an offset. */
export function pointAt(text: string, offset: number): Point {
  return pointFrom(text, offset, { offset: 0, point: { row: 0, column: 0 } });
}

/** A known point of a text: counting lines from it instead of from the top costs only the distance. */
export interface PointAnchor {
  offset: number;
  point: Point;
}

/** The point of `offset`, counted from `anchor` or from the top of the text, whichever is nearer. */
export function pointFrom(text: string, offset: number, anchor: PointAnchor): Point {
  const at = Math.max(0, Math.min(offset, text.length));
  if (at >= anchor.offset) {
    const newlines = countNewlines(text, anchor.offset, at);
    if (newlines === 0) return { row: anchor.point.row, column: anchor.point.column + (at - anchor.offset) };
    return { row: anchor.point.row + newlines, column: at - (text.lastIndexOf("\n", at - 1) + 1) };
  }
  return { row: rowFrom(text, at, anchor), column: at - lineStartAt(text, at) };
}

/** The row of `offset` (clamped to the text), counted from `anchor` or from the top, whichever is nearer. */
export function rowFrom(text: string, offset: number, anchor: PointAnchor): number {
  const at = Math.max(0, Math.min(offset, text.length));
  if (at >= anchor.offset) return anchor.point.row + countNewlines(text, anchor.offset, at);
  return at < anchor.offset - at ? countNewlines(text, 0, at) : anchor.point.row - countNewlines(text, at, anchor.offset);
}

/** The point reached after writing `inserted` starting at `start`. */
export function pointAfter(start: Point, inserted: string): Point {
  const lastNewline = inserted.lastIndexOf("\n");
  if (lastNewline < 0) return { row: start.row, column: start.column + inserted.length };
  return { row: start.row + countNewlines(inserted, 0, inserted.length), column: inserted.length - lastNewline - 1 };
}

export function lineStartAt(text: string, offset: number): number {
  // lastIndexOf reads a negative position as 0: a text that starts with "\n" would put line 0's start after it.
  return offset <= 0 ? 0 : text.lastIndexOf("\n", offset - 1) + 1;
}

export function lineEndAt(text: string, offset: number): number {
  const i = text.indexOf("\n", offset);
  return i < 0 ? text.length : i;
}

/** The start of the line at `offset`, or `offset - maxChars` when the line starts further back (a minified line). */
export function lineStartWithin(text: string, offset: number, maxChars: number): number {
  const from = Math.max(0, offset - maxChars);
  const i = text.slice(from, offset).lastIndexOf("\n");
  return keepPairs(text, i < 0 ? from : from + i + 1, 1);
}

/** The end of the line at `offset`, or `offset + maxChars` when the line goes on further. */
export function lineEndWithin(text: string, offset: number, maxChars: number): number {
  const to = Math.min(text.length, offset + maxChars);
  const i = text.slice(offset, to).indexOf("\n");
  return keepPairs(text, i < 0 ? to : offset + i, -1);
}

/**
 * The start of the line `lines` lines above the one `offset` is on, never further back than `offset - maxChars`
 * (where a line starts further back, the cut is there).
 */
export function startOfLinesAbove(text: string, offset: number, lines: number, maxChars: number): number {
  const floor = Math.max(0, offset - maxChars);
  let start = lineStartWithin(text, offset, offset - floor);
  for (let i = 0; i < lines && start > floor; i++) start = lineStartWithin(text, start - 1, start - 1 - floor);
  return start;
}

/** The end of the line `lines` lines below the one `offset` is on, never further on than `offset + maxChars`. */
export function endOfLinesBelow(text: string, offset: number, lines: number, maxChars: number): number {
  const ceiling = Math.min(text.length, offset + maxChars);
  let end = lineEndWithin(text, offset, ceiling - offset);
  for (let i = 0; i < lines && end < ceiling; i++) end = lineEndWithin(text, end + 1, ceiling - end - 1);
  return end;
}

/** Line breaks in [from, to). */
export function countNewlines(text: string, from: number, to: number): number {
  if (to <= from) return 0;
  const part = from === 0 && to >= text.length ? text : text.slice(from, to);
  let n = 0;
  for (let i = part.indexOf("\n"); i >= 0; i = part.indexOf("\n", i + 1)) n++;
  return n;
}

/**
 * 0-based line numbers of offsets of one text, counted from a point whose line is known (the cursor, usually): each
 * costs the distance to that point or to the top of the text, whichever is shorter, never a pass over the whole text.
 */
export class LineNumbers {
  private constructor(
    private readonly text: string,
    private readonly anchor: PointAnchor,
  ) {}

  /** `line` is the line of `offset` when the caller knows it (the editor does); otherwise it is counted once. */
  static at(text: string, offset: number, line?: number): LineNumbers {
    const at = Math.max(0, Math.min(offset, text.length));
    const row = line ?? countNewlines(text, 0, at);
    return new LineNumbers(text, { offset: at, point: { row, column: 0 } });
  }

  lineOf(offset: number): number {
    return rowFrom(this.text, offset, this.anchor);
  }
}

/**
 * Moves a cut that would fall between the two halves of a surrogate pair by one code unit (`direction` 1: after the
 * pair, -1: before it), so that a window never starts or ends with half a character.
 */
export function keepPairs(text: string, at: number, direction: 1 | -1): number {
  if (at <= 0 || at >= text.length) return at;
  const before = text.charCodeAt(at - 1);
  const after = text.charCodeAt(at);
  const splits = before >= 0xd800 && before <= 0xdbff && after >= 0xdc00 && after <= 0xdfff;
  return splits ? at + (direction === 1 ? 1 : -1) : at;
}
