// The next-edit prefill: while the user types, the front of the next next-edit prompt that more typing on the cursor's
// line cannot change (the host's knownPromptPrefix) is evaluated into the next-edit model's sequence, so that after
// the pause the request evaluates only what follows it. Lowest priority of all the engine's work: between small steps
// it waits while a completion or a chat request is queued or running, and anything later on its lane stops it.
import type { NextEditPrefillParams, NextEditPrefillResult } from "../protocol.js";
import type { PrefillCallbacks } from "./chat.mjs";
import { EngineFailure } from "./engine-failure.mjs";
import type { NextEditModel } from "./next-edit.mjs";
import { tokenizePrompt } from "./prompt-tokens.mjs";

/**
 * Tokens per step. A completion that arrives while a step runs waits for it (llama.cpp cannot stop a batch), and on
 * one CPU thread bench-0.5b evaluates about 67 tokens/s: 16 tokens hold a keystroke's completion up by at most about
 * 0.25 s, where the chat prefill's 64 would hold it for a second.
 */
export const NEXT_EDIT_PREFILL_STEP_TOKENS = 16;

export async function prefillNextEdit(loaded: NextEditModel, params: NextEditPrefillParams, callbacks: PrefillCallbacks): Promise<NextEditPrefillResult> {
  const started = performance.now();
  const sequence = loaded.sequence;
  // As the request will evaluate it: LlamaCompletion puts the BOS in front where the model asks for one.
  const tokens = tokenizePrompt(loaded.model, params.pieces, { guard: params.specialTokens, addBos: true });
  const result: NextEditPrefillResult = { prefixTokens: tokens.length, cachedTokens: 0, evaluatedTokens: 0, waitedMs: 0, totalMs: 0 };
  const finish = () => ({ ...result, totalMs: Math.round(performance.now() - started), waitedMs: Math.round(result.waitedMs) });
  // The request keeps half the context for its answer (generateNextEdit): a front longer than that is never reused.
  if (tokens.length > Math.floor(loaded.contextSize / 2)) return { ...finish(), skipped: "too-long" };
  await waitTurn(callbacks, result);
  // Keeps the common prefix with what the sequence holds (the last request's prompt, an earlier prefill) and drops the rest.
  await sequence.adaptStateToTokens(tokens, false);
  result.cachedTokens = sequence.nextTokenIndex;
  while (sequence.nextTokenIndex < tokens.length) {
    await waitTurn(callbacks, result);
    const step = tokens.slice(sequence.nextTokenIndex, sequence.nextTokenIndex + NEXT_EDIT_PREFILL_STEP_TOKENS);
    await sequence.evaluateWithoutGeneratingNewTokens(step);
    result.evaluatedTokens += step.length;
    callbacks.onProgress?.();
  }
  return finish();
}

async function waitTurn(callbacks: PrefillCallbacks, result: NextEditPrefillResult): Promise<void> {
  if (callbacks.signal.aborted) throw new EngineFailure({ code: "cancelled", message: "The next-edit prefill was cancelled." });
  const from = performance.now();
  await callbacks.mayContinue();
  result.waitedMs += performance.now() - from;
  if (callbacks.signal.aborted) throw new EngineFailure({ code: "cancelled", message: "The next-edit prefill was cancelled." });
}
