// Incremental rendering of a streaming answer: the text is cut into "stable" blocks that no later token can change
// and a tail that is still growing. Stable blocks are rendered once; only the tail is rendered again as tokens arrive,
// so a 100 KB answer costs about the same per token as a short one. DOM-free, so unit tests run it under Node.
//
// A cut is safe before a line that follows a blank line outside a code fence, unless that line is indented or a list
// item (it may continue a list or an indented block), and right after the line that closes a fence.

export interface SplitState {
  /** Characters of the text already handed out as stable blocks. */
  stable: number;
  /** Where scanning resumes: the start of the first line not yet seen complete. */
  scanned: number;
  /** The open fence's marker ("```", "~~~~"…), or null outside a fence. */
  fence: string | null;
  /** Start of the line after the last blank line, while the next non-blank line is not known yet. */
  afterBlank: number | null;
}

export function newSplitState(): SplitState {
  return { stable: 0, scanned: 0, fence: null, afterBlank: null };
}

const LIST_ITEM = /^\s{0,3}([-*+]|\d{1,9}[.)])(\s|$)/;
const FENCE = /^ {0,3}(`{3,}|~{3,})(.*)$/;

/** Scans the complete lines added since the last call; returns the text that became stable (possibly ""). */
export function takeStable(text: string, state: SplitState): string {
  let boundary = state.stable;
  let pos = state.scanned;
  for (;;) {
    const newline = text.indexOf("\n", pos);
    if (newline < 0) break;
    const line = text.slice(pos, newline);
    const next = newline + 1;
    const marker = FENCE.exec(line);
    if (state.fence === null) {
      if (line.trim() === "") {
        state.afterBlank = next;
      } else {
        if (state.afterBlank !== null && !/^\s/.test(line) && !LIST_ITEM.test(line)) boundary = state.afterBlank;
        state.afterBlank = null;
        // A backtick fence's info string may not contain backticks (CommonMark): such a line is not a fence.
        if (marker && !(marker[1]!.startsWith("`") && marker[2]!.includes("`"))) state.fence = marker[1]!;
      }
    } else if (marker && marker[1]![0] === state.fence[0] && marker[1]!.length >= state.fence.length && marker[2]!.trim() === "") {
      state.fence = null;
      state.afterBlank = null;
      boundary = next;
    }
    pos = next;
  }
  state.scanned = pos;
  if (boundary <= state.stable) return "";
  const stable = text.slice(state.stable, boundary);
  state.stable = boundary;
  return stable;
}
