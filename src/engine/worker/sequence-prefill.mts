// The loop both prefills share (the chat's and next-edit's): the known front of the next prompt goes into a sequence in
// small steps, and between steps the prefill gives way, so the request the user waits for is held up by one step at most.
import type { LlamaContextSequence, Token } from "node-llama-cpp";
import { EngineFailure } from "./engine-failure.mjs";

export interface PrefillCallbacks {
  signal: AbortSignal;
  /**
   * Resolves when the next step may run: never while a request the user waits for is queued or running (for the chat
   * prefill, nor within PREFILL_HOLD_AFTER_COMPLETION_MS of the last completion).
   */
  mayContinue(): Promise<void>;
  onProgress?(): void;
}

/** What a prefill's loop fills in of its result. */
export interface PrefillCounts {
  cachedTokens: number;
  evaluatedTokens: number;
  waitedMs: number;
}

/**
 * Evaluates `tokens` into `sequence` `stepTokens` at a time, keeping whatever of them the sequence already holds (the
 * last request's prompt, an earlier prefill) and dropping the rest. Stopped between steps by its signal, failing as
 * `cancelled` with `cancelMessage`; what it evaluated stays in the cache, and the request goes on from there.
 */
export async function prefillSequence(
  sequence: LlamaContextSequence,
  tokens: Token[],
  stepTokens: number,
  callbacks: PrefillCallbacks,
  counts: PrefillCounts,
  cancelMessage: string,
): Promise<void> {
  await waitTurn(callbacks, counts, cancelMessage);
  await sequence.adaptStateToTokens(tokens, false);
  counts.cachedTokens = sequence.nextTokenIndex;
  while (sequence.nextTokenIndex < tokens.length) {
    await waitTurn(callbacks, counts, cancelMessage);
    const step = tokens.slice(sequence.nextTokenIndex, sequence.nextTokenIndex + stepTokens);
    await sequence.evaluateWithoutGeneratingNewTokens(step);
    counts.evaluatedTokens += step.length;
    callbacks.onProgress?.();
  }
}

async function waitTurn(callbacks: PrefillCallbacks, counts: PrefillCounts, cancelMessage: string): Promise<void> {
  if (callbacks.signal.aborted) throw new EngineFailure({ code: "cancelled", message: cancelMessage });
  const from = performance.now();
  await callbacks.mayContinue();
  counts.waitedMs += performance.now() - from;
  // A prefill cancelled while it waited evaluates nothing more.
  if (callbacks.signal.aborted) throw new EngineFailure({ code: "cancelled", message: cancelMessage });
}
