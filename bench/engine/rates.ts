// Prompt and generation rates of the bench model on this machine, measured two ways: with node-llama-cpp directly (the
// library Hearth's engine runs) and with llama-bench (llama.cpp's own tool, from the llama-server build).
import { execFile, fork } from "node:child_process";
import { promisify } from "node:util";

const execFileAsync = promisify(execFile);
type NodeLlamaCpp = typeof import("node-llama-cpp", { with: { "resolution-mode": "import" } });

export interface Rates {
  /** Prompt evaluation, tokens per second (a batch of `promptTokens`). */
  promptTokPerS: number;
  /** Generation, milliseconds per token. */
  genMsPerToken: number;
}

export interface NodeLlamaCppRateOptions {
  modelPath: string;
  threads: number;
  /** Tokens of real text to evaluate as the prompt. */
  promptText: string;
  promptTokens?: number;
  genTokens?: number;
  repetitions?: number;
  batchSize?: number;
  flashAttention?: boolean;
  /** Passed to getLlama as maxThreads (defaults to `threads`). */
  maxThreads?: number;
}

export interface NodeLlamaCppRates extends Rates {
  /** The ggml CPU backend node-llama-cpp loaded (e.g. "haswell"), from its log. */
  cpuVariant: string | null;
}

let lib: NodeLlamaCpp | undefined;
async function nlc(): Promise<NodeLlamaCpp> {
  lib ??= await import("node-llama-cpp");
  return lib;
}

/**
 * measureNodeLlamaCpp in a child process of its own: one Llama instance per process (node-llama-cpp keeps some state
 * per process), and nothing of the bench's own process (its event loop, its engine client) in the way.
 */
