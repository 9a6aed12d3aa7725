import { existsSync } from "node:fs";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { AbortedError, isAbortError } from "../common/abort";
import { errorMessage } from "../common/errors";
import type { Logger } from "../common/logger";
import { ensureLanceThreads } from "./chunk-store";
import type { ChunkHit } from "./chunk-store";
import type { MemorySearcher } from "./codebase-search";
import { NoEmbeddingModelError } from "./embedder";
import type { Embedder, EmbedRole } from "./embedder";
import type { IndexProgress, IndexSummary, MemoryHits } from "./memory-results";
import type { MemoryMessage, MemoryNotice, MemoryRequest, MemoryResult, MemoryStats, MemoryWorkerData } from "./memory-protocol";

/**
 * After the user's last keystroke or the end of a completion, indexing waits this long. Longer than the gap between a
 * slow typist's keystrokes with a completion after each (1.5 s measured in bench/memory/embedding-cost.ts, where a
 * 1.5 s wait let indexing start in every gap and run into the next completion).
 */
export const EDITOR_QUIET_MS = 3000;

/** Where the worker script is: next to the bundle (dist/memory-worker.js) or next to this file (out/, tests). */
export function locateMemoryWorker(): string | null {
  const path = join(__dirname, "memory-worker.js");
  return existsSync(path) ? path : null;
}

interface Pending {
  resolve(result: MemoryResult | null): void;
  reject(error: Error): void;
  onProgress?: (p: IndexProgress) => void;
}

export interface WorkerMemoryOptions extends Omit<MemoryWorkerData, "embeddings"> {
  logger: Logger;
  /** Null: no embedding model (full text and symbols only). */
  embedder: Embedder | null;
  workerPath?: string;
  /** How long indexing waits after a keystroke or a completion (EDITOR_QUIET_MS). */
  quietMs?: number;
}

/**
 * Codebase memory as the extension host sees it: every call is a message to the memory worker thread, which owns the
 * indexer and the LanceDB store; the worker's requests to embed texts are answered here with the engine's embedding
 * model. A worker that dies fails what was waiting and is started again on the next call (three times at most).
 */
export class WorkerCodebaseMemory implements MemorySearcher {
  private worker: Worker | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly embeds = new Map<number, AbortController>();
  private failures = 0;
  private disposed = false;
  private busy = false;
  private manualBusy = false;
  private quietTimer: NodeJS.Timeout | undefined;

  constructor(private readonly opts: WorkerMemoryOptions) {}

  async indexFolders(roots: readonly string[], signal?: AbortSignal, onProgress?: (p: IndexProgress) => void): Promise<IndexSummary | null> {
    const id = this.nextId++;
    const onAbort = (): void => void this.post({ type: "cancel", id: this.nextId++, target: id });
    signal?.addEventListener("abort", onAbort, { once: true });
    try {
      return (await this.request({ type: "index-folders", id, roots: [...roots] }, onProgress)) as IndexSummary | null;
    } finally {
      signal?.removeEventListener("abort", onAbort);
    }
  }

  updateFile(path: string, text?: string): Promise<boolean> {
    return this.request({ type: "update-file", id: this.nextId++, path, text }).then((r) => r === true);
  }

  removeFile(path: string): Promise<void> {
    return this.request({ type: "remove-file", id: this.nextId++, path }).then(() => {});
  }

  async search(question: string, limit: number, signal?: AbortSignal): Promise<MemoryHits | null> {
    return (await untilAbortedOrNull(this.request({ type: "search", id: this.nextId++, question, limit }), signal)) as MemoryHits | null;
  }

  /** Null once `signal` aborts: the worker may be waiting on a store that cannot open (its embedding model hung). */
  async chunksAt(places: readonly { path: string; line: number }[], limit: number, signal?: AbortSignal): Promise<ChunkHit[] | null> {
    return (await untilAbortedOrNull(this.request({ type: "chunks-at", id: this.nextId++, places: [...places], limit }), signal)) as ChunkHit[] | null;
  }

  async stats(): Promise<MemoryStats | null> {
    return (await this.request({ type: "stats", id: this.nextId++ })) as MemoryStats | null;
  }

  /**
   * While busy (a completion or a chat answer runs), indexing waits before each file, batch write and compaction;
   * when it ends, indexing waits the quiet time more, as after a keystroke: the next completion is likely near.
   */
  setBusy(busy: boolean): void {
    const ended = this.manualBusy && !busy;
    this.manualBusy = busy;
    if (ended) this.noteActivity();
    else this.updateBusy();
  }

  /**
   * The user is at work (a keystroke): indexing waits until `quietMs` have passed without another one or a completion.
   * Automatic completions follow keystrokes, so this also keeps indexing off the CPU while most of them run.
   */
  noteActivity(quietMs = this.opts.quietMs ?? EDITOR_QUIET_MS): void {
    clearTimeout(this.quietTimer);
    this.quietTimer = setTimeout(() => {
      this.quietTimer = undefined;
      this.updateBusy();
    }, quietMs);
    this.quietTimer.unref?.();
    this.updateBusy();
  }

