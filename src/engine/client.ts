import { availableParallelism } from "node:os";
import { basename } from "node:path";
import { AbortedError, isAbortError } from "../common/abort";
import { Emitter, type Event } from "../common/event";
import type { MachineMemory } from "../models/memory-fit";
import { checkModelFile, type ModelFileProblem } from "../models/model-file";
import type { EngineClientOptions, EngineCrash, EngineSettings, EngineStatus, RequestOptions } from "./client-types";
import { DEFAULT_SUPERVISION, EngineProcess, loadDeadlineMs, type EngineExit, type SupervisionSettings } from "./engine-process";
import { LoadCrashes } from "./load-crashes";
import { withSmallerModelSuggestion } from "./model-suggestion";
import {
  EngineError,
  type ChatParams,
  type EngineErrorPayload,
  type EngineMethod,
  type GenerationResult,
  type HostToWorker,
  type InfillParams,
  type ModelInfo,
  type ModelRole,
  type ParamsOf,
  type ResultOf,
  type TokenCountResult,
  type WorkerState,
  type WorkerToHost,
} from "./protocol";

export type { EngineClientOptions, EngineCrash, EngineSettings, EngineStatus, RequestOptions } from "./client-types";

interface PendingRequest {
  method: EngineMethod;
  /** The model a load was for: a refusal suggests a smaller model of that role. */
  role?: ModelRole;
  resolve(value: unknown): void;
  reject(error: Error): void;
  onChunk?: (text: string) => void;
}

/** Where one model stands in the client: what is loaded, what is loading. */
interface RoleState {
  loadedKey?: string | undefined;
  loadingKey?: string | undefined;
  loadPromise?: Promise<ModelInfo> | undefined;
  /** The file size of the model being loaded: a suggestion after a refusal must be smaller than it. */
  loadingSizeBytes?: number | undefined;
}

const DEFAULT_BACKOFF_MS = [250, 1000, 4000, 15000, 30000];
const DEFAULT_MAX_LOAD_CRASHES = 3;

export function defaultThreads(): number {
  return Math.max(1, availableParallelism() - 1);
}

/**
 * The extension host's side of the engine: forks the engine process on first need, loads the model lazily, streams
 * results, cancels, restarts after a crash with back-off, and unloads when idle.
 */
export class EngineClient {
  private child: EngineProcess | undefined;
  private childReady: Promise<EngineProcess> | undefined;
  private readonly supervision: SupervisionSettings;
  private readonly loadCrashes: LoadCrashes;
  private readonly pending = new Map<number, PendingRequest>();
  private nextId = 1;
  private settings: EngineSettings | undefined;
  private currentStatus: EngineStatus = { kind: "no-model", problem: { code: "not-configured", message: "No model is configured." } };
  /** The separate chat model's own status; unused while the completion model answers chat. */
  private chatOwnStatus: EngineStatus = { kind: "no-model", problem: { code: "not-configured", message: "No chat model is configured." } };
  private readonly roles: Record<ModelRole, RoleState> = { completion: {}, chat: {} };
  private activeChats = 0;
  private consecutiveCrashes = 0;
  private restartNotBefore = 0;
  private idleTimer: NodeJS.Timeout | undefined;
  private activeGenerations = 0;
  private configureSeq = 0;
  private disposed = false;

  private readonly statusEmitter = new Emitter<EngineStatus>();
  private readonly crashEmitter = new Emitter<EngineCrash>();
  private readonly chatStatusEmitter = new Emitter<EngineStatus>();
  /** The completion model's status (the status bar's). */
  readonly onDidChangeStatus: Event<EngineStatus> = this.statusEmitter.event;
  /** The status of the model that answers chat: the separate chat model's, or the completion model's. */
  readonly onDidChangeChatStatus: Event<EngineStatus> = this.chatStatusEmitter.event;
  /** Fired once per unexpected exit of the engine process. */
  readonly onDidCrash: Event<EngineCrash> = this.crashEmitter.event;

  constructor(private readonly options: EngineClientOptions) {
    this.supervision = { ...DEFAULT_SUPERVISION, ...options.supervision };
    this.loadCrashes = new LoadCrashes(options.maxLoadCrashes ?? DEFAULT_MAX_LOAD_CRASHES);
  }

  get status(): EngineStatus {
    return this.currentStatus;
  }

