// When the engine runs the suffix reuse's idle refresh (suffix-reuse.mts refreshSuffixInOrder): after each completion,
// as background work on the completion lane, so that it starts only once no completion is queued or running, any
// completion that comes stops it between two steps (and goes on from what it evaluated), a load or unload stops it, and
// between steps it waits while a completion, chat or next-edit request (or their prefills) is queued or running.
import { PREFILL_HOLD_AFTER_COMPLETION_MS } from "./chat.mjs";
import type { RequestLanes } from "./request-lanes.mjs";
import type { PrefillCallbacks } from "./sequence-prefill.mjs";

/**
 * Tokens per refresh step. A completion that comes while a step runs waits for it (llama.cpp cannot stop a batch).
 * Measured on bench-0.5b, one thread, after 900 tokens of cache: 8 tokens 137 ms, 16 tokens 203 ms, 32 tokens 375 ms a
 * step (medians of 5, load 1-min 2.6-2.7 on the shared 2-core machine). 16 holds a keystroke up by 0.2 s at most, as
 * the next-edit prefill's step does; 8 saves 66 ms of that wait but costs 1.35x the time per token (each step's fixed
 * cost), so the refresh would need longer pauses to finish; 32 holds the keystroke for 0.4 s.
 */
export const SUFFIX_REFRESH_STEP_TOKENS = 16;

/**
 * The refresh waits this long after the last completion (and chat or next-edit request): it erases the cells the next
 * keystroke would reuse before evaluating them again, so it must not start between two keystrokes of a burst, only when
 * the user paused; the chat prefill waits as long for the same reason.
 */
export const SUFFIX_REFRESH_HOLD_MS = PREFILL_HOLD_AFTER_COMPLETION_MS;

/** The lanes whose requests the user waits for (and their prefills): the refresh runs only while all are quiet. */
export const SUFFIX_REFRESH_YIELDS_TO = ["completion", "chat", "nextEdit"] as const;

export interface SuffixRefreshOptions {
  /** Instead of SUFFIX_REFRESH_HOLD_MS. */
  holdMs?: number;
  /** Called after each step (tests wait on it). */
  onStep?: () => void;
}

/** Request ids of the engine's own work: the host's are positive. */
let nextId = -1;

/**
 * Queues the refresh behind the completion lane's requests. Resolves with the tokens it evaluated; a refresh stopped by a
 * request, a load or a cancel fails as cancelled.
 */
export function scheduleSuffixRefresh(lanes: RequestLanes, refresh: (callbacks: PrefillCallbacks) => Promise<number>, options: SuffixRefreshOptions = {}): Promise<number> {
  const id = nextId--;
  const holdMs = options.holdMs ?? SUFFIX_REFRESH_HOLD_MS;
  return lanes.run(id, "completion", { background: true }, (signal) =>
    refresh({
      signal,
      mayContinue: () => lanes.whenAllQuiet(SUFFIX_REFRESH_YIELDS_TO, signal, undefined, holdMs),
      ...(options.onStep ? { onProgress: options.onStep } : {}),
    }),
  );
}
