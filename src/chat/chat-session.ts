import { isAbortError } from "../common/abort";
import { errorMessage } from "../common/errors";
import { Emitter, type Event } from "../common/event";
import type { Logger } from "../common/logger";
import { EngineError, type ChatParams, type ChatPrefillParams, type ChatPrefillResult, type GenerationResult } from "../engine/protocol";
import type { CountTokens } from "../context/token-estimate";
import type { ConversationSummary, Entry } from "./chat-types";
import { createConversation, historyOf, newId, summarize, titleFrom, type Conversation } from "./conversation";
import type { ConversationStore } from "./conversation-store";
import { exportMarkdown } from "./export-markdown";
import { withProjectRules } from "./project-rules";
import { planPrompt, prefillMessages, type ContextPiece, type PromptInput, type PromptPlan } from "./prompt";

/** What the session needs from the engine (EngineClient fits). */
export interface ChatEngine {
  chat(params: ChatParams, options: { signal?: AbortSignal; onChunk?: (text: string) => void }): Promise<GenerationResult>;
  /** Evaluates the known part of the next prompt ahead (EngineClient.prefillChat); null when the model is not ready. */
  prefillChat?(params: ChatPrefillParams, options: { signal?: AbortSignal }): Promise<ChatPrefillResult | null>;
}

/** The room a question gets in the model's context window. */
export interface ChatBudget {
  /** The model's context window. */
  windowTokens: number;
  /** What the prompt may take: the window minus the room kept for the answer. */
  limitTokens: number;
  /** The room kept for the answer; an answer may also use whatever the prompt leaves free. */
  maxAnswerTokens: number;
}

/** Tokens kept free of the estimate's errors when an answer takes the room the prompt left. */
const ESTIMATE_MARGIN = 64;

export const SYSTEM_PROMPT =
  "You are Hearth, a coding assistant that runs on the user's own machine. Answer concisely. " +
  "Put code in fenced Markdown code blocks with a language tag. When you change code the user showed you, " +
  "give the complete changed function or block so it can replace the original.";

export interface ChatSessionOptions {
  engine: ChatEngine;
  store: ConversationStore;
  logger: Logger;
  system?: string;
  /** Counts with the chat model's tokenizer (ModelTokenCounter); estimated where not given. */
  count?: CountTokens;
  /** The project's rules section for the file the chat works on (project-rules.ts), added to the system prompt. */
  rules?: () => string;
}

/**
 * One chat: the open conversation, the answer being streamed into it, and the history on disk. Plain TypeScript (no
 * `vscode`, no DOM): the view provider forwards the user's actions here and renders the events.
 */
export class ChatSession {
  private current: Conversation = createConversation();
  private streaming: { entry: Entry; controller: AbortController; done: Promise<void> } | undefined;
  /** The prefill running now, keyed by the prompt text it evaluates. */
  private prefilling: { key: string; controller: AbortController; done: Promise<ChatPrefillResult | null> } | undefined;
  private readonly conversationEmitter = new Emitter<Conversation>();
  private readonly appendEmitter = new Emitter<{ entryId: string; text: string }>();
  private readonly entryEmitter = new Emitter<Entry>();
  private readonly historyEmitter = new Emitter<ConversationSummary[]>();
  /** The whole conversation changed (switched, new, entries added or removed). */
  readonly onDidChangeConversation: Event<Conversation> = this.conversationEmitter.event;
  /** Text streamed into an entry. */
  readonly onDidAppend: Event<{ entryId: string; text: string }> = this.appendEmitter.event;
  /** One entry changed its status or note (an answer ended). */
  readonly onDidChangeEntry: Event<Entry> = this.entryEmitter.event;
  readonly onDidChangeHistory: Event<ConversationSummary[]> = this.historyEmitter.event;
  private readonly evaluateEmitter = new Emitter<ChatEvaluation>();
  /**
   * What the engine evaluated of a prompt: each prefill that ran, and each answer's prompt tokens (after a prefill, only
   * the question's). Logged too; tests and benches read it to see that Enter evaluated only what was not known ahead.
   */
  readonly onDidEvaluate: Event<ChatEvaluation> = this.evaluateEmitter.event;

  constructor(private readonly options: ChatSessionOptions) {}

  /** Opens the most recent conversation, or a new one. */
  async init(): Promise<void> {
    await this.options.store.init();
    const latest = this.options.store.list()[0];
    const loaded = latest ? await this.options.store.load(latest.id) : undefined;
    if (loaded) this.current = loaded;
    this.conversationEmitter.fire(this.current);
  }

  get conversation(): Conversation {
    return this.current;
  }

  get streamingId(): string | null {
    return this.streaming?.entry.id ?? null;
  }

  history(): ConversationSummary[] {
    const list = this.options.store.list();
    return this.options.store.has(this.current.id) ? list : [summarize(this.current), ...list];
  }

  private plan(input: Omit<PromptInput, "count">): PromptPlan {
    input = { ...input, system: withProjectRules(input.system, this.options.rules?.()) };
    return planPrompt(this.options.count ? { ...input, count: this.options.count } : input);
  }

