// Inline completion on the completion model's own sequence: the FIM prompt fitted to the context, generation cut at a
// number of lines, and the format's end markers as stop triggers.
import type { LlamaModel, Token } from "node-llama-cpp";
import { fitFimPrompt } from "../../fim/fit-prompt.js";
import type { FimPrompt } from "../../fim/layout.js";
import type { FimFormat } from "../../fim/types.js";
import type { GenerationResult, InfillParams, StopReason } from "../protocol.js";
import { EngineFailure } from "./engine-failure.mjs";
import { toStopReason, watchProgress, type GenerationCallbacks } from "./generation.mjs";
import type { LoadedModel } from "./model-loader.mjs";
import { PieceTokenCache, tokenizePrompt } from "./prompt-tokens.mjs";
import { completionInput, modelCannotShift, prepareSuffixReuse, recordSuffixReuse, suffixReuseUnavailable, takeBackgroundRefreshTokens } from "./suffix-reuse.mjs";

/**
 * `log`: told once per reason when the suffix cannot be reused (suffix-reuse.mts), so a user whose model evaluates its
 * suffix on every keystroke can see why.
 */
export async function generateInfill(
  loaded: LoadedModel,
  params: InfillParams,
  callbacks: GenerationCallbacks,
  log: (message: string) => void = () => undefined,
): Promise<Omit<GenerationResult, "timings">> {
  const fim = loaded.fim;
  const completion = loaded.completion;
  const sequence = loaded.completionSequence;
  if (!fim || !completion || !sequence) {
    throw new EngineFailure({
      code: "no-fim",
      message: `${loaded.info.name} has no fill-in-the-middle tokens, so it cannot complete code inline. Chat still works with it; choose a code model (for example Qwen2.5-Coder) for completions.`,
    });
  }
  const suffixReuse = suffixReuseUnavailable(sequence) === undefined;
  // What the idle refresh evaluated since the last answer: work the user did not wait for, reported beside it.
  const backgroundRefreshTokens = takeBackgroundRefreshTokens(sequence);
  const { prompt, tokens, maxTokens } = fitInfillPrompt(loaded.model, loaded.info.contextSize, fim.format, params, suffixReuse);
  const limit = new LineLimit(params.maxLines ?? 0, callbacks);
  const stopWatching = watchProgress(sequence, callbacks.onProgress);
  // Tokens LlamaCompletion evaluates (its BOS included), so the reuse leaves the cache as it will look for them.
  const input = completionInput(loaded.model, tokens);
  const plan = callbacks.signal.aborted ? undefined : await prepareSuffixReuse(sequence, input, log).catch((error: unknown) => {
    stopWatching();
    throw error;
  });
  const before = sequence.tokenMeter.getState();
  const response = await completion
    .generateCompletionWithMeta(tokens, {
      maxTokens,
      signal: limit.signal,
      stopOnAbortSignal: true,
      // Some end markers are not end-of-generation tokens to llama.cpp (StarCoder2's <file_sep>): stop on them too.
      customStopTriggers: [
        ...fim.stopTokens.map((token) => [token]),
        ...prompt.stopStrings,
        ...(params.stop ?? []),
      ],
      onTextChunk: (chunk) => limit.push(chunk),
    })
    .finally(stopWatching);
  if (plan) recordSuffixReuse(sequence, input, plan);
  const used = sequence.tokenMeter.diff(before);
  const reused = plan?.kind === "reused" ? plan : undefined;
  return {
    text: limit.trim(response.response),
    stopReason: limit.stopReason(response.metadata.stopReason),
    // The changed tokens the reuse evaluated before the answer, and what the answer's own call evaluated.
    promptTokens: used.usedInputTokens + (reused?.evaluatedTokens ?? 0),
    generatedTokens: used.usedOutputTokens,
    ...(reused && reused.reusedTokens > 0 ? { reusedSuffixTokens: reused.reusedTokens } : {}),
    ...(backgroundRefreshTokens > 0 ? { backgroundRefreshTokens } : {}),
  };
}

export interface FittedInfillPrompt {
  prompt: FimPrompt;
  /** The tokens the engine evaluates (without a BOS token: LlamaCompletion adds it where the model asks for one). */
  tokens: Token[];
  /** The generation limit that leaves the prompt its room. */
  maxTokens: number;
}

/**
 * The prompt `generateInfill` evaluates for `params` in a context of `contextSize` tokens. Exported so that the engine
 * bench can send llama-server exactly the same tokens. `suffixReuse`: whether the engine moves the suffix's cache across
 * keystrokes (suffix-reuse.mts), which lets a prefix-first prompt carry a longer suffix (fim/layout.ts); by default,
 * whenever the model can shift its cache, as the engine's completion sequence does.
 */
export function fitInfillPrompt(
  model: LlamaModel,
  contextSize: number,
  format: FimFormat,
  params: InfillParams,
  suffixReuse = modelCannotShift(model) === undefined,
): FittedInfillPrompt {
  // The answer may take at most half the context, so the prompt always keeps room.
  const maxTokens = Math.max(1, Math.min(params.maxTokens, Math.floor(contextSize / 2)));
  return { ...fitPrompt(model, contextSize - maxTokens - 1, format, params, suffixReuse), maxTokens };
}

/** The FIM prompt fitted to `budget` tokens by the engines' shared rule (fim/fit-prompt.ts), measured in this model's tokens. */
function fitPrompt(model: LlamaModel, budget: number, format: FimFormat, params: InfillParams, suffixReuse: boolean): { prompt: FimPrompt; tokens: Token[] } {
  const fitted = fitFimPrompt(
    format,
    { ...params, suffixReuse },
    (prompt) => tokenizePrompt(model, prompt.pieces, { guard: prompt.specialTokens, cache: pieceTokensOf(model) }),
    (tokens) => tokens.length <= budget,
  );
  return { prompt: fitted.prompt, tokens: fitted.fits ? fitted.measured : fitted.measured.slice(-budget) };
}

/** Each completion model's prompt pieces' tokens, kept across keystrokes (prompt-tokens.mts); gone with the model. */
const pieceTokens = new WeakMap<LlamaModel, PieceTokenCache>();

function pieceTokensOf(model: LlamaModel): PieceTokenCache {
  let cache = pieceTokens.get(model);
  if (!cache) {
    cache = new PieceTokenCache(model);
    pieceTokens.set(model, cache);
  }
  return cache;
}

/** Stops a generation after a number of lines, and tells that stop apart from the caller's cancel. */
class LineLimit {
  private readonly controller = new AbortController();
  private lines = 0;
  private hitLimit = false;
  readonly signal: AbortSignal;

  constructor(
    private readonly maxLines: number,
    private readonly callbacks: GenerationCallbacks,
  ) {
    this.signal = AbortSignal.any([callbacks.signal, this.controller.signal]);
  }

  push(chunk: string): void {
    if (this.hitLimit) return;
    if (this.maxLines > 0) {
      const room = this.maxLines - this.lines;
      const parts = chunk.split("\n");
      if (parts.length - 1 >= room) {
        this.hitLimit = true;
        const kept = parts.slice(0, room).join("\n");
        if (kept) this.callbacks.onChunk(kept);
        this.controller.abort();
        return;
      }
      this.lines += parts.length - 1;
    }
    this.callbacks.onChunk(chunk);
  }

  trim(text: string): string {
    if (!this.hitLimit) return text;
    return text.split("\n").slice(0, this.maxLines).join("\n");
  }

  stopReason(reason: string): StopReason {
    if (this.hitLimit) return "max-lines";
    return toStopReason(reason);
  }
}
