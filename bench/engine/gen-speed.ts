// Why does Hearth generate slower than llama.cpp's own tools on the same model and threads? The same 256-token prompt
// and 48 greedy tokens, each setting in a fresh process, interleaved over rounds with a rotating order (the machine is
// shared: medians only), at Hearth's default threads (cores − 1):
//   node-llama-cpp (the prebuilt binary, and the build for this CPU when one exists): llama.cpp's own decode time per
//     token (llama_perf) and node-llama-cpp's token loop around it (evaluate, and LlamaCompletion as Hearth calls it);
//   llama-bench: tg48 at a depth of 256 tokens, from the bench's llama.cpp build (native flags, OpenMP);
//   llama-server: /completion with the same prompt, its own predicted_ms per token.
// So the compile flags (the CPU variant node-llama-cpp loads, against -march=native) are told apart from the cost of
// the token loop around llama_decode.
//
//   node out/bench/engine/gen-speed.js [--rounds N] [--threads N]
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { defaultThreads } from "../../src/engine/client";
import { ensureTestModel } from "../../test/fixtures/models/test-models";
import { BENCH_DIR, median, writeBenchResult, type FlatValue } from "../report";
import { LlamaServer } from "./llama-server";
import { BENCH_ENGINE_BUILD, ensureLlamaCppBuild } from "./llama-server-build";
import { loadReplayFiles } from "./replay-files";
import { measureInChild, type LoopOptions } from "./token-loop";

const execFileAsync = promisify(execFile);
const GEN_TOKENS = 48;
const PROMPT_TOKENS = 256;

interface Figures {
  /** ms per generated token as the setting's own tool reports it. */
  genMs: number;
  /** llama.cpp's decode time per token, where it can be read apart (node-llama-cpp: llama_perf). */
  decodeMs?: number;
  completionMs?: number;
  note?: string;
}

interface Config {
  name: string;
  run(): Promise<Figures>;
}

