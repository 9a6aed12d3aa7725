import { relative, sep } from "node:path";
import { isAbortError, throwIfAborted } from "../common/abort";
import { errorMessage } from "../common/errors";
import type { Logger } from "../common/logger";
import { isInExcludedFolder, resolvesWithin, walkSourceFiles } from "../context/index/workspace-files";
import { languageIdForPath } from "../context/languages";
import { SyntaxRuntime } from "../context/syntax-runtime";
import { chunkTree } from "./chunker";
import type { CodeChunk } from "./chunker";
import { ChunkStore, DatabaseUnavailableError } from "./chunk-store";
import type { ChunkHit, FileChunks, LanceLoader } from "./chunk-store";
import type { Embedder } from "./embedder";
import { FileFilter } from "./file-filter";
import { readFileSource, textSource } from "./file-source";
import { StoreLockedError } from "./store-lock";
import { queryTerms, searchableText } from "./search-terms";
import type { IndexProgress, IndexSummary, MemoryHits } from "./memory-results";

export interface MemoryIndexerOptions {
  /** The store's folder, in the workspace's storage. */
  storeDir: string;
  grammarsDir: string;
  logger: Logger;
  /** Null: no embedding model; full text (and the symbol index) still work. */
  embedder: Embedder | null;
  /** `files.exclude`-style globs. */
  excludeGlobs?: readonly string[];
  /** Files indexed at most; a larger workspace is indexed up to here, nearest the top first, and says so. */
  maxFiles?: number;
  /** Characters per chunk, header included: the embedding model's window. */
  maxChunkChars?: number;
  /** Resolves when indexing may go on: the editor is not busy (typing, a completion running). */
  whenIdle?: () => Promise<void>;
  /** Rows from which a vector index is built (below it, scanning every vector is fast enough). */
  vectorIndexRows?: number;
  /** How LanceDB is loaded (tests: a platform without it). */
  loadDatabase?: LanceLoader;
}

const DEFAULT_MAX_FILES = 20_000;
const DEFAULT_MAX_CHUNK_CHARS = 1500;
const EMBED_BATCH = 16;
/** Passes started again in a row for an embedding model that changed during them (an engine switched back and forth). */
const MODEL_CHANGE_RESTARTS = 3;

/** Another embedding model answered than the store's: what was embedded so far is for a store that is no longer it. */
class EmbeddingModelChanged extends Error {}
/** File writes between compactions of the store during a pass (and once at its end). */
const COMPACT_EVERY_WRITES = 200;
/** Files, or chunks, written to the store at once during a pass. */
const WRITE_BATCH_FILES = 32;
const WRITE_BATCH_CHUNKS = 2000;
/** A file that keeps changing while it is embedded is tried this often, then left for its next save. */
const CHANGED_RETRIES = 2;

/**
 * Codebase memory's indexer: lists the workspace's source files (without ignored and generated ones), cuts each into
 * chunks with tree-sitter, embeds them and keeps them in the LanceDB store by content hash, so a restart, a crash or a
 * branch switch costs only the files whose content changed. One file at a time, waiting for `whenIdle` between files.
 * Runs in the memory worker thread (memory-worker.ts); tests and benches run it in-thread.
 */
export class MemoryIndexer {
  private readonly runtime: SyntaxRuntime;
  private opening: Promise<ChunkStore> | null = null;
  private filter: FileFilter;
  private roots: string[] = [];
  private vectorsOff: string | null = null;
  /** Store writes, one at a time. */
  private serial: Promise<unknown> = Promise.resolve();
  private disposed = false;

  constructor(private readonly opts: MemoryIndexerOptions) {
    this.runtime = new SyntaxRuntime(opts.grammarsDir, opts.logger);
    this.filter = new FileFilter([], opts.excludeGlobs);
  }

  /** Opens the store for the embedding model (asked for one vector to learn its identity and size). */
  open(signal?: AbortSignal): Promise<ChunkStore> {
    this.opening ??= this.openStore(signal).catch((e: unknown) => {
      this.opening = null;
      throw e;
    });
    return this.opening;
  }