  /** The model that answers chat: a ready status names it (ModelInfo.name), so the chat can say who answers. */
  get chatStatus(): EngineStatus {
    return this.statusOf(this.chatRole());
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Takes new settings; checks the model file cheaply, and drops a loaded model that no longer matches. */
  async configure(settings: EngineSettings): Promise<EngineStatus> {
    const seq = ++this.configureSeq;
    this.settings = { ...settings, threads: settings.threads > 0 ? settings.threads : defaultThreads() };
    // A model that crashed the engine on every load is tried again once its settings change.
    this.loadCrashes.keepOnly([this.settingsKey("completion"), this.settingsKey("chat")]);
    const [check, chatCheck] = await Promise.all([checkModelFile(settings.modelPath), this.hasChatModel() ? checkModelFile(settings.chatModelPath) : undefined]);
    if (seq !== this.configureSeq) return this.currentStatus;
    // Each model reloads only when its own settings changed: choosing a chat model leaves the completion model be.
    if (this.roles.completion.loadedKey && this.roles.completion.loadedKey !== this.settingsKey("completion")) await this.unloadRole("completion");
    if (this.roles.chat.loadedKey && this.roles.chat.loadedKey !== this.settingsKey("chat")) await this.unloadRole("chat");
    if (chatCheck && !chatCheck.ok) {
      this.setChatStatus({ kind: "no-model", problem: chatProblem(chatCheck.problem) });
      this.options.logger.warn(chatProblem(chatCheck.problem).message);
    } else if (chatCheck?.ok && this.chatOwnStatus.kind !== "ready" && this.chatOwnStatus.kind !== "loading") {
      const loop = this.crashLoopFailure("chat");
      this.setChatStatus(loop ? { kind: "error", error: loop, modelPath: chatCheck.path } : { kind: "idle", modelPath: chatCheck.path });
    } else if (!chatCheck) {
      this.chatStatusEmitter.fire(this.chatStatus);
    }
    if (!check.ok) {
      this.setStatus({ kind: "no-model", problem: check.problem });
      if (check.problem.code !== "not-configured") this.options.logger.warn(check.problem.message);
    } else if (this.currentStatus.kind !== "ready" && this.currentStatus.kind !== "loading") {
      const loop = this.crashLoopFailure("completion");
      this.setStatus(loop ? { kind: "error", error: loop, modelPath: check.path } : { kind: "idle", modelPath: check.path });
    }
    this.armIdleTimer();
    return this.currentStatus;
  }

  /** Loads the configured (completion) model now (it is otherwise loaded on the first request). */
  load(signal?: AbortSignal): Promise<ModelInfo> {
    return this.loadRole("completion", signal);
  }

  /** Loads the model that answers chat: the separate chat model where one is set, else the completion model. */
  loadChat(signal?: AbortSignal): Promise<ModelInfo> {
    return this.loadRole(this.chatRole(), signal);
  }

  private async loadRole(role: ModelRole, signal?: AbortSignal): Promise<ModelInfo> {
    const settings = this.requireSettings();
    const state = this.roles[role];
    const key = this.settingsKey(role);
    const modelPath = role === "chat" ? (settings.chatModelPath ?? "") : settings.modelPath;
    // The common case, once per keystroke: no file I/O, so requests reach the engine in the order they were made.
    const ready = this.statusOf(role);
    if (state.loadedKey === key && ready.kind === "ready") return ready.model;
    const check = await checkModelFile(modelPath);
    if (!check.ok) {
      const problem = role === "chat" ? chatProblem(check.problem) : check.problem;
      if (role === "chat") this.setChatStatus({ kind: "no-model", problem });
      else this.setStatus({ kind: "no-model", problem });
      throw new EngineError({ code: "model-invalid", message: problem.message });
    }
    const again = this.statusOf(role);
    if (state.loadedKey === key && again.kind === "ready") return again.model;
    if (state.loadPromise && state.loadingKey === key) return state.loadPromise;
    const loop = this.crashLoopFailure(role);
    if (loop) {
      this.setStatusOf(role, { kind: "error", error: loop, modelPath });
      throw new EngineError(loop);
    }
    state.loadingKey = key;
    state.loadingSizeBytes = check.sizeBytes;
    const loading = this.call("load", {
      modelPath,
      ...(role === "chat" ? { role } : {}),
      threads: settings.threads,
      contextSize: settings.contextSize,
      gpu: settings.gpu,
      ...(settings.memoryBudgetBytes !== undefined ? { memoryBudgetBytes: settings.memoryBudgetBytes } : {}),
      // The adapters are trained for the completion model (hearth.model.loraAdapters names it).
      ...(role === "completion" && settings.loraAdapters?.length ? { loraAdapters: settings.loraAdapters } : {}),
    }, { signal }, loadDeadlineMs(check.sizeBytes, this.supervision));
    state.loadPromise = loading;
    try {
      const model = await loading;
      state.loadedKey = key;
      this.loadCrashes.succeeded(key);
      return model;
    } catch (error) {
      if (!isAbortError(error)) this.options.logger.error(`loading ${modelPath}${role === "chat" ? " for chat" : ""} failed: ${describe(error)}`);
      throw error;
    } finally {
      if (state.loadPromise === loading) {
        state.loadPromise = undefined;
        state.loadingKey = undefined;
      }
    }
  }

  /**
   * This machine's memory as node-llama-cpp sees it, GPU included (starts the engine process, loads no model). Falls
   * back to RAM alone when the engine cannot answer within `timeoutMs`, so a picker never waits on a slow start.
   */
  async machineMemory(fallback: MachineMemory, options: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<MachineMemory> {
    const settings = this.settings;
    if (settings?.gpu === "off") return fallback;
    const timeout = AbortSignal.timeout(options.timeoutMs ?? 5000);
    const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
    try {
      return await this.call("memory", { gpu: settings?.gpu ?? "auto", threads: settings?.threads ?? defaultThreads() }, { signal });
    } catch (error) {
      if (options.signal?.aborted) throw error;
      this.options.logger.debug(`could not read the GPU's memory (${describe(error)}); judging fit by RAM alone`);
      return fallback;
    }
  }

  /**
   * Token counts from the loaded model's tokenizer. Never loads a model: null when none is ready (callers estimate
   * then) or when the answer came from another model than the one they asked about.
   */
  async tokenCounts(texts: string[], options: RequestOptions & { role?: ModelRole } = {}): Promise<TokenCountResult | null> {
    // The chat's tokenizer is the completion model's unless a separate chat model is set.
    const role = options.role === "chat" ? this.chatRole() : "completion";
    if (this.statusOf(role).kind !== "ready") return null;
    try {
      return await this.call("tokenCounts", { texts, role }, options);
    } catch (error) {
      if (options.signal?.aborted) throw error;
      this.options.logger.debug(`counting tokens failed: ${describe(error)}`);
      return null;
    }
  }

  /** Unloads every model. */
  async unload(): Promise<void> {
    this.roles.completion.loadedKey = undefined;
    this.roles.chat.loadedKey = undefined;
    if (!this.child) return;
    await this.call("unload", {}, {}).catch((error: unknown) => this.options.logger.warn(`unload failed: ${describe(error)}`));
  }

  private async unloadRole(role: ModelRole): Promise<void> {
    this.roles[role].loadedKey = undefined;
    if (!this.child) return;
    await this.call("unload", { role }, {}).catch((error: unknown) => this.options.logger.warn(`unloading the ${role} model failed: ${describe(error)}`));
  }

  infill(params: InfillParams, options: RequestOptions = {}): Promise<GenerationResult> {
    return this.generate("infill", params, options);
  }

  /** Answered by the separate chat model where hearth.chat.modelPath names one, else by the completion model. */
  chat(params: ChatParams, options: RequestOptions = {}): Promise<GenerationResult> {
    const role = this.chatRole();
    return this.generate("chat", role === "chat" ? { ...params, modelRole: role } : params, options, role);
  }

  private async generate<M extends "infill" | "chat">(method: M, params: ParamsOf<M>, options: RequestOptions, role: ModelRole = "completion"): Promise<ResultOf<M>> {
    // A cancelled request stops waiting, but the load goes on: the next keystroke's request needs the same model, and
    // cancelling the load on every keystroke would mean it never finishes on a slow machine.
    await untilAborted(this.loadRole(role), options.signal);
    this.activeGenerations++;
    if (method === "chat") this.activeChats++;
    this.markBusy();
    try {
      const result = await this.call(method, params, options);
      this.consecutiveCrashes = 0;
      return result;
    } finally {
      this.activeGenerations--;
      if (method === "chat") this.activeChats--;
      this.markBusy();
      this.armIdleTimer();
    }
  }

  /** `loadMs`: a load's deadline without progress (see engine-process.ts); other requests get the inactivity one. */
  private async call<M extends EngineMethod>(method: M, params: ParamsOf<M>, options: RequestOptions, loadMs?: number): Promise<ResultOf<M>> {
    if (options.signal?.aborted) throw new AbortedError();
    const child = await this.ensureProcess();
    if (options.signal?.aborted) throw new AbortedError();
    const id = this.nextId++;
    return new Promise<ResultOf<M>>((resolve, reject) => {
      const onAbort = () => {
        // The caller is answered at once; the engine stops within a token and its late reply is dropped.
        child.send({ type: "cancel", id });
        child.unwatch(id);
        this.pending.delete(id);
        reject(new AbortedError());
      };
      const cleanup = () => {
        options.signal?.removeEventListener("abort", onAbort);
        child.unwatch(id);
      };
      this.pending.set(id, {
        method,
        ...(method === "load" ? { role: (params as ParamsOf<"load">).role ?? "completion" } : {}),
        resolve: (value) => {
          cleanup();
          resolve(value as ResultOf<M>);
        },
        reject: (error) => {
          cleanup();
          reject(error);
        },
        ...(options.onChunk ? { onChunk: options.onChunk } : {}),
      });
      options.signal?.addEventListener("abort", onAbort, { once: true });
      child.send({ type: "request", id, method, params } as HostToWorker);
      // A load, and a GPU probe (it starts the GPU backend), may hold the worker's thread: their own deadline judges them.
      const holdsThread = method === "load" || method === "memory";
      const limitMs = method === "load" ? (loadMs ?? loadDeadlineMs(0, this.supervision)) : holdsThread ? loadDeadlineMs(0, this.supervision) : this.supervision.requestInactivityMs;
      const what = method === "load" ? `Loading ${basename((params as ParamsOf<"load">).modelPath)}` : WORK[method as Exclude<EngineMethod, "load">];
      child.watch(id, { limitMs, what, holdsThread });
    });
  }

  private async ensureProcess(): Promise<EngineProcess> {
    if (this.disposed) throw new EngineError({ code: "internal", message: "The engine client was disposed." });
    if (this.child) return this.child;
    this.childReady ??= this.startProcess().finally(() => (this.childReady = undefined));
    return this.childReady;
  }

  private async startProcess(): Promise<EngineProcess> {
    const wait = this.restartNotBefore - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    if (this.disposed) throw new EngineError({ code: "internal", message: "The engine client was disposed." });
    const child: EngineProcess = new EngineProcess({
      workerPath: this.options.workerPath,
      ...(this.options.execPath ? { execPath: this.options.execPath } : {}),
      ...(this.options.env ? { env: this.options.env } : {}),
      logger: this.options.logger,
      supervision: this.supervision,
      // A process being replaced may still talk: only the current one's messages count.
      onMessage: (message) => this.child === child && this.onMessage(message),
      onExit: (exit) => this.onExit(child, exit),
    });
    this.child = child;
    return child;
  }

  private onMessage(message: WorkerToHost): void {
    switch (message.type) {
      case "chunk":
        this.pending.get(message.id)?.onChunk?.(message.text);
        return;
      case "result": {
        const request = this.pending.get(message.id);
        this.pending.delete(message.id);
        request?.resolve(message.result);
        return;
      }
      case "error": {
        const request = this.pending.get(message.id);
        this.pending.delete(message.id);
        request?.reject(new EngineError(this.withSuggestion(message.error, request?.role)));
        return;
      }
      case "state":
        this.onWorkerState(message.role === "chat" ? "chat" : "completion", message.state);
        return;
      case "log":
        this.options.logger[message.level](`engine: ${message.message}`);
        return;
      default:
        // "started"; the heartbeat's "pong" and "progress" stay with the EngineProcess.
        return;
    }
  }

  /** A model's state from the worker; the separate chat model's never changes the completion model's status (the status bar's). */
  private onWorkerState(role: ModelRole, state: WorkerState): void {
    const chat = role === "chat";
    const set = (status: EngineStatus) => (chat ? this.setChatStatus(status) : this.setStatus(status));
    switch (state.kind) {
      case "loading":
        set({ kind: "loading", modelPath: state.modelPath, progress: state.progress });
        return;
      case "ready":
        set({ kind: "ready", model: state.model, busy: (chat ? this.activeChats : this.activeGenerations) > 0 });
        return;
      case "failed":
        this.roles[role].loadedKey = undefined;
        if (state.error.code === "cancelled") set({ kind: "idle", modelPath: state.modelPath });
        else set({ kind: "error", error: this.withSuggestion(state.error, role), modelPath: state.modelPath });
        return;
      case "empty": {
        this.roles[role].loadedKey = undefined;
        const path = chat ? this.settings?.chatModelPath : this.settings?.modelPath;
        if (path && this.statusOf(role).kind !== "no-model") set({ kind: "idle", modelPath: path });
        return;
      }
    }
  }

  private withSuggestion(error: EngineErrorPayload, role: ModelRole = "completion"): EngineErrorPayload {
    return withSmallerModelSuggestion(error, role, this.settings?.contextSize ?? 4096, this.roles[role].loadingSizeBytes);
  }

  private onExit(child: EngineProcess, { code, signal, reason }: EngineExit): void {
    if (this.child !== child) return;
    this.child = undefined;
    for (const role of ["completion", "chat"] as const) {
      // A load cut short by a crash or a kill counts against its model: one that does it every time stops being tried.
      const loading = this.roles[role].loadingKey;
      if (loading) this.loadCrashes.record(loading);
    }
    this.forgetModels();
    const failure: EngineErrorPayload = reason ?? {
      code: "engine-crashed",
      message: `The engine process stopped unexpectedly (${signal ? `signal ${signal}` : `exit code ${String(code)}`}). It restarts on the next request.`,
    };
    this.rejectPending(new EngineError(failure));
    if (this.disposed) return;
    this.consecutiveCrashes++;
    const backoff = this.options.restartBackoffMs ?? DEFAULT_BACKOFF_MS;
    const delay = backoff[Math.min(this.consecutiveCrashes - 1, backoff.length - 1)] ?? 0;
    this.restartNotBefore = Date.now() + delay;
    this.options.logger.error(`${reason ? "engine stopped" : failure.message} Restart allowed in ${delay} ms.`);
    if (this.settings?.modelPath) this.setStatus({ kind: "error", error: this.crashLoopFailure("completion") ?? failure, modelPath: this.settings.modelPath });
    if (this.hasChatModel() && this.chatOwnStatus.kind !== "no-model") this.setChatStatus({ kind: "error", error: this.crashLoopFailure("chat") ?? failure, ...(this.settings?.chatModelPath ? { modelPath: this.settings.chatModelPath } : {}) });
    this.crashEmitter.fire({ exitCode: code, signal, consecutive: this.consecutiveCrashes, reason: failure.code === "engine-unresponsive" ? "unresponsive" : "crashed", message: failure.message });
  }

  private crashLoopFailure(role: ModelRole): EngineErrorPayload | undefined {
    return this.loadCrashes.refusal(this.settingsKey(role), (role === "chat" ? this.settings?.chatModelPath : this.settings?.modelPath) ?? "");
  }

  /**
   * Hearth: Restart Engine. Kills the engine whatever it is doing (waiting requests end as stopped), forgets the crash
   * counts so a model that crashed it is tried again, and starts a fresh process; models load on the next request.
   */
  async restart(): Promise<void> {
    if (this.disposed) return;
    this.options.logger.info("restarting the engine (Hearth: Restart Engine)");
    const child = this.child;
    this.child = undefined;
    this.forgetModels();
    this.rejectPending(new AbortedError("The engine was restarted."));
    this.loadCrashes.clear();
    this.consecutiveCrashes = 0;
    this.restartNotBefore = 0;
    await child?.stop(0);
    const settings = this.settings;
    if (settings?.modelPath) this.setStatus({ kind: "idle", modelPath: settings.modelPath });
    if (settings?.chatModelPath) this.setChatStatus({ kind: "idle", modelPath: settings.chatModelPath });
    if (settings) await this.configure(settings);
    await this.ensureProcess();
  }

  private forgetModels(): void {
    for (const role of ["completion", "chat"] as const) {
      const state = this.roles[role];
      state.loadedKey = state.loadingKey = state.loadPromise = undefined;
    }
  }

  private rejectPending(error: Error): void {
    for (const [id, request] of this.pending) {
      this.pending.delete(id);
      request.reject(error);
    }
  }

  private markBusy(): void {
    if (this.currentStatus.kind === "ready") {
      const busy = this.activeGenerations > 0;
      if (this.currentStatus.busy !== busy) this.setStatus({ ...this.currentStatus, busy });
    }
    if (this.hasChatModel() && this.chatOwnStatus.kind === "ready") {
      const busy = this.activeChats > 0;
      if (this.chatOwnStatus.busy !== busy) this.setChatStatus({ ...this.chatOwnStatus, busy });
    }
  }

  private armIdleTimer(): void {
    clearTimeout(this.idleTimer);
    const idleMs = this.settings?.idleUnloadMs ?? 0;
    if (idleMs <= 0 || this.disposed) return;
    this.idleTimer = setTimeout(() => {
      if (this.activeGenerations > 0 || (!this.roles.completion.loadedKey && !this.roles.chat.loadedKey)) return;
      this.options.logger.info(`unloading the model(s) after ${Math.round(idleMs / 60000)} idle minute(s)`);
      void this.unload();
    }, idleMs);
    this.idleTimer.unref();
  }

  private setStatus(status: EngineStatus): void {
    this.currentStatus = status;
    this.statusEmitter.fire(status);
    if (!this.hasChatModel()) this.chatStatusEmitter.fire(status);
  }

  private setChatStatus(status: EngineStatus): void {
    this.chatOwnStatus = status;
    if (this.hasChatModel()) this.chatStatusEmitter.fire(status);
  }

  private hasChatModel(): boolean {
    return Boolean(this.settings?.chatModelPath);
  }

  /** The role whose model answers chat: the separate chat model where one is set, else the completion model. */
  private chatRole(): ModelRole {
    return this.hasChatModel() ? "chat" : "completion";
  }

  /** The status of the model held for `role` (the separate chat model's own, for "chat"). */
  private statusOf(role: ModelRole): EngineStatus {
    return role === "chat" ? this.chatOwnStatus : this.currentStatus;
  }

  private setStatusOf(role: ModelRole, status: EngineStatus): void {
    if (role === "chat") this.setChatStatus(status);
    else this.setStatus(status);
  }

  private requireSettings(): EngineSettings {
    if (!this.settings) throw new EngineError({ code: "model-invalid", message: "No model is configured (setting hearth.model.path)." });
    return this.settings;
  }

  /** What a loaded model depends on: a change reloads it, and only it. */
  private settingsKey(role: ModelRole): string {
    const s = this.settings;
    if (!s) return "";
    if (role === "chat") return s.chatModelPath ? JSON.stringify([s.chatModelPath, s.threads, s.contextSize, s.gpu, s.memoryBudgetBytes ?? null]) : "";
    return JSON.stringify([s.modelPath, s.threads, s.contextSize, s.gpu, s.memoryBudgetBytes ?? null, s.loraAdapters ?? []]);
  }

  /** Stops the engine process; waits briefly for a clean exit, then kills it. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    clearTimeout(this.idleTimer);
    const child = this.child;
    this.child = undefined;
    this.rejectPending(new AbortedError("The engine was stopped."));
    this.statusEmitter.dispose();
    this.chatStatusEmitter.dispose();
    this.crashEmitter.dispose();
    await child?.stop();
  }
}

/** What each request is called in a message about one that stopped moving. */
const WORK: Record<Exclude<EngineMethod, "load">, string> = {
  infill: "A completion",
  chat: "A chat answer",
  tokenCounts: "Counting tokens",
  memory: "Reading the GPU's memory",
  unload: "Unloading the model",
};

/** Resolves with `promise`, or rejects with an AbortedError as soon as `signal` aborts (the promise itself goes on). */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(new AbortedError());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new AbortedError());
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}

/** A chat model's file problem, naming the setting to correct. */
function chatProblem(problem: ModelFileProblem): ModelFileProblem {
  return { ...problem, message: `The chat model (setting hearth.chat.modelPath) cannot be used: ${problem.message}` };
}

function describe(error: unknown): string {
  if (error instanceof EngineError) return error.detail ? `${error.message} (${error.detail})` : error.message;
  return error instanceof Error ? error.message : String(error);
}
