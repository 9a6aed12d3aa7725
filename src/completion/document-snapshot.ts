import type { DocumentSnapshot } from "./completion-types";

/** What a snapshot needs from the editor's document (VS Code's TextDocument through an adapter; benches use a string). */
export interface DocumentSource {
  uri: string;
  languageId: string;
  version: number;
  /** Characters in the document. */
  length(): number;
  /** The text of [start, end) (the editor's own copy of a range, not the whole text). */
  text(start: number, end: number): string;
  /** 0-based line of an offset. */
  lineAt(offset: number): number;
}

/** A suggestion the editor's suggest widget has selected: it replaces [start, end) as if it were typed. */
export interface SelectedText {
  start: number;
  end: number;
  text: string;
}

/**
 * Above this many characters a document is not copied whole per keystroke (the copy alone would take milliseconds,
 * hundreds of them at 50 MB): the snapshot is a window around the cursor, and the context engine widens it to its own
 * copy where it keeps one of the same version.
 */
export const WHOLE_SNAPSHOT_MAX_CHARS = 512 * 1024;
/** The window: this much before the cursor and after it (far more than any context budget takes). */
const WINDOW_BEFORE_CHARS = 96 * 1024;
const WINDOW_AFTER_CHARS = 32 * 1024;
/** With a window, the document's first characters too: its imports are there. */
const HEAD_CHARS = 64 * 1024;

/** The document at the cursor, as the completion pipeline sees it. */
export function takeSnapshot(doc: DocumentSource, offset: number, selected?: SelectedText, extra: Pick<DocumentSnapshot, "relativePath" | "repoName"> = {}): DocumentSnapshot {
  const length = doc.length();
  const whole = length <= WHOLE_SNAPSHOT_MAX_CHARS;
  const start = whole ? 0 : windowStart(doc, Math.max(0, Math.min(selected?.start ?? offset, length) - WINDOW_BEFORE_CHARS));
  const end = whole ? length : keepPair(doc, Math.min(length, Math.max(selected?.end ?? offset, offset) + WINDOW_AFTER_CHARS));
  let text = doc.text(start, end);
  let cursor = offset - start;
  let documentLength = length;
  if (selected) {
    text = text.slice(0, selected.start - start) + selected.text + text.slice(selected.end - start);
    cursor = selected.start - start + selected.text.length;
    documentLength += selected.text.length - (selected.end - selected.start);
  }
  return {
    uri: doc.uri,
    languageId: doc.languageId,
    text,
    offset: cursor,
    // With a selected suggestion spliced in, the text is no version of the document.
    ...(selected ? {} : { version: doc.version }),
    cursorLine: selected ? doc.lineAt(selected.start) + countNewlines(selected.text) : doc.lineAt(offset),
    ...(whole ? {} : { window: { start, documentLength, ...(start > 0 ? { head: doc.text(0, Math.min(HEAD_CHARS, start)) } : {}) } }),
    ...extra,
  };
}

/** The start of the next line when it is near, so that a window does not begin in the middle of a line. */
function windowStart(doc: DocumentSource, from: number): number {
  if (from === 0) return 0;
  const head = doc.text(from, Math.min(doc.length(), from + 1024));
  const newline = head.indexOf("\n");
  return newline < 0 ? keepPair(doc, from) : from + newline + 1;
}

/** `at`, or one past it when it falls between the halves of a surrogate pair. */
function keepPair(doc: DocumentSource, at: number): number {
  if (at <= 0 || at >= doc.length()) return at;
  const around = doc.text(at - 1, at + 1);
  const high = around.charCodeAt(0);
  const low = around.charCodeAt(1);
  return high >= 0xd800 && high <= 0xdbff && low >= 0xdc00 && low <= 0xdfff ? at + 1 : at;
}

function countNewlines(text: string): number {
  let n = 0;
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) n++;
  return n;
}
