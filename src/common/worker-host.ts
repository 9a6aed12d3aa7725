import { Worker } from "node:worker_threads";
import { AbortedError } from "./abort";
import { errorMessage } from "./errors";
import type { Logger } from "./logger";

/** Asks the worker to stop the request `target` (it then answers with what it has, or as aborted). */
export interface WorkerCancel {
  type: "cancel";
  id: number;
  target: number;
}

/** The messages every worker thread of Hearth's may send: a request's answer, its failure, a line for the log. */
export type WorkerReply<R> =
  | { type: "reply"; id: number; result: R }
  | { type: "failed"; id: number; message: string; aborted?: boolean }
  | { type: "log"; level: "debug" | "info" | "warn" | "error"; message: string };

/**
 * One worker's vocabulary. `request`: the host's messages the worker answers (`WorkerCancel` among them);
 * `notice`: the host's messages it does not answer; `event`: the worker's messages besides `WorkerReply`: those
 * carrying a request's `id` go to that request's `onUpdate`, the others to `onEvent`.
 */
export interface WorkerProtocol {
  request: { type: string; id: number };
  notice: object;
  result: unknown;
  event: { type: string };
}

type WithoutId<T> = T extends unknown ? Omit<T, "id"> : never;
type Incoming<P extends WorkerProtocol> = WorkerReply<P["result"]> | P["event"];

export interface WorkerHostOptions<P extends WorkerProtocol> {
  /** Names the worker in the log ("index", "codebase memory") and prefixes its own lines. */
  name: string;
  logger: Logger;
  /** The worker's script, or null when it is not there. */
  scriptPath(): string | null;
  /** What the user loses while the worker cannot run, for the log ("codebase search is off"). */
  offWithout: string;
  workerData(): unknown;
  maxOldGenerationSizeMb: number;
  /** Called just before a worker starts (once per start). */
  beforeStart?(): void;
  /** Called when a worker has started: the place to send it the state it must know. */
  onStart?(): void;
  onEvent?(event: P["event"]): void;
}

export interface WorkerRequestOptions<P extends WorkerProtocol> {
  /** Aborting it sends the worker a cancel for this request, whose answer is then awaited as any other. */
  cancelWith?: AbortSignal;
  /** Aborting it stops waiting: the answer is null, and the worker's reply, when it comes, is dropped. */
  giveUpWith?: AbortSignal;
  /** As `giveUpWith`, after this many milliseconds. */
  timeoutMs?: number;
  /** The worker's messages about this request while it runs (progress). */
  onUpdate?(event: P["event"]): void;
}

interface Pending<P extends WorkerProtocol> {
  resolve(result: P["result"] | null): void;
  reject(error: Error): void;
  onUpdate?(event: P["event"]): void;
}

/** Crashes after which a worker is not started again: the feature stays off until the window reloads. */
export const MAX_WORKER_CRASHES = 3;

/**
 * The extension host's side of one worker thread: starts it on the first request, numbers the requests and matches
 * the replies, answers null to every request still waiting when the worker exits (a crash, or `dispose`), starts a
 * fresh one on the next request after a crash, and after `MAX_WORKER_CRASHES` leaves it off. A failed request rejects
 * (an `AbortedError` when the worker says it was aborted); nothing else does.
 */
export class WorkerHost<P extends WorkerProtocol> {
  private worker: Worker | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, Pending<P>>();
  private crashes = 0;
  private disposed = false;

  constructor(private readonly opts: WorkerHostOptions<P>) {}

  /** Whether a worker is running now (notices to a worker that is not are dropped). */
  get running(): boolean {
    return this.worker !== null;
  }

  request(body: WithoutId<P["request"]>, options: WorkerRequestOptions<P> = {}): Promise<P["result"] | null> {
    const id = this.nextId++;
    const reply = new Promise<P["result"] | null>((resolve, reject) => {
      if (!this.post({ ...body, id } as P["request"])) return resolve(null);
      this.pending.set(id, { resolve, reject, onUpdate: options.onUpdate });
    });
    const { cancelWith } = options;
    if (cancelWith) {
      // A worker that died meanwhile has answered null already: a cancel must not start a fresh one.
      const onAbort = (): void => this.worker?.postMessage({ type: "cancel", id: this.nextId++, target: id } satisfies WorkerCancel);
      cancelWith.addEventListener("abort", onAbort, { once: true });
      const removeListener = (): void => cancelWith.removeEventListener("abort", onAbort);
      reply.then(removeListener, removeListener);
    }
    return untilGivenUp(reply, options.giveUpWith, options.timeoutMs);
  }

