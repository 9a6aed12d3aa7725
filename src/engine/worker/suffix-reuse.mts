// Suffix reuse for prefix-first FIM prompts (`<PRE> prefix <SUF> suffix <MID>`): typing changes the prefix's end, so
// llama.cpp's prefix cache loses everything after it, the suffix included. Here the suffix's KV cells are kept and
// moved instead. The sequence holds [A][B_old][S][<MID> G] (A: the common front, B: the changed tokens, S: the
// unchanged tokens after them, G: the last answer); the new prompt is [A][B_new][S][<MID>]:
//   1. G is erased (node-llama-cpp's own erase: nothing follows it), then B_old's cells (llama.cpp's own removal, so
//      that S keeps its positions, after a gap of |B_old|);
//   2. B_new is evaluated after S. It cannot go before S directly: llama.cpp requires a sequence's new tokens to follow
//      its last stored position (llama_batch_allocr: "Y = X + 1"), and node-llama-cpp 3.22.1 has no range copy to park S
//      in another sequence meanwhile;
//   3. inside the same context lock, B_new's cells are moved before S's and S's onto the gap's end (three
//      llama_memory_seq_add shifts), and the sequence's bookkeeping is set to [A][B_new][S].
// Every move makes llama.cpp rotate the keys of every cell of the context at the next decode (42 ms on 4,096 cells at
// one thread, bench "Engine: what a decode costs by its shape"), whatever moved. So nothing moves before B_new's
// decode, and all of step 3's moves are rotated once, at <MID>'s. (node-llama-cpp's erase of B_old would slide S down
// at once: a rotation at B_new's first decode, then another at <MID>'s.)
// LlamaCompletion then finds the whole prompt but <MID> in the cache and evaluates that one token before answering, on
// its normal path (stop triggers, abort, token meter).
//
// An approximation, bounded: S's cells attended to B_old, not B_new, and B_new's attended to S (which in the exact
// prompt comes after it). Both errors concern only the tokens evaluated out of order since S was last evaluated in
// order, so their count is capped (SUFFIX_REUSE_MAX_OUT_OF_ORDER_TOKENS); past it, and whenever S changed, the request
// takes the exact path and re-evaluates everything from the first out-of-order token.
//
// The idle refresh (refreshSuffixInOrder, run by suffix-refresh.mts when no request waits) makes the cells exact again
// before the bound is met, once 3/4 of it is out of order: it erases them from the first out-of-order token and evaluates the last prompt's rest in
// order, a step at a time. A request that comes mid-refresh finds [A][B][S_0..k] in order and chooses the cheaper of
// evaluating the missing tail (then reusing as above, from an out-of-order count of 0) and the exact path; either way
// the refresh's steps are kept.
//
// This is the one module that touches node-llama-cpp's private members (3.22.1's LlamaContextSequence: _decodeTokens,
// _contextTokens, _nextTokenIndex, _sequenceId, _context._ctx.shiftSequenceTokenCells and removeTokenCellsFromSequence,
// _loadedTokenPredictions). The cell removal and the moves call llama.cpp outside node-llama-cpp's context lock: the
// completion's context holds this one sequence (model-loader.mts), and the engine's completion lane runs one request or
// refresh on it at a time, so no decode of the context is queued meanwhile. A
// shape guard checks them; where they differ, or the model cannot shift its cache (recurrent, hybrid, sliding-window
// attention, DeepSeek2's), the exact path is used and the reason logged once.
import type { LlamaContextSequence, LlamaModel, Token } from "node-llama-cpp";
import { EngineFailure } from "./engine-failure.mjs";
import { prefillSequence, type PrefillCallbacks, type PrefillCounts } from "./sequence-prefill.mjs";

/**
 * Tokens evaluated out of order (B_new after S, or erased before S) since S was last evaluated in order. Typing changes
 * the last word's 1–3 tokens per keystroke, so 32 is a line or two of typing (about 3.5 characters a token in code):
 * the suffix's picture of the cursor line is at most that stale, and a pause, a click elsewhere or a suffix edit makes
 * it exact again. The error it allows is measured in bench/RESULTS.md ("Suffix reuse").
 */
