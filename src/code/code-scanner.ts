import { CLOSERS, OPENERS } from "./code-syntax";
import type { CodeSyntax } from "./code-syntax";

/** Where a lexical scan stands: inside code, a comment or a string, and which brackets are open. */
export interface ScanState {
  mode: "code" | "line-comment" | "block-comment" | "string";
  /** The quote that closes the current string ('"', "'", "`" or a triple quote). */
  quote: string;
  /** Open brackets, innermost last. */
  stack: string[];
}

export interface LineInfo {
  /** Offset of the line's first character. */
  start: number;
  /** Open brackets (counted from where the scan began) at the start of the line. */
  depth: number;
  /** False when the line starts inside a string or a block comment (its indentation means nothing). */
  startsInCode: boolean;
}

export interface ScanResult {
  /** The first closer that closes nothing opened inside the scanned text. */
  unmatchedCloser: { index: number; char: string } | null;
  lines: LineInfo[];
  /** Brackets opened in the scanned text and still open at its end. */
  endDepth: number;
  end: ScanState;
}

export function createScanState(): ScanState {
  return { mode: "code", quote: "", stack: [] };
}

const RUST_CHAR = /^'(?:\\u\{[0-9a-fA-F]{1,6}\}|\\.|[^\\'\n])'/;

/**
 * Scans code the way a bracket matcher in an editor would: brackets inside strings and comments do not count.
 * Deliberately approximate (no regex literals, no heredocs): it only has to be right on the few lines a model writes.
 */
export function scanCode(text: string, syntax: CodeSyntax, start: ScanState = createScanState()): ScanResult {
  const state: ScanState = { mode: start.mode, quote: start.quote, stack: [...start.stack] };
  const lines: LineInfo[] = [{ start: 0, depth: 0, startsInCode: state.mode === "code" || state.mode === "line-comment" }];
  let unmatchedCloser: ScanResult["unmatchedCloser"] = null;
  let localDepth = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text[i];
    if (c === "\n") {
      if (state.mode === "line-comment") state.mode = "code";
      else if (state.mode === "string" && !spansLines(state.quote, syntax)) state.mode = "code";
      lines.push({ start: i + 1, depth: localDepth, startsInCode: state.mode === "code" });
      continue;
    }
    switch (state.mode) {
      case "code": {
        if (syntax.lineComments.some((m) => text.startsWith(m, i))) {
          state.mode = "line-comment";
        } else if (syntax.blockComment && text.startsWith(syntax.blockComment[0], i)) {
          state.mode = "block-comment";
          i += syntax.blockComment[0].length - 1;
        } else if (syntax.tripleQuotes && (text.startsWith('"""', i) || text.startsWith("'''", i))) {
          state.mode = "string";
          state.quote = c.repeat(3);
          i += 2;
        } else if (syntax.quotes.includes(c)) {
          if (c === "'" && syntax.lifetimes && !RUST_CHAR.test(text.slice(i, i + 12))) break;
          state.mode = "string";
          state.quote = c;
        } else if (c in OPENERS) {
          state.stack.push(c);
          localDepth++;
        } else if (c in CLOSERS) {
          if (localDepth > 0) {
            localDepth--;
            state.stack.pop();
          } else {
            if (!unmatchedCloser) unmatchedCloser = { index: i, char: c };
            // Keep going: later lines still get a depth, measured from the closer onwards.
            if (state.stack.length > 0) state.stack.pop();
          }
        }
        break;
      }
      case "block-comment":
        if (syntax.blockComment && text.startsWith(syntax.blockComment[1], i)) {
          state.mode = "code";
          i += syntax.blockComment[1].length - 1;
        }
        break;
      case "string":
        if (c === "\\") i++;
        else if (text.startsWith(state.quote, i)) {
          i += state.quote.length - 1;
          state.mode = "code";
          state.quote = "";
        }
        break;
      case "line-comment":
        break;
    }
  }
  return { unmatchedCloser, lines, endDepth: localDepth, end: state };
}

function spansLines(quote: string, syntax: CodeSyntax): boolean {
  return quote.length === 3 || (quote === "`" && syntax.multilineBacktick);
}
