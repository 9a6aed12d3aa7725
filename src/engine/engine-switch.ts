import type { Disposable } from "../common/disposable";
import { Emitter, type Event } from "../common/event";
import type { Logger } from "../common/logger";
import type { MachineMemory } from "../models/memory-fit";
import type { EngineCrash, EngineSettings, EngineStatus, RequestOptions } from "./client-types";
import type { Engine, EngineTarget } from "./engine-api";
import { EngineError, type ChatParams, type ChatPrefillParams, type ChatPrefillResult, type EmbedResult, type GenerationResult, type InfillParams, type ModelInfo, type ModelRole, type TokenCountResult } from "./protocol";

/** An engine that can stand in for the local one: the server engine, made only once the user chose it. */
export interface RemoteEngine extends Engine {
  /** Whether a failure means the server could not do it now (down, overloaded, slow), so the local model may. */
  isUnavailable?(error: unknown): boolean;
}

export interface EngineSwitchOptions {
  logger: Logger;
}

/**
 * The one engine object the rest of the extension holds: hands each request to the engine the user chose
 * (hearth.engine.kind), forwards that engine's status events, and switches without the consumers noticing. The local
 * engine is always there (it forks its process only on first need); a server engine exists only while the user chose
 * the server kind, so nothing reaches the network otherwise. With `fallbackToLocal`, a request the server could not
 * serve (down, overloaded, too slow) is answered by the local model instead, and the log says so.
 */
export class EngineSwitch implements Engine {
  private remote: RemoteEngine | undefined;
  private fallbackToLocal = false;
  private remoteSubscriptions: Disposable[] = [];
  private readonly statusEmitter = new Emitter<EngineStatus>();
  private readonly chatStatusEmitter = new Emitter<EngineStatus>();
  private readonly crashEmitter = new Emitter<EngineCrash>();
  private readonly engineEmitter = new Emitter<EngineTarget>();
  private readonly localSubscriptions: Disposable[];
  readonly onDidChangeStatus: Event<EngineStatus> = this.statusEmitter.event;
  readonly onDidChangeChatStatus: Event<EngineStatus> = this.chatStatusEmitter.event;
  readonly onDidCrash: Event<EngineCrash> = this.crashEmitter.event;
  /**
   * Another engine answers from now on: the other kind, or a server engine made again for changed settings. What was
   * computed by the one before (codebase vectors) may not be what this one computes.
   */
  readonly onDidChangeEngine: Event<EngineTarget> = this.engineEmitter.event;

  constructor(
    /** The in-process engine (EngineClient). */
    readonly local: Engine & { readonly pid?: number | undefined },
    private readonly options: EngineSwitchOptions,
  ) {
    this.localSubscriptions = [
      local.onDidChangeStatus((status) => !this.remote && this.statusEmitter.fire(status)),
      local.onDidChangeChatStatus((status) => !this.remote && this.chatStatusEmitter.fire(status)),
      local.onDidCrash((crash) => this.crashEmitter.fire(crash)),
    ];
  }

  /** The engine that answers now. */
  private get active(): Engine {
    return this.remote ?? this.local;
  }

  get target(): EngineTarget {
    return this.active.target;
  }

  get status(): EngineStatus {
    return this.active.status;
  }

  get chatStatus(): EngineStatus {
    return this.active.chatStatus;
  }

  /** The engine process's id (local engine). */
  get pid(): number | undefined {
    return this.local.pid;
  }

  /** The server engine in use, if the user chose one. */
  get server(): RemoteEngine | undefined {
    return this.remote;
  }

  /**
   * Answers from now on through `remote` (a server engine), or through the local engine when it is undefined. The
   * engine given before is disposed. Listeners hear the new engine's statuses at once.
   */
  use(remote: RemoteEngine | undefined, options: { fallbackToLocal?: boolean } = {}): void {
    const previous = this.remote;
    this.fallbackToLocal = options.fallbackToLocal ?? false;
    if (previous === remote) return;
    for (const subscription of this.remoteSubscriptions) subscription.dispose();
    this.remoteSubscriptions = [];
    this.remote = remote;
    if (remote) {
      this.remoteSubscriptions = [
        remote.onDidChangeStatus((status) => this.remote === remote && this.statusEmitter.fire(status)),
        remote.onDidChangeChatStatus((status) => this.remote === remote && this.chatStatusEmitter.fire(status)),
      ];
    }
    if (previous) void previous.dispose();
    this.statusEmitter.fire(this.status);
    this.chatStatusEmitter.fire(this.chatStatus);
    this.engineEmitter.fire(this.target);
  }

  configure(settings: EngineSettings): Promise<EngineStatus> {
    // The local engine keeps its settings while a server answers: a fallback, or a switch back, finds it ready to load.
    const local = this.local.configure(settings);
    return this.remote ? this.remote.configure(settings) : local;
  }

  load(signal?: AbortSignal): Promise<ModelInfo> {
    return this.active.load(signal);
  }

  loadChat(signal?: AbortSignal): Promise<ModelInfo> {
    return this.active.loadChat(signal);
  }

  infill(params: InfillParams, options: RequestOptions = {}): Promise<GenerationResult> {
    return this.withFallback("completion", (engine) => engine.infill(params, options));
  }

  chat(params: ChatParams, options: RequestOptions = {}): Promise<GenerationResult> {
    return this.withFallback("chat", (engine) => engine.chat(params, options));
  }

  prefillChat(params: ChatPrefillParams, options: RequestOptions = {}): Promise<ChatPrefillResult | null> {
    return this.active.prefillChat(params, options);
  }

  tokenCounts(texts: string[], options: RequestOptions & { role?: ModelRole } = {}): Promise<TokenCountResult | null> {
    return this.active.tokenCounts(texts, options);
  }

  /** Never falls back: vectors of the local model would be mixed with the server model's in one index. */
  embed(texts: string[], options: { signal?: AbortSignal } = {}): Promise<EmbedResult> {
    return this.active.embed(texts, options);
  }

  machineMemory(fallback: MachineMemory, options?: { signal?: AbortSignal; timeoutMs?: number }): Promise<MachineMemory> {
    // Always this machine's: the picker judges local models by it.
    return this.local.machineMemory(fallback, options);
  }

  unload(): Promise<void> {
    return this.active.unload();
  }

  restart(): Promise<void> {
    return this.active.restart();
  }

  async dispose(): Promise<void> {
    for (const subscription of [...this.remoteSubscriptions, ...this.localSubscriptions]) subscription.dispose();
    const remote = this.remote;
    this.remote = undefined;
    await Promise.all([remote?.dispose(), this.local.dispose()]);
    this.statusEmitter.dispose();
    this.chatStatusEmitter.dispose();
    this.crashEmitter.dispose();
    this.engineEmitter.dispose();
  }

  private async withFallback<T>(what: "completion" | "chat", run: (engine: Engine) => Promise<T>): Promise<T> {
    const remote = this.remote;
    if (!remote) return run(this.local);
    try {
      return await run(remote);
    } catch (error) {
      if (!this.fallbackToLocal || !remote.isUnavailable?.(error)) throw error;
      const reason = error instanceof EngineError ? error.message : String(error);
      this.options.logger.warn(`the server could not answer this ${what} (${reason}); the local model answers it (hearth.server.fallbackToLocal)`);
      return run(this.local);
    }
  }
}