  /** What the next question would send, for the view's budget line (the question itself is not known yet). */
  preview(pieces: readonly ContextPiece[], budget: ChatBudget): PromptPlan {
    return this.plan({ system: this.system, pieces, history: historyOf(this.current.entries), question: "", limitTokens: budget.limitTokens });
  }

  /**
   * The user is writing a question with these chips: evaluates what its prompt will start with (system prompt, earlier
   * turns, the chips' context) now, so that Enter evaluates only the question. Cheap to call on every sign of typing: a
   * prefill of the same prompt already running goes on, one of another prompt (the chips changed) is stopped and
   * replaced, and the engine keeps what an earlier one evaluated. Nothing happens while an answer is written. Resolves
   * with what the engine did (null: nothing, or it was stopped); failures are only logged, the question will tell.
   */
  prefill(pieces: readonly ContextPiece[], budget: ChatBudget): Promise<ChatPrefillResult | null> {
    const engine = this.options.engine;
    if (!engine.prefillChat || this.streaming) return Promise.resolve(null);
    const plan = this.plan({ system: this.system, pieces, history: historyOf(this.current.entries), question: "", limitTokens: budget.limitTokens });
    const messages = prefillMessages(plan);
    const key = JSON.stringify(messages);
    if (this.prefilling?.key === key) return this.prefilling.done;
    this.cancelPrefill();
    const controller = new AbortController();
    const done = engine.prefillChat({ messages }, { signal: controller.signal }).then(
      (result) => {
        if (result) {
          this.options.logger.info(`chat prefill: ${result.evaluatedTokens} of ${result.prefixTokens} prompt tokens evaluated (${result.cachedTokens} cached) in ${result.totalMs} ms, ${result.waitedMs} ms of it behind completions${result.skipped ? ` (skipped: ${result.skipped})` : ""}`);
          this.evaluateEmitter.fire({ kind: "prefill", prefill: result });
        }
        return result;
      },
      (error: unknown) => {
        if (!isAbortError(error)) this.options.logger.debug(`chat prefill failed: ${errorMessage(error)}`);
        return null;
      },
    );
    const prefilling = { key, controller, done };
    this.prefilling = prefilling;
    // Once it ended, the same prompt may be prefilled again: something else (an action) may have used the sequence since.
    void done.then(() => {
      if (this.prefilling === prefilling) this.prefilling = undefined;
    });
    return done;
  }

  private cancelPrefill(): void {
    this.prefilling?.controller.abort();
    this.prefilling = undefined;
  }

  /** Asks a question; resolves when the answer has ended (finished, stopped or failed). */
  async send(question: string, pieces: readonly ContextPiece[], budget: ChatBudget): Promise<void> {
    await this.stop();
    const plan = this.plan({ system: this.system, pieces, history: historyOf(this.current.entries), question, limitTokens: budget.limitTokens });
    const user: Entry = { id: newId("e"), role: "user", content: question, status: "done", createdAt: Date.now() };
    const labels = pieces.filter((p) => plan.pieces.find((r) => r.id === p.id)?.sentTokens).map((p) => p.label);
    if (labels.length) user.context = labels;
    if (plan.contextText) user.contextText = plan.contextText;
    if (this.current.entries.length === 0) this.current.title = titleFrom(question);
    this.current.entries.push(user);
    await this.answer(plan, budget);
  }

  /** Drops the last answer and asks its question again, with the context it was first sent with. */
  async regenerate(budget: ChatBudget): Promise<void> {
    await this.stop();
    const entries = this.current.entries;
    while (entries.length > 0 && entries[entries.length - 1]!.role === "assistant") entries.pop();
    const question = entries[entries.length - 1];
    if (!question) return;
    const plan = this.plan({
      system: this.system,
      pieces: [],
      contextText: question.contextText ?? "",
      history: historyOf(entries.slice(0, -1)),
      question: question.content,
      limitTokens: budget.limitTokens,
    });
    await this.answer(plan, budget);
  }

  /** Replaces a question with new text, drops everything after it, and asks again with the current context. */
  async edit(entryId: string, text: string, pieces: readonly ContextPiece[], budget: ChatBudget): Promise<void> {
    await this.stop();
    const index = this.current.entries.findIndex((e) => e.id === entryId && e.role === "user");
    if (index < 0) return;
    this.current.entries.splice(index);
    await this.send(text, pieces, budget);
  }

  /** Stops the answer being written (and a prefill: what follows will differ); what it wrote so far stays. */
  async stop(): Promise<void> {
    this.cancelPrefill();
    const streaming = this.streaming;
    if (!streaming) return;
    streaming.controller.abort();
    await streaming.done;
  }

  async newConversation(): Promise<void> {
    await this.stop();
    await this.options.store.flush();
    if (this.current.entries.length === 0) return this.conversationEmitter.fire(this.current);
    this.current = createConversation();
    this.conversationEmitter.fire(this.current);
    this.historyEmitter.fire(this.history());
  }

