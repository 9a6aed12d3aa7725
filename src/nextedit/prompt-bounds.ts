// How much text a next-edit prompt may show. The window is a few dozen lines around the cursor and each diff block an
// edit's changed lines: with a minified line among them (a 1 MB bundle line) the prompt was megabytes, built twice at
// every keystroke for the prefill and sent to a model whose context holds a few thousand tokens, only to be refused.
// Both are measured by scanning for line breaks from the place, never by splitting or copying the document.
import type { EditEvent } from "./edit-history";
import { offsetOfLine } from "./text-lines";

/**
 * The most characters of the window (the lines around the cursor the model rewrites). Sweep's 21 lines of code at up
 * to 120 characters are 2,500; a window past this holds a line no model rewrites whole.
 */
export const MAX_WINDOW_CHARS = 16_000;
/** The most characters of an edit's changed lines for it to be shown as a diff block. */
export const MAX_DIFF_CHARS = 16_000;

/** The characters of lines [cursorLine - above, cursorLine + below] of `text` joined, as sliceLines would cut them. */
export function windowChars(text: string, cursor: number, above: number, below: number): number {
  let start = cursor === 0 ? 0 : text.lastIndexOf("\n", cursor - 1) + 1;
  for (let line = 0; line < above && start > 0; line++) start = start < 2 ? 0 : text.lastIndexOf("\n", start - 2) + 1;
  return lineEnd(text, cursor, below) - start;
}

/** Whether an edit's changed lines (as its diff block would show them, before and after) take more than `limit` characters. */
export function editOverLimit(event: EditEvent, limit = MAX_DIFF_CHARS): boolean {
  const start = offsetOfLine(event.after, event.firstLine);
  const after = lineEnd(event.after, start, Math.max(0, event.lastLine - event.firstLine)) - start;
  // The lines before the edit are as much longer as it made the text shorter.
  const before = after + Math.max(0, event.before.length - event.after.length);
  return after > limit || before > limit;
}

/** The offset where the line holding `from` ends, or the `more`th line after it. */
function lineEnd(text: string, from: number, more: number): number {
  let end = text.indexOf("\n", from);
  for (let line = 0; line < more && end >= 0; line++) end = text.indexOf("\n", end + 1);
  return end < 0 ? text.length : end;
}
