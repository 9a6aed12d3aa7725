// Line arithmetic on plain strings ("\n"-separated; a "\r\n" file's "\r" stays at the end of its line's text).

/** The 0-based line `offset` falls on. */
export function lineOfOffset(text: string, offset: number): number {
  let line = 0;
  let at = text.indexOf("\n");
  while (at >= 0 && at < offset) {
    line++;
    at = text.indexOf("\n", at + 1);
  }
  return line;
}

/** The offset where 0-based `line` begins (the text's length past the last line). */
export function offsetOfLine(text: string, line: number): number {
  let offset = 0;
  for (let i = 0; i < line; i++) {
    const next = text.indexOf("\n", offset);
    if (next < 0) return text.length;
    offset = next + 1;
  }
  return offset;
}

/** Lines [first, last] of `text`, joined with "\n" and no trailing break; clamped to the text. */
export function sliceLines(text: string, first: number, last: number): { text: string; start: number; end: number; firstLine: number } {
  const lineCount = text.split("\n").length;
  const from = Math.max(0, Math.min(first, lineCount - 1));
  const to = Math.max(from, Math.min(last, lineCount - 1));
  const start = offsetOfLine(text, from);
  const nextLine = offsetOfLine(text, to + 1);
  const end = to + 1 >= lineCount ? text.length : nextLine - 1;
  return { text: text.slice(start, end), start, end, firstLine: from };
}
