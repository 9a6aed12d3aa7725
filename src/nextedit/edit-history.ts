// The user's recent edits, per file, as the next-edit model sees them: nearby changes made in quick succession are one
// event (typing a name is one edit, not nine), a few events are kept, and each event holds the file's text before and
// after it (shared strings: a file's consecutive events share one copy), so both the diff blocks and the window "before
// the last edit" come from it. Bounded: events, tracked files and file size are capped, and a file closed a while ago
// is forgotten. Which files may be recorded at all is the caller's policy (settings, Restricted Mode): a file that is
// not allowed is never read, and one that stops being allowed is dropped with its events.
import { lineOfOffset } from "./text-lines";

/** One content change, offsets in the text as it was before this change (VS Code applies a batch bottom-up). */
export interface TextChange {
  offset: number;
  removedLength: number;
  text: string;
}

export interface HistoryFile {
  uri: string;
  /** Workspace-relative path with forward slashes, as the prompt names the file. */
  path: string;
  languageId: string;
}

/** One grouped edit: the whole file before and after it. */
export interface EditEvent {
  readonly uri: string;
  readonly path: string;
  readonly languageId: string;
  readonly before: string;
  after: string;
  /** Lines of `after` the event touched (inclusive), for grouping the next change. */
  firstLine: number;
  lastLine: number;
  readonly startedAt: number;
  lastAt: number;
}

export interface EditHistoryOptions {
  /** Events kept in all (Zed keeps 6). */
  maxEvents?: number;
  /** A change within this many lines of the last event's lines, in the same file, joins it… */
  groupLines?: number;
  /** …when it comes within this long of the event's last change. */
  groupMs?: number;
  /** A file closed longer ago than this is forgotten. */
  forgetClosedMs?: number;
  /** Files longer than this are not recorded (their copies would cost too much memory). */
  maxFileChars?: number;
  /** Open files whose text is kept to diff against (least recently changed dropped first). */
  maxTrackedFiles?: number;
  now?: () => number;
}

export const DEFAULT_HISTORY_OPTIONS: Required<Omit<EditHistoryOptions, "now">> = {
  maxEvents: 6,
  groupLines: 8,
  groupMs: 1000,
  forgetClosedMs: 5 * 60_000,
  maxFileChars: 1_000_000,
  maxTrackedFiles: 32,
};

interface Tracked {
  file: HistoryFile;
  text: string;
}

export class EditHistory {
  private readonly options: Required<Omit<EditHistoryOptions, "now">>;
  private readonly now: () => number;
  /** Insertion order = least recently changed first. */
  private readonly tracked = new Map<string, Tracked>();
  /** Files closed while they had events: when each was closed. */
  private readonly closedAt = new Map<string, number>();
  private events: EditEvent[] = [];

  constructor(
    private readonly allows: (file: HistoryFile) => boolean,
    options: EditHistoryOptions = {},
  ) {
    this.options = { ...DEFAULT_HISTORY_OPTIONS, ...dropUndefined(options) };
    this.now = options.now ?? Date.now;
  }

  /** A file was opened (or is open when the history starts): its text is what its first change is diffed against. */
  open(file: HistoryFile, text: string): void {
    if (!this.allows(file) || text.length > this.options.maxFileChars) {
      this.forget(file.uri);
      return;
    }
    this.closedAt.delete(file.uri);
    this.tracked.delete(file.uri);
    this.tracked.set(file.uri, { file, text });
    this.trim();
  }

  /** A file was closed: its events stay for a while (the user may come back), then go. */
  close(uri: string): void {
    this.tracked.delete(uri);
    if (this.events.some((event) => event.uri === uri)) this.closedAt.set(uri, this.now());
    this.expire();
  }

  /**
   * Changes of one batch applied to a file, and its text after them. A file not opened before, one whose copy
   * disagrees with `textAfter` (a change was missed) or one the policy no longer allows records nothing this time.
   */
  change(file: HistoryFile, changes: readonly TextChange[], textAfter: string): void {
    if (!this.allows(file) || textAfter.length > this.options.maxFileChars) {
      this.forget(file.uri);
      return;
    }
    const entry = this.tracked.get(file.uri);
    this.closedAt.delete(file.uri);
    this.tracked.delete(file.uri);
    this.tracked.set(file.uri, { file, text: textAfter });
    this.trim();
    if (!entry || changes.length === 0) return;
    const before = entry.text;
    const applied = applyChanges(before, changes);
    if (!applied) return;
    const { text, firstLine, lastLine } = applied;
    if (text !== textAfter || text === before) return;
    this.expire();
    const now = this.now();
    const last = this.events.at(-1);
    const o = this.options;
    if (
      last &&
      last.uri === file.uri &&
      last.after === before &&
      now - last.lastAt <= o.groupMs &&
      firstLine <= last.lastLine + o.groupLines &&
      lastLine >= last.firstLine - o.groupLines
    ) {
      last.after = textAfter;
      last.firstLine = Math.min(last.firstLine, firstLine);
      last.lastLine = Math.max(last.lastLine, lastLine);
      last.lastAt = now;
      if (last.before === last.after) this.events.pop();
      return;
    }
    this.events.push({ uri: file.uri, path: file.path, languageId: file.languageId, before, after: textAfter, firstLine, lastLine, startedAt: now, lastAt: now });
    if (this.events.length > o.maxEvents) this.events = this.events.slice(-o.maxEvents);
  }

