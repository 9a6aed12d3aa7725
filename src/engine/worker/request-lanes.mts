import { EngineFailure } from "./engine-failure.mjs";

/** How a request behaves toward the others on its lane. */
export interface LanePolicy {
  /** A new request on the lane aborts every earlier one: for inline completion only the latest keystroke's matters. */
  newestWins?: boolean;
  /**
   * Work done ahead of need (a chat prefill): any later request on its lane aborts it, so a question the user just asked
   * never waits behind it, and a newer prefill replaces it.
   */
  givesWay?: boolean;
  /**
   * Work the engine starts itself in idle time (the suffix refresh): it gives way as above, a load or unload stops it
   * too, and it is not counted when others wait for its lane to be quiet (busy, whenQuiet), nor as the lane's last request.
   */
  background?: boolean;
}

interface Pending {
  controller: AbortController;
  lane: string;
  givesWay: boolean;
  background: boolean;
}

/**
 * Serialises work per lane and keeps cancellation in one place. A lane marked "newest wins" aborts every earlier
 * request when a new one arrives; a request that "gives way" is aborted by whatever comes after it on its lane.
 * The "model" lane (load/unload) runs before anything queued after it, so a generation never sees a half-loaded model.
 */
export class RequestLanes {
  private readonly tails = new Map<string, Promise<unknown>>();
  private readonly pending = new Map<number, Pending>();
  private modelTail: Promise<unknown> = Promise.resolve();
  /** Called whenever a request ends, so waiters for a quiet lane can look again. */
  private readonly settleListeners = new Set<() => void>();
  /** When the last request of each lane ended (performance.now()). */
  private readonly lastSettled = new Map<string, number>();

  run<T>(id: number, lane: string, policy: LanePolicy, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
    for (const other of this.pending.values()) {
      if ((other.lane === lane && (policy.newestWins || other.givesWay)) || (lane === "model" && other.background)) other.controller.abort();
    }
    const controller = new AbortController();
    const background = policy.background ?? false;
    this.pending.set(id, { controller, lane, givesWay: (policy.givesWay ?? false) || background, background });
    const previous = lane === "model" ? Promise.all([...this.tails.values(), this.modelTail]) : Promise.all([this.tails.get(lane), this.modelTail]);
    const result = previous
      .catch(() => undefined)
      .then(() => {
        if (controller.signal.aborted) throw new EngineFailure({ code: "cancelled", message: "The request was cancelled." });
        return work(controller.signal);
      })
      .finally(() => {
        this.pending.delete(id);
        if (!background) this.lastSettled.set(lane, performance.now());
        for (const listener of [...this.settleListeners]) listener();
      });
    const settled = result.catch(() => undefined);
    if (lane === "model") this.modelTail = settled;
    else this.tails.set(lane, settled);
    return result;
  }

  /** Whether any request of `lane` is queued or running (background work aside). */
  busy(lane: string): boolean {
    for (const pending of this.pending.values()) if (pending.lane === lane && !pending.background) return true;
    return false;
  }

  /**
   * Resolves once no request of `lane` is queued or running and, with `holdMs`, none has ended for that long (requests
   * that come in bursts, as completions do while the user types, find the lane's resources free at the next one too);
   * `onSettled` is called each time one of them ends meanwhile (the caller is waiting on others' progress, not stuck).
   * Rejects as cancelled when `signal` aborts.
   */
  whenQuiet(lane: string, signal: AbortSignal, onSettled: () => void = () => undefined, holdMs = 0): Promise<void> {
    if (signal.aborted) return Promise.reject(cancelledFailure());
    const heldFor = () => Math.max(0, (this.lastSettled.get(lane) ?? Number.NEGATIVE_INFINITY) + holdMs - performance.now());
    if (!this.busy(lane) && heldFor() === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const finish = (error?: EngineFailure) => {
        clearTimeout(timer);
        this.settleListeners.delete(listener);
        signal.removeEventListener("abort", onAbort);
        if (error) reject(error);
        else resolve();
      };
      const look = () => {
        clearTimeout(timer);
        if (this.busy(lane)) return;
        const wait = heldFor();
        if (wait === 0) finish();
        else timer = setTimeout(look, wait);
      };
      const listener = () => {
        onSettled();
        look();
      };
      const onAbort = () => finish(cancelledFailure());
      this.settleListeners.add(listener);
      signal.addEventListener("abort", onAbort, { once: true });
      look();
    });
  }

  /**
   * Resolves once none of `lanes` has a request queued or running (each held `holdMs` after its last one ended), all at
   * the same moment; as whenQuiet otherwise. The embedding lane waits here between texts.
   */
  async whenAllQuiet(lanes: readonly string[], signal: AbortSignal, onSettled: () => void = () => undefined, holdMs = 0): Promise<void> {
    for (;;) {
      for (const lane of lanes) await this.whenQuiet(lane, signal, onSettled, holdMs);
      if (!lanes.some((lane) => this.busy(lane))) return;
    }
  }

  cancel(id: number): void {
    this.pending.get(id)?.controller.abort();
  }

  cancelAll(): void {
    for (const pending of this.pending.values()) pending.controller.abort();
  }
}

function cancelledFailure(): EngineFailure {
  return new EngineFailure({ code: "cancelled", message: "The request was cancelled." });
}
