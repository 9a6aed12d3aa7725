import { isAbortError } from "../common/abort";
import type { Disposable } from "../common/disposable";
import { Emitter, type Event } from "../common/event";
import type { HearthConfig } from "../common/settings";
import type { EngineSettings, EngineStatus } from "../engine/client-types";

/** What the preloader needs of the engine: the EngineClient. */
export interface PreloadEngine {
  readonly status: EngineStatus;
  load(signal?: AbortSignal): Promise<unknown>;
}

/** The model settings a configuration asks for, and whether it wants them loaded ahead of the first request. */
export interface PreloadWish {
  /** hearth.model.loadOnStartup, and completions on at all (no completion, no reason to hold the memory). */
  enabled: boolean;
  /** What names the loaded model: path, adapters, window, threads, GPU. Another key is another model. */
  modelKey: string;
}

/** The wish a configuration makes, for the engine settings it gives the engine. */
export function preloadWish(config: HearthConfig, settings: EngineSettings): PreloadWish {
  const { modelPath, loraAdapters, contextSize, completionContextSize, threads, gpu, memoryBudgetBytes } = settings;
  return {
    enabled: config.model.loadOnStartup && config.completion.enable,
    modelKey: JSON.stringify([modelPath, loraAdapters ?? [], contextSize, completionContextSize ?? null, threads, gpu, memoryBudgetBytes ?? null]),
  };
}

/**
 * What the preloader did with a configuration: "off" (the setting or completions are off), "skipped" (the engine was
 * not idle when the wait ended: already loading for a request, ready, or without a usable model), "loading", "loaded",
 * "failed" (the engine logged why and the status bar shows it; the preloader adds no message of its own).
 */
export type PreloadDecision =
  | { kind: "off"; modelKey: string }
  | { kind: "skipped"; modelKey: string; status: EngineStatus["kind"] }
  | { kind: "loading" | "loaded" | "failed"; modelKey: string };

/** Long enough for the workbench and other extensions to settle after onStartupFinished; short beside a load. */
export const PRELOAD_DELAY_MS = 1000;

/**
 * Loads the configured model in the background, so the first suggestion does not wait for it: after startup and after
 * each change of model settings, once the editor has had `delayMs` to settle. Never twice for the same model settings:
 * a model the engine unloaded after its idle minutes loads again on the next request, not behind the user's back. A
 * request that comes first loads the model itself (the preloader then finds the engine busy and stays out); one that
 * comes while the preload runs joins it (EngineClient shares one load per model).
 */
export class ModelPreloader implements Disposable {
  private timer: NodeJS.Timeout | undefined;
  private readonly controller = new AbortController();
  private preloadedKey: string | undefined;
  private readonly decisionEmitter = new Emitter<PreloadDecision>();
  /** Each decision, for the tests and the log. */
  readonly onDidDecide: Event<PreloadDecision> = this.decisionEmitter.event;

  constructor(
    private readonly engine: PreloadEngine,
    private readonly delayMs = PRELOAD_DELAY_MS,
  ) {}

  /** Called with each configuration once the engine has taken it (its status then says whether the file is usable). */
  consider(wish: PreloadWish): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.controller.signal.aborted) return;
    if (!wish.enabled) return this.decisionEmitter.fire({ kind: "off", modelKey: wish.modelKey });
    if (wish.modelKey === this.preloadedKey) return;
    this.timer = setTimeout(() => this.preload(wish.modelKey), this.delayMs);
  }

  private preload(modelKey: string): void {
    this.timer = undefined;
    const status = this.engine.status.kind;
    if (status !== "idle") return this.decisionEmitter.fire({ kind: "skipped", modelKey, status });
    this.preloadedKey = modelKey;
    this.decisionEmitter.fire({ kind: "loading", modelKey });
    this.engine.load(this.controller.signal).then(
      () => this.decisionEmitter.fire({ kind: "loaded", modelKey }),
      (error: unknown) => {
        // The engine has logged the failure and set its status, as for a load a request started: nothing to add.
        if (!isAbortError(error)) this.decisionEmitter.fire({ kind: "failed", modelKey });
      },
    );
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.controller.abort();
    this.decisionEmitter.dispose();
  }
}
