import { existsSync } from "node:fs";
import { join } from "node:path";
import { errorMessage } from "../../common/errors";
import type { Logger } from "../../common/logger";
import { WorkerHost } from "../../common/worker-host";
import { SymbolIndexCore } from "./symbol-index-core";
import type { IndexProtocol, IndexResult, IndexWorkerData } from "./symbol-index-protocol";
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

/** Runs the index in a worker thread: the extension host only posts messages. */
export class WorkerSymbolIndex implements SymbolIndex {
  private readonly host: WorkerHost<IndexProtocol>;
  private readonly logger: Logger;

  constructor(opts: { grammarsDir: string; logger: Logger; limits?: Partial<IndexLimits>; workerPath?: string }) {
    const data: IndexWorkerData = { grammarsDir: opts.grammarsDir, limits: opts.limits ?? {} };
    this.host = new WorkerHost<IndexProtocol>({
      name: "index",
      logger: opts.logger,
      scriptPath: () => opts.workerPath ?? locateIndexWorker(),
      offWithout: "workspace definitions are off (completions go on without them)",
      workerData: () => data,
      maxOldGenerationSizeMb: 512,
    });
    this.logger = opts.logger;
  }

  async indexFolders(roots: readonly string[], signal?: AbortSignal): Promise<IndexStats | null> {
    return (await this.request({ type: "index-folders", roots: [...roots] }, { cancelWith: signal })) as IndexStats | null;
  }

  updateFile(path: string, text?: string, languageId?: string): void {
    void this.request({ type: "update-file", path, text, languageId });
  }

  removeFile(path: string): void {
    void this.request({ type: "remove-file", path });
  }

  async query(query: DefinitionQuery, timeoutMs: number, signal?: AbortSignal): Promise<DefinitionQueryResult | null> {
    return (await this.request({ type: "query", query }, { giveUpWith: signal, timeoutMs })) as DefinitionQueryResult | null;
  }

  async stats(): Promise<IndexStats | null> {
    return (await this.request({ type: "stats" })) as IndexStats | null;
  }

  dispose(): void {
    this.host.dispose();
  }

  /** Never rejects: a request the worker failed is logged and answered null, as one it could not answer. */
  private request(...args: Parameters<WorkerHost<IndexProtocol>["request"]>): Promise<IndexResult | null> {
    return this.host.request(...args).catch((e: unknown) => {
      this.logger.warn(`[index] request failed: ${errorMessage(e)}`);
      return null;
    });
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
