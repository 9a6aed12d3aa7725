// Codebase memory bench (`npm run bench:memory`): retrieval quality on questions from real code bases on this machine
// (Python's standard library, ESLint's JavaScript and RxJS's TypeScript from their pinned npm tarballs): each function's
// docstring or JSDoc block's first sentence is the question, the comment is left out of the indexed copy, the function
// is the answer (bench/memory/retrieval-questions.ts), for full text alone, vectors alone (a generated embedding model
// through the real engine: embed-learned by default) and hybrid fusion; and the cost: index time, an incremental update after one save,
// query latency, index size. Python is the corpus the ranking was tuned on; the others are held out.
// Writes bench/results/memory.json and the bench:memory section of bench/RESULTS.md.
import { execSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, appendFileSync, statSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { basename, dirname, join, relative } from "node:path";
import { MemoryLogger } from "../../src/common/logger";
import { EngineClient } from "../../src/engine/client";
import type { ChunkHit } from "../../src/memory/chunk-store";
import { engineEmbedder } from "../../src/memory/embedder";
import { fuseRankings, RRF_K, SOURCE_WEIGHTS } from "../../src/memory/hybrid-search";
import { MemoryIndexer } from "../../src/memory/memory-indexer";
import { adviseSmallerModel } from "../../src/models/smaller-model-advice";
import { ensureTestModel, TEST_MODEL_NAMES } from "../../test/fixtures/models/test-models";
import type { TestModelName } from "../../test/fixtures/models/test-models";
import { prepareCorpus, RECALL_CORPORA } from "../context/recall/corpora";
import { prepareFile } from "./retrieval-questions";
import type { QuestionLanguage } from "./retrieval-questions";

const ROOT = join(__dirname, "..", "..", "..");
const MAX_QUESTIONS = Number(process.env.HEARTH_MEMORY_BENCH_QUESTIONS ?? 200);
/** Comma-separated corpus keys to run (python, eslint, rxjs); all by default. */
const ONLY = process.env.HEARTH_MEMORY_BENCH_CORPORA?.split(",").map((s) => s.trim()) ?? null;

interface BenchCorpus {
  key: string;
  name: string;
  language: QuestionLanguage;
  root: string;
  origin: string;
  /** Python's top level only (as the first runs of this bench); the others whole. */
  recursive: boolean;
  role: "tuned on" | "held out";
}

interface Question {
  file: string;
  /** 0-based line of the declaration in the indexed (comment-free) copy. */
  line: number;
  question: string;
}

function benchCorpora(): BenchCorpus[] {
  const out: BenchCorpus[] = [];
  const python = process.env.HEARTH_MEMORY_BENCH_SOURCE ?? "/usr/lib/python3.11";
  out.push({ key: "python", name: "Python 3.11 stdlib", language: "python", root: python, origin: `${python}, top-level modules`, recursive: false, role: "tuned on" });
  for (const [key, spec, language] of [
    ["eslint", "eslint (JS)", "javascript"],
    ["rxjs", "rxjs (TS)", "typescript"],
  ] as const) {
    const found = RECALL_CORPORA.find((c) => c.name === spec);
    const corpus = found ? prepareCorpus(found, ROOT, join(ROOT, "bench", ".work", "corpora")) : `${spec} is not a recall corpus`;
    if (typeof corpus === "string") console.warn(`retrieval bench: ${key} left out: ${corpus}`);
    else out.push({ key, name: spec, language, root: corpus.root, origin: corpus.origin, recursive: true, role: "held out" });
  }
  return out.filter((c) => !ONLY || ONLY.includes(c.key));
}

const EXTENSIONS: Record<QuestionLanguage, RegExp> = { python: /\.py$/, javascript: /\.(js|mjs|cjs)$/, typescript: /(?<!\.d)\.ts$/ };

function sourceFiles(dir: string, pattern: RegExp, recursive: boolean): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    let isDir: boolean;
    try {
      isDir = statSync(path).isDirectory();
    } catch {
      continue;
    }
    if (isDir) {
      if (recursive && !name.startsWith(".") && name !== "node_modules") out.push(...sourceFiles(path, pattern, true));
    } else if (pattern.test(name)) out.push(path);
  }
  return out;
}

