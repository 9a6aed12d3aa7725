// Embedding cost (issue 18), `npm run bench:memory` (or node out/bench/memory/embedding-cost.js): chunks and tokens
// embedded per second by the engine's embedding role with embed-bge-small (random weights in bge-small-en-v1.5's exact
// shape, on its real tokenizer: the real model's cost per token) on one thread, over this repository's own TypeScript
// cut into 30-line chunks; and inline completion latency (bench-0.5b, 1 thread, keystroke-like prompts) while an
// embedding of many chunks runs, against the same completions on an idle engine, alternating which goes first. The
// completions come 1.5 s apart, longer than the embedding's pause after a completion, so each one meets an embedding
// under way: the worst case. Writes bench/results/embedding-cost.json and its section of bench/RESULTS.md.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { isAbortError } from "../../src/common/abort";
import { silentLogger } from "../../src/common/logger";
import { EngineClient } from "../../src/engine/client";
import { median, quantile, writeBenchResult, type FlatValue } from "../report";
import { ensureTestModel } from "../../test/fixtures/models/test-models";

const ROOT = join(__dirname, "..", "..", "..");
const CHUNK_LINES = 30;
const THROUGHPUT_CHUNKS = Number(process.env.HEARTH_EMBEDDING_BENCH_CHUNKS ?? 240);
const ROUNDS = Number(process.env.HEARTH_EMBEDDING_BENCH_ROUNDS ?? 3);
const COMPLETIONS_PER_SIDE = 5;
const COMPLETION_SPACING_MS = 1500;
const COMPLETION_TOKENS = 16;

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

    // Completions idle and beside a running embedding, alternating.
    let typed = 0;
    const base = readFileSync(join(ROOT, "src", "engine", "client.ts"), "utf8").slice(0, 1500);
    const completion = async (): Promise<number> => {
      typed++;
      const start = performance.now();
      await client.infill({ prefix: `${base}\n  const value${typed} = `, suffix: "\n}\n", maxTokens: COMPLETION_TOKENS, filePath: "src/engine/client.ts", languageId: "typescript" });
      return performance.now() - start;
    };
    await completion();
    const idleMs: number[] = [];
    const besideMs: number[] = [];
    const idle = async () => {
      for (let i = 0; i < COMPLETIONS_PER_SIDE; i++) {
        await delay(COMPLETION_SPACING_MS);
        idleMs.push(await completion());
      }
    };
    const beside = async () => {
      const controller = new AbortController();
      let embedded: unknown;
      const running = client.embed(chunks, { signal: controller.signal }).then(
        (r) => (embedded = r),
        (error: unknown) => {
          if (!isAbortError(error)) throw error;
        },
      );
      for (let i = 0; i < COMPLETIONS_PER_SIDE; i++) {
        await delay(COMPLETION_SPACING_MS);
        besideMs.push(await completion());
      }
      if (embedded) throw new Error(`the embedding of ${chunks.length} chunks ended before the completions did: add chunks`);
      controller.abort();
      await running;
    };
    for (let round = 0; round < ROUNDS; round++) {
      const embeddingFirst = round % 2 === 0;
      if (embeddingFirst) {
        await beside();
        await idle();
      } else {
        await idle();
        await beside();
      }
      log(`round ${round + 1} (${embeddingFirst ? "embedding first" : "idle first"}): idle ${idleMs.slice(-COMPLETIONS_PER_SIDE).map(Math.round).join(", ")} ms; beside embedding ${besideMs.slice(-COMPLETIONS_PER_SIDE).map(Math.round).join(", ")} ms; load ${load()}`);
    }
    const rssAfter = engineRssMb(client.pid);
    const ratio = median(besideMs) / median(idleMs);
    const loadAfter = load();
    const figures: Record<string, FlatValue> = {
      embedding_model: "embed-bge-small (bge-small-en-v1.5 shape, Q8_0, random weights)",
      embedding_threads: 1,
      chunk_lines: CHUNK_LINES,
      chunks: sample.length,
      chunk_tokens_p50: median(result.tokens),
      chunks_truncated: result.truncated.length,
      chunks_per_second: Math.round(chunksPerSecond * 10) / 10,
      tokens_per_second: Math.round(tokensPerSecond),
      completion_model: "bench-0.5b (Qwen2.5-Coder-0.5B shape, Q8_0), 1 thread",
      completion_tokens: COMPLETION_TOKENS,
      completion_spacing_ms: COMPLETION_SPACING_MS,
      rounds: ROUNDS,
      completion_idle_ms_p50: Math.round(median(idleMs)),
      completion_idle_ms_p90: Math.round(quantile(idleMs, 0.9)),
      completion_beside_embedding_ms_p50: Math.round(median(besideMs)),
      completion_beside_embedding_ms_p90: Math.round(quantile(besideMs, 0.9)),
      completion_beside_embedding_ratio: Math.round(ratio * 100) / 100,
      interference_target_ratio: 1.1,
      interference_meets_target: ratio <= 1.1,
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
      `Inline completions (bench-0.5b, 1 thread, ${COMPLETION_TOKENS} tokens, keystroke-like prompts ${COMPLETION_SPACING_MS} ms apart so each meets an embedding under way), ${ROUNDS} rounds alternating which side goes first, ${idleMs.length} samples a side: p50 **${figures.completion_idle_ms_p50} ms idle, ${figures.completion_beside_embedding_ms_p50} ms beside indexing (ratio ${figures.completion_beside_embedding_ratio}; target ≤ 1.10: ${ratio <= 1.1 ? "met" : "not met"})**; p90 ${figures.completion_idle_ms_p90} / ${figures.completion_beside_embedding_ms_p90} ms. The engine process held both models in ${rssAfter ?? "?"} MB. Under a load far above the cores, the milliseconds measure the machine's run queue more than Hearth: compare the ratio, not the times.`,
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