  async switchTo(id: string): Promise<boolean> {
    if (id === this.current.id) return true;
    await this.stop();
    await this.options.store.flush();
    const loaded = await this.options.store.load(id);
    if (!loaded) return false;
    this.current = loaded;
    this.conversationEmitter.fire(this.current);
    this.historyEmitter.fire(this.history());
    return true;
  }

  async delete(id: string): Promise<void> {
    if (id === this.current.id) {
      await this.stop();
      this.current = createConversation();
      this.conversationEmitter.fire(this.current);
    }
    await this.options.store.delete(id);
    this.historyEmitter.fire(this.history());
  }

  async exportMarkdown(id = this.current.id, model?: string): Promise<string | undefined> {
    const conversation = id === this.current.id ? this.current : await this.options.store.load(id);
    return conversation ? exportMarkdown(conversation, model ? { model } : {}) : undefined;
  }

  async dispose(): Promise<void> {
    await this.stop();
    await this.options.store.flush();
    this.conversationEmitter.dispose();
    this.appendEmitter.dispose();
    this.entryEmitter.dispose();
    this.historyEmitter.dispose();
    this.evaluateEmitter.dispose();
  }

  private get system(): string {
    return this.options.system ?? SYSTEM_PROMPT;
  }

  private async answer(plan: PromptPlan, budget: ChatBudget): Promise<void> {
    const conversation = this.current;
    const entry: Entry = { id: newId("e"), role: "assistant", content: "", status: "streaming", createdAt: Date.now() };
    if (plan.trimmed.length) entry.note = `Trimmed to fit the model's context: ${plan.trimmed.join(" ")}`;
    conversation.entries.push(entry);
    conversation.updatedAt = Date.now();
    const controller = new AbortController();
    let resolveDone!: () => void;
    const done = new Promise<void>((resolve) => (resolveDone = resolve));
    this.streaming = { entry, controller, done };
    this.conversationEmitter.fire(conversation);
    void this.options.store.save(conversation, true);
    this.historyEmitter.fire(this.history());
    try {
      const maxTokens = Math.max(budget.maxAnswerTokens, budget.windowTokens - plan.usedTokens - ESTIMATE_MARGIN);
      const result = await this.options.engine.chat(
        { messages: plan.messages, maxTokens },
        {
          signal: controller.signal,
          onChunk: (text) => {
            if (controller.signal.aborted) return;
            entry.content += text;
            this.appendEmitter.fire({ entryId: entry.id, text });
            void this.options.store.save(conversation);
          },
        },
      );
      this.options.logger.info(`chat answer: ${result.promptTokens} prompt tokens evaluated, first text after ${result.timings.firstChunkMs ?? "-"} ms`);
      this.evaluateEmitter.fire({ kind: "answer", entryId: entry.id, promptTokens: result.promptTokens });
      // The streamed chunks and the final text agree; the final text wins if a chunk was lost.
      if (result.text.length >= entry.content.length) entry.content = result.text;
      entry.status = result.stopReason === "cancelled" ? "stopped" : "done";
      if (result.stopReason === "max-tokens") entry.note = appendNote(entry.note, `The answer filled the model's context window (${maxTokens} tokens) and was cut.`);
      if (result.stopReason === "cancelled") entry.note = appendNote(entry.note, "Stopped.");
    } catch (error) {
      if (isAbortError(error)) {
        entry.status = "stopped";
        entry.note = appendNote(entry.note, "Stopped.");
      } else {
        entry.status = "error";
        entry.note = appendNote(entry.note, describeFailure(error, entry.content !== ""));
        this.options.logger.warn(`chat answer failed: ${errorMessage(error)}`);
      }
    } finally {
      conversation.updatedAt = Date.now();
      this.streaming = undefined;
      await this.options.store.save(conversation, true);
      if (this.current === conversation) this.entryEmitter.fire(entry);
      this.historyEmitter.fire(this.history());
      resolveDone();
    }
  }
}

/** See ChatSession.onDidEvaluate. */
export type ChatEvaluation = { kind: "prefill"; prefill: ChatPrefillResult } | { kind: "answer"; entryId: string; promptTokens: number };

function appendNote(note: string | undefined, text: string): string {
  return note ? `${note} ${text}` : text;
}

function describeFailure(error: unknown, hasText: boolean): string {
  const kept = hasText ? " What it wrote so far is kept; Regenerate to try again." : " Regenerate to try again.";
  if (error instanceof EngineError) {
    switch (error.code) {
      case "engine-crashed":
        return `The engine stopped while answering.${kept}`;
      case "engine-unresponsive":
        return `The engine stopped responding while answering, so Hearth restarted it.${kept}`;
      case "model-invalid":
      case "model-unsupported":
      case "model-too-large":
        return `The model could not be used: ${error.message}`;
      default:
        return `${error.message}${kept}`;
    }
  }
  return `${errorMessage(error)}${kept}`;
}
