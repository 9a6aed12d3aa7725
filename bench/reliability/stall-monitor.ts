// How long the thread was held: a timer due every `resolutionMs` records how late it fired (as perf_hooks'
// monitorEventLoopDelay does), and can be paused around work the bench itself does on the thread (a forced GC, a heap
// snapshot). monitorEventLoopDelay cannot: after disable() and enable() it still records the gap across the pause.
import { quantile } from "../report";

export class StallMonitor {
  private readonly delays: number[] = [];
  private last = performance.now();
  private paused = false;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly resolutionMs = 10) {
    this.timer = setInterval(() => {
      const now = performance.now();
      if (!this.paused) this.delays.push(Math.max(0, now - this.last - this.resolutionMs));
      this.last = now;
    }, resolutionMs);
  }

  /** Runs `work` without counting the time it holds the thread. */
  excluding<T>(work: () => T): T {
    this.paused = true;
    try {
      return work();
    } finally {
      this.last = performance.now();
      this.paused = false;
    }
  }

  /** Forgets what was recorded so far (the warm-up). */
  reset(): void {
    this.delays.length = 0;
  }

  stop(): { p99Ms: number; maxMs: number; over50: number; samples: number } {
    clearInterval(this.timer);
    return {
      p99Ms: this.delays.length ? quantile(this.delays, 0.99) : 0,
      maxMs: this.delays.length ? Math.max(...this.delays) : 0,
      over50: this.delays.filter((d) => d > 50).length,
      samples: this.delays.length,
    };
  }
}
