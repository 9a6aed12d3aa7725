/**
 * The messages between the chat webview (src/webview/app/, DOM only) and the extension (src/ide/chat-view-provider.ts).
 * Both directions are typed here, and both sides validate what they receive with the parsers below: the webview is a
 * separate, less trusted context, and the text it shows comes from a model. No `vscode`, no DOM, plain JSON only.
 *
 * Handshake: the webview posts `ready` once its script runs; only then does the host send state (a message posted
 * before that is lost). A reloaded webview posts `ready` again and gets the whole state again, a running stream included.
 */

export const PROTOCOL_VERSION = 1;

/** Upper bounds on what the webview may send; larger messages are dropped as malformed. */
export const LIMITS = {
  /** A question or an edited question, in characters. */
  text: 100_000,
  /** A code block the user copies, inserts or applies, in characters. */
  code: 1_000_000,
  id: 100,
  href: 2_000,
  /** A problem the view reports for the log. */
  problem: 1_000,
} as const;

export type EntryRole = "user" | "assistant";
export type EntryStatus = "done" | "streaming" | "stopped" | "error";

/** One message of the conversation as the view shows it. */
export interface ViewEntry {
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

export interface ViewConversation {
  id: string;
  title: string;
  entries: ViewEntry[];
  /** The assistant entry being streamed, if any; its chunks follow as `append` messages. */
  streamingId: string | null;
}

export type ChipKind = "selection" | "file" | "attached";

/** A piece of context that goes with the next question; the user can remove it. */
export interface ViewChip {
  id: string;
  kind: ChipKind;
  label: string;
  /** Longer description for the tooltip / accessible name (workspace path, line range). */
  detail: string;
  /** Estimated tokens of the whole piece. */
  tokens: number;
  /** Estimated tokens that will really be sent; less than `tokens` when it was trimmed to fit. */
  sentTokens: number;
}

export interface ViewBudget {
  /** Tokens of what the next question would send besides the question: system prompt, context, history. */
  used: number;
  /** Tokens available for the prompt: the model's context window minus the room kept for the answer. */
  limit: number;
  /** Some counts are estimates (about 3.5 characters per token): the chat model has not counted those lines yet. */
  estimated: boolean;
  /** Older messages that no longer fit and will not be sent. */
  droppedMessages: number;
  /** Human-readable notes of what was trimmed, or empty. */
  trimmed: string[];
}

export interface ViewContext {
  chips: ViewChip[];
  budget: ViewBudget;
}

export type ModelState = "none" | "idle" | "loading" | "ready" | "error";

export interface ViewModel {
  state: ModelState;
  /** One line: the model's name and state. */
  label: string;
  /** A warning to show above the conversation (e.g. the model has no chat template), or absent. */
  warning?: string;
}

export interface ViewHistoryItem {
  id: string;
  title: string;
  updatedAt: number;
  messages: number;
}

export type NoticeLevel = "info" | "warning" | "error";

/** Messages the extension sends to the webview. */
export type HostToWebview =
  | { type: "conversation"; conversation: ViewConversation }
  | { type: "append"; entryId: string; text: string }
  | { type: "entry"; entry: ViewEntry; streamingId: string | null }
  | { type: "context"; context: ViewContext }
  | { type: "model"; model: ViewModel }
  | { type: "history"; items: ViewHistoryItem[]; currentId: string }
  | { type: "notice"; level: NoticeLevel; text: string }
  | { type: "focus"; draft?: string };

export type CodeAction = "copy" | "insert" | "apply";
/** Commands the webview may ask for by a button; nothing else can be run from it. */
export type ViewCommand = "chooseModel" | "loadModel" | "showLog" | "showHistory" | "newConversation" | "export";

/**
 * Messages the webview sends to the extension. Every one of them starts with a user's action except `ready` and
 * `problem` (something in the view itself failed; the extension only logs it).
 */
export type WebviewToHost =
  | { type: "ready"; version: number }
  | { type: "send"; text: string }
  | { type: "stop" }
  | { type: "regenerate" }
  | { type: "edit"; entryId: string; text: string }
  | { type: "removeChip"; chipId: string }
  | { type: "attachFile" }
  | { type: "code"; action: CodeAction; entryId: string; code: string; language: string }
  | { type: "openLink"; href: string }
  | { type: "command"; command: ViewCommand }
  | { type: "problem"; text: string };

const CODE_ACTIONS: readonly string[] = ["copy", "insert", "apply"] satisfies CodeAction[];
const VIEW_COMMANDS: readonly string[] = ["chooseModel", "loadModel", "showLog", "showHistory", "newConversation", "export"] satisfies ViewCommand[];
const ENTRY_ROLES: readonly string[] = ["user", "assistant"] satisfies EntryRole[];
const ENTRY_STATUSES: readonly string[] = ["done", "streaming", "stopped", "error"] satisfies EntryStatus[];
const CHIP_KINDS: readonly string[] = ["selection", "file", "attached"] satisfies ChipKind[];
const MODEL_STATES: readonly string[] = ["none", "idle", "loading", "ready", "error"] satisfies ModelState[];
const NOTICE_LEVELS: readonly string[] = ["info", "warning", "error"] satisfies NoticeLevel[];

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const isStr = (v: unknown, max = Number.MAX_SAFE_INTEGER): v is string => typeof v === "string" && v.length <= max;
const isId = (v: unknown): v is string => isStr(v, LIMITS.id) && /^[\w.:-]+$/.test(v);
/** An id the view accepts (entries, chips, conversations): the store checks what it reads from disk with the same rule. */
export const isViewId = isId;
const isNum = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);
const isCount = (v: unknown): v is number => isNum(v) && v >= 0 && Number.isInteger(v);
const oneOf = (v: unknown, values: readonly string[]): v is string => typeof v === "string" && values.includes(v);
const hasOnly = (o: Obj, keys: readonly string[]) => Object.keys(o).every((k) => keys.includes(k));