export const SUFFIX_REUSE_MAX_OUT_OF_ORDER_TOKENS = 32;

/**
 * The idle refresh starts only once this many tokens are out of order. It erases the cells before it evaluates them
 * again, so a refresh that the user's next keystroke cuts short costs that keystroke the rest of it (the exact path's
 * size, on Axios.js about 370 tokens at a quarter of it done) where the stale cells would have served it for a couple of
 * tokens. From 3/4 of the bound on, that cost only comes a few keystrokes before the bound's own exact evaluation would:
 * at worst (every pause cut short) such a request comes once per 24 tokens typed instead of 32, each cheaper; where a
 * pause lets the refresh finish, none comes. (Axios.js replay on bench-0.5b with a refresh at each 1.5 s pause and no
 * threshold: 49 % of requests evaluated ≤ 32 tokens, against 95 % without the refresh.)
 */
export const SUFFIX_REFRESH_MIN_OUT_OF_ORDER_TOKENS = 24;

/** Below this many unchanged tokens before the change, the prompt changed near its start: nothing to keep. */
export const SUFFIX_REUSE_MIN_TOKENS = 8;

/**
 * Below this many unchanged tokens after the change, evaluating them again costs less than moving them: the move makes
 * llama.cpp rotate the keys of every cell of the context at the next decode (42–53 ms on Hearth's completion context of
 * 4,096 cells and one sequence, bench-0.5b at one thread), and the reuse decodes the change and <MID> apart. Measured in
 * bench/RESULTS.md ("Engine: what a decode costs by its shape"), a change of 2 tokens: exact 121 ms against reuse 100 at
 * 4 tokens, 145 against 102 at 8 (from 12 when the context held the chat's sequence too, whose cells the shift rotated).
 */
export const SUFFIX_REUSE_MIN_SUFFIX_TOKENS = 4;

/**
 * Up to this many changed tokens are decoded one per decode where the model runs on the CPU alone with one thread:
 * there a decode of 2 tokens costs about 3 of one (llama-bench pp2 against pp1 too), so single decodes are cheaper:
 * 2 tokens 39 against 59 ms, 3 tokens 58 against 72; 4 tokens cost the same either way (90 against 87). bench-0.5b,
 * "Engine: what a decode costs by its shape". Not with more threads: at two, llama-bench's pp1 takes 18.3 ms and pp2
 * 32.6 (1.8×, pp3 2.2×), so one decode is cheaper; nor on a GPU, where a decode's fixed cost dominates.
 */
export const SUFFIX_REUSE_ONE_BY_ONE_MAX_TOKENS = 3;

/** What one request did to the cache before its answer. */
export type SuffixReusePlan =
  | { kind: "reused"; reusedTokens: number; evaluatedTokens: number; outOfOrderTokens: number }
  | { kind: "exact"; reason: string };

interface ReuseState {
  /** The last request's prompt (BOS included, <MID> excluded) as it stands in the sequence, before its answer. */
  prompt: Token[];
  /** Tokens evaluated out of order since S was last evaluated in order. */
  outOfOrder: number;
  /** The first index whose cells are not what evaluating the prompt in order gives; undefined when all are. */
  dirtyFrom: number | undefined;
  /**
   * An idle refresh stopped part way: the sequence holds only the prompt's first tokens (however many it holds), all
   * evaluated in order, and nothing after them.
   */
  partial?: true;
}

const states = new WeakMap<LlamaContextSequence, ReuseState>();
/** Tokens the idle refresh evaluated on each sequence since its last request read them. */
const refreshed = new WeakMap<LlamaContextSequence, number>();
const logged = new Set<string>();

