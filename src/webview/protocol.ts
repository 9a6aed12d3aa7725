/**
 * The messages between the chat webview (src/webview/app/, DOM only) and the extension (src/ide/chat-view-provider.ts).
 * Both directions are typed here, and both sides validate what they receive with the parsers below: the webview is a
 * separate, less trusted context, and the text it shows comes from a model. No `vscode`, no DOM, plain JSON only.
 *
 * Handshake: the webview posts `ready` once its script runs; only then does the host send state (a message posted
 * before that is lost). A reloaded webview posts `ready` again and gets the whole state again, a running stream included.
 *
 * The chat's own data (entries, history items) and their checks come from src/chat/chat-types.ts; this file names them
 * for the webview's app, whose one door to the rest of the project this is.
 */
import {
  CHAT_ID_MAX_LENGTH,
  isChatId as isId,
  isConversationSummary,
  isShownEntry,
  type ConversationSummary,
  type ShownEntry,
} from "../chat/chat-types";
// Short names: the parsers below read as the shapes they check.
import { hasOnlyKeys as hasOnly, isCount, isFiniteNumber as isNum, isJsonObject as isObj, isOneOf as oneOf, isString as isStr } from "../common/json-guards";

export const PROTOCOL_VERSION = 1;

/** Upper bounds on what the webview may send; larger messages are dropped as malformed. */
export const LIMITS = {
  /** A question or an edited question, in characters. */
  text: 100_000,
  /** A code block the user copies, inserts or applies, in characters. */
  code: 1_000_000,
  id: CHAT_ID_MAX_LENGTH,
  href: 2_000,
  /** A problem the view reports for the log. */
  problem: 1_000,
  /** Slash commands the menu lists, and a description's characters. */
  slashCommands: 300,
  slashDescription: 300,
} as const;

/**
 * A slash command's name as typed after `/` (`/explain`, `/review`): letters, digits, "-", "_" and "." inside, at
 * most 64 characters. The host looks it up in a fixed table; it is never made into a command id.
 */
export function isSlashName(v: unknown): v is string {
  return typeof v === "string" && /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(v) && !v.includes("..");
}

/** A command the user can run by typing `/NAME` in the question box. */
export interface ViewSlashCommand {
  name: string;
  /** One line shown beside the name in the menu. */
  description: string;
  /** What the text after the name is for (e.g. "what to change"), or "" when the command takes no text. */
  argument: string;
}

/** One message of the conversation as the view shows it. */
export type ViewEntry = ShownEntry;

export interface ViewConversation {
  id: string;
  title: string;
  entries: ViewEntry[];
  /** The assistant entry being streamed, if any; its chunks follow as `append` messages. */
  streamingId: string | null;
}

export type ChipKind = "selection" | "file" | "attached" | "codebase";

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
  /** The chip stands for a place in the workspace (a codebase snippet): clicking it asks the host to open it (`openChip`). */
  opens?: boolean;
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
  /** The project rules sent with the question (their tokens are in `used`): the files, workspace-relative. */
  rules?: { tokens: number; files: string[] };
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

/** A conversation in the history list. */
export type ViewHistoryItem = ConversationSummary;

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
  | { type: "focus"; draft?: string }
  | { type: "display"; display: ViewDisplay }
  | { type: "slashCommands"; commands: ViewSlashCommand[] }
  /** The user chose `@codebase` in the `@` picker: put it into the question at the cursor. */
  | { type: "mention"; mention: ViewMention };

/** What the `@` picker can put into a question besides files. */
export type ViewMention = "codebase";
const MENTIONS: readonly ViewMention[] = ["codebase"];

/** How the view shows things, from the editor's settings. */
export interface ViewDisplay {
  /** Code blocks wrap long lines (the editor's `editor.wordWrap` is not "off"); each block has a toggle of its own. */
  wrapCode: boolean;
}

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
  /**
   * Open the place a chip stands for (a codebase snippet's file and lines). Only the chip's id crosses: the host opens
   * a location it retrieved itself, never a path the webview names.
   */
  | { type: "openChip"; chipId: string }
  | { type: "attachFile" }
  | { type: "code"; action: CodeAction; entryId: string; code: string; language: string }
  | { type: "openLink"; href: string }
  | { type: "command"; command: ViewCommand }
  | { type: "problem"; text: string }
  /** `/NAME text` from the question box: the host runs the command of that name from its own table, or says there is none. */
  | { type: "slash"; name: string; text: string }
  /** The user is writing a question (the box has focus, or its text or the chips changed): prepare its prompt. */
  | { type: "composing" };

