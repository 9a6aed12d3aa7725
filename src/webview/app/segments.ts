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
  /** Start of the line that opened the current fence (meaningful while `fence` is set). */
  fenceAt: number;
  /** Start of the line after the last blank line, while the next non-blank line is not known yet. */
  afterBlank: number | null;
}

export function newSplitState(): SplitState {
  return { stable: 0, scanned: 0, fence: null, fenceAt: 0, afterBlank: null };
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
        if (marker && !(marker[1]!.startsWith("`") && marker[2]!.includes("`"))) {
          state.fence = marker[1]!;
          state.fenceAt = pos;
        }
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

/** A code fence still open at the end of the streamed text. */
export interface OpenFence {
  /** Start of the fence's opening line (the text before it, from `state.stable`, is ordinary Markdown). */
  start: number;
  /** Start of the code: the line after the opening line. */
  bodyStart: number;
  /** The language from the info string ("" when none), only when it is safe as a class name. */
  language: string;
}

const SAFE_LANGUAGE = /^[\w+#.-]*$/;

/**
 * The open fence at the end of `text`, when its code can be shown as plain text exactly as markdown-it shows it: the
 * fence starts the tail's last block at column 0 (no container, no indentation to strip) and its language is a plain
 * name. While such a fence streams, its code only grows at the end, so the view appends text instead of rendering the
 * whole block again per batch. Null otherwise.
 */
export function openFence(text: string, state: SplitState): OpenFence | null {
  if (state.fence === null || state.fenceAt < state.stable || state.fenceAt >= state.scanned) return null;
  if (!text.startsWith(state.fence, state.fenceAt)) return null;
  const lineEnd = text.indexOf("\n", state.fenceAt);
  if (lineEnd < 0) return null;
  const info = text.slice(state.fenceAt + state.fence.length, lineEnd).trim();
  const language = info.split(/\s+/)[0] ?? "";
  if (!SAFE_LANGUAGE.test(language) || /[\\&]/.test(info)) return null;
  return { start: state.fenceAt, bodyStart: lineEnd + 1, language };
}
