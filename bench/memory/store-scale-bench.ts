// Codebase memory at scale (part of `npm run bench:memory`): a full index of the 5,000-file bench workspace
// (bench-workspace.ts: real code that Hearth's walk lists; chunking, hashing, the LanceDB store and its full-text index;
// vectors are left out here: their cost is the embedding model's, measured by embedding-cost.ts), then a store of
// 100,000 chunks (that code, with 384-dimension vectors that carry its words: hashed word vectors, the embed-hashed test
// model's scheme computed here, so neighbours are structured as a real model's are, which random vectors are not) with
// its indexes: the vector index's build time, CPU and memory, its recall against exact search, the search latency and
// one file's update.
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { execSync } from "node:child_process";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { MemoryLogger } from "../../src/common/logger";
import { ChunkStore } from "../../src/memory/chunk-store";
import type { FileChunks } from "../../src/memory/chunk-store";
import type { CodeChunk } from "../../src/memory/chunker";
import { MemoryIndexer } from "../../src/memory/memory-indexer";
import { queryTerms, searchableText } from "../../src/memory/search-terms";
import { quantile, writeBenchResult } from "../report";
import { benchWorkspace, listedFiles } from "./bench-workspace";

const ROOT = join(__dirname, "..", "..", "..");
const FILES = Number(process.env.HEARTH_MEMORY_BENCH_FILES ?? 5000);
const ROWS = Number(process.env.HEARTH_MEMORY_BENCH_ROWS ?? 100_000);
const DIMS = 384;
const QUESTIONS = ["parse the configuration file", "retry a failed request with backoff", "read the header of the archive", "convert a date to a string", "escape html characters", "compare two version numbers", "open a socket connection", "walk a directory tree", "decode base64 data", "format an error message"];

/** Each word's sparse ±1 pattern over the dimensions (as the embed-hashed test model's token embeddings). */
const patterns = new Map<string, [number, number][]>();
function wordPattern(word: string): [number, number][] {
  let p = patterns.get(word);
  if (!p) {
    const h = createHash("sha256").update(word).digest();
    p = Array.from({ length: 8 }, (_, i): [number, number] => [h.readUInt16LE(i * 2) % DIMS, h[16 + i] & 1 ? 1 : -1]);
    patterns.set(word, p);
  }
  return p;
}

/** A unit vector from a text's words (mean pooling of their patterns): texts that share words land near each other. */
function wordVector(text: string): number[] {
  const v = new Float64Array(DIMS);
  for (const word of text.toLowerCase().match(/[a-z]{2,}/g) ?? []) for (const [d, sign] of wordPattern(word)) v[d] += sign;
  const norm = Math.hypot(...v) || 1;
  return Array.from(v, (x) => x / norm);
}

/** Peak resident memory of this process so far, MB (Linux). */
function peakRssMb(): number {
  const kb = /VmHWM:\s+(\d+)/.exec(readFileSync("/proc/self/status", "utf8"))?.[1];
  return kb ? Math.round(Number(kb) / 1024) : Math.round(process.memoryUsage().rss / 1048576);
}

const cpuSeconds = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

