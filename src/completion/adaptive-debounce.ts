/**
 * How long to wait after a keystroke before asking the model. By default not at all: the wait is latency added to
 * every suggestion (with a rhythm rule it was most of what a warm suggestion spent outside the model), while a call
 * started at the keystroke costs little when the next key comes. The next key either continues what the call has
 * written so far (or comes before it wrote anything), and the request manager joins the call, or it aborts it; the
 * engine's completion lane is newest-wins and its KV cache keeps what the two calls' prompts share, so the next call
 * evaluates only what changed. A wait that follows the typist's rhythm (a little longer than their usual gap between
 * keys, within bounds) can be configured instead; the first-suggestion bench compares the two.
 */
export interface DebounceOptions {
  minMs: number;
  maxMs: number;
  /** Wait this multiple of the typical gap between keystrokes. */
  factor: number;
  /** Gaps longer than this are pauses, not typing rhythm, and are not learned from. */
  pauseMs: number;
}

/** Ask the model at the keystroke. */
export const DEFAULT_DEBOUNCE: DebounceOptions = { minMs: 0, maxMs: 0, factor: 1.5, pauseMs: 1500 };

/** The rhythm rule: 1.5× the typist's usual gap, 40–150 ms (the default before the first-suggestion bench's cost figures). */
export const RHYTHM_DEBOUNCE: DebounceOptions = { minMs: 40, maxMs: 150, factor: 1.5, pauseMs: 1500 };

export class AdaptiveDebounce {
  private averageGapMs: number;
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
      // An exponential moving average adapts within a few keys and forgets a slow start.
      if (gap < this.options.pauseMs) this.averageGapMs = this.averageGapMs * 0.7 + gap * 0.3;
    }
    this.lastKeystroke = now;
    return this.delayMs();
  }

  delayMs(): number {
    return Math.round(Math.min(this.options.maxMs, Math.max(this.options.minMs, this.averageGapMs * this.options.factor)));
  }
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
