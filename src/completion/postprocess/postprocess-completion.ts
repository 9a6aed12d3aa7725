import { scanCode } from "../../code/code-scanner";
import { DEFAULT_FINAL_TRANSFORMS } from "./final-transforms";
import type { FinalTransform, StopInfo } from "./final-transforms";
import { createPostprocessContext } from "./postprocess-context";
import type { PostprocessContext, PostprocessRequest } from "./postprocess-context";
import { DEFAULT_STOP_RULES } from "./stop-rules";
import { findUnsafeCharacter } from "./unsafe-characters";
import type { StopRule } from "./stop-rules";

export interface PostprocessPipeline {
  stopRules: readonly StopRule[];
  finalTransforms: readonly FinalTransform[];
}

export const DEFAULT_PIPELINE: PostprocessPipeline = { stopRules: DEFAULT_STOP_RULES, finalTransforms: DEFAULT_FINAL_TRANSFORMS };

export interface StopDecision {
  cut: number;
  rule: string;
}

/** The earliest cut any rule asks for. */
export function findStop(text: string, ctx: PostprocessContext, rules: readonly StopRule[], final: boolean): StopDecision | null {
  const scan = scanCode(text, ctx.syntax, ctx.prefixState);
  let best: StopDecision | null = null;
  for (const rule of rules) {
    const cut = rule.findCut(text, scan, ctx, final);
    if (cut !== null && (best === null || cut < best.cut)) best = { cut, rule: rule.name };
  }
  return best;
}

export function applyFinalTransforms(text: string, ctx: PostprocessContext, info: StopInfo, transforms: readonly FinalTransform[]): string | null {
  let out: string | null = text;
  for (const t of transforms) {
    if (out === null) return null;
    out = t.apply(out, ctx, info);
  }
  return out;
}

/**
 * Follows a streamed completion: push each chunk, stop generating as soon as `push` returns true, then take
 * `finish()`. Only the accepted text is kept, so the result never depends on how the model chunked its output.
 */
export class CompletionStreamFilter {
  /**
   * Read from the prompt's text (a scan of the whole prefix: about a millisecond) when a chunk first needs judging, not
   * when the filter is made: the request then goes to the engine without waiting for it, and it is done while the model
   * evaluates the prompt.
   */
  private context: PostprocessContext | undefined;
  private text = "";
  private stop: StopDecision | null = null;

  private readonly req: PostprocessRequest;

  constructor(
    req: PostprocessRequest,
    private readonly pipeline: PostprocessPipeline = DEFAULT_PIPELINE,
  ) {
    // The request as it is now: a caller's object changed later must not change what the filter judges by.
    this.req = { ...req };
  }

  private get ctx(): PostprocessContext {
    this.context ??= createPostprocessContext(this.req);
    return this.context;
  }

  /** Adds a chunk; true once the completion is complete and generation should stop. */
  push(chunk: string): boolean {
    if (this.stop) return true;
    this.text += chunk;
    // Judge only when a line ends, a closer or an unsafe character arrives: that is where every rule can change its mind.
    if (!/[\n)\]}]/.test(chunk) && findUnsafeCharacter(chunk) < 0) return false;
    const stop = findStop(this.text, this.ctx, this.pipeline.stopRules, false);
    if (stop) {
      this.stop = stop;
      this.text = this.text.slice(0, stop.cut);
      return true;
    }
    return false;
  }

  /** The final suggestion, or null for none; `end.tokenLimit`: the engine stopped at its token limit. */
  finish(end: { tokenLimit?: boolean } = {}): string | null {
    if (!this.stop) {
      const stop = findStop(this.text, this.ctx, this.pipeline.stopRules, true);
      if (stop) {
        this.stop = stop;
        this.text = this.text.slice(0, stop.cut);
      }
    }
    const info = { stoppedBy: this.stop?.rule ?? null, tokenLimit: end.tokenLimit === true };
    return applyFinalTransforms(this.text, this.ctx, info, this.pipeline.finalTransforms);
  }

  /** Which rule stopped the completion, if any (for logs and benches). */
  get stoppedBy(): string | null {
    return this.stop?.rule ?? null;
  }
}

/** Async form of the filter: yields nothing until the end, returns the final suggestion; stops reading early. */
export async function postprocessStream(
  chunks: AsyncIterable<string>,
  req: PostprocessRequest,
  signal?: AbortSignal,
  pipeline: PostprocessPipeline = DEFAULT_PIPELINE,
): Promise<string | null> {
  const filter = new CompletionStreamFilter(req, pipeline);
  for await (const chunk of chunks) {
    if (signal?.aborted) return null;
    if (filter.push(chunk)) break;
  }
  return filter.finish();
}

export interface PostprocessCompletionParams extends PostprocessRequest {
  completion: string;
  /** The engine stopped at its token limit (the model had not finished). */
  tokenLimit?: boolean;
}

/** One-shot post-processing of a whole completion: the result to show, or null for no suggestion. */
export function postprocessCompletion(params: PostprocessCompletionParams, pipeline: PostprocessPipeline = DEFAULT_PIPELINE): string | null {
  const ctx = createPostprocessContext(params);
  const stop = findStop(params.completion, ctx, pipeline.stopRules, true);
  const text = stop ? params.completion.slice(0, stop.cut) : params.completion;
  return applyFinalTransforms(text, ctx, { stoppedBy: stop?.rule ?? null, tokenLimit: params.tokenLimit === true }, pipeline.finalTransforms);
}
