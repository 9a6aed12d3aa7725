// What infill and chat generation share: the caller's callbacks, progress while a prompt is evaluated, and the stop
// reason in the protocol's words.
import type { LlamaContextSequence } from "node-llama-cpp";
import type { StopReason } from "../protocol.js";

export interface GenerationCallbacks {
  signal: AbortSignal;
  onChunk(text: string): void;
  /** Tokens were evaluated (a long prompt shows no chunk for a while): the host's deadline counts from here. */
  onProgress?(): void;
}

/** How often a generation's token meter is looked at for progress: well inside any deadline the host sets. */
const PROGRESS_POLL_MS = 250;

/**
 * Calls `onProgress` whenever the sequence's token meter moved since the last look: llama.cpp evaluates a prompt in
 * batches without a chunk to show, and a long prompt on a slow machine must not look like a stuck engine.
 */
export function watchProgress(sequence: LlamaContextSequence, onProgress: (() => void) | undefined): () => void {
  if (!onProgress) return () => undefined;
  const used = () => {
    const state = sequence.tokenMeter.getState();
    return state.usedInputTokens + state.usedOutputTokens;
  };
  let last = used();
  const timer = setInterval(() => {
    const now = used();
    if (now !== last) onProgress();
    last = now;
  }, PROGRESS_POLL_MS);
  return () => clearInterval(timer);
}

export function toStopReason(reason: string): StopReason {
  switch (reason) {
    case "maxTokens":
      return "max-tokens";
    case "abort":
      return "cancelled";
    case "customStopTrigger":
    case "stopGenerationTrigger":
      return "stop-sequence";
    default:
      return "end-token";
  }
}
