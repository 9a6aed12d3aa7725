/**
 * The chat's data: entries, their roles and statuses, the history list's items, and the checks on them. The
 * conversation store checks what it reads from disk with these functions, and the webview's protocol
 * (src/webview/protocol.ts) checks what it sends and receives with the same ones, so an entry the store keeps is never
 * one that makes the view drop the whole conversation. Plain data only: no Node, so the webview's bundle can use it.
 */
import { isCount, isFiniteNumber, isJsonObject, isOneOf, isString } from "../common/json-guards";

export type EntryRole = "user" | "assistant";
export type EntryStatus = "done" | "streaming" | "stopped" | "error";

const ENTRY_ROLES: readonly EntryRole[] = ["user", "assistant"];
const ENTRY_STATUSES: readonly EntryStatus[] = ["done", "streaming", "stopped", "error"];

/** The longest id the chat accepts back (from the view or from a file). */
export const CHAT_ID_MAX_LENGTH = 100;

/**
 * An id the chat accepts back from the view or from a file (entries, chips, conversations): short, and only letters,
 * digits, `_`, `.`, `:` and `-`.
 */
export function isChatId(v: unknown): v is string {
  return isString(v, CHAT_ID_MAX_LENGTH) && /^[\w.:-]+$/.test(v);
}

/** One message of a conversation as the user sees it: everything but what only the prompt and the store need. */
export interface ShownEntry {
  id: string;
  role: EntryRole;
  /** User: the question as typed (plain text). Assistant: the model's Markdown, untrusted. */
  content: string;
  status: EntryStatus;
  /** Shown under the entry when status is "error" (or a stop/trim note). */
  note?: string;
  /** Labels of the context that was sent with a question (e.g. "math.ts:2-4"). */
  context?: string[];
}

/** One message of a conversation, as stored: what the user sees, and what only the prompt and the store need. */
export interface Entry extends ShownEntry {
  /**
   * The context block that was sent with a question (after trimming): every later request replays it in front of the
   * question, so the conversation's prompt only grows at its end, and Regenerate asks the same question.
   */
  contextText?: string;
  createdAt: number;
}

/** A conversation as the history list shows it. */
export interface ConversationSummary {
  id: string;
  title: string;
  updatedAt: number;
  messages: number;
}

/** A stored entry as the user sees it: without the context text that was sent, or its time. */
export function toShownEntry(entry: Entry): ShownEntry {
  return {
    id: entry.id,
    role: entry.role,
    content: entry.content,
    status: entry.status,
    ...(entry.note ? { note: entry.note } : {}),
    ...(entry.context?.length ? { context: entry.context } : {}),
  };
}

export function isShownEntry(v: unknown): v is ShownEntry {
  return (
    isJsonObject(v) &&
    isChatId(v.id) &&
    isOneOf(v.role, ENTRY_ROLES) &&
    isString(v.content) &&
    isOneOf(v.status, ENTRY_STATUSES) &&
    (v.note === undefined || isString(v.note)) &&
    (v.context === undefined || (Array.isArray(v.context) && v.context.every((c) => isString(c))))
  );
}

export function isConversationSummary(v: unknown): v is ConversationSummary {
  return isJsonObject(v) && isChatId(v.id) && isString(v.title) && isFiniteNumber(v.updatedAt) && isCount(v.messages);
}
