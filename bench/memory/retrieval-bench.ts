// Codebase memory bench (`npm run bench:memory`): retrieval quality on questions from real code on this machine
// (Python's standard library: each function's docstring's first sentence is the question, the docstring is removed from
// the indexed copy, the function is the answer), for full text alone, vectors alone (the generated embed-hashed model
// through the real engine) and hybrid fusion; and the cost: index time, an incremental update after one save, query
// latency, index size. Writes bench/results/memory.json and the bench:memory section of bench/RESULTS.md.
import { execSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, appendFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { MemoryLogger } from "../../src/common/logger";
import { EngineClient } from "../../src/engine/client";
import type { ChunkHit } from "../../src/memory/chunk-store";
import { fuseRankings } from "../../src/memory/hybrid-search";
import { MemoryIndexer } from "../../src/memory/memory-indexer";
import { adviseSmallerModel } from "../../src/models/smaller-model-advice";
import { ensureTestModel } from "../../test/fixtures/models/test-models";

const ROOT = join(__dirname, "..", "..", "..");
const SOURCE_DIR = process.env.HEARTH_MEMORY_BENCH_SOURCE ?? "/usr/lib/python3.11";
const MAX_QUESTIONS = Number(process.env.HEARTH_MEMORY_BENCH_QUESTIONS ?? 200);

interface Question {
  file: string;
  /** 0-based line of the `def` in the indexed (docstring-free) copy. */
  line: number;
  question: string;
}

/** Copies the source's top-level modules without docstrings of functions, and collects the questions. */
function buildCorpus(into: string): { files: number; questions: Question[] } {
  const questions: Question[] = [];
  let files = 0;
  for (const name of readdirSync(SOURCE_DIR).sort()) {
    if (!name.endsWith(".py")) continue;
    let text: string;
    try {
      text = readFileSync(join(SOURCE_DIR, name), "utf8");
    } catch {
      continue;
    }
    const lines = text.split("\n");
    const out: string[] = [];
    for (let i = 0; i < lines.length; i++) {
      out.push(lines[i]);
      const def = /^\s*(async\s+)?def\s+\w+\s*\(.*\)\s*(->.*)?:\s*$/.exec(lines[i]);
      const next = lines[i + 1];
      if (!def || next === undefined) continue;
      const open = /^(\s*)[rRuU]?("""|''')(.*)$/.exec(next);
      if (!open) continue;
      const quote = open[2];
      let doc = open[3];
      let end = i + 1;
      if (!doc.includes(quote)) {
        for (end = i + 2; end < lines.length && !lines[end].includes(quote); end++) doc += ` ${lines[end].trim()}`;
        if (end < lines.length) doc += ` ${lines[end].trim()}`;
      }
      doc = doc.replace(new RegExp(quote, "g"), " ").trim();
      const sentence = doc.split(/(?<=\.)\s|\s{2,}/)[0].trim();
      if (sentence.split(/\s+/).length >= 4) questions.push({ file: join(into, name), line: out.length - 1, question: sentence });
      // The docstring is not indexed: a `pass` keeps a body that held only it valid.
      out.push(`${open[1]}pass`);
      i = end;
    }
    writeFileSync(join(into, name), out.join("\n"));
    files++;
  }
  const step = Math.max(1, questions.length / MAX_QUESTIONS);
  const sampled: Question[] = [];
  for (let i = 0; i < questions.length && sampled.length < MAX_QUESTIONS; i += step) sampled.push(questions[Math.floor(i)]);
  return { files, questions: sampled };
}

function rankOf(hits: readonly { path: string; startLine: number; endLine: number }[], q: Question): number {
  const i = hits.findIndex((h) => h.path === q.file && h.startLine <= q.line && q.line <= h.endLine);
  return i < 0 ? Infinity : i + 1;
}

interface Quality {
  recallAt5: number;
  recallAt10: number;
  mrr: number;
}

function quality(ranks: number[]): Quality {
  const n = ranks.length || 1;
  const pct = (k: number) => Math.round((1000 * ranks.filter((r) => r <= k).length) / n) / 10;
  return { recallAt5: pct(5), recallAt10: pct(10), mrr: Math.round((1000 * ranks.reduce((s, r) => s + (r === Infinity ? 0 : 1 / r), 0)) / n) / 1000 };
}

const percentile = (values: number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] * 10) / 10;
};

async function main(): Promise<void> {
  const loadBefore = loadavg()[0];
  const base = mkdtempSync(join(tmpdir(), "hearth-memory-bench-"));
  const ws = join(base, "workspace");
  mkdirSync(ws);
  const corpus = buildCorpus(ws);
  const [hashed, tiny] = await Promise.all([ensureTestModel("embed-hashed"), ensureTestModel("tiny")]);
  const engine = new EngineClient({ workerPath: join(ROOT, "out", "src", "engine", "worker", "main.mjs"), logger: new MemoryLogger("warn"), adviseOnRefusal: adviseSmallerModel });
  await engine.configure({ modelPath: tiny, embeddingModelPath: hashed, threads: 1, contextSize: 1024, gpu: "off", idleUnloadMs: 0 });
  const logger = new MemoryLogger("warn");
  const indexer = new MemoryIndexer({
    storeDir: join(base, "store"),
    grammarsDir: join(ROOT, "grammars"),
    logger,
    embedder: process.env.HEARTH_MEMORY_BENCH_NO_VECTORS ? null : { embed: async (texts, { signal }) => ((r) => ({ model: r.modelPath, vectors: r.vectors }))(await engine.embed([...texts], { signal })) },
  });
  try {
    const rssBefore = process.memoryUsage().rss;
    const summary = await indexer.indexFolders([ws]);
    const rssAfter = process.memoryUsage().rss;
    const perSource = { text: [] as number[], vector: [] as number[], hybrid: [] as number[] };
    const queryMs: number[] = [];
    for (const q of corpus.questions) {
      const started = performance.now();
      const hits = await indexer.search(q.question, 20);
      queryMs.push(performance.now() - started);
      const fused = fuseRankings([
        { source: "vector", hits: hits.vector },
        { source: "text", hits: hits.text },
      ]);
      perSource.text.push(rankOf(hits.text, q));
      perSource.vector.push(rankOf(hits.vector, q));
      perSource.hybrid.push(rankOf(fused, q));
      if (process.env.HEARTH_MEMORY_BENCH_DUMP && rankOf(fused, q) > 10) console.log(`MISS ${q.question}\n  want ${q.file}:${q.line + 1}\n  got  ${hits.text[0]?.path}:${(hits.text[0]?.startLine ?? 0) + 1} ${hits.text[0]?.text.split("\n")[0]}`);
    }
    // One save: a new function appended to a file, then searched for by its own words.
    const file = corpus.questions[0]?.file ?? join(ws, "bench_one.py");
    appendFileSync(file, "\n\ndef frobnicate_quarterly_ledger(entries):\n    return sorted(entries, key=lambda e: e.quarter)\n");
    const saveStarted = performance.now();
    await indexer.updateFile(file);
    const found = (await indexer.search("frobnicate quarterly ledger", 5)).text.some((h: ChunkHit) => h.text.includes("frobnicate_quarterly_ledger"));
    const incrementalMs = Math.round(performance.now() - saveStarted);
    const indexBytes = Number(execSync(`du -sb ${JSON.stringify(join(base, "store"))}`).toString().split("\t")[0]);
    const result = {
      date: new Date().toISOString(),
      commit: execSync("git rev-parse --short HEAD", { cwd: ROOT }).toString().trim(),
      load: { before: Math.round(loadBefore * 10) / 10, after: Math.round(loadavg()[0] * 10) / 10 },
      corpus: { source: SOURCE_DIR, files: corpus.files, questions: corpus.questions.length },
      model: "embed-hashed (generated; word-hashed sparse token embeddings, mean pooling, 256 dims), 1 thread",
      quality: { text: quality(perSource.text), vector: quality(perSource.vector), hybrid: quality(perSource.hybrid) },
      cost: {
        indexMs: summary.ms,
        files: summary.files,
        chunks: summary.chunks,
        chunksPerSecond: Math.round((summary.chunks / summary.ms) * 1000 * 10) / 10,
        incrementalSaveToSearchableMs: incrementalMs,
        incrementalFound: found,
        queryMsP50: percentile(queryMs, 50),
        queryMsP95: percentile(queryMs, 95),
        indexBytes,
        benchProcessRssGrowthMb: Math.round((rssAfter - rssBefore) / 1048576),
      },
    };
    writeFileSync(join(ROOT, "bench", "results", "memory.json"), `${JSON.stringify(result, null, 2)}\n`);
    writeSection(result);
    console.log(JSON.stringify(result, null, 2));
  } finally {
    indexer.dispose();
    await engine.dispose();
    rmSync(base, { recursive: true, force: true });
  }
}

function writeSection(r: { commit: string; load: { before: number; after: number }; corpus: { source: string; files: number; questions: number }; quality: Record<string, Quality>; cost: Record<string, number | boolean> }): void {
  const path = join(ROOT, "bench", "RESULTS.md");
  const row = (name: string, q: Quality) => `| ${name} | ${q.recallAt5}% | ${q.recallAt10}% | ${q.mrr} |`;
  const c = r.cost;
  const section = [
    "<!-- bench:memory -->",
    "## Codebase memory: retrieval quality and cost (`npm run bench:memory`)",
    "",
    `At ${r.commit}, load ${r.load.before} → ${r.load.after} (2 cores). Questions: the first sentence of ${r.corpus.questions} function docstrings of ${r.corpus.source} (${r.corpus.files} top-level modules), docstrings removed from the indexed copy; the answer is the chunk that holds the function. Vectors: the generated embed-hashed model through the engine (1 thread).`,
    "",
    "| source | recall@5 | recall@10 | MRR |",
    "|---|---|---|---|",
    row("full text (LanceDB FTS)", r.quality.text),
    row("vectors (embed-hashed)", r.quality.vector),
    row("hybrid (RRF of both)", r.quality.hybrid),
    "",
    `Target: hybrid recall@10 ≥ 85% and above each source alone: ${r.quality.hybrid.recallAt10 >= 85 && r.quality.hybrid.recallAt10 > Math.max(r.quality.text.recallAt10, r.quality.vector.recallAt10) ? "met" : "**not met**"}.`,
    "",
    `Cost: ${c.files} files → ${c.chunks} chunks indexed in ${c.indexMs} ms (${c.chunksPerSecond} chunks/s, embedding included); one save to searchable ${c.incrementalSaveToSearchableMs} ms (found: ${c.incrementalFound}); a question's search (embedding it + vector + full text) p50 ${c.queryMsP50} ms, p95 ${c.queryMsP95} ms; index on disk ${Math.round(Number(c.indexBytes) / 1024)} KiB; the indexing process grew ${c.benchProcessRssGrowthMb} MB.`,
    "<!-- /bench:memory -->",
  ].join("\n");
  const text = readFileSync(path, "utf8");
  const start = text.indexOf("<!-- bench:memory -->");
  const end = text.indexOf("<!-- /bench:memory -->");
  writeFileSync(path, start >= 0 && end > start ? text.slice(0, start) + section + text.slice(end + "<!-- /bench:memory -->".length) : `${text.trimEnd()}\n\n${section}\n`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
