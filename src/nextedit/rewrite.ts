// What a next-edit model's answer means: it rewrote the window, so the suggestion is the difference between its
// rewrite and the window now. Answers that are no use are dropped with a reason (the log says which): empty, the same
// window, the user's last edit undone, or a rewrite too large to be a next edit. The edit never reaches outside the
// window: its offsets are the window's.

/** A replacement inside the window: window.text.slice(start, end) becomes `text`. */
export interface WindowEdit {
  start: number;
  end: number;
  text: string;
}

export type DropReason = "empty" | "unchanged" | "undo" | "too-large";

export type RewriteOutcome = { kind: "edit"; edit: WindowEdit } | { kind: "dropped"; reason: DropReason };

export interface RewriteInput {
  /** The window now (what the model rewrote). */
  current: string;
  /** The window before the user's last edit. */
  original: string;
  /** The model's answer, its end marker already cut or not. */
  output: string;
  /** The cursor, as an offset in the window: of several changed places, the nearest is suggested first. */
  cursor: number;
  /** Lines the rewrite may change in all, removed plus added (a bound on a model gone astray). */
  maxChangedLines?: number;
  /** Texts that end the answer (the format's). */
  stopStrings?: readonly string[];
}

export const DEFAULT_MAX_CHANGED_LINES = 12;

export function interpretRewrite(input: RewriteInput): RewriteOutcome {
  let output = input.output;
  for (const stop of input.stopStrings ?? []) {
    const at = output.indexOf(stop);
    if (at >= 0) output = output.slice(0, at);
  }
  // The window goes into the prompt followed by a line break, and the model writes one after its rewrite too.
  if (output.endsWith("\n") && !input.current.endsWith("\n")) output = output.slice(0, -1);
  if (output.trim() === "") return { kind: "dropped", reason: "empty" };
  if (output === input.current) return { kind: "dropped", reason: "unchanged" };
  const hunks = lineHunks(input.current.split("\n"), output.split("\n"));
  const changed = hunks.reduce((sum, h) => sum + h.removed.length + h.added.length, 0);
  if (changed > (input.maxChangedLines ?? DEFAULT_MAX_CHANGED_LINES)) return { kind: "dropped", reason: "too-large" };
  const lines = input.current.split("\n");
  const cursorLine = input.current.slice(0, input.cursor).split("\n").length - 1;
  const nearest = hunks.reduce((best, h) => (distance(h, cursorLine) < distance(best, cursorLine) ? h : best), hunks[0]!);
  const edit = trimEdit(input.current, toEdit(lines, nearest));
  if (edit.start === edit.end && edit.text === "") return { kind: "dropped", reason: "unchanged" };
  const result = input.current.slice(0, edit.start) + edit.text + input.current.slice(edit.end);
  if (result === input.original && input.original !== input.current) return { kind: "dropped", reason: "undo" };
  return { kind: "edit", edit };
}

interface Hunk {
  /** First line of the current window it replaces (where it inserts, for a pure insertion). */
  at: number;
  removed: string[];
  added: string[];
}

/** Line hunks turning `a` into `b`, from a longest common subsequence (windows are a few dozen lines). */
function lineHunks(a: string[], b: string[]): Hunk[] {
  const n = a.length;
  const m = b.length;
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
  }
  const hunks: Hunk[] = [];
  let current: Hunk | undefined;
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) {
      current = undefined;
      i++;
      j++;
      continue;
    }
    if (!current) {
      current = { at: i, removed: [], added: [] };
      hunks.push(current);
    }
    if (j < m && (i >= n || lcs[i]![j + 1]! >= lcs[i + 1]![j]!)) current.added.push(b[j++]!);
    else current.removed.push(a[i++]!);
  }
  return hunks;
}

function distance(hunk: Hunk, line: number): number {
  const last = hunk.at + Math.max(hunk.removed.length, 1) - 1;
  return line < hunk.at ? hunk.at - line : line > last ? line - last : 0;
}

/** A line hunk as offsets in the window's text. */
function toEdit(lines: string[], hunk: Hunk): WindowEdit {
  const offsetOf = (line: number) => lines.slice(0, line).reduce((sum, l) => sum + l.length + 1, 0);
  const text = lines.join("\n");
  if (hunk.removed.length === 0) {
    // An insertion of whole lines before line `at` (or after the last line).
    if (hunk.at >= lines.length) return { start: text.length, end: text.length, text: `\n${hunk.added.join("\n")}` };
    const at = offsetOf(hunk.at);
    return { start: at, end: at, text: `${hunk.added.join("\n")}\n` };
  }
  const start = offsetOf(hunk.at);
  const end = start + hunk.removed.join("\n").length;
  if (hunk.added.length === 0) {
    // The removed lines go with one line break: the one after them, or before them at the end of the window.
    return end < text.length ? { start, end: end + 1, text: "" } : { start: Math.max(0, start - 1), end, text: "" };
  }
  return { start, end, text: hunk.added.join("\n") };
}

/** The same edit, without the characters it would write back unchanged at either end. */
function trimEdit(text: string, edit: WindowEdit): WindowEdit {
  const old = text.slice(edit.start, edit.end);
  let head = 0;
  while (head < old.length && head < edit.text.length && old[head] === edit.text[head]) head++;
  let tail = 0;
  while (tail < old.length - head && tail < edit.text.length - head && old[old.length - 1 - tail] === edit.text[edit.text.length - 1 - tail]) tail++;
  return { start: edit.start + head, end: edit.end - tail, text: edit.text.slice(head, edit.text.length - tail) };
}
