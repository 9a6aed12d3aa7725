// Embedding cost (issue 18), `npm run bench:memory` (or node out/bench/memory/embedding-cost.js): chunks and tokens
// embedded per second by the engine's embedding role with embed-bge-small (random weights in bge-small-en-v1.5's exact
// shape, on its real tokenizer: the real model's cost per token) on one thread, over this repository's own TypeScript
// cut into 30-line chunks; the real indexer's end-to-end rate with it (memory worker thread, tree-sitter, LanceDB) over
// the 5,000-file bench workspace (bench-workspace.ts); and inline completion latency (bench-0.5b, 1 thread) idle
// against while that indexer runs, in one run with the sides rotated: indexing as the editor runs it (a keystroke
// before each completion and the completion model's busy status, passed on as the host does) and indexing told nothing
// (only the engine's embedding lane gives way). Writes bench/results/embedding-cost.json and its section of bench/RESULTS.md.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { isAbortError } from "../../src/common/abort";
import { silentLogger } from "../../src/common/logger";
import { EngineClient } from "../../src/engine/client";
import { EDITOR_QUIET_MS, WorkerCodebaseMemory } from "../../src/memory/worker-memory";
import { median, writeBenchResult, type FlatValue } from "../report";
import { benchWorkspace } from "./bench-workspace";
import { ensureTestModel } from "../../test/fixtures/models/test-models";

const ROOT = join(__dirname, "..", "..", "..");
const CHUNK_LINES = 30;
const THROUGHPUT_CHUNKS = Number(process.env.HEARTH_EMBEDDING_BENCH_CHUNKS ?? 240);
const ROUNDS = Number(process.env.HEARTH_EMBEDDING_BENCH_ROUNDS ?? 3);
const COMPLETIONS_PER_SIDE = 5;
const COMPLETION_SPACING_MS = 1500;
const COMPLETION_TOKENS = 16;
const WORKSPACE_FILES = 5000;
/** How long the indexer runs alone, embedding, for its end-to-end rate. */
const INDEX_WINDOW_MS = Number(process.env.HEARTH_EMBEDDING_BENCH_INDEX_S ?? 90) * 1000;

/** This repository's src/ as 30-line chunks with their file path as a header, in a stable order. */
function repositoryChunks(): string[] {
  const chunks: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (/\.m?ts$/.test(name)) {
        const lines = readFileSync(path, "utf8").split("\n");
        for (let i = 0; i < lines.length; i += CHUNK_LINES) {
          const body = lines.slice(i, i + CHUNK_LINES).join("\n");
          if (body.trim()) chunks.push(`// ${path.slice(ROOT.length + 1)}\n${body}`);
        }
      }
    }
  };
  walk(join(ROOT, "src"));
  return chunks;
}

const load = () => Math.round(loadavg()[0] * 10) / 10;

function engineRssMb(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
    return kb ? Math.round(Number(kb) / 1024) : null;
  } catch {
    return null;
  }
}

