import { basename } from "node:path";
import type { EngineErrorPayload } from "./protocol";

/**
 * Counts the loads that ended with the engine crashed or killed, per model settings, in a row. A model that takes the
 * engine down on every load would otherwise be retried with each request, forever; after `max` it is refused, with a
 * message that says why and what to do, until its settings change or the user restarts the engine.
 */
export class LoadCrashes {
  private readonly counts = new Map<string, number>();

  constructor(private readonly max: number) {}

  /** A load for `key` was in flight when the engine went down. */
  record(key: string): void {
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }

  /** A load for `key` succeeded: its earlier crashes no longer count. */
  succeeded(key: string): void {
    this.counts.delete(key);
  }

  /** Forgets every count but those of `current` settings: changed settings are a new try. */
  keepOnly(current: readonly string[]): void {
    for (const key of this.counts.keys()) if (!current.includes(key)) this.counts.delete(key);
  }

  clear(): void {
    this.counts.clear();
  }

  /** Why the model at `path` (loaded with settings `key`) is no longer loaded on its own, or undefined. */
  refusal(key: string, path: string): EngineErrorPayload | undefined {
    const crashes = key ? (this.counts.get(key) ?? 0) : 0;
    if (crashes < this.max) return undefined;
    return {
      code: "model-crash-loop",
      message: `${basename(path)} stopped the engine on each of its last ${crashes} loads, so Hearth no longer loads it on its own. Choose another model, or run Hearth: Restart Engine to try it again.`,
    };
  }
}