  private updateBusy(): void {
    const busy = this.manualBusy || this.quietTimer !== undefined;
    if (busy === this.busy) return;
    this.busy = busy;
    if (this.worker) this.notify({ type: "busy", busy });
  }

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.quietTimer);
    for (const p of this.pending.values()) p.resolve(null);
    this.pending.clear();
    for (const c of this.embeds.values()) c.abort();
    this.embeds.clear();
    void this.worker?.terminate();
    this.worker = null;
  }

  private request(req: MemoryRequest, onProgress?: (p: IndexProgress) => void): Promise<MemoryResult | null> {
    return new Promise((resolve, reject) => {
      if (!this.post(req)) return resolve(null);
      this.pending.set(req.id, { resolve, reject, onProgress });
    });
  }

  private post(req: MemoryRequest): boolean {
    const worker = this.ensureWorker();
    if (!worker) return false;
    worker.postMessage(req);
    return true;
  }

  private notify(m: MemoryNotice): void {
    this.worker?.postMessage(m);
  }

  private ensureWorker(): Worker | null {
    if (this.worker || this.disposed || this.failures >= 3) return this.worker;
    const path = this.opts.workerPath ?? locateMemoryWorker();
    if (!path) {
      this.failures = 3;
      this.opts.logger.warn("codebase memory: worker script not found; codebase search is off");
      return null;
    }
    const { logger: _logger, embedder, workerPath: _path, quietMs: _quiet, ...rest } = this.opts;
    const data: MemoryWorkerData = { ...rest, embeddings: embedder !== null };
    ensureLanceThreads();
    let worker: Worker;
    try {
      worker = new Worker(path, { workerData: data, resourceLimits: { maxOldGenerationSizeMb: 1024 } });
    } catch (e) {
      this.failures = 3;
      this.opts.logger.warn(`codebase memory: the worker did not start: ${errorMessage(e)}`);
      return null;
    }
    worker.unref();
    worker.on("message", (m: MemoryMessage) => this.onMessage(m));
    worker.on("error", (e) => this.opts.logger.error(`codebase memory: the worker failed: ${e.message}`));
    worker.on("exit", (code) => {
      if (this.worker !== worker) return;
      this.worker = null;
      for (const p of this.pending.values()) p.resolve(null);
      this.pending.clear();
      if (!this.disposed) {
        this.failures++;
        this.opts.logger.warn(`codebase memory: the worker exited (code ${code})`);
      }
    });
    this.worker = worker;
    if (this.busy) this.notify({ type: "busy", busy: true });
    return worker;
  }

  private onMessage(m: MemoryMessage): void {
    switch (m.type) {
      case "log":
        this.opts.logger[m.level](`[memory] ${m.message}`);
        return;
      case "embed":
        void this.answerEmbed(m.embedId, m.texts, m.role);
        return;
      case "cancel-embed":
        this.embeds.get(m.embedId)?.abort();
        this.embeds.delete(m.embedId);
        return;
      case "progress":
        this.pending.get(m.id)?.onProgress?.(m.progress);
        return;
      case "reply":
      case "failed": {
        const p = this.pending.get(m.id);
        if (!p) return;
        this.pending.delete(m.id);
        if (m.type === "failed") p.reject(m.aborted ? new AbortedError() : new Error(m.message));
        else p.resolve(m.result);
      }
    }
  }

  private async answerEmbed(embedId: number, texts: string[], role: EmbedRole | undefined): Promise<void> {
    const embedder = this.opts.embedder;
    if (!embedder) {
      this.notify({ type: "embed-failed", embedId, message: "no embedding model is set", noModel: true });
      return;
    }
    const controller = new AbortController();
    this.embeds.set(embedId, controller);
    try {
      const batch = await embedder.embed(texts, { signal: controller.signal, role });
      this.notify({ type: "embedded", embedId, model: batch.model, vectors: batch.vectors });
    } catch (e) {
      if (!isAbortError(e)) this.notify({ type: "embed-failed", embedId, message: errorMessage(e), noModel: e instanceof NoEmbeddingModelError });
    } finally {
      this.embeds.delete(embedId);
    }
  }
}

/** The reply, or null as soon as `signal` aborts (the worker's answer, when it comes, is dropped). */
function untilAbortedOrNull<T>(reply: Promise<T>, signal: AbortSignal | undefined): Promise<T | null> {
  if (!signal) return reply;
  if (signal.aborted) return Promise.resolve(null);
  return new Promise<T | null>((resolve, reject) => {
    const onAbort = () => resolve(null);
    signal.addEventListener("abort", onAbort, { once: true });
    reply.then(
      (value) => (signal.removeEventListener("abort", onAbort), resolve(value)),
      (error: unknown) => (signal.removeEventListener("abort", onAbort), reject(error)),
    );
  });
}
