// Next-edit generation: the host renders the model family's prompt (src/nextedit/formats.ts) as pieces, and this
// evaluates it on the next-edit model's own sequence and lets it write the rewritten window, stopping at the format's
// end markers. The unchanged front of the prompt (earlier diff blocks) stays in the sequence's KV cache between
// requests. Most of the answer is a copy of the window, so the sequence drafts tokens by looking the answer's last
// tokens up in the prompt (input-lookup speculative decoding: a copied run costs one batch, not a decode per token),
// and the answer stops once it is back on the window past the change that can be shown (next-edit-resync.mts).
import type { LlamaCompletion, LlamaContextSequence, LlamaModel, TokenPredictor } from "node-llama-cpp";
import type { NodeLlamaCpp } from "./llama-binding.mjs";
import { chatSideOf, type LoadedModel } from "./model-loader.mjs";
import type { GenerationResult, NextEditParams } from "../protocol.js";
import { EngineFailure } from "./engine-failure.mjs";
import { toStopReason, watchProgress, type GenerationCallbacks } from "./generation.mjs";
import { ResyncWatcher } from "./next-edit-resync.mjs";
import { tokenizePrompt } from "./prompt-tokens.mjs";

/** What next-edit generation needs of a loaded model. */
export interface NextEditModel {
  model: LlamaModel;
  /** The sequence the next-edit model generates on (its only one). */
  sequence: LlamaContextSequence;
  completion: LlamaCompletion;
  contextSize: number;
}

/**
 * Draft tokens per batch, and the tokens the answer's end must share with the prompt before they are looked up. On a
 * CPU a batch costs about a decode plus 0.4-0.75 of one per extra token (bench:next-edit), so a wrong draft is not free:
 * over the oracle answers of this repository's replayed edits, 4 drafts after a 2-token match are right 88% of the
 * time and need 0.54-0.79 of the plain decodes' cost, against 80% and 0.59-0.94 for 8 drafts after 2, and 66% and
 * 0.69-1.11 for 8 after 1.
 */
export const NEXT_EDIT_DRAFT_TOKENS = 4;
const NEXT_EDIT_LOOKUP_MIN_TOKENS = 2;

/** The token predictor the next-edit model's sequence is made with (model-loader.mts). */
export function nextEditTokenPredictor(lib: NodeLlamaCpp): TokenPredictor {
  return new lib.InputLookupTokenPredictor({ patternLength: { min: NEXT_EDIT_LOOKUP_MIN_TOKENS }, predictionLength: { max: NEXT_EDIT_DRAFT_TOKENS } });
}

const completions = new WeakMap<LoadedModel, LlamaCompletion>();

/**
 * The next-edit model as generation needs it. It is loaded like a chat model (one sequence, the chat's); a completion
 * over that sequence writes from raw tokens, with no chat template (made once per loaded model).
 */
export async function nextEditModelOf(lib: NodeLlamaCpp, loaded: LoadedModel): Promise<NextEditModel> {
  const { sequence } = await chatSideOf(loaded);
  let completion = completions.get(loaded);
  if (!completion) {
    completion = new lib.LlamaCompletion({ contextSequence: sequence });
    completions.set(loaded, completion);
  }
  return { model: loaded.model, sequence, completion, contextSize: loaded.info.contextSize };
}

export async function generateNextEdit(loaded: NextEditModel, params: NextEditParams, callbacks: GenerationCallbacks): Promise<Omit<GenerationResult, "timings">> {
  // The answer may take at most half the context, so the prompt always keeps room.
  const maxTokens = Math.max(1, Math.min(params.maxTokens, Math.floor(loaded.contextSize / 2)));
  const tokens = tokenizePrompt(loaded.model, params.pieces, { guard: params.specialTokens });
  if (tokens.length > loaded.contextSize - maxTokens - 1) {
    // Cutting the prompt's front would cut its structure (the separators): say so instead, and the caller shows fewer
    // recent edits (next-edit-requests.ts).
    throw new EngineFailure({
      code: "prompt-too-long",
      message: `The next-edit prompt (${tokens.length} tokens) does not fit the next-edit model's context of ${loaded.contextSize} tokens with room for its answer.`,
    });
  }
  const before = loaded.sequence.tokenMeter.getState();
  const predictions = { ...loaded.sequence.tokenPredictions };
  const stopWatching = watchProgress(loaded.sequence, callbacks.onProgress);
  const resync = params.window ? new ResyncWatcher({ window: params.window.text, cursorLine: params.window.cursorLine }) : undefined;
  const early = new AbortController();
  let completed: string | undefined;
  const response = await loaded.completion
    .generateCompletionWithMeta(tokens, {
      maxTokens,
      signal: AbortSignal.any([callbacks.signal, early.signal]),
      stopOnAbortSignal: true,
      customStopTriggers: params.stop.map((stop) => [stop]),
      onTextChunk: (chunk) => {
        if (completed !== undefined) return;
        callbacks.onChunk(chunk);
        completed = resync?.push(chunk);
        if (completed !== undefined) early.abort();
      },
    })
    .finally(stopWatching);
  const used = loaded.sequence.tokenMeter.diff(before);
  const after = loaded.sequence.tokenPredictions;
  const stoppedEarly = completed !== undefined && !callbacks.signal.aborted;
  return {
    text: stoppedEarly ? completed! : response.response,
    stopReason: stoppedEarly ? "stop-sequence" : toStopReason(response.metadata.stopReason),
    promptTokens: used.usedInputTokens,
    generatedTokens: used.usedOutputTokens,
    drafts: { accepted: after.validated - predictions.validated, refuted: after.refuted - predictions.refuted },
    stoppedEarly,
  };
}
