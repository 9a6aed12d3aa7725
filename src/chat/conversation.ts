import { randomUUID } from "node:crypto";
import { isFiniteNumber } from "../common/json-guards";
import { isChatId, isShownEntry, toShownEntry, type ConversationSummary, type Entry, type EntryStatus } from "./chat-types";
import type { HistoryTurn } from "./prompt";

export interface Conversation {
  id: string;
  title: string;
  createdAt: number;
  updatedAt: number;
  entries: Entry[];
}

export const UNTITLED = "New conversation";
const TITLE_MAX = 60;

export function newId(prefix: "c" | "e"): string {
  return `${prefix}-${randomUUID()}`;
}

/**
 * The ids newId("c") makes, and the only names the store gives conversation files: an id is a file name, so anything
 * else (a path, a name with separators or dots) is refused before it gets near the disk.
 */
const CONVERSATION_ID = /^c-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function isConversationId(id: unknown): id is string {
  return typeof id === "string" && CONVERSATION_ID.test(id);
}

export function createConversation(now = Date.now()): Conversation {
  return { id: newId("c"), title: UNTITLED, createdAt: now, updatedAt: now, entries: [] };
}

/** The first line of the first question, shortened: what the history list shows. */
export function titleFrom(question: string): string {
  const line = question.trim().split("\n")[0]?.trim() ?? "";
  if (!line) return UNTITLED;
  return line.length > TITLE_MAX ? `${line.slice(0, TITLE_MAX - 1).trimEnd()}…` : line;
}

export function summarize(conversation: Conversation): ConversationSummary {
  return { id: conversation.id, title: conversation.title, updatedAt: conversation.updatedAt, messages: conversation.entries.length };
}

/** The messages that the model sees as history: finished user/assistant turns with text, in order, each question with the context it was sent with. */
export function historyOf(entries: readonly Entry[]): HistoryTurn[] {
  return entries
    .filter((e) => e.content.trim() !== "")
    .map((e) => (e.role === "user" && e.contextText ? { role: e.role, content: e.content, context: e.contextText } : { role: e.role, content: e.content }));
}

/** What reviveConversation had to change in a file: a line for the log, or nothing. */
export interface ReviveReport {
  /** The id written inside the file, when it was not the expected one. */
  innerId?: string;
  /** Entries left out, as "#index: why". */
  dropped: string[];
  /** Entries kept after a fix, as "#index: what". */
  repaired: string[];
}

/**
 * Checks a conversation read from disk with the rules the view checks it with (isShownEntry, through toShownEntry):
 * an entry the view would refuse is repaired where that keeps its text (a new id, a bad note or context label removed)
 * or left out, never the whole conversation. An answer that was still streaming when the window closed (or the
 * extension host crashed) is marked as interrupted, keeping its text. `id` is the id the store expects (the file's
 * name): it wins over whatever the file says. Returns null when the file does not hold a conversation at all.
 */
export function reviveConversation(raw: unknown, expected: { id?: string; report?: ReviveReport } = {}): Conversation | null {
  if (typeof raw !== "object" || raw === null) return null;
  const c = raw as Record<string, unknown>;
  if (!Array.isArray(c.entries) || (expected.id === undefined && typeof c.id !== "string")) return null;
  const report = expected.report ?? { dropped: [], repaired: [] };
  const id = expected.id ?? (c.id as string);
  if (c.id !== id) report.innerId = short(c.id);
  const entries: Entry[] = [];
  const seen = new Set<string>();
  (c.entries as unknown[]).forEach((e, index) => {
    const entry = reviveEntry(e, seen, (what) => report.repaired.push(`#${index}: ${what}`));
    if (typeof entry === "string") return void report.dropped.push(`#${index}: ${entry}`);
    seen.add(entry.id);
    entries.push(entry);
  });
  const now = Date.now();
  return {
    id,
    title: typeof c.title === "string" && c.title ? c.title : UNTITLED,
    createdAt: isFiniteNumber(c.createdAt) ? c.createdAt : now,
    updatedAt: isFiniteNumber(c.updatedAt) ? c.updatedAt : now,
    entries,
  };
}

/** The entry, repaired where it can be; or why it was left out. */
function reviveEntry(e: unknown, seen: ReadonlySet<string>, repaired: (what: string) => void): Entry | string {
  if (typeof e !== "object" || e === null || Array.isArray(e)) return "not an object";
  const r = e as Record<string, unknown>;
  if (r.role !== "user" && r.role !== "assistant") return `unknown role ${short(r.role)}`;
  if (typeof r.content !== "string") return "no text";
  const given = isChatId(r.id) ? r.id : undefined;
  const id = given !== undefined && !seen.has(given) ? given : newId("e");
  if (id !== r.id) repaired(given !== undefined ? "duplicate id" : `invalid id ${short(r.id)}`);
  const status: EntryStatus = r.status === "stopped" || r.status === "error" || r.status === "done" ? r.status : "stopped";
  if (r.status !== status && r.status !== "streaming") repaired(`unknown status ${short(r.status)}`);
  const entry: Entry = { id, role: r.role, content: r.content, status, createdAt: isFiniteNumber(r.createdAt) ? r.createdAt : 0 };
  if (r.status === "streaming") entry.note = "Interrupted: the window closed while this answer was being written.";
  else if (typeof r.note === "string") entry.note = r.note;
  else if (r.note !== undefined) repaired("note is not text");
  if (Array.isArray(r.context)) {
    const labels = r.context.filter((x): x is string => typeof x === "string");
    if (labels.length !== r.context.length) repaired("context labels that are not text");
    entry.context = labels;
  } else if (r.context !== undefined) repaired("context is not a list");
  if (typeof r.contextText === "string") entry.contextText = r.contextText;
  else if (r.contextText !== undefined) repaired("context text is not text");
  // The last word is the view's: whatever it would refuse does not reach it.
  return isShownEntry(toShownEntry(entry)) ? entry : "refused by the view";
}

/** A value from a file, short enough for a log line. */
function short(v: unknown): string {
  const text = typeof v === "string" ? JSON.stringify(v) : v === undefined ? "(none)" : (JSON.stringify(v) ?? String(v));
  return text.length > 40 ? `${text.slice(0, 39)}…` : text;
}