/** Copies the corpus's source files without the questions' comments, and collects the questions (evenly sampled). */
function buildCorpus(corpus: BenchCorpus, into: string): { files: number; questions: Question[] } {
  const questions: Question[] = [];
  let files = 0;
  for (const path of sourceFiles(corpus.root, EXTENSIONS[corpus.language], corpus.recursive)) {
    let text: string;
    try {
      text = readFileSync(path, "utf8");
    } catch {
      continue;
    }
    const prepared = prepareFile(text, corpus.language);
    const target = join(into, relative(corpus.root, path));
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, prepared.text);
    files++;
    for (const q of prepared.questions) questions.push({ file: target, line: q.line, question: q.question });
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

/** Fusion settings measured beside the product's (RRF_K, SOURCE_WEIGHTS) from the same hits: k and full text's weight. */
const FUSION_GRID = [5, 20, 60].flatMap((k) => [0.5, 1, 1.5, 2, 3].map((text) => ({ k, text })));

interface CorpusResult {
  key: string;
  name: string;
  origin: string;
  role: string;
  files: number;
  questions: number;
  quality: { text: Quality; vector: Quality; hybrid: Quality };
  /** recall@10 of hybrid for other fusion settings ("k=20 text×2": RRF k 20, full text's weight 2, vectors' 1). */
  fusionRecallAt10: Record<string, number>;
  cost: { indexMs: number; chunks: number; chunksPerSecond: number; queryMsP50: number; queryMsP95: number; indexBytes: number; benchProcessRssGrowthMb: number };
  incremental?: { saveToSearchableMs: number; found: boolean };
}

async function runCorpus(corpus: BenchCorpus, base: string, engine: EngineClient | null, first: boolean): Promise<CorpusResult> {
  const ws = join(base, corpus.key, "workspace");
  mkdirSync(ws, { recursive: true });
  const built = buildCorpus(corpus, ws);
  const indexer = new MemoryIndexer({
    storeDir: join(base, corpus.key, "store"),
    grammarsDir: join(ROOT, "grammars"),
    logger: new MemoryLogger("warn"),
    embedder: engine ? engineEmbedder(engine) : null,
  });
  try {
    const rssBefore = process.memoryUsage().rss;
    const summary = await indexer.indexFolders([ws]);
    const rssAfter = process.memoryUsage().rss;
    const ranks = { text: [] as number[], vector: [] as number[], hybrid: [] as number[] };
    const grid = new Map<string, number[]>();
    const queryMs: number[] = [];
    for (const q of built.questions) {
      const started = performance.now();
      const hits = await indexer.search(q.question, 20);
      queryMs.push(performance.now() - started);
      const lists = (textWeight: number) => [
        { source: "vector" as const, hits: hits.vector, weight: SOURCE_WEIGHTS.vector },
        { source: "text" as const, hits: hits.text, weight: textWeight },
      ];
      const fused = fuseRankings(lists(SOURCE_WEIGHTS.text), RRF_K);
      ranks.text.push(rankOf(hits.text, q));
      ranks.vector.push(rankOf(hits.vector, q));
      ranks.hybrid.push(rankOf(fused, q));
      for (const g of FUSION_GRID) {
        const key = `k=${g.k} text×${g.text}`;
        grid.set(key, [...(grid.get(key) ?? []), rankOf(fuseRankings(lists(g.text), g.k), q)]);
      }
      if (process.env.HEARTH_MEMORY_BENCH_DUMP && rankOf(fused, q) > 10) console.log(`MISS ${q.question}\n  want ${q.file}:${q.line + 1}\n  got  ${fused[0]?.path}:${(fused[0]?.startLine ?? 0) + 1} ${fused[0]?.text.split("\n")[0]}`);
    }
    let incremental: CorpusResult["incremental"];
    if (first) {
      // One save: a new function appended to a file, then searched for by its own words.
      const file = built.questions[0]?.file ?? join(ws, "bench_one.py");
      appendFileSync(file, "\n\ndef frobnicate_quarterly_ledger(entries):\n    return sorted(entries, key=lambda e: e.quarter)\n");
      const saveStarted = performance.now();
      await indexer.updateFile(file);
      const found = (await indexer.search("frobnicate quarterly ledger", 5)).text.some((h: ChunkHit) => h.text.includes("frobnicate_quarterly_ledger"));
      incremental = { saveToSearchableMs: Math.round(performance.now() - saveStarted), found };
    }
    return {
      key: corpus.key,
      name: corpus.name,
      origin: corpus.origin,
      role: corpus.role,
      files: built.files,
      questions: built.questions.length,
      quality: { text: quality(ranks.text), vector: quality(ranks.vector), hybrid: quality(ranks.hybrid) },
      fusionRecallAt10: Object.fromEntries([...grid].map(([k, r]) => [k, quality(r).recallAt10])),
      cost: {
        indexMs: summary.ms,
        chunks: summary.chunks,
        chunksPerSecond: Math.round((summary.chunks / summary.ms) * 1000 * 10) / 10,
        queryMsP50: percentile(queryMs, 50),
        queryMsP95: percentile(queryMs, 95),
        indexBytes: Number(execSync(`du -sb ${JSON.stringify(join(base, corpus.key, "store"))}`).toString().split("\t")[0]),
        benchProcessRssGrowthMb: Math.round((rssAfter - rssBefore) / 1048576),
      },
      ...(incremental ? { incremental } : {}),
    };
  } finally {
    indexer.dispose();
  }
}

/**
 * HEARTH_MEMORY_BENCH_FTS='{"stem":false}' measures other full-text tokenizer options than the store's (LanceDB's
 * Index.fts options, laid over the store's own): the bench runs the indexer in this process, so its index is built
 * through this module's Index.fts.
 */
async function overrideTextIndexOptions(): Promise<Record<string, unknown> | null> {
  const raw = process.env.HEARTH_MEMORY_BENCH_FTS;
  if (!raw) return null;
  const options = JSON.parse(raw) as Record<string, unknown>;
  const lance = await import("@lancedb/lancedb");
  const fts = lance.Index.fts.bind(lance.Index);
  lance.Index.fts = (given) => fts({ ...given, ...options });
  return options;
}

/**
 * HEARTH_MEMORY_BENCH_MODEL: the embedding model, a generated one by name (embed-learned by default: token vectors
 * learned from code and its comments elsewhere; embed-hashed: hashed words) or a GGUF's path.
 */
function embeddingModelName(): string {
  return process.env.HEARTH_MEMORY_BENCH_MODEL ?? "embed-learned";
}

async function embeddingModelPath(): Promise<string> {
  const name = embeddingModelName();
  return (TEST_MODEL_NAMES as readonly string[]).includes(name) ? ensureTestModel(name as TestModelName) : name;
}

async function main(): Promise<void> {
  if (process.env.HEARTH_MEMORY_BENCH_REPORT_ONLY) {
    // Rewrites the RESULTS.md section from bench/results/memory.json (after another bench's run replaced it).
    writeSection(JSON.parse(readFileSync(join(ROOT, "bench", "results", "memory.json"), "utf8")) as Parameters<typeof writeSection>[0]);
    return;
  }
  const loadBefore = loadavg()[0];
  const ftsOverride = await overrideTextIndexOptions();
  const base = mkdtempSync(join(tmpdir(), "hearth-memory-bench-"));
  const noVectors = Boolean(process.env.HEARTH_MEMORY_BENCH_NO_VECTORS);
  let engine: EngineClient | null = null;
  if (!noVectors) {
    const [hashed, tiny] = await Promise.all([embeddingModelPath(), ensureTestModel("tiny")]);
    engine = new EngineClient({ workerPath: join(ROOT, "out", "src", "engine", "worker", "main.mjs"), logger: new MemoryLogger("warn"), adviseOnRefusal: adviseSmallerModel });
    await engine.configure({ modelPath: tiny, embeddingModelPath: hashed, threads: 1, contextSize: 1024, gpu: "off", idleUnloadMs: 0 });
  }
  try {
    const corpora: CorpusResult[] = [];
    for (const [i, corpus] of benchCorpora().entries()) {
      corpora.push(await runCorpus(corpus, base, engine, i === 0));
      console.log(JSON.stringify(corpora[corpora.length - 1]));
    }
    const result = {
      date: new Date().toISOString(),
      commit: execSync("git rev-parse --short HEAD", { cwd: ROOT }).toString().trim(),
      load: { before: Math.round(loadBefore * 10) / 10, after: Math.round(loadavg()[0] * 10) / 10 },
      model: noVectors ? "none (full text only)" : `${embeddingModelName()} (${basename(await embeddingModelPath())}), 1 thread`,
      fusion: { k: RRF_K, weights: SOURCE_WEIGHTS },
      ...(ftsOverride ? { textIndexOverride: ftsOverride } : {}),
      corpora,
    };
    const out = process.env.HEARTH_MEMORY_BENCH_OUT ?? join(ROOT, "bench", "results", "memory.json");
    writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
    if (!process.env.HEARTH_MEMORY_BENCH_OUT) writeSection(result);
  } finally {
    await engine?.dispose();
    rmSync(base, { recursive: true, force: true });
  }
}

function writeSection(r: { commit: string; model?: string; load: { before: number; after: number }; fusion: { k: number; weights: Record<string, number> }; corpora: CorpusResult[] }): void {
  const path = join(ROOT, "bench", "RESULTS.md");
  const rows = r.corpora.flatMap((c) => {
    const met = c.quality.hybrid.recallAt10 >= 85 && c.quality.hybrid.recallAt10 > Math.max(c.quality.text.recallAt10, c.quality.vector.recallAt10);
    const row = (name: string, q: Quality, target = "") => `| ${c.name} (${c.role}) | ${name} | ${q.recallAt5}% | ${q.recallAt10}% | ${q.mrr} | ${target} |`;
    return [row("full text", c.quality.text), row("vectors", c.quality.vector), row("**hybrid**", c.quality.hybrid, met ? "met" : "**not met**")];
  });
  const first = r.corpora[0];
  const cost = r.corpora.map((c) => `${c.name}: ${c.files} files → ${c.cost.chunks} chunks in ${c.cost.indexMs} ms (${c.cost.chunksPerSecond} chunks/s, embedding included), search p50 ${c.cost.queryMsP50} ms / p95 ${c.cost.queryMsP95} ms, ${Math.round(c.cost.indexBytes / 1024)} KiB on disk, process grew ${c.cost.benchProcessRssGrowthMb} MB`);
  const section = [
    "<!-- bench:memory -->",
    "## Codebase memory: retrieval quality and cost (`npm run bench:memory`)",
    "",
    `At ${r.commit}, load ${r.load.before} → ${r.load.after} (2 cores). Questions: the first sentence of a function's docstring (Python) or JSDoc block (JavaScript, TypeScript), up to ${MAX_QUESTIONS} per corpus sampled evenly, the comment left out of the indexed copy (full text and vectors); the answer is the chunk that holds the function's declaration line (path and line range). Vectors: ${r.model ?? "the generated embed-hashed model, 1 thread"} through the engine. Hybrid: reciprocal rank fusion, k ${r.fusion.k}, weights ${Object.entries(r.fusion.weights).map(([s, w]) => `${s} ${w}`).join(", ")}. Fusion and full-text choices were tuned on Python only; ESLint and RxJS are held out.${r.model?.startsWith("embed-learned") ? " embed-learned's settings were chosen on a validation split of its own training corpus (Debian's Python packages, node_modules without ESLint and RxJS), none of these three." : ""}`,
    "",
    "| corpus | source | recall@5 | recall@10 | MRR | target (hybrid@10 ≥ 85% and above each) |",
    "|---|---|---|---|---|---|",
    ...rows,
    "",
    ...r.corpora.map((c) => `- ${c.name}: ${c.origin}; ${c.questions} questions.`),
    "",
    `Cost: ${cost.join("; ")}.${first?.incremental ? ` One save to searchable ${first.incremental.saveToSearchableMs} ms (found: ${first.incremental.found}).` : ""}`,
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