/** Validates a message from the webview; returns null for anything malformed, unknown or too large. */
export function parseWebviewMessage(raw: unknown): WebviewToHost | null {
  if (!isObj(raw) || typeof raw.type !== "string") return null;
  const m = raw;
  switch (m.type) {
    case "ready":
      return hasOnly(m, ["type", "version"]) && isNum(m.version) ? { type: "ready", version: m.version } : null;
    case "send":
      return hasOnly(m, ["type", "text"]) && isStr(m.text, LIMITS.text) && m.text.trim() !== "" ? { type: "send", text: m.text } : null;
    case "stop":
    case "regenerate":
    case "attachFile":
      return hasOnly(m, ["type"]) ? { type: m.type } : null;
    case "edit":
      return hasOnly(m, ["type", "entryId", "text"]) && isId(m.entryId) && isStr(m.text, LIMITS.text) && m.text.trim() !== ""
        ? { type: "edit", entryId: m.entryId, text: m.text }
        : null;
    case "removeChip":
      return hasOnly(m, ["type", "chipId"]) && isId(m.chipId) ? { type: "removeChip", chipId: m.chipId } : null;
    case "code":
      return hasOnly(m, ["type", "action", "entryId", "code", "language"]) &&
        oneOf(m.action, CODE_ACTIONS) &&
        isId(m.entryId) &&
        isStr(m.code, LIMITS.code) &&
        isStr(m.language, LIMITS.id)
        ? { type: "code", action: m.action as CodeAction, entryId: m.entryId, code: m.code, language: m.language }
        : null;
    case "openLink":
      return hasOnly(m, ["type", "href"]) && isStr(m.href, LIMITS.href) && isSafeLink(m.href) ? { type: "openLink", href: m.href } : null;
    case "command":
      return hasOnly(m, ["type", "command"]) && oneOf(m.command, VIEW_COMMANDS) ? { type: "command", command: m.command as ViewCommand } : null;
    case "problem":
      return hasOnly(m, ["type", "text"]) && isStr(m.text, LIMITS.problem) ? { type: "problem", text: m.text } : null;
    default:
      return null;
  }
}

