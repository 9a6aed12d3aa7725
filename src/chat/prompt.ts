import type { ChatMessage } from "../engine/protocol";
import { estimateTokens, MESSAGE_OVERHEAD_TOKENS, type CountTokens } from "./tokens";

export type ContextKind = "selection" | "file" | "attached";

/** A piece of context the user chose to send (the selection, the current file, an attached file). */
export interface ContextPiece {
  id: string;
  kind: ContextKind;
  /** Short label for a chip, e.g. "math.ts:2-4". */
  label: string;
  /** Workspace-relative path (and line range) for the model and the tooltip. */
  detail: string;
  languageId: string;
  text: string;
}

export interface PromptInput {
  system: string;
  pieces: readonly ContextPiece[];
  /** Earlier turns, oldest first. */
  history: readonly { role: "user" | "assistant"; content: string }[];
  question: string;
  /** Tokens the whole prompt may take (context window minus the room kept for the answer). */
  limitTokens: number;
  /** A fixed context block to use instead of `pieces` (Regenerate re-sends what was sent). */
  contextText?: string;
  count?: CountTokens;
}

export interface PieceReport {
  id: string;
  tokens: number;
  sentTokens: number;
}

export interface PromptPlan {
  messages: ChatMessage[];
  /** The context block sent in front of the question ("" when none). */
  contextText: string;
  /** Estimated tokens of the whole prompt. */
  usedTokens: number;
  pieces: PieceReport[];
  /** Older history messages that did not fit and are not sent. */
  droppedMessages: number;
  /** What was cut, in words, for the view. */
  trimmed: string[];
}

/** Below this, a piece of context is left out entirely rather than cut to a useless stub. */
const MIN_PIECE_TOKENS = 48;
/** Share of the room kept for the last exchange, so a follow-up question still sees the answer it follows up on. */
const RECENT_SHARE = 0.25;

const PRIORITY: Record<ContextKind, number> = { selection: 0, attached: 1, file: 2 };

/**
 * Lays out a chat prompt within a token budget, trimming visibly: the question always goes; then the most recent
 * exchange (up to a quarter of the room); then context pieces by priority (selection, attached files, current file),
 * each cut at a line boundary with a marker saying how much was left out; then older history, newest first. Every
 * cut is reported in `trimmed` and per piece, so the view can show it: nothing is dropped silently.
 */
