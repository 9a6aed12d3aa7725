import type { ChatBudget, ChatSession } from "../chat/chat-session";
import type { ContextPiece } from "../chat/prompt";
import type { ViewBudget, ViewContext } from "../webview/protocol";
import type { ChatContextTracker } from "./chat-context";

/** How long the budget line waits for the model to count new lines before it shows an estimate after its own count. */
const RECOUNT_WAIT_MS = 3000;

/** The project rules as the view shows them (chat/project-rules.ts's ProjectRules). */
export interface SentRules {
  readonly tokens: number;
  readonly sources: readonly { readonly path: string; readonly sentTokens: number }[];
  readonly notes: readonly string[];
}

export interface ChatTokenCounts {
  /** Grows whenever a line is estimated because the model has not counted it yet. */
  readonly estimatedLines: number;
  /** Resolves when the lines waiting to be counted have been counted (or cannot be): true where the model counted some. */
  settled(): Promise<boolean>;
}

export interface ContextLineDeps {
  session: Pick<ChatSession, "preview">;
  context: Pick<ChatContextTracker, "pieces">;
  tokens?: ChatTokenCounts;
  rules?: { readonly current?: SentRules };
  /** The room a question gets now. */
  budget(): ChatBudget;
  /** The view took `ready` and has not gone since: a context posted before would be lost. */
  isReady(): boolean;
  post(context: ViewContext): void;
  /** How long a line after the model's own count waits for a new count before it goes on waiting quietly (tests). */
  recountWaitMs?: number;
}

/**
 * The chips and the budget line the view shows under the conversation: each piece of context with the tokens it would
 * send, and the prompt's use of the window, counted by the chat model where it has counted (an estimate otherwise,
 * labelled so).
 */
export class ChatContextLine {
  /** Grows with each post: an older one that finishes late posts nothing. */
  private generation = 0;
  /** The budget line shows the model's own count (not an estimate) now. */
  private shownExact = false;

  constructor(private readonly deps: ContextLineDeps) {}

  /** A new webview shows nothing yet. */
  reset(): void {
    this.shownExact = false;
  }

  /** `afterCount`: posted because a count ended, so the line shows what it now knows at once. */
  async post(afterCount = false): Promise<void> {
    if (!this.deps.isReady()) return;
    const generation = ++this.generation;
    const pieces = await this.deps.context.pieces();
    if (generation !== this.generation) return;
    let context = this.viewContext(pieces);
    const tokens = this.deps.tokens;
    if (context.budget.estimated && tokens && this.shownExact && !afterCount) {
      // The line shows the model's own count, and an answer or a question brought lines it has not counted yet. Showing
      // the characters-per-token estimate until it has (a line that turns "≈ … (estimate)", and orange where the
      // estimate is high, after every answer) says nothing true: wait for the count.
      const settled = tokens.settled();
      const counted = await Promise.race([settled, new Promise<boolean>((resolve) => setTimeout(resolve, this.deps.recountWaitMs ?? RECOUNT_WAIT_MS, false).unref())]);
      if (generation !== this.generation) return;
      if (!counted) {
        // A busy engine (an answer streaming on a loaded machine) counts late: the line keeps the model's last count
        // until the count ends, then shows the new one, or the estimate where the model could not count.
        void settled.then(() => {
          if (generation === this.generation) void this.post(true);
        });
        return;
      }
      context = this.viewContext(pieces);
    }
    this.deps.post(context);
    this.shownExact = !context.budget.estimated;
    // Lines the model had not counted yet were estimated: once it has counted some of them, show its own numbers. Not
    // awaited: the view's ready handshake must not wait on the engine.
    if (context.budget.estimated && tokens) {
      void tokens.settled().then((counted) => {
        if (counted && generation === this.generation) void this.post(true);
      });
    }
  }

  private viewContext(pieces: ContextPiece[]): ViewContext {
    const budget = this.deps.budget();
    const misses = this.deps.tokens?.estimatedLines;
    const plan = this.deps.session.preview(pieces, budget);
    const rules = this.deps.rules?.current;
    const estimated = misses === undefined || this.deps.tokens!.estimatedLines !== misses;
    return {
      chips: pieces.map((p) => {
        const report = plan.pieces.find((r) => r.id === p.id);
        return { id: p.id, kind: p.kind, label: p.label, detail: p.detail, tokens: report?.tokens ?? 0, sentTokens: report?.sentTokens ?? 0, ...(p.location && { opens: true }) };
      }),
      budget: { used: plan.usedTokens, limit: budget.limitTokens, estimated, droppedMessages: plan.droppedMessages, trimmed: [...plan.trimmed, ...(rules?.notes ?? [])], ...rulesLine(rules) },
    };
  }
}

function rulesLine(rules: SentRules | undefined): Pick<ViewBudget, "rules"> {
  if (!rules || rules.tokens === 0) return {};
  return { rules: { tokens: rules.tokens, files: rules.sources.filter((s) => s.sentTokens > 0).map((s) => s.path) } };
}
