// Guards against catastrophic work (a backtracking regex, a quadratic scan) measure CPU time, not the wall clock: on
// a loaded machine the wall clock mostly measures the other processes (a 5 ms scan read 150 ms of wall time at a load
// of 8 on 2 cores), while the CPU time of this process is what the work itself costs.

/** Milliseconds of CPU time this process spent while `work` ran. */
export function cpuMs(work: () => void): number {
  const started = process.cpuUsage();
  work();
  const { user, system } = process.cpuUsage(started);
  return (user + system) / 1000;
}

/** Milliseconds of CPU time this process spent while `work` ran, for work that awaits (only this process's work counts). */
export async function cpuMsOf(work: () => Promise<unknown>): Promise<number> {
  const started = process.cpuUsage();
  await work();
  const { user, system } = process.cpuUsage(started);
  return (user + system) / 1000;
}

export interface Growth {
  /** The best CPU time at scale 1 and at `scale`, in milliseconds. */
  smallMs: number;
  largeMs: number;
  /** largeMs over smallMs (smallMs floored at `floorMs`, below which the clock's noise would decide the ratio). */
  ratio: number;
  /** For an assertion's message. */
  shown: string;
}

/**
 * How much more CPU time `work` takes on an input `scale` times longer: about `scale` for linear work, scale² for
 * quadratic. Each size runs `tries` times, alternating, after one warm-up of each (compiling a regex, the JIT); the
 * best time of each counts, since a collection or a neighbour's cache traffic only ever adds. A single call of a few
 * milliseconds is at the mercy of one collection on V8's helper threads (CI read 0.83 ms at 1× and 8.86 ms at 4× for
 * linear work), so each measurement repeats the call until the small size has cost about `sampleMs`, and both sizes
 * repeat it as often.
 */
export function cpuGrowth(work: (scale: number) => void, scale: number, { tries = 3, floorMs = 1, sampleMs = 25 } = {}): Growth {
  work(1);
  work(scale);
  const once = Math.max(cpuMs(() => work(1)), 0.01);
  const calls = Math.min(Math.max(1, Math.ceil(sampleMs / once)), 500);
  const repeated = (size: number) => () => {
    for (let call = 0; call < calls; call++) work(size);
  };
  let smallMs = Number.POSITIVE_INFINITY;
  let largeMs = Number.POSITIVE_INFINITY;
  for (let i = 0; i < tries; i++) {
    smallMs = Math.min(smallMs, cpuMs(repeated(1)) / calls);
    largeMs = Math.min(largeMs, cpuMs(repeated(scale)) / calls);
  }
  const ratio = largeMs / Math.max(smallMs, floorMs / calls);
  const shown = `${smallMs.toFixed(2)} ms of CPU at 1×, ${largeMs.toFixed(2)} ms at ${scale}× (${ratio.toFixed(1)} times, best of ${tries} runs of ${calls} calls)`;
  return { smallMs, largeMs, ratio, shown };
}