/** The members of node-llama-cpp 3.22.1's LlamaContextSequence this module relies on. */
interface SequenceInternals {
  _sequenceId: number;
  _contextTokens: Token[];
  _nextTokenIndex: number;
  _loadedTokenPredictions: unknown[];
  _contextShift: unknown;
  _tokenMeter: unknown;
  _context: {
    _ctx: {
      shiftSequenceTokenCells(sequenceId: number, start: number, end: number, delta: number): void;
      removeTokenCellsFromSequence(sequenceId: number, start: number, end: number): boolean;
    };
  };
  _decodeTokens(
    tokens: Token[],
    logits: boolean[],
    evaluationPriority: number,
    tokenMeter: unknown,
    contextShiftOptions: unknown,
    logitDataMapper: (batchLogitIndex: number, tokenIndex: number) => unknown,
    afterBatchAction?: (sequenceStateLength: number) => void,
  ): Promise<unknown[]>;
}

/** Why `model` cannot shift its cache, or undefined when it can (the window choice depends only on this). */
export function modelCannotShift(model: LlamaModel): string | undefined {
  const insights = model.fileInsights;
  if (insights.isRecurrent || insights.isHybrid) return "the model is recurrent or hybrid (its state cannot be shifted)";
  if (insights.swaSize !== undefined) return "the model uses sliding-window attention (its cache keeps checkpoints, not cells)";
  if (model.fileInfo.metadata.general?.architecture === "deepseek2") return "node-llama-cpp does not shift DeepSeek2's cache";
  return undefined;
}

/** Why suffix reuse is off for `sequence`, or undefined when it is on. */
export function suffixReuseUnavailable(sequence: LlamaContextSequence): string | undefined {
  const cannot = modelCannotShift(sequence.model);
  if (cannot) return cannot;
  if (sequence.tokenPredictor) return "the sequence drafts with a token predictor";
  if (sequence.needsCheckpoints) return "the sequence needs checkpoints";
  if (!internalsOf(sequence)) return "node-llama-cpp's internals are not those of 3.22.1";
  return undefined;
}

function internalsOf(sequence: LlamaContextSequence): SequenceInternals | undefined {
  const s = sequence as unknown as Partial<SequenceInternals>;
  const ok =
    typeof s._sequenceId === "number" &&
    Array.isArray(s._contextTokens) &&
    typeof s._nextTokenIndex === "number" &&
    Array.isArray(s._loadedTokenPredictions) &&
    s._contextShift !== undefined &&
    s._tokenMeter !== undefined &&
    typeof s._decodeTokens === "function" &&
    typeof s._context?._ctx?.shiftSequenceTokenCells === "function" &&
    typeof s._context._ctx.removeTokenCellsFromSequence === "function";
  return ok ? (s as SequenceInternals) : undefined;
}

/**
 * Prepares `sequence` for `prompt` (the tokens LlamaCompletion will evaluate, BOS included): reuses the cached suffix
 * when it can, else makes sure the exact path re-evaluates every out-of-order token. `log` is called once per reason
 * the reuse is unavailable.
 */
