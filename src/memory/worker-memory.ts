import { existsSync } from "node:fs";
import { join } from "node:path";
import { isAbortError } from "../common/abort";
import { errorMessage } from "../common/errors";
import type { Logger } from "../common/logger";
import { WorkerHost } from "../common/worker-host";
import { ensureLanceThreads } from "./chunk-store";
import type { ChunkHit } from "./chunk-store";
import type { MemorySearcher } from "./codebase-search";
import { NoEmbeddingModelError } from "./embedder";
import type { Embedder, EmbedRole } from "./embedder";
import type { IndexProgress, IndexSummary, MemoryHits } from "./memory-results";
import type { MemoryEvent, MemoryProtocol, MemoryStats, MemoryWorkerData } from "./memory-protocol";

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
  private readonly host: WorkerHost<MemoryProtocol>;
  private readonly embeds = new Map<number, AbortController>();
  private busy = false;
  private manualBusy = false;
  private quietTimer: NodeJS.Timeout | undefined;

  constructor(private readonly opts: WorkerMemoryOptions) {
    const { logger, embedder, workerPath, quietMs: _quiet, ...rest } = opts;
    const data: MemoryWorkerData = { ...rest, embeddings: embedder !== null };
    this.host = new WorkerHost<MemoryProtocol>({
      name: "codebase memory",
      logger,
      scriptPath: () => workerPath ?? locateMemoryWorker(),
      offWithout: "codebase search is off",
      workerData: () => data,
      maxOldGenerationSizeMb: 1024,
      beforeStart: ensureLanceThreads,
      onStart: () => {
        if (this.busy) this.host.notify({ type: "busy", busy: true });
      },
      onEvent: (m) => this.onEvent(m),
    });
  }

  async indexFolders(roots: readonly string[], signal?: AbortSignal, onProgress?: (p: IndexProgress) => void): Promise<IndexSummary | null> {
    const onUpdate = (m: MemoryEvent): void => {
      if (m.type === "progress") onProgress?.(m.progress);
    };
    return (await this.host.request({ type: "index-folders", roots: [...roots] }, { cancelWith: signal, onUpdate })) as IndexSummary | null;
  }

  updateFile(path: string, text?: string): Promise<boolean> {
    return this.host.request({ type: "update-file", path, text }).then((r) => r === true);
  }

  removeFile(path: string): Promise<void> {
    return this.host.request({ type: "remove-file", path }).then(() => {});
  }

  async search(question: string, limit: number, signal?: AbortSignal): Promise<MemoryHits | null> {
    return (await this.host.request({ type: "search", question, limit }, { giveUpWith: signal })) as MemoryHits | null;
  }

  /** Null once `signal` aborts: the worker may be waiting on a store that cannot open (its embedding model hung). */
  async chunksAt(places: readonly { path: string; line: number }[], limit: number, signal?: AbortSignal): Promise<ChunkHit[] | null> {
    return (await this.host.request({ type: "chunks-at", places: [...places], limit }, { giveUpWith: signal })) as ChunkHit[] | null;
  }

  async stats(): Promise<MemoryStats | null> {
    return (await this.host.request({ type: "stats" })) as MemoryStats | null;
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
    this.host.notify({ type: "busy", busy });
  }

  dispose(): void {
    clearTimeout(this.quietTimer);
    this.host.dispose();
    for (const c of this.embeds.values()) c.abort();
    this.embeds.clear();
  }

  private onEvent(m: MemoryEvent): void {
    switch (m.type) {
      case "embed":
        void this.answerEmbed(m.embedId, m.texts, m.role);
        return;
      case "cancel-embed":
        this.embeds.get(m.embedId)?.abort();
        this.embeds.delete(m.embedId);
        return;
    }
  }

  private async answerEmbed(embedId: number, texts: string[], role: EmbedRole | undefined): Promise<void> {
    const embedder = this.opts.embedder;
    if (!embedder) {
      this.host.notify({ type: "embed-failed", embedId, message: "no embedding model is set", noModel: true });
      return;
    }
    const controller = new AbortController();
    this.embeds.set(embedId, controller);
    try {
      const batch = await embedder.embed(texts, { signal: controller.signal, role });
      this.host.notify({ type: "embedded", embedId, model: batch.model, vectors: batch.vectors });
    } catch (e) {
      if (!isAbortError(e)) this.host.notify({ type: "embed-failed", embedId, message: errorMessage(e), noModel: e instanceof NoEmbeddingModelError });
    } finally {
      this.embeds.delete(embedId);
    }
  }
}
