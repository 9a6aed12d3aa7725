// Suffix reuse for prefix-first FIM prompts (`<PRE> prefix <SUF> suffix <MID>`): typing changes the prefix's end, so
// llama.cpp's prefix cache loses everything after it, the suffix included. Here the suffix's KV cells are kept and
// moved instead. The sequence holds [A][B_old][S][<MID> G] (A: the common front, B: the changed tokens, S: the
// unchanged tokens after them, G: the last answer); the new prompt is [A][B_new][S][<MID>]:
//   1. B_old and G are erased (node-llama-cpp's own erase, which shifts S down onto A's end);
//   2. B_new is evaluated after S. It cannot go before S directly: llama.cpp requires a sequence's new tokens to follow
//      its last stored position (llama_batch_allocr: "Y = X + 1"), and node-llama-cpp 3.22.1 has no range copy to park S
//      in another sequence meanwhile;
//   3. inside the same context lock, B_new's cells are moved before S's (three llama_memory_seq_add shifts; llama.cpp
//      re-rotates the keys at the next decode), and the sequence's bookkeeping is set to [A][B_new][S].
// LlamaCompletion then finds the whole prompt but <MID> in the cache and evaluates that one token before answering, on
// its normal path (stop triggers, abort, token meter).
//
// An approximation, bounded: S's cells attended to B_old, not B_new, and B_new's attended to S (which in the exact
// prompt comes after it). Both errors concern only the tokens evaluated out of order since S was last evaluated in
// order, so their count is capped (SUFFIX_REUSE_MAX_OUT_OF_ORDER_TOKENS); past it, and whenever S changed, the request
// takes the exact path and re-evaluates everything from the first out-of-order token.
//
// This is the one module that touches node-llama-cpp's private members (3.22.1's LlamaContextSequence: _decodeTokens,
// _contextTokens, _nextTokenIndex, _sequenceId, _context._ctx.shiftSequenceTokenCells, _loadedTokenPredictions). A
// shape guard checks them; where they differ, or the model cannot shift its cache (recurrent, hybrid, sliding-window
// attention, DeepSeek2's), the exact path is used and the reason logged once.
import type { LlamaContextSequence, LlamaModel, Token } from "node-llama-cpp";

/**
 * Tokens evaluated out of order (B_new after S, or erased before S) since S was last evaluated in order. Typing changes
 * the last word's 1–3 tokens per keystroke, so 32 is a line or two of typing (about 3.5 characters a token in code):
 * the suffix's picture of the cursor line is at most that stale, and a pause, a click elsewhere or a suffix edit makes
 * it exact again. The error it allows is measured in bench/RESULTS.md ("Suffix reuse").
 */
export const SUFFIX_REUSE_MAX_OUT_OF_ORDER_TOKENS = 32;

/** Below this many unchanged tokens after the change, evaluating them again costs about what moving them does. */
export const SUFFIX_REUSE_MIN_TOKENS = 8;

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
}

const states = new WeakMap<LlamaContextSequence, ReuseState>();
const logged = new Set<string>();

/** The members of node-llama-cpp 3.22.1's LlamaContextSequence this module relies on. */
interface SequenceInternals {
  _sequenceId: number;
  _contextTokens: Token[];
  _nextTokenIndex: number;
  _loadedTokenPredictions: unknown[];
  _contextShift: unknown;
  _tokenMeter: unknown;
  _context: { _ctx: { shiftSequenceTokenCells(sequenceId: number, start: number, end: number, delta: number): void } };
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
    typeof s._context?._ctx?.shiftSequenceTokenCells === "function";
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
  if ("same" in decision) return { kind: "reused", reusedTokens: 0, evaluatedTokens: 0, outOfOrderTokens: state!.outOfOrder };
  if ("reason" in decision) {
    await makeExact(sequence, state, target);
    return { kind: "exact", reason: decision.reason };
  }
  const { a, s } = decision;
  const oldLength = state!.prompt.length;
  try {
    // B_old and the last answer (its <MID> included) go; S slides down onto A's end.
    await sequence.eraseContextTokenRanges([
      { start: a, end: oldLength - s },
      { start: oldLength, end: sequence.nextTokenIndex },
    ]);
    if (!sameTokens(internals._contextTokens, [...target.slice(0, a), ...target.slice(target.length - s)])) throw new Error("unexpected cache after erasing");
    const bNew = target.slice(a, target.length - s);
    if (bNew.length > 0) await evaluateBefore(internals, bNew, a, s);
    internals._contextTokens = target.slice();
    internals._nextTokenIndex = target.length;
    const outOfOrder = state!.outOfOrder + Math.max(bNew.length, oldLength - s - a);
    states.set(sequence, { prompt: target, outOfOrder, dirtyFrom: Math.min(state!.dirtyFrom ?? a, a) });
    return { kind: "reused", reusedTokens: s, evaluatedTokens: bNew.length, outOfOrderTokens: outOfOrder };
  } catch (error) {
    // Whatever the cache holds after A is unknown: drop it, and the request evaluates it again in order.
    states.delete(sequence);
    await sequence.eraseContextTokenRanges([{ start: a, end: sequence.nextTokenIndex }]);
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

function planReuse(
  sequence: LlamaContextSequence,
  state: ReuseState,
  target: readonly Token[],
): { a: number; s: number } | { same: true } | { reason: string } {
  const old = state.prompt;
  const held = sequence.contextTokens;
  if (held.length < old.length || !sameTokens(held.slice(0, old.length), old)) return { reason: "the sequence no longer holds the last prompt" };
  if (target.length + Math.floor(sequence.contextSize / 10) > sequence.contextSize) return { reason: "the prompt is near the context size" };
  const a = commonPrefix(old, target);
  const s = commonSuffix(old, target, Math.min(old.length, target.length) - a);
  const bn = target.length - a - s;
  const bo = old.length - a - s;
  if (bn === 0 && bo === 0) return { same: true };
  if (a < SUFFIX_REUSE_MIN_TOKENS) return { reason: "the prompt changed near its start" };
  if (s < SUFFIX_REUSE_MIN_TOKENS) return { reason: "too few unchanged tokens after the change" };
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
 * Evaluates `bNew` after S (which sits at [a, a+s)) and, in the context lock right after its last batch, moves its cells
 * to [a, a+|bNew|) and S's to [a+|bNew|, a+|bNew|+s). B_new first goes above everything, so no range caught by one
 * shift holds cells of the other.
 */
async function evaluateBefore(internals: SequenceInternals, bNew: Token[], a: number, s: number): Promise<void> {
  const bn = bNew.length;
  const id = internals._sequenceId;
  const end = a + s + bn;
  let moved = false;
  await internals._decodeTokens(
    bNew,
    bNew.map(() => false),
    5,
    internals._tokenMeter,
    internals._contextShift,
    () => undefined,
    (sequenceStateLength) => {
      if (sequenceStateLength !== end + 1) return;
      const ctx = internals._context._ctx;
      const park = s + bn;
      ctx.shiftSequenceTokenCells(id, a + s, end, park);
      ctx.shiftSequenceTokenCells(id, a, a + s, bn);
      ctx.shiftSequenceTokenCells(id, a + s + park, end + park, -(s + park));
      moved = true;
    },
  );
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