export function measureNodeLlamaCppInChild(options: NodeLlamaCppRateOptions): Promise<NodeLlamaCppRates> {
  return new Promise((resolve, reject) => {
    const child = fork(__filename, ["--child"], { stdio: ["ignore", "ignore", "pipe", "ipc"], serialization: "json" });
    let stderr = "";
    let result: NodeLlamaCppRates | undefined;
    child.stderr?.on("data", (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
    child.on("message", (message: { result?: NodeLlamaCppRates; error?: string }) => {
      if (message.error) reject(new Error(message.error));
      result = message.result;
    });
    child.on("exit", (code) => (result ? resolve(result) : reject(new Error(`rate child exited ${String(code)}: ${stderr}`))));
    child.send(options);
  });
}

if (require.main === module && process.argv.includes("--child")) {
  process.once("message", (options: NodeLlamaCppRateOptions) => {
    measureNodeLlamaCpp(options).then(
      (result) => process.send?.({ result }, () => process.exit(0)),
      (error: unknown) => process.send?.({ error: error instanceof Error ? (error.stack ?? error.message) : String(error) }, () => process.exit(1)),
    );
  });
}

/** Median of `repetitions` timed runs for each figure; the context is created once per call. */
export async function measureNodeLlamaCpp(options: NodeLlamaCppRateOptions): Promise<NodeLlamaCppRates> {
  const { getLlama, LlamaLogLevel } = await nlc();
  const promptTokens = options.promptTokens ?? 512;
  const genTokens = options.genTokens ?? 64;
  const repetitions = options.repetitions ?? 3;
  let cpuVariant: string | null = null;
  const llama = await getLlama({
    gpu: false,
    build: "never",
    maxThreads: options.maxThreads ?? options.threads,
    logLevel: LlamaLogLevel.debug,
    logger: (_level, message) => {
      const match = /libggml-cpu-([\w-]+)\.so/.exec(message) ?? /CPU backend[^\n]*?([\w-]+)\.so/.exec(message);
      if (match) cpuVariant = match[1] ?? null;
    },
  });
  const model = await llama.loadModel({ modelPath: options.modelPath, gpuLayers: 0 });
  const context = await model.createContext({
    contextSize: 4096,
    threads: options.threads,
    ...(options.batchSize !== undefined ? { batchSize: options.batchSize } : {}),
    ...(options.flashAttention !== undefined ? { flashAttention: options.flashAttention } : {}),
  });
  const sequence = context.getSequence();
  try {
    const tokens = model.tokenize(options.promptText).slice(0, promptTokens);
    if (tokens.length < promptTokens) throw new Error(`the prompt text has only ${tokens.length} tokens`);
    const prompt: number[] = [];
    const gen: number[] = [];
    for (let r = 0; r < repetitions; r++) {
      await sequence.clearHistory();
      let t = performance.now();
      await sequence.evaluateWithoutGeneratingNewTokens(tokens);
      prompt.push((promptTokens / (performance.now() - t)) * 1000);

      // Generation: greedy (node-llama-cpp's default sampling), exactly genTokens tokens after a 64-token prompt.
      await sequence.clearHistory();
      await sequence.evaluateWithoutGeneratingNewTokens(tokens.slice(0, 63));
      let n = 0;
      t = performance.now();
      for await (const token of sequence.evaluate([tokens[63]!])) {
        void token;
        if (++n >= genTokens) break;
      }
      gen.push((performance.now() - t) / genTokens);

    }
    return { promptTokPerS: median(prompt), genMsPerToken: median(gen), cpuVariant };
  } finally {
    sequence.dispose();
    await context.dispose();
    await model.dispose();
    await llama.dispose();
  }
}

export interface LlamaBenchRates extends Rates {
  threads: number;
}

/** llama-bench's pp`promptTokens` and tg`genTokens` averages. */
export async function measureLlamaBench(binary: string, modelPath: string, threads: number, options: { promptTokens?: number; genTokens?: number; repetitions?: number; extraArgs?: string[] } = {}): Promise<LlamaBenchRates> {
  const p = options.promptTokens ?? 512;
  const n = options.genTokens ?? 64;
  const { stdout } = await execFileAsync(
    binary,
    ["-m", modelPath, "-t", String(threads), "-p", String(p), "-n", String(n), "-r", String(options.repetitions ?? 3), "-o", "json", ...(options.extraArgs ?? [])],
    { maxBuffer: 16 * 2 ** 20 },
  );
  const rows = JSON.parse(stdout) as Array<{ n_prompt: number; n_gen: number; avg_ts: number }>;
  const pp = rows.find((row) => row.n_prompt === p && row.n_gen === 0);
  const tg = rows.find((row) => row.n_gen === n && row.n_prompt === 0);
  if (!pp || !tg) throw new Error(`llama-bench gave no pp${p}/tg${n} rows: ${stdout.slice(0, 300)}`);
  return { threads, promptTokPerS: pp.avg_ts, genMsPerToken: 1000 / tg.avg_ts };
}

/**
 * llama-bench's generation, ms per token, after `depth` tokens already in the cache (its `-d`): what generating costs
 * llama.cpp after a prompt of that length, where attention reads every cached token.
 */
export async function measureLlamaBenchGenAtDepth(binary: string, modelPath: string, threads: number, depth: number, options: { genTokens?: number; repetitions?: number } = {}): Promise<number> {
  const n = options.genTokens ?? 24;
  const { stdout } = await execFileAsync(binary, ["-m", modelPath, "-t", String(threads), "-p", "0", "-n", String(n), "-d", String(depth), "-r", String(options.repetitions ?? 2), "-o", "json"], {
    maxBuffer: 16 * 2 ** 20,
  });
  const rows = JSON.parse(stdout) as Array<{ n_gen: number; n_depth?: number; avg_ts: number }>;
  const tg = rows.find((row) => row.n_gen === n && (row.n_depth ?? 0) === depth);
  if (!tg) throw new Error(`llama-bench gave no tg${n} @ d${depth} row: ${stdout.slice(0, 300)}`);
  return 1000 / tg.avg_ts;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
