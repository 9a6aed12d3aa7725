import { availableParallelism } from "node:os";
import { untilAborted } from "../common/abort";
import { Emitter, type Event } from "../common/event";
import type { MachineMemory } from "../models/memory-fit";
import { checkModelFile, type ModelFileCheck } from "../models/model-file";
import type { EmbedOptions, EmbeddingEngine, EngineClientOptions, EngineCrash, EngineSettings, EngineStatus, RequestOptions } from "./client-types";
import type { Engine, EngineTarget } from "./engine-api";
import { embedInBatches } from "./embedding-batches";
import { EngineConnection, type EngineConnectionCrash } from "./engine-connection";
import { DEFAULT_SUPERVISION } from "./engine-process";
import { describeFailure, ModelLoads } from "./model-loading";
import { ModelSlots, notConfiguredStatus, roleProblem, ROLE_SETTINGS, SECONDARY_ROLES, statusesOf } from "./model-slots";
import {
  MODEL_ROLES,
  type ChatParams,
  type ChatPrefillParams,
  type ChatPrefillResult,
  type EmbedResult,
  type GenerationResult,
  type InfillParams,
  type ModelInfo,
  type ModelRole,
  type NextEditParams,
  type NextEditPrefillParams,
  type NextEditPrefillResult,
  type ParamsOf,
  type ResultOf,
  type TokenCountResult,
  type WorkerState,
} from "./protocol";

export type { EngineClientOptions, EngineCrash, EngineSettings, EngineStatus, RequestOptions } from "./client-types";

const DEFAULT_BACKOFF_MS = [250, 1000, 4000, 15000, 30000];

export function defaultThreads(): number {
  return Math.max(1, availableParallelism() - 1);
}

/**
 * The extension host's side of the engine: forks the engine process on first need, loads the model lazily, streams
 * results, cancels, restarts after a crash with back-off, and unloads when idle. The process and its requests are
 * EngineConnection's; the models per role and their statuses are ModelSlots'; how a model gets loaded is ModelLoads'.
 */
export class EngineClient implements Engine, EmbeddingEngine {
  /** The in-process engine: nothing it does reaches the network. */
  readonly target: EngineTarget = { kind: "local" };
  private readonly connection: EngineConnection;
  private readonly slots = new ModelSlots();
  private readonly loads: ModelLoads;
  private idleTimer: NodeJS.Timeout | undefined;
  private configureSeq = 0;
  private disposed = false;

  private readonly crashEmitter = new Emitter<EngineCrash>();
  /** The completion model's status (the status bar's). */
  readonly onDidChangeStatus: Event<EngineStatus> = this.slots.onDidChangeStatus;
  /** The status of the model that answers chat: the separate chat model's, or the completion model's. */
  readonly onDidChangeChatStatus: Event<EngineStatus> = this.slots.onDidChangeChatStatus;
  /** Fired once per unexpected exit of the engine process. */
  readonly onDidCrash: Event<EngineCrash> = this.crashEmitter.event;
  /** The embedding model's status: "no-model" while hearth.embedding.modelPath is empty. */
  readonly onDidChangeEmbeddingStatus: Event<EngineStatus> = statusesOf(this.slots.onDidChangeRoleStatus, "embedding");

  constructor(private readonly options: EngineClientOptions) {
    const supervision = { ...DEFAULT_SUPERVISION, ...options.supervision };
    this.connection = new EngineConnection({
      workerPath: options.workerPath,
      execPath: options.execPath,
      env: options.env,
      logger: options.logger,
      supervision,
      restartBackoffMs: options.restartBackoffMs ?? DEFAULT_BACKOFF_MS,
      onState: (role, state) => this.onWorkerState(role, state),
      onCrash: (crash) => this.onCrash(crash),
    });
    this.loads = new ModelLoads({
      slots: this.slots,
      connection: this.connection,
      supervision,
      logger: options.logger,
      maxLoadCrashes: options.maxLoadCrashes,
      adviseOnRefusal: options.adviseOnRefusal,
    });
  }

  get status(): EngineStatus {
    return this.slots.status;
  }

