import { writeFileSync } from "node:fs";
import { mkdir, readdir, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { isMainThread } from "node:worker_threads";
import type { Connection, Table } from "@lancedb/lancedb";
import { readOwnFile } from "../common/own-file";
import type { CodeChunk } from "./chunker";
import { LOCK, releaseLock, takeLock } from "./store-lock";

/** One file's chunks as written: the texts the full-text index reads, and the vectors when there is a model. */
export interface FileChunks {
  path: string;
  hash: string;
  chunks: readonly CodeChunk[];
  searchTexts: readonly string[];
  vectors: readonly number[][] | null;
}

/** A chunk as stored: the chunk, the hash of the file text it came from, and its vector when there is a model. */
export interface StoredChunk extends CodeChunk {
  id: string;
}

export interface ChunkHit extends StoredChunk {
  /** The source's own score: cosine distance for vectors (lower is nearer), BM25 for full text (higher is better). */
  score: number;
}

/** What the store's folder was built for: vectors of another model, or another layout, mean a rebuild. */
interface StoreMeta {
  version: number;
  model: string | null;
  dimensions: number;
}

const LAYOUT_VERSION = 1;
const CHUNKS = "chunks";
const FILES = "files";
/** Rows added since the last full-text index build past which it is rebuilt. */
const TEXT_INDEX_REBUILD_ROWS = 5000;
const COLUMNS = ["id", "path", "startLine", "endLine", "header", "text", "symbol"];
/** Vectors per HNSW graph (a partition of the index): 100,000 chunks make two. */
const VECTORS_PER_GRAPH = 50_000;
/** Graphs searched per question: all of them up to 400,000 chunks. */
const VECTOR_PARTITIONS_SEARCHED = 8;
/** The HNSW search beam; wider finds more of the exact neighbours for a few milliseconds more. */
const VECTOR_SEARCH_BEAM = 128;
/** Candidates per hit re-ranked by their full vectors (the graph compares 8-bit ones). */
const VECTOR_REFINE_FACTOR = 5;

type LanceModule = typeof import("@lancedb/lancedb");
type ArrowModule = typeof import("apache-arrow");
/** Loads LanceDB's module (its native binding for this platform comes with it). */
export type LanceLoader = () => Promise<LanceModule>;
const loadLanceDb: LanceLoader = () => import("@lancedb/lancedb");

/**
 * LanceDB did not load: a platform it has no build for (Intel Macs, 32-bit ARM Linux: their VSIXes ship without it) or
 * an install that lost its native module. Codebase memory then works from the symbol index alone.
 */
export class DatabaseUnavailableError extends Error {
  override readonly name = "DatabaseUnavailableError";
}

/**
 * Codebase memory's LanceDB store in one folder (the workspace's storage): a `chunks` table (code, header, lines, the
 * text the full-text index reads and the vector) and a `files` table (path → content hash), written after a file's
 * chunks, so a file whose chunks were cut short by a crash still has its old hash and is indexed again.
 * A folder that does not open (corrupt, another layout, another model) is moved aside and rebuilt.
 */
export class ChunkStore {
  /** Null until asked of the table. */
  private hasTextIndex: boolean | null = null;
  private addedSinceBuild = 0;
  private writesSinceCompaction = 0;

  private constructor(
    private readonly lance: LanceModule,
    private readonly db: Connection,
    private readonly chunks: Table,
    private readonly files: Table,
    readonly meta: Readonly<StoreMeta>,
    /** Set when the folder could not be used and was rebuilt: says why, for the log and the status. */
    readonly recovered: string | null,
    private readonly dir: string,
  ) {}

  static async open(dir: string, model: string | null, dimensions: number, load: LanceLoader = loadLanceDb): Promise<ChunkStore> {
    ensureLanceThreads();
    let lance: LanceModule;
    try {
      lance = await load();
    } catch (e) {
      const why = (e as Error).message.split("\n")[0];
      throw new DatabaseUnavailableError(`codebase memory's database (LanceDB) does not load on this platform (${process.platform}-${process.arch}: ${why}); codebase search finds code through the symbol index only`);
    }
    const arrow = await import("apache-arrow");
    const wanted: StoreMeta = { version: LAYOUT_VERSION, model, dimensions };
    await mkdir(dir, { recursive: true });
    await takeLock(dir);
    await sweepTemporaryFiles(dir);
    let recovered: string | null = null;
    const meta = await readMeta(dir);
    if (meta && (meta.version !== wanted.version || meta.model !== wanted.model || meta.dimensions !== wanted.dimensions)) {
      recovered = meta.model !== wanted.model ? "the embedding model changed" : "the store was built for another layout";
      await clear(dir);
    } else if (meta) {
      try {
        const db = await lance.connect(dir);
        const [chunks, files] = await Promise.all([db.openTable(CHUNKS), db.openTable(FILES)]);
        // Reading a row proves the data files are there, not only the manifest.
        await Promise.all([chunks.query().select(["id"]).limit(1).toArray(), files.query().select(["path"]).limit(1).toArray()]);
        return new ChunkStore(lance, db, chunks, files, meta, null, dir);
      } catch (e) {
        recovered = `the store could not be read (${(e as Error).message.split("\n")[0]})`;
        await moveAside(dir);
      }
    }
    const db = await lance.connect(dir);
    const chunks = await db.createEmptyTable(CHUNKS, chunkSchema(arrow, dimensions), { mode: "overwrite" });
    const files = await db.createEmptyTable(FILES, fileSchema(arrow), { mode: "overwrite" });
    await writeFile(join(dir, "meta.json"), JSON.stringify(wanted));
    return new ChunkStore(lance, db, chunks, files, wanted, recovered, dir);
  }

  /** Path → content hash of every file whose chunks are complete. */
  async fileHashes(): Promise<Map<string, string>> {
    const rows = await this.files.query().select(["path", "hash"]).toArray();
    return new Map(rows.map((r) => [String(r.path), String(r.hash)]));
  }

  /** The content hash the store holds for a file, or null. */
  async hashOf(path: string): Promise<string | null> {
    const rows = await this.files.query().where(`path = ${sqlString(path)}`).select(["hash"]).limit(1).toArray();
    return rows[0] ? String(rows[0].hash) : null;
  }

  /** Replaces a file's chunks; the file's hash is recorded last. `vectors[i]` belongs to `chunks[i]`. */
  replaceFile(path: string, hash: string, chunks: readonly CodeChunk[], searchTexts: readonly string[], vectors: readonly number[][] | null): Promise<void> {
    return this.replaceFiles([{ path, hash, chunks, searchTexts, vectors }]);
  }

  /**
   * Replaces several files' chunks in four writes (each write is a new version of a table, with its own files on
   * disk: one per file made a workspace's first index slow and its folder large). The hashes are recorded last.
   */
  async replaceFiles(files: readonly FileChunks[]): Promise<void> {
    if (!files.length) return;
    const where = `path IN (${files.map((f) => sqlString(f.path)).join(", ")})`;
    this.writesSinceCompaction++;
    await this.files.delete(where);
    await this.chunks.delete(where);
    const rows = files.flatMap(({ path, chunks, searchTexts, vectors }) =>
      chunks.map((c, i) => ({
        id: `${path}#${i}`,
        path,
        startLine: c.startLine,
        endLine: c.endLine,
        header: c.header,
        text: c.text,
        symbol: c.symbol ?? "",
        search: searchTexts[i] ?? c.text,
        ...(this.meta.dimensions > 0 ? { vector: vectors?.[i] ?? [] } : {}),
      })),
    );
    if (rows.length) {
      await this.chunks.add(rows);
      this.addedSinceBuild += rows.length;
    }
    await this.files.add(files.map((f) => ({ path: f.path, hash: f.hash, chunks: f.chunks.length })));
  }

  /** Removes a file's chunks, or every file's under a folder (a deleted folder comes as one file event). */
  async removeFile(path: string): Promise<void> {
    const folder = path.endsWith("/") || path.endsWith("\\") ? path : `${path}${path.includes("\\") && !path.includes("/") ? "\\" : "/"}`;
    const where = `path = ${sqlString(path)} OR starts_with(path, ${sqlString(folder)})`;
    this.writesSinceCompaction++;
    await this.files.delete(where);
    await this.chunks.delete(where);
  }

  async countChunks(): Promise<number> {
    return this.chunks.countRows();
  }

  /**
   * Builds the full-text index when there is none, or rebuilds it when `force` and rows were added since, or when many
   * were (rows added after a build are still searched, by a slower scan). 2 s for 100,000 chunks.
   */
  async refreshTextIndex(force: boolean): Promise<void> {
    if (this.hasTextIndex === null) this.hasTextIndex = (await this.chunks.listIndices()).some((i) => i.indexType === "FTS");
    const due = !this.hasTextIndex || this.addedSinceBuild > TEXT_INDEX_REBUILD_ROWS || (force && this.addedSinceBuild > 0);
    if (!due || (await this.chunks.countRows()) === 0) return;
    await this.chunks.createIndex("search", { config: this.lance.Index.fts({ withPosition: false }), replace: true });
    this.hasTextIndex = true;
    this.addedSinceBuild = 0;
  }

  /**
   * Merges the small fragments that each file's write leaves and drops old versions: without it a workspace's first
   * index leaves thousands of fragments, each delete scans them all, and the folder grows with every version.
   */
  async compact(): Promise<void> {
    const olderThan = new Date(Date.now() - 1000);
    await this.chunks.optimize({ cleanupOlderThan: olderThan });
    await this.files.optimize({ cleanupOlderThan: olderThan });
    this.writesSinceCompaction = 0;
  }

  /** Writes (file replacements and removals) since the last compaction. */
  get pendingWrites(): number {
    return this.writesSinceCompaction;
  }

  /**
   * Builds a vector index once the table is large enough that scanning every vector is slow: HNSW graphs over 8-bit
   * scalar-quantised vectors (IVF_HNSW_SQ), searched with a wide beam and re-ranked on the full vectors. At 100,000
   * chunks of 384 dimensions (bench/memory/store-scale-bench.ts, against exact search) it found 93% of the exact top 10
   * in 5 ms at p50, where IVF_FLAT (the index before) found 77% in 34 ms and IVF_PQ cost twice the build for less.
   * Rows added after the build are searched by scanning them, until the compaction after the next pass (optimize)
   * adds them to the index.
   */
  async refreshVectorIndex(minRows: number): Promise<boolean> {
    if (this.meta.dimensions <= 0) return false;
    const rows = await this.chunks.countRows();
    if (rows < minRows) return false;
    const indices = await this.chunks.listIndices();
    if (indices.some((i) => i.columns.includes("vector"))) return true;
    const numPartitions = Math.max(1, Math.round(rows / VECTORS_PER_GRAPH));
    await this.chunks.createIndex("vector", { config: this.lance.Index.hnswSq({ distanceType: "cosine", numPartitions }), replace: true });
    return true;
  }

  async vectorSearch(vector: readonly number[], limit: number): Promise<ChunkHit[]> {
    if (this.meta.dimensions <= 0 || vector.length !== this.meta.dimensions) return [];
    const rows = await this.chunks
      .vectorSearch([...vector])
      .distanceType("cosine")
      .nprobes(VECTOR_PARTITIONS_SEARCHED)
      .ef(VECTOR_SEARCH_BEAM)
      .refineFactor(VECTOR_REFINE_FACTOR)
      .select([...COLUMNS, "_distance"])
      .limit(limit)
      .toArray();
    return rows.map((r) => toHit(r, Number(r._distance)));
  }

  async textSearch(terms: string, limit: number): Promise<ChunkHit[]> {
    if (!terms.trim()) return [];
    // Before the first index build there is nothing to search by text (LanceDB refuses a full-text query).
    if (this.hasTextIndex === null) this.hasTextIndex = (await this.chunks.listIndices()).some((i) => i.indexType === "FTS");
    if (!this.hasTextIndex) return [];
    const rows = await this.chunks.search(terms, "fts", "search").select([...COLUMNS, "_score"]).limit(limit).toArray();
    return rows.map((r) => toHit(r, Number(r._score)));
  }

  /** The chunks of given files whose symbol is one of `names` (the symbol index's answers, found back in the store). */
  async chunksOfSymbols(items: readonly { path: string; line: number }[], limit: number): Promise<ChunkHit[]> {
    const out: ChunkHit[] = [];
    for (const item of items.slice(0, limit)) {
      const rows = await this.chunks
        .query()
        .where(`path = ${sqlString(item.path)} AND startLine <= ${item.line | 0} AND endLine >= ${item.line | 0}`)
        .select(COLUMNS)
        .limit(1)
        .toArray();
      if (rows[0]) out.push(toHit(rows[0], 0));
    }
    return out;
  }

  close(): void {
    releaseLock(this.dir);
    this.chunks.close();
    this.files.close();
    this.db.close();
  }
}

function toHit(r: Record<string, unknown>, score: number): ChunkHit {
  const symbol = String(r.symbol ?? "");
  return {
    id: String(r.id),
    path: String(r.path),
    startLine: Number(r.startLine),
    endLine: Number(r.endLine),
    header: String(r.header ?? ""),
    text: String(r.text ?? ""),
    ...(symbol ? { symbol } : {}),
    score,
  };
}

function chunkSchema(arrow: ArrowModule, dimensions: number) {
  const fields: import("apache-arrow").Field[] = [
    new arrow.Field("id", new arrow.Utf8(), false),
    new arrow.Field("path", new arrow.Utf8(), false),
    new arrow.Field("startLine", new arrow.Int32(), false),
    new arrow.Field("endLine", new arrow.Int32(), false),
    new arrow.Field("header", new arrow.Utf8(), false),
    new arrow.Field("text", new arrow.Utf8(), false),
    new arrow.Field("symbol", new arrow.Utf8(), false),
    new arrow.Field("search", new arrow.Utf8(), false),
  ];
  if (dimensions > 0) fields.push(new arrow.Field("vector", new arrow.FixedSizeList(dimensions, new arrow.Field("item", new arrow.Float32(), true)), false));
  return new arrow.Schema(fields);
}

function fileSchema(arrow: ArrowModule) {
  return new arrow.Schema([
    new arrow.Field("path", new arrow.Utf8(), false),
    new arrow.Field("hash", new arrow.Utf8(), false),
    new arrow.Field("chunks", new arrow.Int32(), false),
  ]);
}

/**
 * LanceDB sizes its compute pool from the cores, less those it reserves for I/O: on a 2-core machine that is one
 * thread, and building the full-text index of about 80,000 chunks there never finished (every thread asleep, measured
 * with bench/memory/store-scale-bench.ts); with 4 it takes seconds. The pool reads LANCE_CPU_THREADS once, from the
 * process's environment, which only the main thread can set (a worker's process.env is its own copy): the host calls
 * this before it starts the memory worker, and in-thread users get it at the first open.
 */
export function ensureLanceThreads(): void {
  if (isMainThread && !process.env.LANCE_CPU_THREADS) process.env.LANCE_CPU_THREADS = "4";
}

/** A string literal for LanceDB's SQL filters. */
export function sqlString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** meta.json holds a version, a model name and a number. */
const MAX_META_BYTES = 64 * 1024;

async function readMeta(dir: string): Promise<StoreMeta | null> {
  try {
    // Written by Hearth, but read as untrusted: a pipe or a device in its place must not hold the store's opening.
    const meta = JSON.parse(await readOwnFile(join(dir, "meta.json"), MAX_META_BYTES)) as Partial<StoreMeta>;
    if (typeof meta.version !== "number" || typeof meta.dimensions !== "number") return { version: -1, model: null, dimensions: -1 };
    return { version: meta.version, model: typeof meta.model === "string" ? meta.model : null, dimensions: meta.dimensions };
  } catch (e) {
    // No meta.json: a new folder. An unreadable one: a store of unknown make, rebuilt.
    return (e as NodeJS.ErrnoException).code === "ENOENT" ? null : { version: -1, model: null, dimensions: -1 };
  }
}

async function clear(dir: string): Promise<void> {
  for (const name of await readdir(dir)) if (name !== LOCK) await rm(join(dir, name), { recursive: true, force: true });
}

/** Keeps a store that did not open for a look (one copy), and starts an empty one in its place. */
async function moveAside(dir: string): Promise<void> {
  const aside = `${dir}.unreadable`;
  await rm(aside, { recursive: true, force: true });
  try {
    await rename(dir, aside);
  } catch {
    await rm(dir, { recursive: true, force: true });
  }
  await mkdir(dir, { recursive: true });
  writeFileSync(join(dir, LOCK), String(process.pid));
}

/** A write killed mid-way leaves `data/.tmp*` files that LanceDB's own cleanup does not remove. */
async function sweepTemporaryFiles(dir: string): Promise<void> {
  for (const table of [CHUNKS, FILES]) {
    const data = join(dir, `${table}.lance`, "data");
    let names: string[];
    try {
      names = await readdir(data);
    } catch {
      continue;
    }
    for (const name of names) if (name.startsWith(".tmp")) await rm(join(data, name), { recursive: true, force: true });
  }
}