export async function prepareSuffixReuse(sequence: LlamaContextSequence, prompt: readonly Token[], log: (message: string) => void): Promise<SuffixReusePlan> {
  const unavailable = suffixReuseUnavailable(sequence);
  if (unavailable) {
    if (!logged.has(unavailable)) {
      logged.add(unavailable);
      log(`suffix reuse off, every keystroke evaluates the suffix again: ${unavailable}`);
    }
    states.delete(sequence);
    return { kind: "exact", reason: unavailable };
  }
  const internals = internalsOf(sequence)!;
  const target = prompt.slice(0, -1);
  const state = states.get(sequence);
  const decision = state ? planReuse(sequence, state, target) : { reason: "no earlier prompt in this sequence" };
  // The same prompt again: LlamaCompletion keeps all of it, and the cells stay as they were.
  // After a refresh stopped part way, LlamaCompletion evaluates the rest of it in order.
  if ("same" in decision && !state!.partial) return { kind: "reused", reusedTokens: 0, evaluatedTokens: 0, outOfOrderTokens: state!.outOfOrder };
  if ("same" in decision) {
    states.delete(sequence);
    return { kind: "exact", reason: "the same prompt after an interrupted refresh" };
  }
  if ("reason" in decision) {
    await makeExact(sequence, state, target);
    return { kind: "exact", reason: decision.reason };
  }
  const { a, s } = decision;
  const oldLength = state!.prompt.length;
  let tail = 0;
  if (state!.partial) {
    // A refresh stopped part way: its tail and then the reuse, or the exact path, whichever evaluates fewer tokens (the
    // exact path keeps only what the new prompt shares with the refreshed front).
    const held = sequence.contextTokens.length;
    tail = oldLength - held;
    if (tail + (target.length - a - s) >= target.length - Math.min(held, a)) {
      states.delete(sequence);
      return { kind: "exact", reason: "the interrupted refresh's tail costs more than the exact path" };
    }
    try {
      if (tail > 0) await sequence.evaluateWithoutGeneratingNewTokens(state!.prompt.slice(held));
    } catch (error) {
      states.delete(sequence);
      throw error;
    }
  }
  try {
    // The last answer (its <MID> included) goes, then B_old's cells: S stays where it is (see the module's comment).
    await sequence.eraseContextTokenRanges([{ start: oldLength, end: sequence.nextTokenIndex }]);
    if (!sameTokens(internals._contextTokens, state!.prompt)) throw new Error("unexpected cache after erasing");
    const bo = oldLength - s - a;
    const ctx = internals._context._ctx;
    if (bo > 0 && !ctx.removeTokenCellsFromSequence(internals._sequenceId, a, a + bo)) throw new Error("llama.cpp did not remove the changed tokens' cells");
    const bNew = target.slice(a, target.length - s);
    // Single decodes pay only on the CPU at one thread (SUFFIX_REUSE_ONE_BY_ONE_MAX_TOKENS).
    const oneByOne = sequence.model.gpuLayers === 0 && sequence.context.idealThreads === 1;
    if (bNew.length > 0) await evaluateBefore(internals, bNew, a, bo, s, oneByOne ? SUFFIX_REUSE_ONE_BY_ONE_MAX_TOKENS : 0);
    else if (bo > 0) ctx.shiftSequenceTokenCells(internals._sequenceId, a + bo, a + bo + s, -bo);
    internals._contextTokens = target.slice();
    internals._nextTokenIndex = target.length;
    const outOfOrder = state!.outOfOrder + Math.max(bNew.length, bo);
    states.set(sequence, { prompt: target, outOfOrder, dirtyFrom: Math.min(state!.dirtyFrom ?? a, a) });
    return { kind: "reused", reusedTokens: s, evaluatedTokens: tail + bNew.length, outOfOrderTokens: outOfOrder };
  } catch (error) {
    // Whatever the cache holds after A is unknown: drop it, and the request evaluates it again in order. The sequence's
    // cells may sit at other positions than its bookkeeping says (the gap, a move cut short): all from A's end go.
    states.delete(sequence);
    await sequence.eraseContextTokenRanges([{ start: a, end: sequence.nextTokenIndex }]);
    internals._context._ctx.removeTokenCellsFromSequence(internals._sequenceId, a, -1);
    log(`suffix reuse failed, evaluating in order: ${error instanceof Error ? error.message : String(error)}`);
    return { kind: "exact", reason: "the reuse failed" };
  }
}

/**
 * After the request: what the sequence now holds. `plan` is what prepareSuffixReuse did; the prompt is remembered only
 * when the sequence really holds all of it (a request cancelled early may not have evaluated it).
 */
export function recordSuffixReuse(sequence: LlamaContextSequence, prompt: readonly Token[], plan: SuffixReusePlan): void {
  const target = prompt.slice(0, -1);
  const held = sequence.contextTokens;
  if (held.length < target.length || !sameTokens(held.slice(0, target.length), target)) {
    states.delete(sequence);
    return;
  }
  if (plan.kind === "exact") states.set(sequence, { prompt: target, outOfOrder: 0, dirtyFrom: undefined });
}