export async function runGenSpeed(options: { rounds: number; threads: number }): Promise<void> {
  const log = (line: string) => console.log(`gen-speed: ${line}`);
  const modelPath = await ensureTestModel("bench-0.5b");
  const build = await ensureLlamaCppBuild(log);
  const promptText = loadReplayFiles()[0]!.file.text;
  const threads = options.threads;
  const base: LoopOptions = { modelPath, threads, promptText, sequences: 2, dispatchAtOnce: false, inputLookup: false };
  const nlc = (name: string, extra: Partial<LoopOptions>): Config => ({
    name,
    run: async () => {
      const r = await measureInChild({ ...base, ...extra });
      return { genMs: r.evaluateMs, decodeMs: r.decodeMs, completionMs: r.completionMs, note: r.cpuVariant ? `libggml-cpu-${r.cpuVariant}.so` : "CPU backend linked in" };
    },
  });
  const nativeEntry = join(BENCH_ENGINE_BUILD, "node-llama-cpp", "dist", "index.js");
  const server = await LlamaServer.start(build.server, modelPath, { threads, flags: ["-c", "4096", "-np", "1", "--no-warmup"], logFile: join(BENCH_DIR, ".work", "llama-server-gen-speed.log") });
  let round = 0;
  const configs: Config[] = [
    nlc("node-llama-cpp, prebuilt", {}),
    ...(existsSync(join(BENCH_ENGINE_BUILD, "built.json")) ? [nlc("node-llama-cpp, built for this CPU", { libEntry: nativeEntry })] : []),
    {
      name: "llama-bench (native, OpenMP)",
      run: async () => {
        const { stdout } = await execFileAsync(build.bench, ["-m", modelPath, "-t", String(threads), "-p", "0", "-n", String(GEN_TOKENS), "-d", String(PROMPT_TOKENS), "-r", "2", "-o", "json"], { maxBuffer: 2 ** 24 });
        const rows = JSON.parse(stdout) as Array<{ n_gen: number; avg_ts: number }>;
        const tg = rows.find((row) => row.n_gen === GEN_TOKENS);
        if (!tg) throw new Error(`llama-bench gave no tg${GEN_TOKENS} row`);
        return { genMs: 1000 / tg.avg_ts };
      },
    },
    {
      name: "llama-server (native, OpenMP)",
      run: async () => {
        // A prompt the server has not cached (a different token in front each round), as long as the others'.
        const tokens = await tokenizeOnServer(server.url, `// ${round}\n${promptText}`);
        const answer = await server.complete(tokens.slice(0, PROMPT_TOKENS), GEN_TOKENS);
        // predicted_ms covers predicted_n − 1 decode steps: the first token comes with the prompt's logits.
        return { genMs: answer.timings.predicted_ms / (answer.timings.predicted_n - 1) };
      },
    },
  ];
  const rows = new Map(configs.map((c) => [c.name, [] as Figures[]]));
  const loadBefore = loadavg().map((x) => x.toFixed(2)).join(" ");
  try {
    for (; round < options.rounds; round++) {
      // Rotating order: no setting always runs right after the same neighbour.
      const order = configs.map((_, i) => configs[(i + round) % configs.length]!);
      for (const config of order) {
        const r = await config.run();
        rows.get(config.name)!.push(r);
        log(`round ${round + 1}: ${config.name}: ${r.genMs.toFixed(1)} ms/token${r.decodeMs !== undefined ? ` (decode ${r.decodeMs.toFixed(1)}, LlamaCompletion ${r.completionMs!.toFixed(1)})` : ""}${r.note ? `, ${r.note}` : ""}; load ${loadavg()[0]!.toFixed(2)}`);
      }
    }
  } finally {
    await server.stop();
  }
  const loadAfter = loadavg().map((x) => x.toFixed(2)).join(" ");
  const figures: Record<string, FlatValue> = { rounds: options.rounds, threads, prompt_tokens: PROMPT_TOKENS, gen_tokens: GEN_TOKENS, load_average_before: loadBefore, load_average_after: loadAfter };
  const server50 = median(rows.get("llama-server (native, OpenMP)")!.map((r) => r.genMs));
  const lines: string[] = [];
  configs.forEach((config, i) => {
    const results = rows.get(config.name)!;
    const m = (pick: (r: Figures) => number | undefined) => {
      const values = results.map(pick).filter((x): x is number => x !== undefined);
      return values.length > 0 ? median(values) : null;
    };
    const gen = m((r) => r.genMs)!;
    const decode = m((r) => r.decodeMs);
    const completion = m((r) => r.completionMs);
    figures[`c${i}_name`] = config.name;
    figures[`c${i}_gen_ms`] = round1(gen);
    figures[`c${i}_decode_ms`] = decode === null ? null : round1(decode);
    figures[`c${i}_completion_ms`] = completion === null ? null : round1(completion);
    figures[`c${i}_note`] = results[0]?.note ?? null;
    const cell = (x: number | null) => (x === null ? "–" : x.toFixed(1));
    lines.push(`| ${config.name} | ${results[0]?.note ?? ""} | ${cell(decode)} | ${gen.toFixed(1)} | ${cell(completion)} | ${((completion ?? gen) / server50).toFixed(2)} |`);
  });
  const table = ["| setting | CPU code | llama.cpp decode | token loop (evaluate) | as Hearth calls it (LlamaCompletion) | ÷ llama-server |", "|---|---|---|---|---|---|", ...lines].join("\n");
  console.log(table);
  writeBenchResult(
    "engine-gen-speed",
    figures,
    `## Engine: generation speed against llama.cpp's own tools (\`node out/bench/engine/gen-speed.js\`)

bench-0.5b, ${threads} thread(s), ${GEN_TOKENS} greedy tokens after ${PROMPT_TOKENS} prompt tokens, each setting in a fresh process (the
server stays up), ${options.rounds} rounds in rotating order, medians in ms per token. Load average ${loadBefore} before, ${loadAfter} after
(2 cores, shared). "llama.cpp decode" is llama_perf's eval time per token; the last column divides the figure Hearth
pays (LlamaCompletion, else the tool's own) by llama-server's.

${table}`,
  );
}

async function tokenizeOnServer(url: string, content: string): Promise<number[]> {
  const response = await fetch(`${url}/tokenize`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ content }) });
  if (!response.ok) throw new Error(`llama-server /tokenize answered ${response.status}`);
  return ((await response.json()) as { tokens: number[] }).tokens;
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const arg = (name: string, fallback: number) => {
    const at = args.indexOf(name);
    return at >= 0 ? Number(args[at + 1]) : fallback;
  };
  runGenSpeed({ rounds: arg("--rounds", 4), threads: arg("--threads", defaultThreads()) }).then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
      process.exit(1);
    },
  );
}
