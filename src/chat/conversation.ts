import { randomUUID } from "node:crypto";
import type { EntryRole, EntryStatus, ViewEntry } from "../webview/protocol";
import type { HistoryTurn } from "./prompt";

// The view and the store agree on these by construction: one declaration, in the shared protocol.
export type { EntryRole, EntryStatus };

/** One message of a conversation, as stored: what the view shows, and what only the prompt and the store need. */
export interface Entry extends ViewEntry {
  /**
   * The context block that was sent with a question (after trimming): every later request replays it in front of the
   * question, so the conversation's prompt only grows at its end, and Regenerate asks the same question.
   */
  contextText?: string;
  createdAt: number;
}

export interface Conversation {
  id: string;
  title: string;
  createdAt: number;
  updatedAt: number;
  entries: Entry[];
}

export interface ConversationSummary {
  id: string;
  title: string;
  updatedAt: number;
  messages: number;
}

export const UNTITLED = "New conversation";
const TITLE_MAX = 60;

export function newId(prefix: "c" | "e"): string {
  return `${prefix}-${randomUUID()}`;
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

/**
 * Checks a conversation read from disk: drops what is malformed, and marks an answer that was still streaming when
 * the window closed (or the extension host crashed) as interrupted, keeping its text. Returns null when the file
 * does not hold a conversation at all.
 */
export function reviveConversation(raw: unknown): Conversation | null {
  if (typeof raw !== "object" || raw === null) return null;
  const c = raw as Record<string, unknown>;
  if (typeof c.id !== "string" || !Array.isArray(c.entries)) return null;
  const entries: Entry[] = [];
  for (const e of c.entries as unknown[]) {
    if (typeof e !== "object" || e === null) continue;
    const r = e as Record<string, unknown>;
    if (typeof r.id !== "string" || (r.role !== "user" && r.role !== "assistant") || typeof r.content !== "string") continue;
    const status: EntryStatus = r.status === "stopped" || r.status === "error" || r.status === "done" ? r.status : "stopped";
    const entry: Entry = { id: r.id, role: r.role, content: r.content, status, createdAt: typeof r.createdAt === "number" ? r.createdAt : 0 };
    if (r.status === "streaming") entry.note = "Interrupted: the window closed while this answer was being written.";
    else if (typeof r.note === "string") entry.note = r.note;
    if (Array.isArray(r.context)) entry.context = r.context.filter((x): x is string => typeof x === "string");
    if (typeof r.contextText === "string") entry.contextText = r.contextText;
    entries.push(entry);
  }
  const now = Date.now();
  return {
    id: c.id,
    title: typeof c.title === "string" && c.title ? c.title : UNTITLED,
    createdAt: typeof c.createdAt === "number" ? c.createdAt : now,
    updatedAt: typeof c.updatedAt === "number" ? c.updatedAt : now,
    entries,
  };
}