async function main(): Promise<void> {
  const loadBefore = Math.round(loadavg()[0] * 10) / 10;
  const base = mkdtempSync(join(tmpdir(), "hearth-memory-scale-"));
  const load = (): number => Math.round(loadavg()[0] * 10) / 10;
  const phase = (what: string) => console.error(`memory-scale: ${what} (${Math.round(performance.now() / 1000)} s, load ${load()})`);
  try {
    const workspace = await benchWorkspace(FILES);
    phase(`workspace: ${workspace.description}`);
    const files = await listedFiles(workspace.dir);
    const sourceBytes = files.reduce((sum, f) => sum + readFileSync(f).length, 0);
    const indexer = new MemoryIndexer({ storeDir: join(base, "text-store"), grammarsDir: join(ROOT, "grammars"), logger: new MemoryLogger("warn"), embedder: null, maxFiles: FILES });
    const rss0 = process.memoryUsage().rss;
    const cpu0 = cpuSeconds();
    const summary = await indexer.indexFolders([workspace.dir], undefined, (p) => p.done % 500 === 0 && phase(`indexed ${p.done}/${p.total}`));
    const indexCpu = cpuSeconds() - cpu0;
    phase("indexed");
    const rssIndex = process.memoryUsage().rss;
    const textStoreBytes = Number(execSync(`du -sb ${JSON.stringify(join(base, "text-store"))}`).toString().split("\t")[0]);
    // The chunks of that index, as the rows of a 100,000-chunk store (repeated under other paths when fewer).
    const chunks: CodeChunk[] = [];
    let chunkChars = 0;
    for (const file of files) {
      const got = await indexer.chunkText(file, readFileSync(file, "utf8"));
      for (const c of got) chunkChars += c.header.length + c.text.length;
      if (chunks.length < ROWS) chunks.push(...got);
    }
    indexer.dispose();
    phase(`${chunks.length} chunks to repeat`);
    const storeDir = join(base, "store-100k");
    const store = await ChunkStore.open(storeDir, "hashed-words-384", DIMS);
    const started = performance.now();
    const perFile = 50;
    let pending: FileChunks[] = [];
    for (let i = 0, f = 0; i < ROWS; i += perFile, f++) {
      const batch = Array.from({ length: Math.min(perFile, ROWS - i) }, (_, k) => ({ ...chunks[(i + k) % chunks.length], path: `/bench/f${f}.py` }));
      // A repeated chunk's vector also carries its copy's path, so copies are near each other but not equal.
      pending.push({ path: `/bench/f${f}.py`, hash: `h${f}`, chunks: batch, searchTexts: batch.map((c) => searchableText(c.text)), vectors: batch.map((c) => wordVector(`f${f} ${c.header} ${c.text}`)) });
      // As the indexer writes: 32 files at a time.
      if (pending.length === 32) {
        await store.replaceFiles(pending);
        pending = [];
      }
    }
    await store.replaceFiles(pending);
    await store.compact();
    const insertMs = performance.now() - started;
    phase("inserted");
    const textIndexStarted = performance.now();
    await store.refreshTextIndex(true);
    const textIndexMs = performance.now() - textIndexStarted;
    // Exact neighbours first (no vector index yet: every vector compared), for the recall of the index built next.
    const questions = [...QUESTIONS, ...Array.from({ length: 40 }, (_, i) => chunks[(i * 7919) % chunks.length].text.split("\n").slice(0, 4).join(" "))];
    const vectors = questions.map(wordVector);
    const lance = await import("@lancedb/lancedb");
    const table = await (await lance.connect(storeDir)).openTable("chunks");
    const exactIds: string[][] = [];
    const exactMs: number[] = [];
    for (const v of vectors) {
      const t = performance.now();
      exactIds.push((await table.vectorSearch(v).distanceType("cosine").bypassVectorIndex().select(["id", "_distance"]).limit(10).toArray()).map((r) => String(r.id)));
      exactMs.push(performance.now() - t);
    }
    phase("exact neighbours");
    const peakBefore = peakRssMb();
    const vectorCpu0 = cpuSeconds();
    const vectorIndexStarted = performance.now();
    await store.refreshVectorIndex(1);
    const vectorIndexMs = performance.now() - vectorIndexStarted;
    const vectorIndexCpu = cpuSeconds() - vectorCpu0;
    const peakAfter = peakRssMb();
    phase("indexes built");
    const rssStore = process.memoryUsage().rss;
    const vectorMs: number[] = [];
    const textMs: number[] = [];
    const bothMs: number[] = [];
    const bothCpuMs: number[] = [];
    let found = 0;
    for (let round = 0; round < 3; round++) {
      for (let q = 0; q < questions.length; q++) {
        let t = performance.now();
        const hits = await store.vectorSearch(vectors[q], 10);
        vectorMs.push(performance.now() - t);
        if (round === 0) found += hits.filter((h) => exactIds[q].includes(h.id)).length;
        t = performance.now();
        await store.textSearch(queryTerms(questions[q]), 20);
        textMs.push(performance.now() - t);
        // As the indexer's search does: both at once. CPU time too (all threads): on a loaded machine the wall time
        // is mostly waiting for a core, and the CPU a query takes is what it costs.
        t = performance.now();
        const c = cpuSeconds();
        await Promise.all([store.vectorSearch(vectors[q], 20), store.textSearch(queryTerms(questions[q]), 20)]);
        bothMs.push(performance.now() - t);
        bothCpuMs.push((cpuSeconds() - c) * 1000);
      }
    }
    const recall = found / (questions.length * 10);
    const updateStarted = performance.now();
    const fresh = [{ path: "/bench/f0.py", startLine: 0, endLine: 1, header: "", text: "def frobnicate_quarterly_ledger(entries):\n    return sorted(entries)" }];
    await store.replaceFile("/bench/f0.py", "new", fresh, fresh.map((c) => searchableText(c.text)), [wordVector(fresh[0].text)]);
    await store.refreshTextIndex(false);
    const updateFound = (await store.textSearch(queryTerms("frobnicate quarterly ledger"), 5)).some((h) => h.path === "/bench/f0.py");
    const updateMs = performance.now() - updateStarted;
    const rows = await store.countChunks();
    await store.compact();
    table.close();
    store.close();
    const bytes = Number(execSync(`du -sb ${JSON.stringify(storeDir)}`).toString().split("\t")[0]);
    const r = (v: number) => Math.round(v * 10) / 10;
    const estimatedTokens = Math.round(chunkChars / 4);
    const figures = {
      workspace: workspace.description,
      files_indexed: summary.files,
      files_skipped: summary.skipped,
      source_mb: r(sourceBytes / 1048576),
      file_chunks: summary.chunks,
      full_index_ms_without_vectors: summary.ms,
      full_index_cpu_s_without_vectors: r(indexCpu),
      chunks_per_second_without_vectors: Math.round(summary.chunks / (summary.ms / 1000)),
      tokens_per_second_without_vectors_estimated: Math.round(estimatedTokens / (summary.ms / 1000)),
      chunk_tokens_estimated: estimatedTokens,
      index_rss_growth_mb: Math.round((rssIndex - rss0) / 1048576),
      text_store_mb: r(textStoreBytes / 1048576),
      rows,
      dims: DIMS,
      vectors: "hashed word vectors (embed-hashed's scheme)",
      insert_ms: Math.round(insertMs),
      text_index_build_ms: Math.round(textIndexMs),
      vector_index: "IVF_HNSW_SQ, ef 128, refine factor 5",
      vector_index_build_ms: Math.round(vectorIndexMs),
      vector_index_build_cpu_s: r(vectorIndexCpu),
      peak_rss_mb_before_vector_index: peakBefore,
      peak_rss_mb_after_vector_index: peakAfter,
      vector_recall_at_10_vs_exact: Math.round(recall * 1000) / 1000,
      recall_questions: questions.length,
      exact_query_ms_p50: r(quantile(exactMs, 0.5)),
      exact_query_ms_p95: r(quantile(exactMs, 0.95)),
      vector_query_ms_p50: r(quantile(vectorMs, 0.5)),
      vector_query_ms_p95: r(quantile(vectorMs, 0.95)),
      text_query_ms_p50: r(quantile(textMs, 0.5)),
      text_query_ms_p95: r(quantile(textMs, 0.95)),
      both_query_ms_p50: r(quantile(bothMs, 0.5)),
      both_query_ms_p95: r(quantile(bothMs, 0.95)),
      both_query_cpu_ms_p50: r(quantile(bothCpuMs, 0.5)),
      both_query_cpu_ms_p95: r(quantile(bothCpuMs, 0.95)),
      one_file_update_to_searchable_ms: Math.round(updateMs),
      one_file_update_found: updateFound,
      store_bytes: bytes,
      process_rss_mb_after_store: Math.round(rssStore / 1048576),
      load_before: loadBefore,
      load_after: load(),
    };
    const md = [
      "## Codebase memory at scale (`npm run bench:memory`)",
      "",
      `Load ${figures.load_before} → ${figures.load_after} on 2 cores, LanceDB with 4 compute threads (LANCE_CPU_THREADS, as Hearth sets it), in-thread (the editor runs it in the memory worker below normal priority). **Full index of ${figures.files_indexed} files** (${workspace.description}; ${figures.source_mb} MB, ${figures.files_skipped} left out as minified or generated) into ${figures.file_chunks} chunks: **${(figures.full_index_ms_without_vectors / 1000).toFixed(1)} s** without embedding (listing, hashing, tree-sitter chunks, LanceDB writes and its full-text index; ${figures.full_index_cpu_s_without_vectors} CPU s), ${figures.chunks_per_second_without_vectors} chunks/s, about ${figures.tokens_per_second_without_vectors_estimated} tokens/s (${figures.chunk_tokens_estimated} tokens at 4 characters each); ${figures.text_store_mb} MB on disk; the process grew ${figures.index_rss_growth_mb} MB. With embedding, the embedding model sets the pace: chunks ÷ its rate (embedding-cost below).`,
      "",
      `**${figures.rows.toLocaleString("en")} chunks** (those chunks repeated, ${DIMS}-dim hashed word vectors): inserted in ${(figures.insert_ms / 1000).toFixed(1)} s, full-text index ${(figures.text_index_build_ms / 1000).toFixed(1)} s, **IVF_HNSW_SQ vector index ${(figures.vector_index_build_ms / 1000).toFixed(1)} s (${figures.vector_index_build_cpu_s} CPU s, peak RSS ${figures.peak_rss_mb_before_vector_index} → ${figures.peak_rss_mb_after_vector_index} MB)**, ${Math.round(figures.store_bytes / 1048576)} MB on disk, process RSS ${figures.process_rss_mb_after_store} MB. **Recall@10 of the index against exact search: ${(figures.vector_recall_at_10_vs_exact * 100).toFixed(1)}%** (${figures.recall_questions} questions; exact search p50/p95 ${figures.exact_query_ms_p50}/${figures.exact_query_ms_p95} ms). Query p50/p95: vectors ${figures.vector_query_ms_p50}/${figures.vector_query_ms_p95} ms, full text ${figures.text_query_ms_p50}/${figures.text_query_ms_p95} ms, **both together ${figures.both_query_ms_p50}/${figures.both_query_ms_p95} ms, taking ${figures.both_query_cpu_ms_p50}/${figures.both_query_cpu_ms_p95} ms of CPU** (target p95 ≤ 50 ms: ${figures.both_query_ms_p95 <= 50 ? "met" : `**not met** in wall time at load ${figures.load_after} on 2 cores${figures.both_query_cpu_ms_p95 <= 50 ? ", where a query waits for a core; its CPU time is within it" : ""}`}; embedding the question is extra). One file's chunks replaced and found by full text: ${figures.one_file_update_to_searchable_ms} ms (target ≤ 1 s: ${figures.one_file_update_to_searchable_ms <= 1000 ? "met" : "**not met**"}; plus embedding its chunks).`,
    ].join("\n");
    writeBenchResult("memory-scale", figures, md);
    console.log(JSON.stringify(figures, null, 2));
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