  /** Posts a message the worker does not answer, if a worker is running. */
  notify(notice: P["notice"]): void {
    this.worker?.postMessage(notice);
  }

  dispose(): void {
    this.disposed = true;
    this.answerAllNull();
    void this.worker?.terminate();
    this.worker = null;
  }

  private post(message: P["request"]): boolean {
    const worker = this.ensureWorker();
    if (!worker) return false;
    worker.postMessage(message);
    return true;
  }

  private ensureWorker(): Worker | null {
    if (this.worker || this.disposed || this.crashes >= MAX_WORKER_CRASHES) return this.worker;
    const { name, logger } = this.opts;
    const path = this.opts.scriptPath();
    if (!path) {
      this.crashes = MAX_WORKER_CRASHES;
      logger.warn(`${name}: the worker script was not found; ${this.opts.offWithout}`);
      return null;
    }
    this.opts.beforeStart?.();
    let worker: Worker;
    try {
      worker = new Worker(path, { workerData: this.opts.workerData(), resourceLimits: { maxOldGenerationSizeMb: this.opts.maxOldGenerationSizeMb } });
    } catch (e) {
      this.crashes = MAX_WORKER_CRASHES;
      logger.warn(`${name}: the worker did not start: ${errorMessage(e)}; ${this.opts.offWithout}`);
      return null;
    }
    // The extension host (or a test, a CLI run) must be able to exit while the worker idles.
    worker.unref();
    worker.on("message", (m: Incoming<P>) => this.onMessage(m));
    worker.on("error", (e) => logger.error(`${name}: the worker failed: ${e.message}`));
    worker.on("exit", (code) => {
      if (this.worker !== worker) return;
      this.worker = null;
      this.answerAllNull();
      if (this.disposed) return;
      this.crashes++;
      const more = this.crashes >= MAX_WORKER_CRASHES ? `; ${this.opts.offWithout}` : "; it starts again on the next request";
      logger.warn(`${name}: the worker exited (code ${code})${more}`);
    });
    this.worker = worker;
    this.opts.onStart?.();
    return worker;
  }

  private answerAllNull(): void {
    const waiting = [...this.pending.values()];
    this.pending.clear();
    for (const p of waiting) p.resolve(null);
  }

  private onMessage(m: Incoming<P>): void {
    const reply = m as WorkerReply<P["result"]>;
    switch (reply.type) {
      case "log":
        this.opts.logger[reply.level](`[${this.opts.name}] ${reply.message}`);
        return;
      case "reply":
      case "failed": {
        const p = this.pending.get(reply.id);
        if (!p) return;
        this.pending.delete(reply.id);
        if (reply.type === "reply") p.resolve(reply.result);
        else p.reject(reply.aborted ? new AbortedError() : new Error(reply.message));
        return;
      }
    }
    this.routeEvent(m as P["event"]);
  }

  private routeEvent(event: P["event"]): void {
    const id = "id" in event ? Number(event.id) : NaN;
    if (Number.isInteger(id)) this.pending.get(id)?.onUpdate?.(event);
    else this.opts.onEvent?.(event);
  }
}

/** The reply, or null as soon as `signal` aborts or `timeoutMs` pass (the worker's answer, when it comes, is dropped). */
function untilGivenUp<T>(reply: Promise<T>, signal: AbortSignal | undefined, timeoutMs: number | undefined): Promise<T | null> {
  if (!signal && timeoutMs === undefined) return reply;
  if (signal?.aborted) return Promise.resolve(null);
  return new Promise<T | null>((resolve, reject) => {
    const giveUp = (): void => (done(), resolve(null));
    const timer = timeoutMs === undefined ? undefined : setTimeout(giveUp, timeoutMs);
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", giveUp);
    };
    signal?.addEventListener("abort", giveUp, { once: true });
    reply.then(
      (value) => (done(), resolve(value)),
      (error: unknown) => (done(), reject(error)),
    );
  });
}