  /** The model that answers chat: a ready status names it (ModelInfo.name), so the chat can say who answers. */
  get chatStatus(): EngineStatus {
    return this.slots.chatStatus;
  }

  get embeddingStatus(): EngineStatus {
    return this.slots.statusFor("embedding");
  }

  /** The status of the model that serves `role`. */
  statusFor(role: ModelRole): EngineStatus {
    return this.slots.statusFor(role);
  }

  get pid(): number | undefined {
    return this.connection.pid;
  }

  /** Takes new settings; checks the model file cheaply, and drops a loaded model that no longer matches. */
  async configure(settings: EngineSettings): Promise<EngineStatus> {
    const seq = ++this.configureSeq;
    const slots = this.slots;
    slots.useSettings({ ...settings, threads: settings.threads > 0 ? settings.threads : defaultThreads() });
    // A model that crashed the engine on every load is tried again once its settings change.
    this.loads.crashes.keepOnly(MODEL_ROLES.map((role) => slots.settingsKey(role)));
    const [check, ...secondaryChecks] = await Promise.all([
      checkModelFile(settings.modelPath),
      ...SECONDARY_ROLES.map((role) => (slots.hasOwnModel(role) ? checkModelFile(slots.modelPathOf(role)) : undefined)),
    ]);
    if (seq !== this.configureSeq) return slots.status;
    // Each model reloads only when its own settings changed: choosing a chat model leaves the completion model be.
    for (const role of MODEL_ROLES) {
      const loaded = slots.slot(role).loadedKey;
      if (loaded && loaded !== slots.settingsKey(role)) await this.unloadRole(role);
    }
    SECONDARY_ROLES.forEach((role, i) => this.showFileCheck(role, secondaryChecks[i]));
    if (!check.ok) {
      slots.setStatusOf("completion", { kind: "no-model", problem: check.problem });
      if (check.problem.code !== "not-configured") this.options.logger.warn(check.problem.message);
    } else if (!isLoadingOrReady(slots.status)) {
      const loop = this.loads.crashLoopFailure("completion");
      slots.setStatusOf("completion", loop ? { kind: "error", error: loop, modelPath: check.path } : { kind: "idle", modelPath: check.path });
    }
    this.armIdleTimer();
    return slots.status;
  }

  /** A secondary role's status after the cheap check of its file (undefined: no file of its own is set). */
  private showFileCheck(role: ModelRole, check: ModelFileCheck | undefined): void {
    const slots = this.slots;
    if (!check) {
      // Without a file of its own the role is served by its fallback, or shows that none is configured.
      if (!ROLE_SETTINGS[role].fallback && slots.statusOf(role).kind !== "no-model") slots.setStatusOf(role, notConfiguredStatus(role));
      else slots.repeatStatusFor(role);
    } else if (!check.ok) {
      slots.setStatusOf(role, { kind: "no-model", problem: roleProblem(role, check.problem) });
      this.options.logger.warn(roleProblem(role, check.problem).message);
    } else if (!isLoadingOrReady(slots.statusOf(role))) {
      const loop = this.loads.crashLoopFailure(role);
      slots.setStatusOf(role, loop ? { kind: "error", error: loop, modelPath: check.path } : { kind: "idle", modelPath: check.path });
    }
  }

  /** Loads the configured (completion) model now (it is otherwise loaded on the first request). */
  load(signal?: AbortSignal): Promise<ModelInfo> {
    return this.loads.load("completion", signal);
  }

  /** Loads the model that answers chat: the separate chat model where one is set, else the completion model. */
  loadChat(signal?: AbortSignal): Promise<ModelInfo> {
    return this.loads.load(this.slots.chatRole(), signal);
  }

