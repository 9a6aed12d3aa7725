// What one next-edit request shows the model: the recent edits as diff blocks, and the window around the cursor now and
// before the user's last edit there. Pure functions of the history and the document's text.
import type { EditEvent } from "./edit-history";
import type { DiffBlock, NextEditFormat } from "./formats";
import type { PromptPiece } from "../fim/types";
import { lineOfOffset, sliceLines } from "./text-lines";

/** The part of the document the model may rewrite, in the document's offsets. */
export interface EditWindow {
  start: number;
  end: number;
  firstLine: number;
  text: string;
}

export interface NextEditPrompt {
  pieces: PromptPiece[];
  window: EditWindow;
  /** The window before the user's last edit (equal to window.text when there is none in it). */
  original: string;
  /** The oldest event the prompt shows as a diff block: the next prompt keeps it first (BuildPromptInput.shownFrom). */
  shownFrom: EditEvent | undefined;
  /** How many diff blocks it shows. */
  diffCount: number;
}

/** The lines two texts differ in: [firstLine, lastLine] of each side, -1 lastLine for none. */
export interface LineHunk {
  before: { first: number; last: number; text: string };
  after: { first: number; last: number; text: string };
}

/** The changed lines between two versions of a file: common leading and trailing lines cut off. */
export function changedLines(before: string, after: string): LineHunk | null {
  if (before === after) return null;
  const a = before.split("\n");
  const b = after.split("\n");
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  return {
    before: { first: head, last: a.length - 1 - tail, text: a.slice(head, a.length - tail).join("\n") },
    after: { first: head, last: b.length - 1 - tail, text: b.slice(head, b.length - tail).join("\n") },
  };
}

export function diffBlocks(events: readonly EditEvent[]): DiffBlock[] {
  const blocks: DiffBlock[] = [];
  for (const event of events) {
    const hunk = changedLines(event.before, event.after);
    if (hunk) blocks.push({ path: event.path, original: hunk.before.text, updated: hunk.after.text });
  }
  return blocks;
}

/**
 * The events a prompt shows as diff blocks. Showing the last few would slide the list by one at every new edit, and
 * with it every token after the first block: the KV cache would keep nothing. Instead the list grows from the block the
 * previous prompt began with until it holds the format's maximum, and then starts again from the newest edit, so most
 * prompts begin with the previous one's blocks and only the new block and the windows are evaluated.
 */
export function shownEvents(events: readonly EditEvent[], maxDiffs: number, shownFrom: EditEvent | undefined): EditEvent[] {
  if (maxDiffs <= 0) return [];
  const withChanges = events.filter((event) => event.before !== event.after);
  const from = shownFrom ? withChanges.indexOf(shownFrom) : -1;
  if (from >= 0 && withChanges.length - from <= maxDiffs) return withChanges.slice(from);
  return withChanges.slice(from >= 0 ? -1 : -maxDiffs);
}

export interface BuildPromptInput {
  format: NextEditFormat;
  path: string;
  text: string;
  cursorOffset: number;
  /** Every kept event, oldest first; the last one of this file gives the window's earlier state. */
  events: readonly EditEvent[];
  /** This file's latest event. */
  lastEvent: EditEvent | undefined;
  /** The previous prompt's shownFrom: its blocks stay first while the format allows (shownEvents). */
  shownFrom?: EditEvent;
  /** Fewer diffs than the format's maximum: what a prompt too long for the model's context is retried with. */
  maxDiffs?: number;
}

export function buildNextEditPrompt(input: BuildPromptInput): NextEditPrompt {
  const { format, text } = input;
  const cursorLine = lineOfOffset(text, input.cursorOffset);
  const window = sliceLines(text, cursorLine - format.windowAbove, cursorLine + format.windowBelow);
  const lastLine = window.firstLine + window.text.split("\n").length - 1;
  let original = window.text;
  const last = input.lastEvent;
  if (last && last.after === text) {
    const hunk = changedLines(last.before, last.after);
    if (hunk) {
      // The window's lines, as they were: lines below the change moved by what it added or removed.
      const shift = hunk.before.last - hunk.after.last;
      const from = hunk.after.last < window.firstLine ? window.firstLine + shift : window.firstLine;
      const to = hunk.after.first > lastLine ? lastLine : lastLine + shift;
      original = sliceLines(last.before, from, Math.max(from, to)).text;
    }
  }
  const editWindow: EditWindow = { start: window.start, end: window.end, firstLine: window.firstLine, text: window.text };
  const shown = shownEvents(input.events, Math.min(format.maxDiffs, input.maxDiffs ?? format.maxDiffs), input.shownFrom);
  const pieces = format.render({ path: input.path, diffs: diffBlocks(shown), original, current: window.text });
  return { pieces, window: editWindow, original, shownFrom: shown[0], diffCount: shown.length };
}

/** A character no edit history holds: where it shows first in a prompt is where the cursor's line shows first. */
const PROBE = "\u0000";

/**
 * The front of the prompt the next pause will send that more typing on the cursor's line cannot change, cut at a line
 * start: the prompt as it stands and as it would with one more character typed at the cursor agree up to the first
 * place that shows the cursor's line (in Sweep's format, inside the newest diff block: the windows come after it). The
 * engine evaluates this while the user types (EngineClient.prefillNextEdit), so that after the pause only the rest is.
 * Empty when nothing is known.
 */
export function knownPromptPrefix(input: BuildPromptInput): PromptPiece[] {
  const now = buildNextEditPrompt(input).pieces;
  const text = input.text.slice(0, input.cursorOffset) + PROBE + input.text.slice(input.cursorOffset);
  const last = input.lastEvent;
  const typed: EditEvent | undefined = last && last.after === input.text ? { ...last, after: text } : undefined;
  const swap = (event: EditEvent): EditEvent => (typed && event === last ? typed : event);
  const probe = buildNextEditPrompt({
    ...input,
    text,
    events: input.events.map(swap),
    lastEvent: typed ?? last,
    ...(input.shownFrom ? { shownFrom: swap(input.shownFrom) } : {}),
  }).pieces;
  return commonFront(now, probe);
}

/** The pieces two prompts share from their start, the first differing text piece cut after its last common line break. */
function commonFront(a: readonly PromptPiece[], b: readonly PromptPiece[]): PromptPiece[] {
  const front: PromptPiece[] = [];
  for (let i = 0; i < a.length && i < b.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x.kind === "special" && y.kind === "special" && x.token === y.token) {
      front.push(x);
      continue;
    }
    if (x.kind === "text" && y.kind === "text") {
      if (x.text === y.text) {
        front.push(x);
        continue;
      }
      let same = 0;
      while (same < x.text.length && x.text[same] === y.text[same]) same++;
      const cut = same > 0 ? x.text.lastIndexOf("\n", same - 1) + 1 : 0;
      if (cut > 0) front.push({ kind: "text", text: x.text.slice(0, cut) });
    }
    break;
  }
  return front;
}
