// Chat on a model's chat sequence: the conversation as node-llama-cpp's history, answered with the model's chat wrapper;
// and the prefill, which evaluates the part of the next prompt known before the question while the user types it.
import type { ChatHistoryItem, Token } from "node-llama-cpp";
import type { ChatMessage, ChatParams, ChatPrefillParams, ChatPrefillResult, GenerationResult } from "../protocol.js";
import { EngineFailure } from "./engine-failure.mjs";
import { toStopReason, watchProgress, type GenerationCallbacks } from "./generation.mjs";
import { chatSideOf, type LoadedModel } from "./model-loader.mjs";
import { prefillSequence, type PrefillCallbacks } from "./sequence-prefill.mjs";

export async function generateChat(loaded: LoadedModel, params: ChatParams, callbacks: GenerationCallbacks): Promise<Omit<GenerationResult, "timings">> {
  const { sequence, chat } = await chatSideOf(loaded);
  const before = sequence.tokenMeter.getState();
  const history = toHistory(params.messages);
  history.push({ type: "model", response: [] });
  const stopWatching = watchProgress(sequence, callbacks.onProgress);
  // The sequence keeps what the last request or a prefill evaluated: llama.cpp evaluates only what follows the common prefix.
  const response = await chat
    .generateResponse(history, {
      maxTokens: params.maxTokens,
      signal: callbacks.signal,
      stopOnAbortSignal: true,
      onTextChunk: (chunk) => callbacks.onChunk(chunk),
    })
    .finally(stopWatching);
  const used = sequence.tokenMeter.diff(before);
  return {
    text: response.response,
    stopReason: toStopReason(response.metadata.stopReason),
    promptTokens: used.usedInputTokens,
    generatedTokens: used.usedOutputTokens,
  };
}

/**
 * Tokens evaluated per step of a prefill. Between steps it gives way to completions and notices a cancel, so this is
 * the longest a completion or a question waits for it: 64 tokens take about 0.25 s on two CPU threads (bench-0.5b),
 * and steps this size evaluate within a few percent of llama.cpp's own batches.
 */
export const PREFILL_STEP_TOKENS = 64;

/**
 * How long a prefill holds off after a completion ended: completions come in bursts while the user types in an editor
 * (one after each pause), and a step started between two of them would be under way when the next arrives (llama.cpp
 * cannot stop a batch it is evaluating). A user typing in an editor is not typing the chat question; the prefill goes on
 * when the editor has been quiet this long.
 */
export const PREFILL_HOLD_AFTER_COMPLETION_MS = 1000;

/** Tokens of room a prefill leaves in the context: the question and the start of the answer must still fit. */
const PREFILL_ROOM_TOKENS = 256;

/**
 * Evaluates the known part of the next chat prompt into the chat sequence, in small steps, keeping whatever of it the
 * sequence already holds (the previous answer's prompt, an earlier prefill). Stopped between steps by its signal; what
 * it evaluated stays in the cache, and the answer's own evaluation (generateChat) continues from there.
 */
export async function prefillChat(loaded: LoadedModel, params: ChatPrefillParams, callbacks: PrefillCallbacks): Promise<ChatPrefillResult> {
  const started = performance.now();
  const tokens = knownPrefixTokens(loaded, params.messages);
  const result: ChatPrefillResult = { prefixTokens: tokens.length, cachedTokens: 0, evaluatedTokens: 0, waitedMs: 0, totalMs: 0 };
  const finish = () => ({ ...result, totalMs: Math.round(performance.now() - started), waitedMs: Math.round(result.waitedMs) });
  if (tokens.length + PREFILL_ROOM_TOKENS > loaded.info.chatContextSize) return { ...finish(), skipped: "too-long" };
  const { sequence } = await chatSideOf(loaded);
  await prefillSequence(sequence, tokens, PREFILL_STEP_TOKENS, callbacks, result, "The prefill was cancelled.");
  return finish();
}

/**
 * The tokens the chat template renders in front of the question: the messages rendered as generateChat renders them,
 * with a marker where the question will go, cut at the marker. The question is the last text of the prompt's last user
 * message, so nothing the template renders before it depends on it.
 */
export function knownPrefixTokens(loaded: LoadedModel, messages: readonly ChatMessage[]): Token[] {
  const last = messages.at(-1);
  if (last?.role !== "user") throw new EngineFailure({ code: "internal", message: "A chat prefill must end with the user message the question goes into." });
  const marker = `W${Math.random().toString(36).slice(2)}W`;
  const history = toHistory([...messages.slice(0, -1), { role: "user", content: last.content + marker }]);
  history.push({ type: "model", response: [] });
  const { contextText } = loaded.chatWrapper.generateContextState({ chatHistory: history });
  const at = contextText.values.findIndex((value) => typeof value === "string" && value.includes(marker));
  if (at < 0) throw new EngineFailure({ code: "internal", message: `The chat wrapper ${loaded.chatWrapper.wrapperName} did not render the user message as given.` });
  const known = contextText.mapValues((value, i) => (i < at ? value : i === at && typeof value === "string" ? value.slice(0, value.indexOf(marker)) : ""));
  return known.tokenize(loaded.model.tokenizer);
}

function toHistory(messages: readonly ChatMessage[]): ChatHistoryItem[] {
  return messages.map((message) =>
    message.role === "assistant"
      ? { type: "model", response: [message.content] }
      : message.role === "system"
        ? { type: "system", text: message.content }
        : { type: "user", text: message.content },
  );
}
