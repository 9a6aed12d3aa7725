import type { CursorSurroundings } from "../context/context-types";

const BLOCK_OPENER_AT_END = /(?:=>|\bthen|\bdo|\bbegin)\s*$/;
const PY_HEADER_AT_END = /:\s*(?:#.*)?$/;
const ONLY_CLOSERS = /^[\s)\]};,]*$/;
const STATEMENT_TAIL = /^[;,.=+\-*/%&|^<>?:]/;

/**
 * Whether a completion should be one line or several, from what surrounds the cursor (described by the context module,
 * from a tree-sitter tree or from the text alone). Multi-line after a block opener, in an empty block body and on a
 * blank line; single-line inside strings and comments and in the middle of a line. This matches what users expect from
 * Copilot-style ghost text: a line while typing a statement, a block when starting one.
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
