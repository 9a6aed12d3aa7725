// Where does a generated token's time go between llama.cpp and Hearth's host? Each layer of the path measured on
// the same model, threads and prompt, in fresh processes, interleaved over rounds (the machine is shared: medians):
//   decode      llama.cpp's own eval time per token (llama_perf, node-llama-cpp's performanceTracking)
//   evaluate    node-llama-cpp's token loop: sequence.evaluate() (decode + native sampling + two N-API hops + JS)
//   completion  LlamaCompletion.generateCompletionWithMeta with Hearth's options (stop triggers, onTextChunk)
//   engine      EngineClient.infill: the engine process, its IPC chunks and the host (first chunk to last)
// and the options that could cut it: one sequence in the context (no setImmediate before each decode), decodes
// dispatched at once, input-lookup speculative decoding (InputLookupTokenPredictor).
//
//   node out/bench/engine/token-loop.js [--rounds N] [--threads N]
import { fork } from "node:child_process";
import { existsSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { MemoryLogger } from "../../src/common/logger";
import { EngineClient } from "../../src/engine/client";
import { ensureTestModel } from "../../test/fixtures/models/test-models";
import { BENCH_DIR, median, writeBenchResult, type FlatValue } from "../report";
import { BENCH_ENGINE_BUILD } from "./llama-server-build";
import { loadReplayFiles } from "./replay-files";
import { loadWatchedLlama } from "./watched-llama";


const GEN_TOKENS = 48;
const PROMPT_TOKENS = 256;

export interface LoopOptions {
  modelPath: string;
  threads: number;
  promptText: string;
  /** Sequences in the context (Hearth's completion context has 2: completion and chat). */
  sequences: number;
  dispatchAtOnce: boolean;
  inputLookup: boolean;
  /** node-llama-cpp's entry file to import instead of the installed package (a build for this CPU, engine-build.ts). */
  libEntry?: string;
}

export interface LoopResult {
  decodeMs: number;
  evaluateMs: number;
  completionMs: number;
  /** The ggml CPU backend library llama.cpp loaded (e.g. "zen4" for libggml-cpu-zen4.so), from its log. */
  cpuVariant: string | null;
}

/** One configuration in a child process of its own. */
export function measureInChild(options: LoopOptions): Promise<LoopResult> {
  return new Promise((resolve, reject) => {
    const child = fork(__filename, ["--child"], { stdio: ["ignore", "ignore", "pipe", "ipc"], serialization: "json" });
    let stderr = "";
    let result: LoopResult | undefined;
    child.stderr?.on("data", (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
    child.on("message", (message: { result?: LoopResult; error?: string }) => {
      if (message.error) reject(new Error(message.error));
      result = message.result;
    });
    child.on("exit", (code) => (result ? resolve(result) : reject(new Error(`token-loop child exited ${String(code)}: ${stderr}`))));
    child.send(options);
  });
}

async function measureLayers(options: LoopOptions): Promise<LoopResult> {
  const { lib, llama, watch } = await loadWatchedLlama(options);
  const model = await llama.loadModel({ modelPath: options.modelPath, gpuLayers: 0 });
  const context = await model.createContext({
    contextSize: 4096,
    threads: options.threads,
    sequences: options.sequences,
    performanceTracking: true,
    ...(options.dispatchAtOnce ? { batching: { dispatchSchedule: (dispatch: () => void) => dispatch() } } : {}),
  });
  const sequence = context.getSequence(options.inputLookup ? { tokenPredictor: new lib.InputLookupTokenPredictor() } : {});
  try {
    const tokens = model.tokenize(options.promptText).slice(0, PROMPT_TOKENS);
    const evalSince = async (before: { ms: number; runs: number }) => {
      await context.printTimings();
      await new Promise((resolve) => setTimeout(resolve, 10));
      return (watch.evalTotal.ms - before.ms) / Math.max(1, watch.evalTotal.runs - before.runs);
    };
    await context.printTimings();
    await new Promise((resolve) => setTimeout(resolve, 10));

    // evaluate: node-llama-cpp's own loop, greedy.
    await sequence.evaluateWithoutGeneratingNewTokens(tokens.slice(0, -1));
    let before = { ...watch.evalTotal };
    let n = 0;
    let started = performance.now();
    for await (const token of sequence.evaluate([tokens.at(-1)!])) {
      void token;
      if (++n >= GEN_TOKENS) break;
    }
    const evaluateMs = (performance.now() - started) / GEN_TOKENS;
    const decodeMs = await evalSince(before);

    // completion: Hearth's call (infill.mts): the tokens, stop triggers, a text callback per chunk.
    await sequence.clearHistory();
    const completion = new lib.LlamaCompletion({ contextSequence: sequence });
    await sequence.evaluateWithoutGeneratingNewTokens(tokens.slice(0, -1));
    before = { ...watch.evalTotal };
    let chunks = 0;
    let firstAt = 0;
    started = performance.now();
    const response = await completion.generateCompletionWithMeta(tokens, {
      maxTokens: GEN_TOKENS + 1,
      customStopTriggers: [["<|endoftext|>"], ["<|file_sep|>"]],
      onTextChunk: () => {
        if (chunks++ === 0) firstAt = performance.now();
      },
    });
    void response;
    const completionMs = (performance.now() - firstAt) / Math.max(1, chunks - 1);
    void (await evalSince(before));
    return { decodeMs, evaluateMs, completionMs, cpuVariant: watch.cpuVariant };
  } finally {
    sequence.dispose();
    await context.dispose();
    await model.dispose();
    await llama.dispose();
  }
}

if (require.main === module && process.argv.includes("--child")) {
  process.once("message", (options: LoopOptions) => {
    measureLayers(options).then(
      (result) => process.send?.({ result }, () => process.exit(0)),
      (error: unknown) => process.send?.({ error: error instanceof Error ? (error.stack ?? error.message) : String(error) }, () => process.exit(1)),
    );
  });
}

/** Hearth's whole path: the engine process and its host, ms per token from the first streamed chunk to the last. */
async function measureEngine(client: EngineClient, promptText: string): Promise<number> {
  const result = await client.infill({ prefix: promptText, suffix: "", maxTokens: GEN_TOKENS + 1 });
  const { firstChunkMs, totalMs } = result.timings;
  if (firstChunkMs === null || result.generatedTokens < 2) throw new Error("the engine generated fewer than 2 tokens");
  return (totalMs - firstChunkMs) / (result.generatedTokens - 1);
}

export async function runTokenLoop(options: { rounds: number; threads: number }): Promise<void> {
  const log = (line: string) => console.log(`token-loop: ${line}`);
  const modelPath = await ensureTestModel("bench-0.5b");
  const text = loadReplayFiles()[0]!.file.text;
  const promptText = text.slice(0, 1200);
  const base: LoopOptions = { modelPath, threads: options.threads, promptText: text, sequences: 2, dispatchAtOnce: false, inputLookup: false };
  const configs: { name: string; options: LoopOptions }[] = [
    { name: "as Hearth (2 sequences)", options: base },
    { name: "1 sequence", options: { ...base, sequences: 1 } },
    { name: "decodes dispatched at once", options: { ...base, dispatchAtOnce: true } },
    { name: "InputLookupTokenPredictor", options: { ...base, sequences: 1, inputLookup: true } },
    ...(existsSync(join(BENCH_ENGINE_BUILD, "built.json"))
      ? [{ name: "built for this CPU (2 sequences)", options: { ...base, libEntry: join(BENCH_ENGINE_BUILD, "node-llama-cpp", "dist", "index.js") } }]
      : []),
  ];
  const rows = new Map(configs.map((c) => [c.name, [] as LoopResult[]]));
  const engineRows: number[] = [];
  const client = new EngineClient({ workerPath: join(BENCH_DIR, "..", "dist", "engine-worker.mjs"), logger: new MemoryLogger("info") });
  const loadBefore = loadavg().map((x) => x.toFixed(2)).join(" ");
  try {
    await client.configure({ modelPath, threads: options.threads, contextSize: 4096, gpu: "off", idleUnloadMs: 0 });
    await client.load();
    for (let round = 0; round < options.rounds; round++) {
      for (const config of configs) {
        const r = await measureInChild(config.options);
        rows.get(config.name)!.push(r);
        log(`round ${round + 1}: ${config.name}: decode ${r.decodeMs.toFixed(1)}, evaluate ${r.evaluateMs.toFixed(1)}, completion ${r.completionMs.toFixed(1)} ms/token; load ${loadavg()[0]!.toFixed(2)}`);
      }
      // A different prompt each round, so no round reuses the KV cache of the one before.
      const engineMs = await measureEngine(client, `${promptText}\n// round ${round}\n`);
      engineRows.push(engineMs);
      log(`round ${round + 1}: engine (Hearth's host, 2 sequences) ${engineMs.toFixed(1)} ms/token`);
    }
  } finally {
    await client.dispose();
  }
  const loadAfter = loadavg().map((x) => x.toFixed(2)).join(" ");
  const figures: Record<string, FlatValue> = { rounds: options.rounds, threads: options.threads, gen_tokens: GEN_TOKENS, load_average_before: loadBefore, load_average_after: loadAfter };
  const lines: string[] = [];
  let i = 0;
  for (const [name, results] of rows) {
    const m = (f: "decodeMs" | "evaluateMs" | "completionMs") => median(results.map((r) => r[f]));
    const key = `c${i++}`;
    figures[`${key}_name`] = name;
    figures[`${key}_decode_ms`] = round1(m("decodeMs"));
    figures[`${key}_evaluate_ms`] = round1(m("evaluateMs"));
    figures[`${key}_completion_ms`] = round1(m("completionMs"));
    lines.push(`| ${name} | ${m("decodeMs").toFixed(1)} | ${m("evaluateMs").toFixed(1)} | ${m("completionMs").toFixed(1)} |`);
  }
  figures.engine_ms = round1(median(engineRows));
  const table = ["| setting | decode (llama.cpp) | evaluate loop | LlamaCompletion | ", "|---|---|---|---|", ...lines].join("\n");
  console.log(`${table}\nengine (host): ${median(engineRows).toFixed(1)} ms/token`);
  writeBenchResult(
    "engine-token-loop",
    figures,
    `## Engine: where a generated token's time goes (\`node out/bench/engine/token-loop.js\`)

bench-0.5b, ${options.threads} thread(s), ${GEN_TOKENS} greedy tokens after a ${PROMPT_TOKENS}-token prompt, each setting in a fresh process,
${options.rounds} interleaved rounds, medians in ms per token. Load average ${loadBefore} before, ${loadAfter} after (2 cores, shared).
"decode" is llama.cpp's own eval time per token (llama_perf); "evaluate loop" adds node-llama-cpp's native sampling,
its two N-API round trips per token and its JS; "LlamaCompletion" adds Hearth's stop triggers and text callbacks.
Hearth's engine process with the host, first streamed chunk to last: ${median(engineRows).toFixed(1)} ms/token.

${table}`,
  );
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}

if (require.main === module && !process.argv.includes("--child")) {
  const args = process.argv.slice(2);
  const arg = (name: string, fallback: number) => {
    const at = args.indexOf(name);
    return at >= 0 ? Number(args[at + 1]) : fallback;
  };
  runTokenLoop({ rounds: arg("--rounds", 3), threads: arg("--threads", 1) }).then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
      process.exit(1);
    },
  );
}