/**
 * The idle refresh: once SUFFIX_REFRESH_MIN_OUT_OF_ORDER_TOKENS of `sequence`'s tokens were evaluated out of order,
 * erases their cells from the first one and evaluates the last prompt's rest (not <MID>, not the answer) in order,
 * `stepTokens` at a time through the prefills' loop (sequence-prefill.mts), which waits for `callbacks.mayContinue` before each step and fails as cancelled when the
 * signal aborts. Nothing is erased until the first step may run. Each step's tokens are counted for the next request's
 * backgroundRefreshTokens; what the refresh evaluated stays, and the next request goes on from it. Resolves with the
 * number of tokens evaluated (0 when there was nothing to do).
 */
export async function refreshSuffixInOrder(sequence: LlamaContextSequence, stepTokens: number, callbacks: PrefillCallbacks): Promise<number> {
  const counts: PrefillCounts = { cachedTokens: 0, evaluatedTokens: 0, waitedMs: 0 };
  const pending = () => {
    const state = states.get(sequence);
    const due = state && (state.partial || (state.dirtyFrom !== undefined && state.outOfOrder >= SUFFIX_REFRESH_MIN_OUT_OF_ORDER_TOKENS));
    return due && !suffixReuseUnavailable(sequence) ? state : undefined;
  };
  if (!pending()) return 0;
  await callbacks.mayContinue();
  if (callbacks.signal.aborted) throw new EngineFailure({ code: "cancelled", message: REFRESH_CANCELLED });
  // A request may have run meanwhile (it holds the lane, so not during a step): look again.
  const state = pending();
  if (!state) return 0;
  const prompt = state.prompt;
  if (state.dirtyFrom !== undefined) {
    const held = sequence.contextTokens;
    if (held.length < prompt.length || !sameTokens(held.slice(0, prompt.length), prompt)) {
      states.delete(sequence);
      return 0;
    }
    states.set(sequence, { prompt, outOfOrder: 0, dirtyFrom: undefined, partial: true });
    try {
      await sequence.eraseContextTokenRanges([{ start: state.dirtyFrom, end: sequence.nextTokenIndex }]);
    } catch (error) {
      states.delete(sequence);
      throw error;
    }
  }
  let counted = 0;
  const count = () => {
    refreshed.set(sequence, (refreshed.get(sequence) ?? 0) + counts.evaluatedTokens - counted);
    counted = counts.evaluatedTokens;
  };
  try {
    await prefillSequence(
      sequence,
      prompt,
      stepTokens,
      {
        signal: callbacks.signal,
        mayContinue: callbacks.mayContinue,
        onProgress: () => {
          count();
          callbacks.onProgress?.();
        },
      },
      counts,
      REFRESH_CANCELLED,
    );
  } finally {
    count();
  }
  if (states.get(sequence)?.prompt === prompt && sameTokens(sequence.contextTokens, prompt)) states.set(sequence, { prompt, outOfOrder: 0, dirtyFrom: undefined });
  return counts.evaluatedTokens;
}

const REFRESH_CANCELLED = "The suffix refresh was cancelled.";

/** Tokens the idle refresh evaluated on `sequence` since the last call (the last request's answer). */
export function takeBackgroundRefreshTokens(sequence: LlamaContextSequence): number {
  const tokens = refreshed.get(sequence) ?? 0;
  refreshed.delete(sequence);
  return tokens;
}

function planReuse(
  sequence: LlamaContextSequence,
  state: ReuseState,
  target: readonly Token[],
): { a: number; s: number } | { same: true } | { reason: string } {
  const old = state.prompt;
  const held = sequence.contextTokens;
  const holds = state.partial
    ? held.length <= old.length && sameTokens(held, old.slice(0, held.length))
    : held.length >= old.length && sameTokens(held.slice(0, old.length), old);
  if (!holds) return { reason: "the sequence no longer holds the last prompt" };
  if (target.length + Math.floor(sequence.contextSize / 10) > sequence.contextSize) return { reason: "the prompt is near the context size" };
  const a = commonPrefix(old, target);
  const s = commonSuffix(old, target, Math.min(old.length, target.length) - a);
  const bn = target.length - a - s;
  const bo = old.length - a - s;
  if (bn === 0 && bo === 0) return { same: true };
  if (a < SUFFIX_REUSE_MIN_TOKENS) return { reason: "the prompt changed near its start" };
  if (s < SUFFIX_REUSE_MIN_SUFFIX_TOKENS) return { reason: "too few unchanged tokens after the change" };
  if (state.outOfOrder + Math.max(bn, bo) > SUFFIX_REUSE_MAX_OUT_OF_ORDER_TOKENS) return { reason: "the suffix is due for an exact evaluation" };
  return { a, s };
}

