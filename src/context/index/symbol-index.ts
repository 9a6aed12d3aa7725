import { existsSync } from "node:fs";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import type { Logger } from "../../common/logger";
import { SymbolIndexCore } from "./symbol-index-core";
import type { IndexMessage, IndexRequest, IndexResult, IndexWorkerData } from "./symbol-index-protocol";
import type { DefinitionQuery, DefinitionQueryResult, IndexLimits, IndexStats } from "../symbol-types";

/** The workspace index as the context engine sees it; every call is asynchronous and none throws. */
export interface SymbolIndex {
  indexFolders(roots: readonly string[], signal?: AbortSignal): Promise<IndexStats | null>;
  /** Reindex a file: from `text` for an unsaved buffer, else from disk. */
  updateFile(path: string, text?: string, languageId?: string): void;
  removeFile(path: string): void;
  /** Null when the index did not answer within `timeoutMs` (completion goes on without it). */
  query(query: DefinitionQuery, timeoutMs: number, signal?: AbortSignal): Promise<DefinitionQueryResult | null>;
  stats(): Promise<IndexStats | null>;
  dispose(): void;
}

/** Where the worker script is: next to the bundle (dist/context-index-worker.js) or next to this file (out/, tests). */
export function locateIndexWorker(): string | null {
  for (const name of ["context-index-worker.js", "symbol-index-worker.js"]) {
    const path = join(__dirname, name);
    if (existsSync(path)) return path;
  }
  return null;
}

interface Pending {
  resolve(result: IndexResult | null): void;
}

/** Runs the index in a worker thread: the extension host only posts messages. */
export class WorkerSymbolIndex implements SymbolIndex {
  private worker: Worker | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private failures = 0;
  private disposed = false;

  constructor(
    private readonly opts: { grammarsDir: string; logger: Logger; limits?: Partial<IndexLimits>; workerPath?: string },
  ) {}

  async indexFolders(roots: readonly string[], signal?: AbortSignal): Promise<IndexStats | null> {
    const id = this.nextId++;
    const onAbort = (): void => {
      this.post({ type: "cancel", id: this.nextId++, target: id });
    };
    signal?.addEventListener("abort", onAbort, { once: true });
    try {
      return (await this.request({ type: "index-folders", id, roots: [...roots] })) as IndexStats | null;
    } finally {
      signal?.removeEventListener("abort", onAbort);
    }
  }

  updateFile(path: string, text?: string, languageId?: string): void {
    void this.request({ type: "update-file", id: this.nextId++, path, text, languageId });
  }

  removeFile(path: string): void {
    void this.request({ type: "remove-file", id: this.nextId++, path });
  }

  async query(query: DefinitionQuery, timeoutMs: number, signal?: AbortSignal): Promise<DefinitionQueryResult | null> {
    const id = this.nextId++;
    const reply = this.request({ type: "query", id, query });
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    const giveUp = new Promise<null>((resolve) => {
      timer = setTimeout(() => resolve(null), timeoutMs);
      onAbort = () => resolve(null);
      signal?.addEventListener("abort", onAbort, { once: true });
    });
    try {
      return (await Promise.race([reply, giveUp])) as DefinitionQueryResult | null;
    } finally {
      clearTimeout(timer);
      if (onAbort) signal?.removeEventListener("abort", onAbort);
    }
  }

  async stats(): Promise<IndexStats | null> {
    return (await this.request({ type: "stats", id: this.nextId++ })) as IndexStats | null;
  }

  dispose(): void {
    this.disposed = true;
    for (const p of this.pending.values()) p.resolve(null);
    this.pending.clear();
    void this.worker?.terminate();
    this.worker = null;
  }

  private request(req: IndexRequest): Promise<IndexResult | null> {
    return new Promise((resolve) => {
      if (!this.post(req)) {
        resolve(null);
        return;
      }
      this.pending.set(req.id, { resolve });
    });
  }

  private post(req: IndexRequest): boolean {
    const worker = this.ensureWorker();
    if (!worker) return false;
    worker.postMessage(req);
    return true;
  }

  /** Starts the worker on first use; after three crashes the index stays off (completions go on without it). */
  private ensureWorker(): Worker | null {
    if (this.worker || this.disposed || this.failures >= 3) return this.worker;
    const path = this.opts.workerPath ?? locateIndexWorker();
    if (!path) {
      this.failures = 3;
      this.opts.logger.warn("index worker script not found: workspace definitions are off");
      return null;
    }
    const data: IndexWorkerData = { grammarsDir: this.opts.grammarsDir, limits: this.opts.limits ?? {} };
    let worker: Worker;
    try {
      worker = new Worker(path, { workerData: data, resourceLimits: { maxOldGenerationSizeMb: 512 } });
    } catch (e) {
      this.failures = 3;
      this.opts.logger.warn(`index worker did not start: ${(e as Error).message}`);
      return null;
    }
    worker.unref();
    worker.on("message", (m: IndexMessage) => this.onMessage(m));
    worker.on("error", (e) => this.opts.logger.error(`index worker failed: ${e.message}`));
    worker.on("exit", (code) => {
      if (this.worker !== worker) return;
      this.worker = null;
      for (const p of this.pending.values()) p.resolve(null);
      this.pending.clear();
      if (!this.disposed) {
        this.failures++;
        this.opts.logger.warn(`index worker exited (code ${code})`);
      }
    });
    this.worker = worker;
    return worker;
  }

  private onMessage(m: IndexMessage): void {
    if (m.type === "log") {
      this.opts.logger[m.level](`[index] ${m.message}`);
      return;
    }
    const p = this.pending.get(m.id);
    if (!p) return;
    this.pending.delete(m.id);
    if (m.type === "failed") {
      this.opts.logger.warn(`[index] request failed: ${m.message}`);
      p.resolve(null);
    } else p.resolve(m.result);
  }
}

/** The same index on the caller's thread: for tests, benches and the CLI, never for the extension host. */
export class InThreadSymbolIndex implements SymbolIndex {
  readonly core: SymbolIndexCore;

  constructor(opts: { grammarsDir: string; logger: Logger; limits?: Partial<IndexLimits> }) {
    this.core = new SymbolIndexCore(opts);
  }

  indexFolders(roots: readonly string[], signal?: AbortSignal): Promise<IndexStats | null> {
    return this.core.indexFolders(roots, signal);
  }

  updateFile(path: string, text?: string, languageId?: string): void {
    void this.core.indexFile(path, text, languageId);
  }

  removeFile(path: string): void {
    this.core.removeFile(path);
  }

  query(query: DefinitionQuery): Promise<DefinitionQueryResult | null> {
    return this.core.query(query);
  }

  async stats(): Promise<IndexStats | null> {
    return this.core.stats();
  }

  dispose(): void {
    this.core.dispose();
  }
}