export function planPrompt(input: PromptInput): PromptPlan {
  const count = input.count ?? estimateTokens;
  const cost = (text: string) => count(text) + MESSAGE_OVERHEAD_TOKENS;
  const trimmed: string[] = [];
  let question = input.question;
  let room = input.limitTokens - cost(input.system) - cost(question);
  if (room < 0) {
    // The question alone is larger than the window: keep its beginning.
    const keep = Math.max(0, input.limitTokens - cost(input.system) - MESSAGE_OVERHEAD_TOKENS);
    question = cutToTokens(question, keep, count, "question");
    trimmed.push("Your question was longer than the model's context window and was cut.");
    room = 0;
  }

  const history = input.history;
  const recent = history.slice(-2);
  const recentCost = recent.reduce((sum, m) => sum + cost(m.content), 0);
  const reserve = Math.min(recentCost, Math.floor(room * RECENT_SHARE));

  const pieces: PieceReport[] = [];
  const blocks: string[] = [];
  if (input.contextText !== undefined) {
    const tokens = count(input.contextText);
    const fit = tokens <= room - reserve ? input.contextText : cutToTokens(input.contextText, Math.max(0, room - reserve), count, "context");
    if (fit !== input.contextText) trimmed.push("The context sent with this question was cut to fit.");
    if (fit) blocks.push(fit);
    room -= count(fit);
  } else {
    const ordered = [...input.pieces].sort((a, b) => PRIORITY[a.kind] - PRIORITY[b.kind]);
    for (const piece of ordered) {
      const whole = renderPiece(piece, piece.text);
      const tokens = count(whole);
      const available = room - reserve;
      if (tokens <= available) {
        blocks.push(whole);
        room -= tokens;
        pieces.push({ id: piece.id, tokens, sentTokens: tokens });
        continue;
      }
      if (available < MIN_PIECE_TOKENS) {
        pieces.push({ id: piece.id, tokens, sentTokens: 0 });
        trimmed.push(`${piece.label} left out: it does not fit the model's context window.`);
        continue;
      }
      const body = cutLines(piece.text, available - count(renderPiece(piece, "")) - 16, count);
      const partial = renderPiece(piece, body.text, body.droppedLines);
      const sent = count(partial);
      blocks.push(partial);
      room -= sent;
      pieces.push({ id: piece.id, tokens, sentTokens: sent });
      trimmed.push(`${piece.label} cut to its first ${body.keptLines} line(s): ${body.droppedLines} line(s) did not fit.`);
    }
    // Keep the order the user sees: input order, not priority order.
    pieces.sort((a, b) => input.pieces.findIndex((p) => p.id === a.id) - input.pieces.findIndex((p) => p.id === b.id));
  }

  // History, newest first, while it fits.
  const kept: { role: "user" | "assistant"; content: string }[] = [];
  for (let i = history.length - 1; i >= 0; i--) {
    const message = history[i]!;
    const c = cost(message.content);
    if (c > room) break;
    room -= c;
    kept.unshift(message);
  }
  // A history that starts with an answer confuses chat templates: start at a question.
  while (kept.length > 0 && kept[0]!.role === "assistant") {
    room += cost(kept[0]!.content);
    kept.shift();
  }
  const droppedMessages = history.length - kept.length;
  if (droppedMessages > 0) trimmed.push(`${droppedMessages} older message(s) not sent: they do not fit the model's context window.`);

  const contextText = blocks.join("\n\n");
  const finalQuestion = contextText ? `${contextText}\n\n${question}` : question;
  const messages: ChatMessage[] = [{ role: "system", content: input.system }, ...kept, { role: "user", content: finalQuestion }];
  return {
    messages,
    contextText,
    usedTokens: messages.reduce((sum, m) => sum + cost(m.content), 0),
    pieces,
    droppedMessages,
    trimmed,
  };
}

/** How a piece of context reads to the model: where it comes from, then its text in a fence. */
export function renderPiece(piece: ContextPiece, text: string, droppedLines = 0): string {
  const what = piece.kind === "selection" ? `Selected code from ${piece.detail}` : `File ${piece.detail}`;
  const fence = text.includes("```") ? "````" : "```";
  const tail = droppedLines > 0 ? `\n… (${droppedLines} more line(s) not shown)` : "";
  return `${what}:\n${fence}${piece.languageId}\n${text}${text.endsWith("\n") || text === "" ? "" : "\n"}${fence}${tail}`;
}

/** The leading lines of `text` that fit in `maxTokens`. */
export function cutLines(text: string, maxTokens: number, count: CountTokens = estimateTokens): { text: string; keptLines: number; droppedLines: number } {
  const lines = text.split("\n");
  let used = 0;
  let kept = 0;
  for (const line of lines) {
    const c = count(`${line}\n`);
    if (used + c > maxTokens) break;
    used += c;
    kept++;
  }
  return { text: lines.slice(0, kept).join("\n"), keptLines: kept, droppedLines: lines.length - kept };
}

function cutToTokens(text: string, maxTokens: number, count: CountTokens, what: string): string {
  if (count(text) <= maxTokens) return text;
  // Binary search on characters: estimates are monotonic in length.
  let lo = 0;
  let hi = text.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (count(text.slice(0, mid)) + 8 <= maxTokens) lo = mid;
    else hi = mid - 1;
  }
  return lo > 0 ? `${text.slice(0, lo)}\n… (${what} cut)` : "";
}