  /**
   * Indexes what changed under the roots since the store last saw them, and forgets files no longer there. When another
   * embedding model starts answering during the pass (another engine chosen), the pass starts again and rebuilds the
   * store for it: the host joins a pass under way instead of starting one, so nothing else would.
   */
  async indexFolders(roots: readonly string[], signal?: AbortSignal, onProgress?: (p: IndexProgress) => void): Promise<IndexSummary> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.indexFoldersOnce(roots, signal, onProgress);
      } catch (e) {
        if (!(e instanceof EmbeddingModelChanged) || attempt >= MODEL_CHANGE_RESTARTS) throw e;
        this.opts.logger.info(`codebase index: ${e.message}`);
      }
    }
  }

  private async indexFoldersOnce(roots: readonly string[], signal?: AbortSignal, onProgress?: (p: IndexProgress) => void): Promise<IndexSummary> {
    const started = performance.now();
    this.roots = [...new Set([...this.roots, ...roots])];
    this.filter = new FileFilter(this.roots, this.opts.excludeGlobs);
    // Each full pass asks the embedding model again: one set (or changed) since the last pass means a rebuild.
    const current = this.opening ? await this.opening.catch(() => null) : null;
    // Only a model that answers replaces the store's: an engine that fails for a moment must not cost the vectors.
    const probe = current ? await this.probeModel(signal) : null;
    if (probe) this.vectorsOff = probe.off;
    if (current && probe && probe.off === null && !sameModel(current, probe)) {
      this.opening = null;
      await this.write(async () => current.close());
    }
    const store = await this.open(signal);
    const maxFiles = this.opts.maxFiles ?? DEFAULT_MAX_FILES;
    const paths: string[] = [];
    let overLimit = false;
    for await (const path of walkSourceFiles(roots, { maxFiles: Number.MAX_SAFE_INTEGER, signal })) {
      if (this.filter.ignores(path)) continue;
      if (paths.length >= maxFiles) {
        overLimit = true;
        break;
      }
      paths.push(path);
    }
    throwIfAborted(signal);
    const known = await store.fileHashes();
    const summary: IndexSummary = { files: paths.length, indexed: 0, removed: 0, unchanged: 0, skipped: 0, chunks: 0, overLimit, vectorsOff: this.vectorsOff, ms: 0 };
    const listed = new Set(paths);
    for (const path of known.keys()) {
      if (!this.underRoots(path, roots) || listed.has(path)) continue;
      // Beyond the limit, a file stays if it was indexed before: only a file that is gone, or now ignored, goes.
      if (overLimit && !this.filter.ignores(path) && (await readFileSource(path, this.roots))) continue;
      await this.write(() => store.removeFile(path));
      summary.removed++;
    }
    onProgress?.({ done: 0, total: paths.length });
    // Files are written in batches; an abort or a crash loses at most the batch not yet written (its files keep
    // their old hashes, so the next pass indexes them again).
    const batch: FileChunks[] = [];
    let batchChunks = 0;
    for (let i = 0; i < paths.length; i++) {
      if (signal?.aborted) await this.write(() => store.replaceFiles(batch.splice(0)));
      throwIfAborted(signal);
      const path = paths[i];
      const source = await readFileSource(path, this.roots);
      if (!source) {
        if (known.has(path)) await this.write(() => store.removeFile(path));
        summary.skipped++;
      } else if (known.get(path) === source.hash) {
        summary.unchanged++;
      } else {
        await this.opts.whenIdle?.();
        throwIfAborted(signal);
        const prepared = await this.prepareSource(store, path, source.text, source.hash, true, signal);
        if (prepared === null) summary.skipped++;
        else {
          summary.indexed++;
          batch.push(prepared);
          batchChunks += prepared.chunks.length;
        }
      }
      if (batch.length >= WRITE_BATCH_FILES || batchChunks >= WRITE_BATCH_CHUNKS || i + 1 === paths.length) {
        // Writes and compactions wait for the editor too: a batch's write and its full-text work take as long as
        // several files' chunking, and a completion that starts meanwhile should not share the CPU with them.
        await this.opts.whenIdle?.();
        const files = batch.splice(0);
        batchChunks = 0;
        await this.write(() => store.replaceFiles(files));
      }
      if ((i + 1) % 50 === 0 || i + 1 === paths.length) onProgress?.({ done: i + 1, total: paths.length });
      if (store.pendingWrites >= COMPACT_EVERY_WRITES / 8) {
        await this.opts.whenIdle?.();
        await this.write(() => store.compact());
      }
    }
    await this.opts.whenIdle?.();
    await this.write(() => this.refreshIndexes(store));
    summary.chunks = await store.countChunks();
    summary.vectorsOff = this.vectorsOff;
    summary.ms = Math.round(performance.now() - started);
    return summary;
  }

  /**
   * (Re)indexes one file: from `text` for an editor's buffer, else from disk. False when the file is left out
   * (ignored, binary, not a language Hearth parses); a file that is gone is removed.
   */
  async updateFile(path: string, text?: string, signal?: AbortSignal): Promise<boolean> {
    const store = await this.open(signal);
    if (!languageIdForPath(path) || (this.roots.length && (this.filter.ignores(path) || this.inSkippedFolder(path)))) return false;
    const outside = this.roots.length > 0 && !(await resolvesWithin(path, this.roots));
    const source = outside ? null : text === undefined ? await readFileSource(path) : textSource(text);
    if (!source) {
      await this.write(() => store.removeFile(path));
      return false;
    }
    // A save without a change, or a branch switch that rewrote the file as it was: nothing to embed.
    if ((await store.hashOf(path)) === source.hash) return true;
    const prepared = await this.prepareSource(store, path, source.text, source.hash, text === undefined, signal);
    if (prepared === null) return false;
    await this.write(() => store.replaceFiles([prepared]));
    await this.write(() => store.refreshTextIndex(false));
    if (store.pendingWrites >= COMPACT_EVERY_WRITES) await this.write(() => store.compact());
    return true;
  }

  async removeFile(path: string): Promise<void> {
    const store = await this.open();
    await this.write(() => store.removeFile(path));
  }

  /** Vector hits and full-text hits for a question, each list best first. */
  async search(question: string, limit: number, signal?: AbortSignal): Promise<MemoryHits> {
    const store = await this.openOrUnavailable(signal);
    if (typeof store === "string") return { vector: [], text: [], vectorsOff: store };
    const terms = queryTerms(question);
    const [vector, text] = await Promise.all([this.vectorHits(store, question, limit, signal), store.textSearch(terms, limit)]);
    return { vector, text, vectorsOff: this.vectorsOff };
  }

  /** The store's chunks at these places (the symbol index's answers, found back in the store). */
  async chunksAt(places: readonly { path: string; line: number }[], limit: number): Promise<ChunkHit[]> {
    const store = await this.openOrUnavailable();
    if (typeof store !== "string") return store.chunksOfSymbols(places, limit);
    // Without the database the symbol index's answers are cut from the files themselves, as the indexer would.
    const out: ChunkHit[] = [];
    for (const place of places.slice(0, limit)) {
      const source = await readFileSource(place.path, this.roots.length ? this.roots : undefined);
      const chunk = source ? (await this.chunkText(place.path, source.text)).find((c) => c.startLine <= place.line && c.endLine >= place.line) : undefined;
      if (chunk) out.push({ ...chunk, id: `${place.path}#${chunk.startLine}`, score: 0 });
    }
    return out;
  }

  /** The store, or why there is none when LanceDB does not load here (search goes on with the symbol index). */
  private async openOrUnavailable(signal?: AbortSignal): Promise<ChunkStore | string> {
    try {
      return await this.open(signal);
    } catch (e) {
      if (e instanceof DatabaseUnavailableError) return e.message;
      throw e;
    }
  }

  async stats(): Promise<{ chunks: number; files: number; vectorsOff: string | null }> {
    const store = await this.open();
    return { chunks: await store.countChunks(), files: (await store.fileHashes()).size, vectorsOff: this.vectorsOff };
  }

  /** Chunks a text as the indexer would (for tests and the bench). */
  async chunkText(path: string, text: string): Promise<CodeChunk[]> {
    const languageId = languageIdForPath(path);
    const grammar = languageId ? await this.runtime.load(languageId) : null;
    if (!grammar) return [];
    const tree = grammar.parser.parse(text);
    if (!tree) return [];
    try {
      return chunkTree(tree, grammar.spec, text, path, { maxChars: this.opts.maxChunkChars ?? DEFAULT_MAX_CHUNK_CHARS });
    } finally {
      tree.delete();
    }
  }

  dispose(): void {
    this.disposed = true;
    this.runtime.dispose();
    void this.opening?.then((s) => s.close(), () => {});
  }

  private async vectorHits(store: ChunkStore, question: string, limit: number, signal?: AbortSignal): Promise<ChunkHit[]> {
    if (!this.opts.embedder || store.meta.dimensions <= 0) return [];
    try {
      const batch = await this.opts.embedder.embed([question], { signal, role: "query" });
      return await store.vectorSearch(batch.vectors[0] ?? [], limit);
    } catch (e) {
      if (isAbortError(e)) throw e;
      this.opts.logger.warn(`codebase search: the question was not embedded: ${errorMessage(e)}`);
      return [];
    }
  }

  /**
   * Whether a file lies below its root in a folder the full pass never walks (node_modules, build output, a dot
   * folder): a save or a creation there must not index what the next pass removes again.
   */
  private inSkippedFolder(path: string): boolean {
    const root = this.roots.find((r) => path.startsWith(r.endsWith(sep) ? r : r + sep));
    return root !== undefined && isInExcludedFolder(relative(root, path));
  }

  /** The file's chunks, embedded and ready to write; null when the file was left out (or is gone, then removed). */
  private async prepareSource(store: ChunkStore, path: string, text: string, hash: string, fromDisk: boolean, signal?: AbortSignal): Promise<FileChunks | null> {
    for (let attempt = 0; ; attempt++) {
      const chunks = await this.chunkText(path, text);
      const embedTexts = chunks.map((c) => this.embeddingText(c));
      const vectors = await this.embedAll(store, embedTexts, signal);
      if (fromDisk) {
        // The file changed while it was embedded: what was embedded is not what is on disk.
        const now = await readFileSource(path, this.roots);
        if (!now) {
          await this.write(() => store.removeFile(path));
          return null;
        }
        if (now.hash !== hash) {
          if (attempt >= CHANGED_RETRIES) {
            this.opts.logger.debug(`codebase index: ${path} kept changing while it was indexed; it is indexed at its next save`);
            return null;
          }
          text = now.text;
          hash = now.hash;
          continue;
        }
      }
      if (this.disposed) return null;
      return { path, hash, chunks, searchTexts: embedTexts.map(searchableText), vectors };
    }
  }

  private async embedAll(store: ChunkStore, texts: readonly string[], signal?: AbortSignal): Promise<number[][] | null> {
    const embedder = this.opts.embedder;
    if (!embedder || store.meta.dimensions <= 0) return null;
    const out: number[][] = [];
    for (let i = 0; i < texts.length; i += EMBED_BATCH) {
      const batch = await embedder.embed(texts.slice(i, i + EMBED_BATCH), { signal });
      if (batch.model !== store.meta.model || batch.vectors.some((v) => v.length !== store.meta.dimensions)) {
        throw new EmbeddingModelChanged(`the embedding model changed while indexing (${batch.model}); indexing starts again`);
      }
      out.push(...batch.vectors);
    }
    return out;
  }

  /** What is embedded and searched: the file's path and the enclosing signatures above the chunk's code. */
  private embeddingText(chunk: CodeChunk): string {
    const root = this.roots.find((r) => chunk.path.startsWith(r + sep));
    const path = root ? relative(root, chunk.path).split(sep).join("/") : chunk.path;
    return chunk.header ? `${path}\n${chunk.header}\n${chunk.text}` : `${path}\n${chunk.text}`;
  }

  private async refreshIndexes(store: ChunkStore): Promise<void> {
    if (store.pendingWrites > 0) await store.compact();
    await store.refreshTextIndex(true);
    await store.refreshVectorIndex(this.opts.vectorIndexRows ?? 50_000);
  }

  /** The embedding model's identity and vector size, or why there is none. */
  private async probeModel(signal?: AbortSignal): Promise<{ model: string | null; dimensions: number; off: string | null }> {
    if (!this.opts.embedder) return { model: null, dimensions: 0, off: "no embedding model is set (hearth.embedding.modelPath)" };
    try {
      const probe = await this.opts.embedder.embed(["codebase"], { signal });
      const vector = probe.vectors[0];
      if (!vector || vector.length === 0) throw new Error("the model returned no vector");
      return { model: probe.model, dimensions: vector.length, off: null };
    } catch (e) {
      if (isAbortError(e)) throw e;
      return { model: null, dimensions: 0, off: errorMessage(e) };
    }
  }

  private async openStore(signal?: AbortSignal): Promise<ChunkStore> {
    const { model, dimensions, off } = await this.probeModel(signal);
    this.vectorsOff = off;
    if (off && this.opts.embedder) this.opts.logger.warn(`codebase index: no vectors, full text and symbols only: ${off}`);
    let store: ChunkStore;
    try {
      store = await ChunkStore.open(this.opts.storeDir, model, dimensions, this.opts.loadDatabase);
    } catch (e) {
      if (e instanceof StoreLockedError || e instanceof DatabaseUnavailableError) throw e;
      // A folder that is a file, or on a read-only or full disk: say which folder and why, not a bare errno.
      throw new Error(`the codebase index folder ${this.opts.storeDir} cannot be used (${errorMessage(e).split("\n")[0]}); codebase search is off until it can`);
    }
    if (store.recovered) this.opts.logger.warn(`codebase index: rebuilt from scratch: ${store.recovered}`);
    return store;
  }

  private underRoots(path: string, roots: readonly string[]): boolean {
    return roots.some((r) => path.startsWith(r.endsWith(sep) ? r : r + sep));
  }

  private write<T>(task: () => Promise<T>): Promise<T> {
    const run = this.serial.then(task, task);
    this.serial = run.catch(() => {});
    return run;
  }
}

function sameModel(store: ChunkStore, probe: { model: string | null; dimensions: number }): boolean {
  return store.meta.model === probe.model && store.meta.dimensions === probe.dimensions;
}