const CODE_ACTIONS: readonly CodeAction[] = ["copy", "insert", "apply"];
const VIEW_COMMANDS: readonly ViewCommand[] = ["chooseModel", "loadModel", "showLog", "showHistory", "newConversation", "export"];
const CHIP_KINDS: readonly ChipKind[] = ["selection", "file", "attached", "codebase"];
const MODEL_STATES: readonly ModelState[] = ["none", "idle", "loading", "ready", "error"];
const NOTICE_LEVELS: readonly NoticeLevel[] = ["info", "warning", "error"];


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
    case "composing":
      return hasOnly(m, ["type"]) ? { type: m.type } : null;
    case "edit":
      return hasOnly(m, ["type", "entryId", "text"]) && isId(m.entryId) && isStr(m.text, LIMITS.text) && m.text.trim() !== ""
        ? { type: "edit", entryId: m.entryId, text: m.text }
        : null;
    case "removeChip":
    case "openChip":
      return hasOnly(m, ["type", "chipId"]) && isId(m.chipId) ? { type: m.type, chipId: m.chipId } : null;
    case "code":
      return hasOnly(m, ["type", "action", "entryId", "code", "language"]) &&
        oneOf(m.action, CODE_ACTIONS) &&
        isId(m.entryId) &&
        isStr(m.code, LIMITS.code) &&
        isStr(m.language, LIMITS.id)
        ? { type: "code", action: m.action, entryId: m.entryId, code: m.code, language: m.language }
        : null;
    case "openLink":
      return hasOnly(m, ["type", "href"]) && isStr(m.href, LIMITS.href) && isSafeLink(m.href) ? { type: "openLink", href: m.href } : null;
    case "command":
      return hasOnly(m, ["type", "command"]) && oneOf(m.command, VIEW_COMMANDS) ? { type: "command", command: m.command } : null;
    case "problem":
      return hasOnly(m, ["type", "text"]) && isStr(m.text, LIMITS.problem) ? { type: "problem", text: m.text } : null;
    case "slash":
      return hasOnly(m, ["type", "name", "text"]) && isSlashName(m.name) && isStr(m.text, LIMITS.text) ? { type: "slash", name: m.name, text: m.text } : null;
    default:
      return null;
  }
}

/** Links the view may ask to open: web pages only (never `javascript:`, `file:`, `command:` or `vscode:`). */
export function isSafeLink(href: string): boolean {
  return /^https?:\/\/[^\s]+$/i.test(href);
}

function isChip(v: unknown): v is ViewChip {
  return isObj(v) && isId(v.id) && oneOf(v.kind, CHIP_KINDS) && isStr(v.label) && isStr(v.detail) && isCount(v.tokens) && isCount(v.sentTokens) && (v.opens === undefined || typeof v.opens === "boolean");
}

function isBudget(v: unknown): v is ViewBudget {
  return (
    isObj(v) &&
    isCount(v.used) &&
    isCount(v.limit) &&
    typeof v.estimated === "boolean" &&
    isCount(v.droppedMessages) &&
    Array.isArray(v.trimmed) &&
    v.trimmed.every((t) => isStr(t)) &&
    (v.rules === undefined || (isObj(v.rules) && isCount(v.rules.tokens) && Array.isArray(v.rules.files) && v.rules.files.every((f) => isStr(f))))
  );
}

function isSlashCommand(v: unknown): v is ViewSlashCommand {
  return isObj(v) && hasOnly(v, ["name", "description", "argument"]) && isSlashName(v.name) && isStr(v.description, LIMITS.slashDescription) && isStr(v.argument, LIMITS.slashDescription);
}

/** Validates a message from the extension (the webview's side of the check). */
export function parseHostMessage(raw: unknown): HostToWebview | null {
  if (!isObj(raw) || typeof raw.type !== "string") return null;
  const m = raw;
  switch (m.type) {
    case "conversation": {
      const c = m.conversation;
      return isObj(c) && isId(c.id) && isStr(c.title) && Array.isArray(c.entries) && c.entries.every(isShownEntry) && (c.streamingId === null || isId(c.streamingId))
        ? { type: "conversation", conversation: c as unknown as ViewConversation }
        : null;
    }
    case "append":
      return isId(m.entryId) && isStr(m.text) ? { type: "append", entryId: m.entryId, text: m.text } : null;
    case "entry":
      return isShownEntry(m.entry) && (m.streamingId === null || isId(m.streamingId)) ? { type: "entry", entry: m.entry, streamingId: m.streamingId as string | null } : null;
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
        m.items.every(isConversationSummary) &&
        isId(m.currentId)
        ? { type: "history", items: m.items as ViewHistoryItem[], currentId: m.currentId }
        : null;
    case "notice":
      return oneOf(m.level, NOTICE_LEVELS) && isStr(m.text) ? { type: "notice", level: m.level, text: m.text } : null;
    case "display": {
      const d = m.display;
      return hasOnly(m, ["type", "display"]) && isObj(d) && hasOnly(d, ["wrapCode"]) && typeof d.wrapCode === "boolean" ? { type: "display", display: { wrapCode: d.wrapCode } } : null;
    }
    case "slashCommands":
      return hasOnly(m, ["type", "commands"]) && Array.isArray(m.commands) && m.commands.length <= LIMITS.slashCommands && m.commands.every(isSlashCommand)
        ? { type: "slashCommands", commands: m.commands.map((c: ViewSlashCommand) => ({ name: c.name, description: c.description, argument: c.argument })) }
        : null;
    case "mention":
      return hasOnly(m, ["type", "mention"]) && oneOf(m.mention, MENTIONS) ? { type: "mention", mention: m.mention } : null;
    case "focus":
      return m.draft === undefined || isStr(m.draft, LIMITS.text) ? { type: "focus", ...(m.draft !== undefined ? { draft: m.draft as string } : {}) } : null;
    default:
      return null;
  }
}
