import type { Point } from "web-tree-sitter";

/** Row and column (UTF-16 code units, like tree-sitter's JS binding and VS Code) of an offset. */
export function pointAt(text: string, offset: number): Point {
  let row = 0;
  let lineStart = 0;
  for (let i = text.indexOf("\n"); i >= 0 && i < offset; i = text.indexOf("\n", i + 1)) {
    row++;
    lineStart = i + 1;
  }
  return { row, column: offset - lineStart };
}

/** The point reached after writing `inserted` starting at `start`. */
export function pointAfter(start: Point, inserted: string): Point {
  const lastNewline = inserted.lastIndexOf("\n");
  if (lastNewline < 0) return { row: start.row, column: start.column + inserted.length };
  let rows = 0;
  for (let i = inserted.indexOf("\n"); i >= 0; i = inserted.indexOf("\n", i + 1)) rows++;
  return { row: start.row + rows, column: inserted.length - lastNewline - 1 };
}

export function lineStartAt(text: string, offset: number): number {
  // lastIndexOf reads a negative position as 0: a text that starts with "\n" would put line 0's start after it.
  return offset <= 0 ? 0 : text.lastIndexOf("\n", offset - 1) + 1;
}

export function lineEndAt(text: string, offset: number): number {
  const i = text.indexOf("\n", offset);
  return i < 0 ? text.length : i;
}

/** 0-based line number of an offset. */
export function lineNumberAt(text: string, offset: number): number {
  return pointAt(text, offset).row;
}
