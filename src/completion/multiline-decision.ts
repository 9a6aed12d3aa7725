/**
 * Whether a completion should be one line or several, from what surrounds the cursor. Plain data in, so that it can be
 * fed from a tree-sitter tree (context/) or from text alone (no grammar for the language).
 */
export interface CursorSurroundings {
  languageId: string;
  /** The cursor's line before the cursor, and after it. */
  linePrefix: string;
  lineSuffix: string;
  /** The nearest non-blank line above the cursor's line ("" at the top of the file). */
  previousLine: string;
  /** From the syntax tree, when there is one. */
  inComment?: boolean;
  inString?: boolean;
  /** The cursor sits in a block with no statements yet (`{}`, a Python header with nothing under it). */
  inEmptyBlock?: boolean;
}

const BLOCK_OPENER_AT_END = /(?:=>|\bthen|\bdo|\bbegin)\s*$/;
const PY_HEADER_AT_END = /:\s*(?:#.*)?$/;
const ONLY_CLOSERS = /^[\s)\]};,]*$/;
const STATEMENT_TAIL = /^[;,.=+\-*/%&|^<>?:]/;

/**
 * Multi-line after a block opener, in an empty block body and on a blank line; single-line inside strings and
 * comments and in the middle of a line. This matches what users expect from Copilot-style ghost text: a line while
 * typing a statement, a block when starting one.
 */
export function decideMultiline(s: CursorSurroundings): boolean {
  if (s.inComment || s.inString) return false;
  const before = s.linePrefix.trimEnd();
  const after = s.lineSuffix.trim();
  if (s.inEmptyBlock) return true;
  // A blank line, or the start of one: one or more statements (post-processing stops where the suggestion runs into
  // the lines that follow). Text after the cursor that cannot start a statement (`;`, `.x`, `= 1`) asks for one line.
  if (before.trim() === "") return after === "" || !STATEMENT_TAIL.test(after);
  // `{|` and `{|}` at the end of a line: a body (or a literal) laid out over lines. `(|)` is a condition or an argument.
  if (/[{[]$/.test(before) && (after === "" || /^[\]}]/.test(after))) return true;
  if (/\($/.test(before) && after === "") return true;
  if (after !== "" && !ONLY_CLOSERS.test(after)) return false;
  if (BLOCK_OPENER_AT_END.test(before)) return true;
  if (isIndentationLanguage(s.languageId) && PY_HEADER_AT_END.test(before)) return true;
  return false;
}

function isIndentationLanguage(languageId: string): boolean {
  return languageId === "python";
}