/** Links the view may ask to open: web pages only (never `javascript:`, `file:`, `command:` or `vscode:`). */
export function isSafeLink(href: string): boolean {
  return /^https?:\/\/[^\s]+$/i.test(href);
}

/**
 * An entry the view shows. The conversation store checks what it reads from disk with this same function (through
 * toViewEntry), so an entry the store keeps is never one that makes the view drop the whole conversation.
 */
export function isViewEntry(v: unknown): v is ViewEntry {
  return (
    isObj(v) &&
    isId(v.id) &&
    oneOf(v.role, ENTRY_ROLES) &&
    isStr(v.content) &&
    oneOf(v.status, ENTRY_STATUSES) &&
    (v.note === undefined || isStr(v.note)) &&
    (v.context === undefined || (Array.isArray(v.context) && v.context.every((c) => isStr(c))))
  );
}

/** An item of the history list; the store checks its index with this same function. */
export function isViewHistoryItem(v: unknown): v is ViewHistoryItem {
  return isObj(v) && isId(v.id) && isStr(v.title) && isNum(v.updatedAt) && isCount(v.messages);
}

function isChip(v: unknown): v is ViewChip {
  return isObj(v) && isId(v.id) && oneOf(v.kind, CHIP_KINDS) && isStr(v.label) && isStr(v.detail) && isCount(v.tokens) && isCount(v.sentTokens);
}

function isBudget(v: unknown): v is ViewBudget {
  return (
    isObj(v) &&
    isCount(v.used) &&
    isCount(v.limit) &&
    typeof v.estimated === "boolean" &&
    isCount(v.droppedMessages) &&
    Array.isArray(v.trimmed) &&
    v.trimmed.every((t) => isStr(t))
  );
}

/** Validates a message from the extension (the webview's side of the check). */
export function parseHostMessage(raw: unknown): HostToWebview | null {
  if (!isObj(raw) || typeof raw.type !== "string") return null;
  const m = raw;
  switch (m.type) {
    case "conversation": {
      const c = m.conversation;
      return isObj(c) && isId(c.id) && isStr(c.title) && Array.isArray(c.entries) && c.entries.every(isViewEntry) && (c.streamingId === null || isId(c.streamingId))
        ? { type: "conversation", conversation: c as unknown as ViewConversation }
        : null;
    }
    case "append":
      return isId(m.entryId) && isStr(m.text) ? { type: "append", entryId: m.entryId, text: m.text } : null;
    case "entry":
      return isViewEntry(m.entry) && (m.streamingId === null || isId(m.streamingId)) ? { type: "entry", entry: m.entry, streamingId: m.streamingId as string | null } : null;
    case "context": {
      const c = m.context;
      return isObj(c) && Array.isArray(c.chips) && c.chips.every(isChip) && isBudget(c.budget) ? { type: "context", context: c as unknown as ViewContext } : null;
    }
    case "model": {
      const v = m.model;
      return isObj(v) && oneOf(v.state, MODEL_STATES) && isStr(v.label) && (v.warning === undefined || isStr(v.warning))
        ? { type: "model", model: v as unknown as ViewModel }
        : null;
    }
    case "history":
      return Array.isArray(m.items) &&
        m.items.every(isViewHistoryItem) &&
        isId(m.currentId)
        ? { type: "history", items: m.items as ViewHistoryItem[], currentId: m.currentId }
        : null;
    case "notice":
      return oneOf(m.level, NOTICE_LEVELS) && isStr(m.text) ? { type: "notice", level: m.level as NoticeLevel, text: m.text } : null;
    case "focus":
      return m.draft === undefined || isStr(m.draft, LIMITS.text) ? { type: "focus", ...(m.draft !== undefined ? { draft: m.draft as string } : {}) } : null;
    default:
      return null;
  }
}
