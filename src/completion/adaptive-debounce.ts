/**
 * How long to wait after a keystroke before asking the model. The wait is latency added to every suggestion: with the
 * rule that waited 1.5× the typist's usual gap (40–150 ms) it was most of what a warm suggestion spent outside the
 * model. It pays only when it outlasts the typist's gap between keys, so that a burst of typing starts no call: the
 * default waits a little longer than the usual gap (its median, which the longer gaps after words and lines do not
 * move) when that is short, and asks at once when it is not. A typist that slow would start a call per key under any
 * wait short enough not to be felt; their next key either continues what the call has written (the request manager
 * joins it) or aborts it, and the engine's KV cache keeps what the two calls' prompts share.
 */
export interface DebounceOptions {
  minMs: number;
  maxMs: number;
  /** Wait this multiple of the typical gap between keystrokes. */
  factor: number;
  /** Gaps longer than this are pauses, not typing rhythm, and are not learned from. */
  pauseMs: number;
  /**
   * The typical gap: an exponential moving average of the gaps (by default), or the median of the last few, which a
   * word end's or a line end's longer gap does not move.
   */
  typicalGap?: "average" | "median";
  /** When `factor` × the typical gap is over `maxMs`: wait `maxMs` (by default), or ask at once. */
  overMax?: "wait-max" | "at-once";
}

/**
 * Just over a fast typist's usual gap (no call between their keys); at once for anyone slower. 75 ms at most: beside a
 * 0.4–0.5 s model call (a 0.5B model on two CPU threads) a longer wait would be over 15 % of the suggestion's latency.
 */
export const DEFAULT_DEBOUNCE: DebounceOptions = { minMs: 0, maxMs: 75, factor: 1.15, pauseMs: 1500, typicalGap: "median", overMax: "at-once" };

/** The rule before: 1.5× the moving average of the gaps, 40–150 ms. */
export const RHYTHM_DEBOUNCE: DebounceOptions = { minMs: 40, maxMs: 150, factor: 1.5, pauseMs: 1500 };

/** No wait at all: every key asks the model (the first-suggestion bench weighs its cost). */
export const AT_ONCE: DebounceOptions = { minMs: 0, maxMs: 0, factor: 1, pauseMs: 1500 };

/** Gaps the median is taken over: enough that a word end in every few keys is not the middle one. */
const MEDIAN_GAPS = 15;

export class AdaptiveDebounce {
  private averageGapMs: number;
  private readonly recentGaps: number[] = [];
  private lastKeystroke: number | null = null;

  constructor(
    private readonly options: DebounceOptions = DEFAULT_DEBOUNCE,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.averageGapMs = (options.minMs + options.maxMs) / 2 / options.factor;
  }

  /** Records a keystroke and returns the delay before a request for it. */
  keystroke(): number {
    const now = this.now();
    if (this.lastKeystroke !== null) {
      const gap = now - this.lastKeystroke;
      if (gap < this.options.pauseMs) {
        // An exponential moving average adapts within a few keys and forgets a slow start.
        this.averageGapMs = this.averageGapMs * 0.7 + gap * 0.3;
        this.recentGaps.push(gap);
        if (this.recentGaps.length > MEDIAN_GAPS) this.recentGaps.shift();
      }
    }
    this.lastKeystroke = now;
    return this.delayMs();
  }

  delayMs(): number {
    const { minMs, maxMs, factor, typicalGap, overMax } = this.options;
    const typical = typicalGap === "median" ? median(this.recentGaps) : this.averageGapMs;
    // Before any rhythm is known there is nothing a wait could be fitted to.
    if (typical === null) return overMax === "at-once" ? 0 : minMs;
    const wait = typical * factor;
    if (wait > maxMs) return overMax === "at-once" ? 0 : maxMs;
    return Math.round(Math.max(minMs, wait));
  }
}

function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Resolves after `ms`, or false at once when the signal aborts first. */
export function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  if (ms <= 0) return Promise.resolve(true);
  return new Promise((resolve) => {
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve(true);
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