  /**
   * This machine's memory as node-llama-cpp sees it, GPU included (starts the engine process, loads no model). Falls
   * back to RAM alone when the engine cannot answer within `timeoutMs`, so a picker never waits on a slow start.
   */
  async machineMemory(fallback: MachineMemory, options: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<MachineMemory> {
    const settings = this.slots.settings;
    if (settings?.gpu === "off") return fallback;
    const timeout = AbortSignal.timeout(options.timeoutMs ?? 5000);
    const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
    try {
      return await this.connection.call("memory", { gpu: settings?.gpu ?? "auto", threads: settings?.threads ?? defaultThreads() }, { signal });
    } catch (error) {
      if (options.signal?.aborted) throw error;
      this.options.logger.debug(`could not read the GPU's memory (${describeFailure(error)}); judging fit by RAM alone`);
      return fallback;
    }
  }

  /**
   * Token counts from the loaded model's tokenizer. Never loads a model: null when none is ready (callers estimate
   * then) or when the answer came from another model than the one they asked about.
   */
  async tokenCounts(texts: string[], options: RequestOptions & { role?: ModelRole } = {}): Promise<TokenCountResult | null> {
    // The chat's tokenizer is the completion model's unless a separate chat model is set.
    const role = this.slots.servingRole(options.role ?? "completion");
    if (this.slots.statusOf(role).kind !== "ready") return null;
    try {
      return await this.connection.call("tokenCounts", { texts, role }, options);
    } catch (error) {
      if (options.signal?.aborted) throw error;
      this.options.logger.debug(`counting tokens failed: ${describeFailure(error)}`);
      return null;
    }
  }

  /** Unloads every model. */
  async unload(): Promise<void> {
    for (const role of MODEL_ROLES) this.slots.slot(role).loadedKey = undefined;
    if (!this.connection.running) return;
    await this.connection.call("unload", {}).catch((error: unknown) => this.options.logger.warn(`unload failed: ${describeFailure(error)}`));
  }

  private async unloadRole(role: ModelRole): Promise<void> {
    this.slots.slot(role).loadedKey = undefined;
    if (!this.connection.running) return;
    await this.connection.call("unload", { role }).catch((error: unknown) => this.options.logger.warn(`unloading the ${role} model failed: ${describeFailure(error)}`));
  }

  infill(params: InfillParams, options: RequestOptions = {}): Promise<GenerationResult> {
    return this.generate("infill", params, options);
  }

  /** Answered by the separate chat model where hearth.chat.modelPath names one, else by the completion model. */
  chat(params: ChatParams, options: RequestOptions = {}): Promise<GenerationResult> {
    const role = this.slots.chatRole();
    return this.generate("chat", role === "chat" ? { ...params, modelRole: role } : params, options, role);
  }

  /**
   * Evaluates the part of the next chat prompt known before the question into the chat model's KV cache while the user
   * types it, so that the answer evaluates only the question. Never loads a model (null when the one that answers chat
   * is not ready) and never holds up a completion: the engine runs it between completions, and a chat request or a newer
   * prefill stops it. It is work ahead of need, so the model is not shown busy for it.
   */
  async prefillChat(params: ChatPrefillParams, options: RequestOptions = {}): Promise<ChatPrefillResult | null> {
    const role = this.slots.chatRole();
    if (this.slots.statusOf(role).kind !== "ready") return null;
    try {
      return await this.connection.call("prefillChat", role === "chat" ? { ...params, modelRole: role } : params, options);
    } finally {
      this.armIdleTimer();
    }
  }

  private async generate<M extends "infill" | "chat" | "nextEdit">(method: M, params: ParamsOf<M>, options: RequestOptions, role: ModelRole = "completion"): Promise<ResultOf<M>> {
    // A cancelled request stops waiting, but the load goes on: the next keystroke's request needs the same model, and
    // cancelling the load on every keystroke would mean it never finishes on a slow machine.
    await untilAborted(this.loads.load(role), options.signal);
    this.slots.requestStarted(role);
    try {
      return await this.connection.call(method, params, options);
    } finally {
      this.slots.requestEnded(role);
      this.armIdleTimer();
    }
  }

  /**
   * The next-edit model's rewrite of a window (hearth.nextEdit.modelPath, loaded on first need). The engine starts it
   * only once no completion is queued or running, and a newer one replaces it.
   */
  nextEdit(params: NextEditParams, options: RequestOptions = {}): Promise<GenerationResult> {
    return this.generate("nextEdit", params, options, "nextEdit");
  }

  /**
   * The known front of the next next-edit prompt into that model's KV cache while the user types (see prefillChat).
   * Never loads the model: null while it is not ready (next-edit off, or its model not loaded yet).
   */
  async prefillNextEdit(params: NextEditPrefillParams, options: RequestOptions = {}): Promise<NextEditPrefillResult | null> {
    if (this.slots.statusOf("nextEdit").kind !== "ready") return null;
    try {
      return await this.connection.call("prefillNextEdit", params, options);
    } finally {
      this.armIdleTimer();
    }
  }

  /**
   * Vectors for `texts` from the embedding model (hearth.embedding.modelPath), loaded on first need, in batches: the
   * engine computes them on one thread and gives way to completions and chat between texts, so indexing never holds
   * up the user. Fails with the model's problem when none is configured or it is not an embedding model.
   */
  async embed(texts: string[], options: EmbedOptions = {}): Promise<EmbedResult> {
    const model = await untilAborted(this.loads.load("embedding"), options.signal);
    this.slots.requestStarted("embedding");
    try {
      return await embedInBatches(texts, model, (batch, before) =>
        this.connection.call("embed", { texts: batch }, { signal: options.signal, onChunk: (done) => options.onEmbedded?.(before + Number(done), texts.length) }),
      );
    } finally {
      this.slots.requestEnded("embedding");
      this.armIdleTimer();
    }
  }

  /**
   * Hearth: Restart Engine. Kills the engine whatever it is doing (waiting requests end as stopped), forgets the crash
   * counts so a model that crashed it is tried again, and starts a fresh process; models load on the next request.
   */
  async restart(): Promise<void> {
    if (this.disposed) return;
    this.options.logger.info("restarting the engine (Hearth: Restart Engine)");
    this.slots.forgetModels();
    this.loads.crashes.clear();
    await this.connection.restart();
    const settings = this.slots.settings;
    for (const role of MODEL_ROLES) {
      const modelPath = this.slots.modelPathOf(role);
      if (modelPath) this.slots.setStatusOf(role, { kind: "idle", modelPath });
    }
    if (settings) await this.configure(settings);
    await this.connection.start();
  }

  /** Stops the engine process; waits briefly for a clean exit, then kills it. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    clearTimeout(this.idleTimer);
    const stopped = this.connection.dispose();
    this.slots.dispose();
    this.crashEmitter.dispose();
    await stopped;
  }

  private onWorkerState(role: ModelRole, state: WorkerState): void {
    this.slots.onWorkerState(role, state.kind === "failed" ? { ...state, error: this.loads.withAdvice(state.error, role) } : state);
  }

  private onCrash({ failure, exitCode, signal, consecutive }: EngineConnectionCrash): void {
    // A load cut short by a crash or a kill counts against its model: one that does it every time stops being tried.
    for (const key of this.slots.loadingKeys()) this.loads.crashes.record(key);
    this.slots.forgetModels();
    const settings = this.slots.settings;
    if (settings?.modelPath) this.slots.setStatusOf("completion", { kind: "error", error: this.loads.crashLoopFailure("completion") ?? failure, modelPath: settings.modelPath });
    for (const role of SECONDARY_ROLES) {
      const modelPath = this.slots.modelPathOf(role);
      if (modelPath && this.slots.statusOf(role).kind !== "no-model") this.slots.setStatusOf(role, { kind: "error", error: this.loads.crashLoopFailure(role) ?? failure, modelPath });
    }
    this.crashEmitter.fire({ exitCode, signal, consecutive, reason: failure.code === "engine-unresponsive" ? "unresponsive" : "crashed", message: failure.message });
  }

  private armIdleTimer(): void {
    clearTimeout(this.idleTimer);
    const idleMs = this.slots.settings?.idleUnloadMs ?? 0;
    if (idleMs <= 0 || this.disposed) return;
    this.idleTimer = setTimeout(() => {
      if (this.slots.generating || !this.slots.anyLoaded) return;
      this.options.logger.info(`unloading the model(s) after ${Math.round(idleMs / 60000)} idle minute(s)`);
      void this.unload();
    }, idleMs);
    this.idleTimer.unref();
  }
}

function isLoadingOrReady(status: EngineStatus): boolean {
  return status.kind === "ready" || status.kind === "loading";
}