  /** The kept events, oldest first. */
  recent(): readonly EditEvent[] {
    this.expire();
    return this.events;
  }

  /** The file's latest event: its `before` is the file before the user's last edit. */
  lastEventOf(uri: string): EditEvent | undefined {
    this.expire();
    for (let i = this.events.length - 1; i >= 0; i--) if (this.events[i]!.uri === uri) return this.events[i];
    return undefined;
  }

  /** The settings changed: files the policy no longer allows are dropped with their events. */
  recheck(): void {
    const files = [...[...this.tracked.values()].map((entry) => entry.file), ...this.events];
    for (const file of files) if (!this.allows(file)) this.forget(file.uri);
  }

  forget(uri: string): void {
    this.tracked.delete(uri);
    this.closedAt.delete(uri);
    this.events = this.events.filter((event) => event.uri !== uri);
  }

  clear(): void {
    this.tracked.clear();
    this.closedAt.clear();
    this.events = [];
  }

  /** Whether the policy lets this file be recorded (the caller asks before reading a document's text). */
  allowsFile(file: HistoryFile): boolean {
    return this.allows(file);
  }

  get maxFileChars(): number {
    return this.options.maxFileChars;
  }

  /** Files whose text is kept (for tests of the bounds). */
  get trackedCount(): number {
    return this.tracked.size;
  }

  private trim(): void {
    while (this.tracked.size > this.options.maxTrackedFiles) {
      const oldest = this.tracked.keys().next().value as string;
      this.tracked.delete(oldest);
    }
  }

  private expire(): void {
    const now = this.now();
    for (const [uri, closed] of [...this.closedAt]) if (now - closed > this.options.forgetClosedMs) this.forget(uri);
  }
}

/**
 * `changes` applied one after the other to `text`, and the lines they touched; undefined when one falls outside the
 * text. A multi-cursor batch (VS Code sends its changes last to first, none overlapping) is put together in one pass:
 * applying each change to a fresh copy of the file cost the batch changes × size (62× the CPU for 8× the lines and
 * cursors).
 */
function applyChanges(text: string, changes: readonly TextChange[]): { text: string; firstLine: number; lastLine: number } | undefined {
  const valid = (change: TextChange, length: number) => change.offset >= 0 && change.removedLength >= 0 && change.offset + change.removedLength <= length;
  const descending = changes.every((change, i) => i === 0 || change.offset + change.removedLength <= changes[i - 1]!.offset);
  if (descending && changes.length > 1) {
    if (!changes.every((change) => valid(change, text.length))) return undefined;
    const pieces: string[] = [];
    let from = 0;
    for (let i = changes.length - 1; i >= 0; i--) {
      const change = changes[i]!;
      pieces.push(text.slice(from, change.offset), change.text);
      from = change.offset + change.removedLength;
    }
    pieces.push(text.slice(from));
    const after = pieces.join("");
    // The lowest change sits where it was; the highest moved by what every change below it added or removed.
    const lowest = changes.at(-1)!;
    const highest = changes[0]!;
    const shift = changes.slice(1).reduce((sum, change) => sum + change.text.length - change.removedLength, 0);
    return { text: after, firstLine: lineOfOffset(after, lowest.offset), lastLine: lineOfOffset(after, highest.offset + shift + highest.text.length) };
  }
  let firstLine = Number.POSITIVE_INFINITY;
  let lastLine = -1;
  for (const change of changes) {
    if (!valid(change, text.length)) return undefined;
    text = text.slice(0, change.offset) + change.text + text.slice(change.offset + change.removedLength);
    firstLine = Math.min(firstLine, lineOfOffset(text, change.offset));
    lastLine = Math.max(lastLine, lineOfOffset(text, change.offset + change.text.length));
  }
  return { text, firstLine, lastLine };
}

function dropUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
