// Should the engine process run with a small libuv threadpool? node-llama-cpp runs each token's decode on a libuv
// worker, returns to JavaScript, samples on another worker, returns again: every hand-off wakes a sleeping thread, which
// waits for a CPU when both cores are busy (gen-speed.ts: one worker thread cut that wait from 31 to 18 ms per token).
// But the same pool runs everything else of the engine's native work: the chat's decodes and samplings, each embedding
// text's evaluation, a model's load and context creation, fs/promises reads. With fewer threads, a completion can queue
// behind them.
//
// One engine process (the real EngineClient, the bundled worker) per pool size (4, Node's default; 2; 1), all loaded at
// once, bench-0.5b for completions and chat, embed-bge-small for embeddings, 1 llama.cpp thread; every round runs each
// scenario on each pool in rotating order, so the sizes are compared seconds apart on a shared machine:
//   alone      typing-like completions (24 tokens, one character typed between requests, the prompt kept in the cache);
//   chat       the same while a chat answer streams on the completion model's chat sequence (Hearth's default setup);
//   embedding  the same, a pause of 1.1–1.4 s before each (indexing resumes 1 s after a completion), while the codebase
//              indexer's batches (16 code chunks of up to 1,500 characters) go through the embedding model;
//   load       the same while a separate chat model is chosen and loads (bench-0.5b, under another path in even rounds:
//              0.5B weights and a context of their own), as choosing hearth.chat.modelPath does; chat then goes back
//              to the completion model (that unload is not measured);
// and, for the other side's cost, a chat answer and embedding batches alone.
//
//   node out/bench/engine/threadpool.js [--rounds 4] [--pools 4,2,1] [--tokens 24] [--chat-tokens 96] [--completions 4] [--prefix-lines 80]
//     [--model bench-0.5b|qwen-vocab]
// (fewer tokens for a machine too busy for bench-0.5b's; --model qwen-vocab, a tiny body on Qwen's real vocabulary,
// mostly stops after its first token: it measures latency, not generation; THREADPOOL_BENCH_VERBOSE=1 logs each request.)
// (after `node scripts/build.mjs`). Figures to bench/results/engine-threadpool.json and bench/RESULTS.md.
import { existsSync, readFileSync, readdirSync, symlinkSync, mkdirSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { MemoryLogger } from "../../src/common/logger";
import { EngineClient, type EngineSettings } from "../../src/engine/client";
import type { GenerationResult } from "../../src/engine/protocol";
import { ensureTestModel } from "../../test/fixtures/models/test-models";
import { BENCH_DIR, median, quantile, writeBenchResult, type FlatValue } from "../report";
import { readTaskTimes, taskUse } from "./task-times";

const SCENARIOS = ["alone", "chat", "embedding", "load"] as const;
type Scenario = (typeof SCENARIOS)[number];

interface Completion {
  pool: number;
  scenario: Scenario;
  round: number;
  /** What the caller waits: the request sent to the answer back. */
  ms: number;
  firstChunkMs: number | null;
  /** From the first chunk to the end, per generated token after the first. */
  genMsPerToken: number | null;
  load1: number;
}

interface Other {
  pool: number;
  scenario: "chat-alone" | "chat" | "embedding-alone" | "embedding" | "load";
  round: number;
  /** Chat: ms per generated token after the first; embedding: texts per second; load: ms of the switch. */
  value: number;
}

interface Waits {
  pool: number;
  /** Per generated token, in the "alone" scenario: ms the engine's threads waited for a CPU. */
  waitedMs: number;
}

/** Tokens per completion, tokens of the chat answer that streams beside them, completions per scenario and round. */
let TOKENS = 24;
let CHAT_TOKENS = 96;
let COMPLETIONS = 4;
/** Lines of prefix: the context engine's 80 (fim/layout.ts), fewer where the machine is too busy to evaluate them. */
let PREFIX_LINES = 80;

function args(): { rounds: number; pools: number[]; model: "bench-0.5b" | "qwen-vocab" } {
  const get = (name: string) => {
    const at = process.argv.indexOf(name);
    return at >= 0 ? process.argv[at + 1] : undefined;
  };
  TOKENS = Number(get("--tokens") ?? TOKENS);
  CHAT_TOKENS = Number(get("--chat-tokens") ?? CHAT_TOKENS);
  COMPLETIONS = Number(get("--completions") ?? COMPLETIONS);
  PREFIX_LINES = Number(get("--prefix-lines") ?? PREFIX_LINES);
  const model = get("--model") ?? "bench-0.5b";
  if (model !== "bench-0.5b" && model !== "qwen-vocab") throw new Error(`--model: bench-0.5b or qwen-vocab, not ${model}`);
  return { rounds: Number(get("--rounds") ?? 4), pools: (get("--pools") ?? "4,2,1").split(",").map(Number), model };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The code typed into: this repository's own engine client, a cursor at a line start in its second half. */
class Typist {
  private readonly text = readFileSync(join(BENCH_DIR, "..", "src", "engine", "client.ts"), "utf8");
  private cursor = 0;
  private readonly starts: number[] = [];

  constructor() {
    for (let i = 0; i < this.text.length; i++) if (this.text[i - 1] === "\n" && /\s*\w/.test(this.text.slice(i, i + 12))) this.starts.push(i);
  }

  /** A new place to type at (the same sequence of places for every pool). */
  moveTo(index: number): void {
    const half = this.starts.filter((at) => at > this.text.length / 3);
    this.cursor = half[(index * 7919) % half.length]! + 4;
  }

  /** One more character typed: the next request's prefix (PREFIX_LINES) and suffix (the rest of the line and the next). */
  next(): { prefix: string; suffix: string; prefixStartLine: number } {
    this.cursor++;
    const suffixEnd = this.text.indexOf("\n", this.text.indexOf("\n", this.cursor) + 1);
    const lines = this.text.slice(0, this.cursor).split("\n");
    const prefixStartLine = Math.max(0, lines.length - PREFIX_LINES);
    return { prefix: lines.slice(prefixStartLine).join("\n"), suffix: this.text.slice(this.cursor, suffixEnd), prefixStartLine };
  }
}

/** The indexer's batch: 16 chunks of source, up to 1,500 characters each, from this repository's engine files. */
function embeddingBatch(): string[] {
  const dir = join(BENCH_DIR, "..", "src", "engine");
  const texts: string[] = [];
  for (const name of readdirSync(dir).filter((n) => n.endsWith(".ts")).sort()) {
    const text = readFileSync(join(dir, name), "utf8");
    for (let at = 0; at + 1500 <= text.length && texts.length < 16; at += 3000) texts.push(`src/engine/${name}\n${text.slice(at, at + 1500)}`);
  }
  return texts.slice(0, 16);
}

class PoolSide {
  readonly typist = new Typist();
  private chatPathIndex = 0;

  constructor(
    readonly pool: number,
    readonly client: EngineClient,
    private readonly settings: EngineSettings,
    private readonly chatPaths: readonly string[],
  ) {}

  static async start(pool: number, settings: EngineSettings, chatPaths: readonly string[]): Promise<PoolSide> {
    const client = new EngineClient({ workerPath: join(BENCH_DIR, "..", "dist", "engine-worker.mjs"), logger: new MemoryLogger("warn"), env: { UV_THREADPOOL_SIZE: String(pool) } });
    await client.configure(settings);
    await client.load();
    return new PoolSide(pool, client, settings, chatPaths);
  }

  /** The engine process's threads (Node 20 leaves libuv's workers unnamed): they differ by the pool's size. */
  threads(): number {
    const pid = this.client.pid;
    return pid === undefined ? 0 : readdirSync(`/proc/${pid}/task`).length;
  }

  async complete(): Promise<{ result: GenerationResult; ms: number }> {
    const { prefix, suffix, prefixStartLine } = this.typist.next();
    const started = performance.now();
    const result = await this.client.infill({ prefix, suffix, prefixStartLine, filePath: "src/engine/client.ts", languageId: "typescript", maxTokens: TOKENS, maxLines: 0 }, { onChunk: () => undefined });
    const ms = performance.now() - started;
    if (process.env.THREADPOOL_BENCH_VERBOSE) process.stderr.write(`    pool ${this.pool}: ${ms.toFixed(0)} ms, ${result.promptTokens} prompt tokens, first chunk ${String(result.timings.firstChunkMs)} ms, ${result.generatedTokens} generated\n`);
    return { result, ms };
  }

  chat(maxTokens: number): Promise<GenerationResult> {
    return this.client.chat(
      {
        messages: [
          { role: "system", content: "You are a coding assistant. Answer with code and short explanations." },
          { role: "user", content: "How does the engine client restart the engine after a crash, and how long does it wait before each restart?" },
        ],
        maxTokens,
      },
      { onChunk: () => undefined },
    );
  }

  async useCompletionModelForChat(): Promise<void> {
    await this.client.configure(this.settings);
  }

  /** Switches the chat model to the next path and loads it: what choosing another chat model does. */
  async switchChatModel(): Promise<number> {
    const started = performance.now();
    const chatModelPath = this.chatPaths[this.chatPathIndex++ % this.chatPaths.length]!;
    await this.client.configure({ ...this.settings, chatModelPath });
    await this.client.loadChat();
    return performance.now() - started;
  }
}

function record(side: PoolSide, scenario: Scenario, round: number, answer: { result: GenerationResult; ms: number }, into: Completion[]): void {
  const { firstChunkMs, totalMs } = answer.result.timings;
  const generated = answer.result.generatedTokens;
  into.push({
    pool: side.pool,
    scenario,
    round,
    ms: answer.ms,
    firstChunkMs,
    genMsPerToken: firstChunkMs !== null && generated > 1 ? (totalMs - firstChunkMs) / (generated - 1) : null,
    load1: loadavg()[0]!,
  });
}

async function runScenario(side: PoolSide, scenario: Scenario, round: number, place: number, completions: Completion[], others: Other[], waits: Waits[]): Promise<void> {
  side.typist.moveTo(place);
  // The first request at a new place evaluates the whole prompt; the typing that follows reuses it.
  await side.complete();
  switch (scenario) {
    case "alone": {
      const pid = side.client.pid!;
      const before = readTaskTimes(pid);
      let tokens = 0;
      for (let i = 0; i < COMPLETIONS; i++) {
        await sleep(100);
        const answer = await side.complete();
        tokens += answer.result.generatedTokens;
        record(side, scenario, round, answer, completions);
      }
      const after = readTaskTimes(pid);
      if (before && after && tokens > 0) waits.push({ pool: side.pool, waitedMs: taskUse(before, after, String(pid)).waitedMs / tokens });
      return;
    }
    case "chat": {
      let firstChunk: () => void = () => undefined;
      const streaming = new Promise<void>((resolve) => (firstChunk = resolve));
      let done = false;
      const chat = side.client
        .chat(
          {
            messages: [
              { role: "system", content: "You are a coding assistant." },
              { role: "user", content: `Explain the engine client's restart back-off (round ${round}).` },
            ],
            maxTokens: CHAT_TOKENS,
          },
          { onChunk: () => firstChunk() },
        )
        .finally(() => (done = true));
      await streaming;
      for (let i = 0; i < COMPLETIONS + 2 && !done; i++) {
        await sleep(150);
        const answer = await side.complete();
        // Only requests that overlapped the answer count.
        if (!done) record(side, scenario, round, answer, completions);
      }
      const result = await chat;
      others.push({ pool: side.pool, scenario: "chat", round, value: perToken(result) });
      return;
    }
    case "embedding": {
      let stop = false;
      let texts = 0;
      const batch = embeddingBatch();
      const started = performance.now();
      const indexing = (async () => {
        while (!stop) texts += (await side.client.embed(batch)).vectors.length;
      })();
      for (let i = 0; i < COMPLETIONS; i++) {
        await sleep(1100 + ((round * 131 + i * 277) % 300));
        record(side, scenario, round, await side.complete(), completions);
      }
      stop = true;
      await indexing;
      others.push({ pool: side.pool, scenario: "embedding", round, value: texts / ((performance.now() - started) / 1000) });
      return;
    }
    case "load": {
      let loading = true;
      const load = side.switchChatModel().finally(() => (loading = false));
      for (let i = 0; i < COMPLETIONS && loading; i++) {
        // Only requests sent while the load was under way count.
        const answer = await side.complete();
        record(side, scenario, round, answer, completions);
        await sleep(50);
      }
      others.push({ pool: side.pool, scenario: "load", round, value: await load });
      // Back to chat on the completion model (Hearth's default) for the other scenarios; this unload is not measured.
      await side.useCompletionModelForChat();
      return;
    }
  }
}

function perToken(result: GenerationResult): number {
  const { firstChunkMs, totalMs } = result.timings;
  return firstChunkMs !== null && result.generatedTokens > 1 ? (totalMs - firstChunkMs) / (result.generatedTokens - 1) : Number.NaN;
}

async function alonePasses(side: PoolSide, round: number, others: Other[]): Promise<void> {
  others.push({ pool: side.pool, scenario: "chat-alone", round, value: perToken(await side.chat(Math.ceil(CHAT_TOKENS / 2))) });
  const batch = embeddingBatch();
  const started = performance.now();
  let texts = 0;
  texts += (await side.client.embed(batch)).vectors.length;
  others.push({ pool: side.pool, scenario: "embedding-alone", round, value: texts / ((performance.now() - started) / 1000) });
}

async function main(): Promise<void> {
  const { rounds, pools, model } = args();
  const modelPath = await ensureTestModel(model);
  const chatModelPath = await ensureTestModel("bench-0.5b");
  const embeddingModelPath = await ensureTestModel("embed-bge-small");
  // Two paths to the same weights: each switch is a real unload and load of a 0.5B model.
  const work = join(BENCH_DIR, ".work");
  mkdirSync(work, { recursive: true });
  const alias = join(work, "threadpool-chat-model.gguf");
  if (!existsSync(alias)) symlinkSync(chatModelPath, alias);
  const settings: EngineSettings = { modelPath, threads: 1, contextSize: 4096, gpu: "off", idleUnloadMs: 0, embeddingModelPath };
  const loadBefore = loadavg().map((x) => x.toFixed(2)).join(" ");
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const sides: PoolSide[] = [];
  for (const pool of pools) sides.push(await PoolSide.start(pool, settings, [alias, chatModelPath]));
  for (const side of sides) await side.client.embed(["warm up"]);
  const workers = new Map(sides.map((side) => [side.pool, side.threads()]));
  log(`threads per engine: ${[...workers].map(([pool, n]) => `pool ${pool}: ${n}`).join(", ")}`);
  const completions: Completion[] = [];
  const others: Other[] = [];
  const waits: Waits[] = [];
  const started = performance.now();
  for (let round = 0; round < rounds; round++) {
    for (const [s, scenario] of SCENARIOS.entries()) {
      for (let k = 0; k < sides.length; k++) {
        const side = sides[(round + s + k) % sides.length]!;
        const at = performance.now();
        await runScenario(side, scenario, round, round * SCENARIOS.length + s, completions, others, waits);
        if (process.env.THREADPOOL_BENCH_VERBOSE) log(`  ${scenario} on pool ${side.pool}: ${((performance.now() - at) / 1000).toFixed(1)} s`);
      }
    }
    for (let k = 0; k < sides.length; k++) await alonePasses(sides[(round + k) % sides.length]!, round, others);
    log(`round ${round + 1}/${rounds} done in ${((performance.now() - started) / 1000).toFixed(0)} s, load ${loadavg()[0]!.toFixed(2)}`);
    // Written after every round, so that a run cut short still leaves its figures (the rounds it completed).
    const loadAfter = loadavg().map((x) => x.toFixed(2)).join(" ");
    report({ model, pools, rounds: round + 1, completions, others, waits, workers, loadBefore, loadAfter, seconds: (performance.now() - started) / 1000 });
  }
  await Promise.all(sides.map((side) => side.client.dispose()));
}

interface Input {
  model: string;
  pools: number[];
  rounds: number;
  completions: Completion[];
  others: Other[];
  waits: Waits[];
  workers: Map<number, number>;
  loadBefore: string;
  loadAfter: string;
  seconds: number;
}

const f = (x: number, digits = 0) => (Number.isFinite(x) ? x.toFixed(digits) : "–");

/** The median over rounds of (this pool's median ÷ pool `base`'s median) in the same round. */
function pairedRatio(values: (pool: number, round: number) => number[], pool: number, base: number, rounds: number): number {
  const ratios: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const mine = median(values(pool, round));
    const theirs = median(values(base, round));
    if (Number.isFinite(mine) && Number.isFinite(theirs) && theirs > 0) ratios.push(mine / theirs);
  }
  return median(ratios);
}

function report(input: Input): void {
  const { pools, rounds, completions, others } = input;
  const base = pools[0]!;
  const figures: Record<string, FlatValue> = { model: input.model, rounds, load_before: input.loadBefore, load_after: input.loadAfter, seconds: Math.round(input.seconds) };
  const rows: string[] = [];
  for (const scenario of SCENARIOS) {
    rows.push(`| **${scenario === "alone" ? "completions alone" : scenario === "chat" ? "while a chat answer streams" : scenario === "embedding" ? "while the embedding model indexes" : "while the chat model is switched"}** | | | | | | | | |`);
    for (const pool of pools) {
      const mine = completions.filter((c) => c.pool === pool && c.scenario === scenario);
      const ms = mine.map((c) => c.ms);
      const first = mine.flatMap((c) => (c.firstChunkMs === null ? [] : [c.firstChunkMs]));
      const gen = mine.flatMap((c) => (c.genMsPerToken === null ? [] : [c.genMsPerToken]));
      const of = (p: number, r: number) => completions.filter((c) => c.pool === p && c.scenario === scenario && c.round === r).map((c) => c.ms);
      const genOf = (p: number, r: number) => completions.filter((c) => c.pool === p && c.scenario === scenario && c.round === r && c.genMsPerToken !== null).map((c) => c.genMsPerToken!);
      const ratio = pairedRatio(of, pool, base, rounds);
      const genRatio = pairedRatio(genOf, pool, base, rounds);
      const otherKind = scenario === "alone" ? undefined : scenario;
      const other = otherKind ? others.filter((o) => o.pool === pool && o.scenario === otherKind).map((o) => o.value) : [];
      const otherText = scenario === "chat" ? `${f(median(other), 1)} ms/token` : scenario === "embedding" ? `${f(median(other), 1)} texts/s` : scenario === "load" ? `${f(median(other))} ms (p95 ${f(quantile(other, 0.95))})` : "";
      const load = median(mine.map((c) => c.load1));
      rows.push(`| pool ${pool} | ${mine.length} | ${f(median(ms))} | ${f(quantile(ms, 0.95))} | ${f(median(first))} | ${f(median(gen), 1)} | ${f(ratio, 3)} / ${f(genRatio, 3)} | ${otherText} | ${f(load, 1)} |`);
      const key = `${scenario}_pool${pool}`;
      Object.assign(figures, {
        [`${key}_n`]: mine.length,
        [`${key}_ms_p50`]: Math.round(median(ms)),
        [`${key}_ms_p95`]: Math.round(quantile(ms, 0.95)),
        [`${key}_first_chunk_ms_p50`]: Math.round(median(first)),
        [`${key}_gen_ms_per_token_p50`]: Number(median(gen).toFixed(2)),
        [`${key}_ms_ratio_to_pool${base}`]: Number(ratio.toFixed(3)),
        [`${key}_gen_ratio_to_pool${base}`]: Number(genRatio.toFixed(3)),
        [`${key}_load1_p50`]: Number(load.toFixed(2)),
        ...(otherKind ? { [`${key}_other_p50`]: Number(median(other).toFixed(2)) } : {}),
      });
    }
  }
  const aloneRows = pools.map((pool) => {
    const chat = others.filter((o) => o.pool === pool && o.scenario === "chat-alone").map((o) => o.value);
    const embed = others.filter((o) => o.pool === pool && o.scenario === "embedding-alone").map((o) => o.value);
    const waited = input.waits.filter((w) => w.pool === pool).map((w) => w.waitedMs);
    figures[`chat_alone_pool${pool}_ms_per_token_p50`] = Number(median(chat).toFixed(2));
    figures[`embedding_alone_pool${pool}_texts_per_s_p50`] = Number(median(embed).toFixed(2));
    figures[`alone_pool${pool}_waited_ms_per_token_p50`] = Number(median(waited).toFixed(2));
    figures[`pool${pool}_engine_threads`] = input.workers.get(pool) ?? 0;
    return `| pool ${pool} | ${input.workers.get(pool) ?? "?"} | ${f(median(waited), 1)} | ${f(median(chat), 1)} | ${f(median(embed), 1)} |`;
  });
  const markdown = [
    "## Engine: libuv threadpool size (`node out/bench/engine/threadpool.js`)",
    "",
    `One engine process per threadpool size (UV_THREADPOOL_SIZE ${pools.join(", ")}; ${base} is Node's default), all loaded at once, through EngineClient and the bundled worker: ${input.model} for completions and chat (1 thread, context 4,096), bench-0.5b as the chat model that loads, embed-bge-small for embeddings; ${rounds} rounds, each scenario on each size in rotating order. Completions: ${TOKENS} tokens after a prefix of ${PREFIX_LINES} lines, one character typed between requests (the prompt stays in the cache), ${COMPLETIONS} per scenario and round after one unmeasured request at a new place. Latency: request sent to answer back, at the client. Ratios: median over rounds of the round's median ÷ pool ${base}'s (latency / generation ms per token). Load average ${input.loadBefore} before, ${input.loadAfter} after (2 cores, shared); ${Math.round(input.seconds)} s.`,
    "",
    "| pool | n | latency p50 ms | p95 ms | first chunk p50 ms | gen ms/token p50 | ÷ pool " + base + " (paired) | the other side (p50) | load avg |",
    "|---|---|---|---|---|---|---|---|---|",
    ...rows,
    "",
    "| pool | engine process threads (after the first loads and embeddings) | waited for a CPU per token, completions alone (ms) | chat alone, ms/token | embedding alone, texts/s |",
    "|---|---|---|---|---|",
    ...aloneRows,
  ].join("\n");
  writeBenchResult("engine-threadpool", figures, markdown);
  process.stderr.write(`${markdown}\n`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
