import { EngineFailure } from "./engine-failure.mjs";

interface Pending {
  id: number;
  controller: AbortController;
}

/**
 * Serialises work per lane and keeps cancellation in one place. A lane marked "newest wins" aborts every earlier
 * request when a new one arrives: for inline completion only the latest keystroke's request matters.
 * The "model" lane (load/unload) runs before anything queued after it, so a generation never sees a half-loaded model.
 */
export class RequestLanes {
  private readonly tails = new Map<string, Promise<unknown>>();
  private readonly pending = new Map<number, Pending & { lane: string }>();
  private modelTail: Promise<unknown> = Promise.resolve();

  run<T>(id: number, lane: string, newestWins: boolean, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
    if (newestWins) {
      for (const other of this.pending.values()) if (other.lane === lane) other.controller.abort();
    }
    const controller = new AbortController();
    this.pending.set(id, { id, controller, lane });
    const previous = lane === "model" ? Promise.all([...this.tails.values(), this.modelTail]) : Promise.all([this.tails.get(lane), this.modelTail]);
    const result = previous
      .catch(() => undefined)
      .then(() => {
        if (controller.signal.aborted) throw new EngineFailure({ code: "cancelled", message: "The request was cancelled." });
        return work(controller.signal);
      })
      .finally(() => this.pending.delete(id));
    const settled = result.catch(() => undefined);
    if (lane === "model") this.modelTail = settled;
    else this.tails.set(lane, settled);
    return result;
  }

  cancel(id: number): void {
    this.pending.get(id)?.controller.abort();
  }

  cancelAll(): void {
    for (const pending of this.pending.values()) pending.controller.abort();
  }
}
