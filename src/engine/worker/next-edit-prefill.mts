// The next-edit prefill: while the user types, the front of the next next-edit prompt that more typing on the cursor's
// line cannot change (the host's knownPromptPrefix) is evaluated into the next-edit model's sequence, so that after
// the pause the request evaluates only what follows it. Lowest priority of all the engine's work: between small steps
// it waits while a completion or a chat request is queued or running, and anything later on its lane stops it.
import type { NextEditPrefillParams, NextEditPrefillResult } from "../protocol.js";
import type { NextEditModel } from "./next-edit.mjs";
import { tokenizePrompt } from "./prompt-tokens.mjs";
import { prefillSequence, type PrefillCallbacks } from "./sequence-prefill.mjs";

/**
 * Tokens per step. A completion that arrives while a step runs waits for it (llama.cpp cannot stop a batch), and on
 * one CPU thread bench-0.5b evaluates about 67 tokens/s: 16 tokens hold a keystroke's completion up by at most about
 * 0.25 s, where the chat prefill's 64 would hold it for a second.
 */
export const NEXT_EDIT_PREFILL_STEP_TOKENS = 16;

export async function prefillNextEdit(loaded: NextEditModel, params: NextEditPrefillParams, callbacks: PrefillCallbacks): Promise<NextEditPrefillResult> {
  const started = performance.now();
  // As the request will evaluate it: LlamaCompletion puts the BOS in front where the model asks for one.
  const tokens = tokenizePrompt(loaded.model, params.pieces, { guard: params.specialTokens, addBos: true });
  const result: NextEditPrefillResult = { prefixTokens: tokens.length, cachedTokens: 0, evaluatedTokens: 0, waitedMs: 0, totalMs: 0 };
  const finish = () => ({ ...result, totalMs: Math.round(performance.now() - started), waitedMs: Math.round(result.waitedMs) });
  // The request keeps half the context for its answer (generateNextEdit): a front longer than that is never reused.
  if (tokens.length > Math.floor(loaded.contextSize / 2)) return { ...finish(), skipped: "too-long" };
  await prefillSequence(loaded.sequence, tokens, NEXT_EDIT_PREFILL_STEP_TOKENS, callbacks, result, "The next-edit prefill was cancelled.");
  return finish();
}