/**
 * For the exact path: everything from the first out-of-order token on is erased, so LlamaCompletion evaluates it again
 * in order (it keeps only the common prefix, which may reach past tokens evaluated out of order).
 */
async function makeExact(sequence: LlamaContextSequence, state: ReuseState | undefined, target: readonly Token[]): Promise<void> {
  states.delete(sequence);
  if (state?.dirtyFrom === undefined) return;
  if (commonPrefix(sequence.contextTokens, target) <= state.dirtyFrom) return;
  await sequence.eraseContextTokenRanges([{ start: state.dirtyFrom, end: sequence.nextTokenIndex }]);
}

/**
 * Evaluates `bNew` after S, which sits at [a+bo, a+bo+s) (after the gap B_old's cells left), and, in the context lock
 * right after its last batch, moves its cells to [a, a+|bNew|) and S's to [a+|bNew|, a+|bNew|+s). B_new first goes above
 * everything, so no range caught by one shift holds cells of another.
 */
async function evaluateBefore(internals: SequenceInternals, bNew: Token[], a: number, bo: number, s: number, oneByOneMax: number): Promise<void> {
  const bn = bNew.length;
  const id = internals._sequenceId;
  const sStart = a + bo;
  const bStart = sStart + s;
  const end = bStart + bn;
  let moved = false;
  const move = (sequenceStateLength: number) => {
    if (sequenceStateLength !== end + 1) return;
    const ctx = internals._context._ctx;
    const park = end - a;
    ctx.shiftSequenceTokenCells(id, bStart, end, park);
    ctx.shiftSequenceTokenCells(id, sStart, bStart, bn - bo);
    ctx.shiftSequenceTokenCells(id, bStart + park, end + park, a - bStart - park);
    moved = true;
  };
  // A few tokens cost less one per decode than in one batch on llama.cpp's CPU path (SUFFIX_REUSE_ONE_BY_ONE_MAX_TOKENS).
  const batches = bn <= oneByOneMax ? bNew.map((token) => [token]) : [bNew];
  for (const [i, batch] of batches.entries()) {
    await internals._decodeTokens(
      batch,
      batch.map(() => false),
      5,
      internals._tokenMeter,
      internals._contextShift,
      () => undefined,
      i === batches.length - 1 ? move : undefined,
    );
  }
  if (!moved) throw new Error("the evaluation did not end where expected");
}

/**
 * The tokens LlamaCompletion.generateCompletion evaluates for `tokens`: its beginning token in front where the model's
 * vocabulary asks for one (node-llama-cpp 3.22.1's resolveBeginningTokenToPrepend).
 */
export function completionInput(model: LlamaModel, tokens: readonly Token[]): Token[] {
  const type = String(model.vocabularyType);
  const bos = model.tokens.bos;
  const prepend = type === "rwkv" || type === "ugm" ? null : type === "wpm" || model.tokens.shouldPrependBosToken ? bos : null;
  return prepend === null ? tokens.slice() : [prepend, ...tokens];
}

function commonPrefix(x: readonly Token[], y: readonly Token[]): number {
  const n = Math.min(x.length, y.length);
  let i = 0;
  while (i < n && x[i] === y[i]) i++;
  return i;
}

function commonSuffix(x: readonly Token[], y: readonly Token[], max: number): number {
  let i = 0;
  while (i < max && x[x.length - 1 - i] === y[y.length - 1 - i]) i++;
  return i;
}

function sameTokens(x: readonly Token[], y: readonly Token[]): boolean {
  return x.length === y.length && commonPrefix(x, y) === x.length;
}