export async function runEmbeddingCostBench(log: (line: string) => void = (line) => console.log(line)): Promise<Record<string, FlatValue>> {
  const [embeddingModel, completionModel] = await Promise.all([ensureTestModel("embed-bge-small"), ensureTestModel("bench-0.5b")]);
  const client = new EngineClient({ workerPath: join(ROOT, "dist", "engine-worker.mjs"), logger: silentLogger });
  const chunks = repositoryChunks();
  const loadBefore = load();
  try {
    await client.configure({ modelPath: completionModel, embeddingModelPath: embeddingModel, threads: 1, contextSize: 2048, gpu: "off", idleUnloadMs: 0 });
    await client.load();
    await client.embed(["warm up"]);
    const rssBefore = engineRssMb(client.pid);

    // Throughput alone: nothing else runs.
    const sample = chunks.slice(0, THROUGHPUT_CHUNKS);
    const started = performance.now();
    const result = await client.embed(sample);
    const seconds = (performance.now() - started) / 1000;
    const tokens = result.tokens.reduce((sum, n) => sum + n, 0);
    const chunksPerSecond = sample.length / seconds;
    const tokensPerSecond = tokens / seconds;
    log(`embedding: ${sample.length} chunks, ${tokens} tokens (${result.truncated.length} cut to the 512-token window) in ${seconds.toFixed(1)} s: ${chunksPerSecond.toFixed(1)} chunks/s, ${Math.round(tokensPerSecond)} tokens/s, load ${load()}`);

    // The real indexer (its worker thread, the LanceDB store) over the 5,000-file workspace, embedding with the engine.
    const workspace = await benchWorkspace(WORKSPACE_FILES);
    const storeBase = mkdtempSync(join(tmpdir(), "hearth-embedding-cost-"));
    let embeddedChunks = 0;
    let embeddedTokens = 0;
    let embedsInFlight = 0;
    const memory = new WorkerCodebaseMemory({
      storeDir: join(storeBase, "store"),
      grammarsDir: join(ROOT, "grammars"),
      excludeGlobs: [],
      logger: silentLogger,
      embedder: {
        embed: async (texts, { signal }) => {
          embedsInFlight++;
          try {
            const r = await client.embed([...texts], { signal });
            embeddedChunks += texts.length;
            embeddedTokens += r.tokens.reduce((a, b) => a + b, 0);
            return { model: r.modelPath, vectors: r.vectors };
          } finally {
            embedsInFlight--;
          }
        },
      },
    });
    // As ide/codebase-setup.ts does in the editor: a completion running makes the indexer wait (on the "typing" side).
    let editorSignals = false;
    const statusListener = client.onDidChangeStatus((status) => memory.setBusy(editorSignals && status.kind === "ready" && status.busy));
    // One pass for the whole run (starting one lists 5,000 files and opens the store: a minute on a loaded machine);
    // the idle sides hold it (the whole indexer waits) and start once nothing it asked for is still being embedded.
    const controller = new AbortController();
    const pass = memory.indexFolders([workspace.dir], controller.signal).catch((e: unknown) => (isAbortError(e) ? null : Promise.reject(e)));
    const until = async (done: () => boolean, ms: number): Promise<void> => {
      const deadline = performance.now() + ms;
      while (!done() && performance.now() < deadline) await delay(200);
    };
    await until(() => embeddedChunks > 0, 600_000);
    if (embeddedChunks === 0) throw new Error("the indexer embedded nothing in 10 minutes");

    // Indexing with embedding, nothing else running: the end-to-end rate (chunking, embedding, writes).
    const windowStart = performance.now();
    const chunksBefore = embeddedChunks;
    const tokensBefore = embeddedTokens;
    await delay(INDEX_WINDOW_MS);
    const windowChunks = embeddedChunks - chunksBefore;
    const windowTokens = embeddedTokens - tokensBefore;
    const windowSeconds = (performance.now() - windowStart) / 1000;
    log(`indexing with embedding: ${windowChunks} chunks, ${windowTokens} tokens in ${windowSeconds.toFixed(0)} s, load ${load()}`);

    // Completions idle and beside the indexer, the sides rotated: indexing as the editor runs it (a keystroke before
    // each completion, and the completion model's busy status) and indexing told nothing (only the engine's
    // embedding lane gives way).
    let typed = 0;
    const base = readFileSync(join(ROOT, "src", "engine", "client.ts"), "utf8").slice(0, 1500);
    const completion = async (): Promise<number> => {
      typed++;
      const start = performance.now();
      await client.infill({ prefix: `${base}\n  const value${typed} = `, suffix: "\n}\n", maxTokens: COMPLETION_TOKENS, filePath: "src/engine/client.ts", languageId: "typescript" });
      return performance.now() - start;
    };
    await completion();
    const sides = { idle: [] as number[], typing: [] as number[], unsignalled: [] as number[] };
    const progressed = { typing: 0, unsignalled: 0 };
    const runSide = async (side: keyof typeof sides): Promise<void> => {
      editorSignals = side === "typing";
      if (side === "idle") {
        memory.noteActivity(3_600_000);
        await until(() => embedsInFlight === 0, 120_000);
      } else memory.noteActivity(1);
      const before = embeddedChunks;
      for (let i = 0; i < COMPLETIONS_PER_SIDE; i++) {
        await delay(COMPLETION_SPACING_MS);
        if (side === "typing") memory.noteActivity();
        sides[side].push(await completion());
      }
      if (side !== "idle") progressed[side] += embeddedChunks - before;
    };
    const order: (keyof typeof sides)[] = ["idle", "typing", "unsignalled"];
    for (let round = 0; round < ROUNDS; round++) {
      const rotated = [...order.slice(round % 3), ...order.slice(0, round % 3)];
      for (const side of rotated) await runSide(side);
      log(`round ${round + 1} (${rotated.join(", ")}): ${order.map((k) => `${k} ${sides[k].slice(-COMPLETIONS_PER_SIDE).map(Math.round).join(", ")} ms`).join("; ")}; load ${load()}`);
    }
    controller.abort();
    memory.noteActivity(1);
    await pass;
    statusListener.dispose();
    memory.dispose();
    rmSync(storeBase, { recursive: true, force: true });
    const rssAfter = engineRssMb(client.pid);
    const idleP50 = median(sides.idle);
    const ratio = (values: number[]): number => Math.round((median(values) / idleP50) * 100) / 100;
    const loadAfter = load();
    const indexRate = windowChunks / windowSeconds;
    const figures: Record<string, FlatValue> = {
      embedding_model: "embed-bge-small (bge-small-en-v1.5 shape, Q8_0, random weights)",
      embedding_threads: 1,
      chunk_lines: CHUNK_LINES,
      chunks: sample.length,
      chunk_tokens_p50: median(result.tokens),
      chunks_truncated: result.truncated.length,
      chunks_per_second: Math.round(chunksPerSecond * 10) / 10,
      tokens_per_second: Math.round(tokensPerSecond),
      workspace: workspace.description,
      indexing_window_s: Math.round(windowSeconds),
      indexing_chunks_per_second: Math.round(indexRate * 100) / 100,
      indexing_tokens_per_second: Math.round(windowTokens / windowSeconds),
      completion_model: "bench-0.5b (Qwen2.5-Coder-0.5B shape, Q8_0), 1 thread",
      completion_tokens: COMPLETION_TOKENS,
      completion_spacing_ms: COMPLETION_SPACING_MS,
      editor_quiet_ms: EDITOR_QUIET_MS,
      rounds: ROUNDS,
      completion_idle_ms_p50: Math.round(idleP50),
      completion_indexing_typing_ms_p50: Math.round(median(sides.typing)),
      completion_indexing_unsignalled_ms_p50: Math.round(median(sides.unsignalled)),
      completion_indexing_typing_ratio: ratio(sides.typing),
      completion_indexing_unsignalled_ratio: ratio(sides.unsignalled),
      chunks_indexed_beside_typing: progressed.typing,
      chunks_indexed_beside_unsignalled: progressed.unsignalled,
      interference_target_ratio: 1.1,
      interference_meets_target: ratio(sides.typing) <= 1.1,
      engine_rss_mb_with_both_models: rssAfter,
      engine_rss_mb_before_embedding_runs: rssBefore,
      load_before: loadBefore,
      load_after: loadAfter,
    };
    const markdown = [
      "## Embedding cost and interference (`npm run bench:memory`)",
      "",
      `embed-bge-small (random Q8_0 weights in bge-small-en-v1.5's shape, its real WordPiece tokenizer), 1 thread, over this repository's src/ in ${CHUNK_LINES}-line chunks (median ${figures.chunk_tokens_p50} tokens, ${figures.chunks_truncated} of ${sample.length} cut to the 512-token window): **${figures.chunks_per_second} chunks/s, ${figures.tokens_per_second} tokens/s**. Load ${loadBefore} → ${loadAfter} on 2 cores (other sessions' work), so these are lower bounds.`,
      "",
      `The real indexer (memory worker thread, tree-sitter chunks, LanceDB) embedding with it over ${workspace.description}: **${figures.indexing_chunks_per_second} chunks/s, ${figures.indexing_tokens_per_second} tokens/s** over ${figures.indexing_window_s} s, so a full index of the workspace's chunks with embedding takes chunks ÷ that rate (see the scale section for the count).`,
      "",
      `Inline completions (bench-0.5b, 1 thread, ${COMPLETION_TOKENS} tokens, prompts ${COMPLETION_SPACING_MS} ms apart), ${ROUNDS} rounds rotating three sides (${sides.idle.length} samples each): p50 **${figures.completion_idle_ms_p50} ms idle; ${figures.completion_indexing_typing_ms_p50} ms while the indexer runs as in the editor (a keystroke before each completion, indexing paused while the completion runs and for ${EDITOR_QUIET_MS} ms after it or the keystroke; ratio ${figures.completion_indexing_typing_ratio}, target ≤ 1.10: ${Number(figures.completion_indexing_typing_ratio) <= 1.1 ? "met" : "not met"})**; ${figures.completion_indexing_unsignalled_ms_p50} ms while it runs told nothing (invoked completions, only the engine's embedding lane gives way; ratio ${figures.completion_indexing_unsignalled_ratio}). Chunks indexed during those sides: ${progressed.typing} and ${progressed.unsignalled}. The engine process held both models in ${rssAfter ?? "?"} MB. Under a load far above the cores, the milliseconds measure the machine's run queue more than Hearth: compare the ratios, not the times.`,
    ].join("\n");
    writeBenchResult("embedding-cost", figures, markdown);
    return figures;
  } finally {
    await client.dispose();
  }
}

if (require.main === module) {
  runEmbeddingCostBench().then(
    (figures) => console.log(JSON.stringify(figures, null, 2)),
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
