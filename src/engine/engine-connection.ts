import { basename } from "node:path";
import { AbortedError } from "../common/abort";
import type { Logger } from "../common/logger";
import { EngineProcess, loadDeadlineMs, type EngineExit, type SupervisionSettings } from "./engine-process";
import {
  EngineError,
  isModelRole,
  type EngineErrorPayload,
  type EngineMethod,
  type HostToWorker,
  type ModelRole,
  type ParamsOf,
  type ResultOf,
  type WorkerState,
  type WorkerToHost,
} from "./protocol";

export interface EngineConnectionOptions {
  workerPath: string;
  execPath?: string | undefined;
  env?: NodeJS.ProcessEnv | undefined;
  logger: Logger;
  supervision: SupervisionSettings;
  /** Delays before starting the process again after consecutive crashes; the last one repeats. */
  restartBackoffMs: readonly number[];
  /** A model's state as the worker reports it. */
  onState(role: ModelRole, state: WorkerState): void;
  /** The process stopped on its own or was killed as hung; every request that waited on it has failed with `failure`. */
  onCrash(crash: EngineConnectionCrash): void;
}

export interface EngineConnectionCrash {
  failure: EngineErrorPayload;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** Crashes since a generation last succeeded. */
  consecutive: number;
}

export interface CallOptions {
  signal?: AbortSignal | undefined;
  onChunk?: ((text: string) => void) | undefined;
  /** A load's deadline without progress (see engine-process.ts); other requests get the supervision's own. */
  loadMs?: number;
  /** What the caller adds to an error answer before it becomes an EngineError (a load's refusal gets advice). */
  mapError?: (error: EngineErrorPayload) => EngineErrorPayload;
}

interface PendingRequest {
  resolve(value: unknown): void;
  reject(error: Error): void;
  onChunk?: ((text: string) => void) | undefined;
  mapError?: ((error: EngineErrorPayload) => EngineErrorPayload) | undefined;
}

/**
 * Typed requests to the engine process, one process at a time: it is started on the first request, a request is
 * cancelled through its signal, and after a crash the next request starts a fresh process once the back-off allows.
 * The process itself, its heartbeat and its deadlines are EngineProcess's.
 */
export class EngineConnection {
  private child: EngineProcess | undefined;
  private childReady: Promise<EngineProcess> | undefined;
  private readonly pending = new Map<number, PendingRequest>();
  private nextId = 1;
  private consecutiveCrashes = 0;
  private restartNotBefore = 0;
  private disposed = false;

  constructor(private readonly options: EngineConnectionOptions) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Whether a process runs now (a request would otherwise start one). */
  get running(): boolean {
    return this.child !== undefined;
  }

  async call<M extends EngineMethod>(method: M, params: ParamsOf<M>, options: CallOptions = {}): Promise<ResultOf<M>> {
    if (options.signal?.aborted) throw new AbortedError();
    const child = await this.start();
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
        resolve: (value) => {
          cleanup();
          // A generation came back: the engine works again, and a later crash's back-off starts from its first step.
          if (method === "infill" || method === "chat") this.consecutiveCrashes = 0;
          resolve(value as ResultOf<M>);
        },
        reject: (error) => {
          cleanup();
          reject(error);
        },
        onChunk: options.onChunk,
        mapError: options.mapError,
      });
      options.signal?.addEventListener("abort", onAbort, { once: true });
      child.send({ type: "request", id, method, params } as HostToWorker);
      // A load, and a GPU probe (it starts the GPU backend), may hold the worker's thread: their own deadline judges them.
      const holdsThread = method === "load" || method === "memory";
      const supervision = this.options.supervision;
      const limitMs = method === "load" ? (options.loadMs ?? loadDeadlineMs(0, supervision)) : holdsThread ? loadDeadlineMs(0, supervision) : supervision.requestInactivityMs;
      const what = method === "load" ? `Loading ${basename((params as ParamsOf<"load">).modelPath)}` : WORK[method as Exclude<EngineMethod, "load">];
      child.watch(id, { limitMs, what, holdsThread });
    });
  }

  /** The running process, or a new one once the back-off after a crash has passed. */
  start(): Promise<EngineProcess> {
    if (this.disposed) return Promise.reject(new EngineError({ code: "internal", message: "The engine client was disposed." }));
    if (this.child) return Promise.resolve(this.child);
    this.childReady ??= this.startProcess().finally(() => (this.childReady = undefined));
    return this.childReady;
  }

  /**
   * Kills the process whatever it is doing (waiting requests end as stopped) and forgets the crash count, so the next
   * start waits for no back-off; resolves once the old process is gone.
   */
  async restart(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    this.rejectPending(new AbortedError("The engine was restarted."));
    this.consecutiveCrashes = 0;
    this.restartNotBefore = 0;
    await child?.stop(0);
  }

  /** Ends every waiting request and stops the process: it may exit cleanly for a moment, then it is killed. */
  async dispose(): Promise<void> {
    this.disposed = true;
    const child = this.child;
    this.child = undefined;
    this.rejectPending(new AbortedError("The engine was stopped."));
    await child?.stop();
  }

  private async startProcess(): Promise<EngineProcess> {
    const wait = this.restartNotBefore - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    if (this.disposed) throw new EngineError({ code: "internal", message: "The engine client was disposed." });
    const { workerPath, execPath, env, logger, supervision } = this.options;
    const child: EngineProcess = new EngineProcess({
      workerPath,
      ...(execPath ? { execPath } : {}),
      ...(env ? { env } : {}),
      logger,
      supervision,
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
        request?.reject(new EngineError(request.mapError ? request.mapError(message.error) : message.error));
        return;
      }
      case "state":
        this.options.onState(isModelRole(message.role) ? message.role : "completion", message.state);
        return;
      case "log":
        this.options.logger[message.level](`engine: ${message.message}`);
        return;
      default:
        // "started"; the heartbeat's "pong" and "progress" stay with the EngineProcess.
        return;
    }
  }

  private onExit(child: EngineProcess, { code, signal, reason }: EngineExit): void {
    if (this.child !== child) return;
    this.child = undefined;
    const failure: EngineErrorPayload = reason ?? {
      code: "engine-crashed",
      message: `The engine process stopped unexpectedly (${signal ? `signal ${signal}` : `exit code ${String(code)}`}). It restarts on the next request.`,
    };
    this.rejectPending(new EngineError(failure));
    if (this.disposed) return;
    this.consecutiveCrashes++;
    const backoff = this.options.restartBackoffMs;
    const delay = backoff[Math.min(this.consecutiveCrashes - 1, backoff.length - 1)] ?? 0;
    this.restartNotBefore = Date.now() + delay;
    this.options.logger.error(`${reason ? "engine stopped" : failure.message} Restart allowed in ${delay} ms.`);
    this.options.onCrash({ failure, exitCode: code, signal, consecutive: this.consecutiveCrashes });
  }

  private rejectPending(error: Error): void {
    for (const [id, request] of this.pending) {
      this.pending.delete(id);
      request.reject(error);
    }
  }
}

/** What each request is called in a message about one that stopped moving. */
const WORK: Record<Exclude<EngineMethod, "load">, string> = {
  infill: "A completion",
  chat: "A chat answer",
  prefillChat: "Preparing a chat prompt",
  tokenCounts: "Counting tokens",
  memory: "Reading the GPU's memory",
  unload: "Unloading the model",
  embed: "Embedding code",
  nextEdit: "A next-edit suggestion",
  prefillNextEdit: "Preparing a next-edit prompt",
};
