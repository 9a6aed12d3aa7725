import { AbortedError, isAbortError } from "../../common/abort";
import type { GenerationResult, StopReason } from "../protocol";
import type { StreamEnd } from "./openai-api";

/** One streamed generation on the server: how to run it and how to read its end. */
export interface ServerGeneration {
  /** Sends the request; `chunked` is called at each piece of text (the first one's time is measured). */
  run(chunked: () => void): Promise<StreamEnd>;
  /** The text passed on so far. */
  textSoFar(): string;
  reason(end: StreamEnd): StopReason;
  /** Aborted when Hearth itself closed the request because the answer was complete (the line limit). */
  stopped?: AbortSignal | undefined;
  /** The caller's signal. */
  cancelled?: AbortSignal | undefined;
}

/**
 * Runs a generation to its `GenerationResult`. A request Hearth closed because the answer was whole ends as
 * "max-lines"; one the caller cancelled after some text ends as "cancelled" with that text, before any as an
 * `AbortedError`; any other failure is thrown as it is.
 */
export async function runServerGeneration(g: ServerGeneration): Promise<GenerationResult> {
  const started = performance.now();
  let firstChunkMs: number | null = null;
  const timings = () => ({ queuedMs: 0, firstChunkMs, totalMs: performance.now() - started });
  try {
    const end = await g.run(() => (firstChunkMs ??= performance.now() - started));
    const generatedTokens = end.generatedTokens ?? 0;
    return { text: g.textSoFar(), stopReason: g.reason(end), promptTokens: end.evaluatedPromptTokens ?? end.promptTokens ?? 0, generatedTokens, timings: timings() };
  } catch (error) {
    // The line limit closed the request: a complete answer, not a failure.
    if (g.stopped?.aborted && !g.cancelled?.aborted) return { text: g.textSoFar(), stopReason: "max-lines", promptTokens: 0, generatedTokens: 0, timings: timings() };
    if (g.cancelled?.aborted || isAbortError(error)) {
      if (g.textSoFar()) return { text: g.textSoFar(), stopReason: "cancelled", promptTokens: 0, generatedTokens: 0, timings: timings() };
      throw new AbortedError();
    }
    throw error;
  }
}

export function stopReasonOf(end: StreamEnd): StopReason {
  return end.finishReason === "length" ? "max-tokens" : "end-token";
}
