// Why does Hearth generate slower than llama-server on the same model and threads? Every side stays loaded at once and
// generates short bursts in turn, many rounds in rotating order, so that each burst is compared with its neighbours
// measured seconds apart (the machine is shared and its load swings by minutes: paired ratios, medians):
//   node-llama-cpp as Hearth calls it (LlamaCompletion with stop triggers and a text callback, a context of 2 sequences),
//     with the prebuilt binary (which loads one of a few CPU variants) and with the engine build for this CPU when one
//     exists (bench/.work/engine-build, `node out/bench/engine/llama-server-build.js --engine`); llama.cpp's own decode
//     time per token (llama_perf) is read beside its token loop's;
//   node-llama-cpp prebuilt with decodes dispatched at once instead of on the next event-loop turn;
//   llama-server (the bench's build: native flags, OpenMP): /completion with the same prompt tokens, its timings.
// Each figure is ms per decode step: from the first generated token to the last, over the tokens after the first.
//
//   node out/bench/engine/gen-speed.js [--rounds N] [--threads N] [--burst N]
import { fork, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { defaultThreads } from "../../src/engine/client";
import { ensureTestModel } from "../../test/fixtures/models/test-models";
import { BENCH_DIR, median, writeBenchResult, type FlatValue } from "../report";
import { LlamaServer } from "./llama-server";
import { BENCH_ENGINE_BUILD, ensureLlamaCppBuild } from "./llama-server-build";
import { loadReplayFiles } from "./replay-files";
import { loadWatchedLlama } from "./watched-llama";


const PROMPT_TOKENS = 256;

interface ChildOptions {
  modelPath: string;
  threads: number;
  promptText: string;
  libEntry?: string;
  dispatchAtOnce: boolean;
}

interface Burst {
  /** ms per decode step, first generated token to last. */
  genMs: number;
  /** llama.cpp's own decode time per token (llama_perf), node-llama-cpp only. */
  decodeMs?: number;
}

interface ChildReady {
  ready: true;
  cpuVariant: string | null;
  buildType: string;
}

/** A node-llama-cpp side: a child process holding the model, generating a burst on each request. */
class NlcSide {
  private constructor(
    private readonly child: ChildProcess,
    readonly info: ChildReady,
  ) {}

  static start(options: ChildOptions): Promise<NlcSide> {
    return new Promise((resolve, reject) => {
      // A session of its own, as Hearth's engine process (engine-process.ts) and the llama-server have: Linux's
      // autogroup scheduler shares the CPU between sessions first.
      const child = fork(__filename, ["--child"], { stdio: ["ignore", "ignore", "pipe", "ipc"], serialization: "json", detached: true });
      let stderr = "";
      child.stderr?.on("data", (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
      child.once("message", (message: ChildReady | { error: string }) => ("error" in message ? reject(new Error(message.error)) : resolve(new NlcSide(child, message))));
      child.once("exit", (code) => reject(new Error(`gen-speed child exited ${String(code)}: ${stderr}`)));
      child.send(options);
    });
  }

  burst(tokens: number): Promise<Burst> {
    return new Promise((resolve, reject) => {
      this.child.once("message", (message: Burst | { error: string }) => ("error" in message ? reject(new Error(message.error)) : resolve(message)));
      this.child.send({ burst: tokens });
    });
  }

  stop(): void {
    this.child.kill();
  }
}

async function childMain(options: ChildOptions): Promise<void> {
  const { lib, llama, watch } = await loadWatchedLlama(options);
  const model = await llama.loadModel({ modelPath: options.modelPath, gpuLayers: 0 });
  // Hearth's completion context (model-loader.mts): 2 sequences, the model's threads.
  const context = await model.createContext({
    contextSize: 4096,
    sequences: 2,
    threads: options.threads,
    performanceTracking: true,
    ...(options.dispatchAtOnce ? { batching: { dispatchSchedule: (dispatch: () => void) => dispatch() } } : {}),
  });
  const sequence = context.getSequence();
  const completion = new lib.LlamaCompletion({ contextSequence: sequence });
  const prompt = model.tokenize(options.promptText).slice(0, PROMPT_TOKENS);
  await sequence.evaluateWithoutGeneratingNewTokens(prompt);
  const readEval = async () => {
    await context.printTimings();
    await new Promise((resolve) => setTimeout(resolve, 5));
    return { ...watch.evalTotal };
  };
  process.send?.({ ready: true, cpuVariant: watch.cpuVariant, buildType: llama.buildType } satisfies ChildReady);
  process.on("message", (message: { burst: number }) => {
    void (async () => {
      const before = await readEval();
      const stamps: number[] = [];
      // As infill.mts calls it: the prompt's tokens (the cached prefix is kept), stop triggers, a text callback.
      await completion.generateCompletionWithMeta(prompt, {
        maxTokens: message.burst,
        customStopTriggers: [["<|endoftext|>"], ["<|file_sep|>"]],
        onToken: () => stamps.push(performance.now()),
        onTextChunk: () => undefined,
      });
      const after = await readEval();
      if (stamps.length < 2) throw new Error(`only ${stamps.length} token(s) generated`);
      process.send?.({
        genMs: (stamps.at(-1)! - stamps[0]!) / (stamps.length - 1),
        decodeMs: (after.ms - before.ms) / Math.max(1, after.runs - before.runs),
      } satisfies Burst);
    })().catch((error: unknown) => process.send?.({ error: error instanceof Error ? (error.stack ?? error.message) : String(error) }));
  });
}

if (require.main === module && process.argv.includes("--child")) {
  process.once("message", (options: ChildOptions) => {
    childMain(options).catch((error: unknown) => process.send?.({ error: error instanceof Error ? (error.stack ?? error.message) : String(error) }, () => process.exit(1)));
  });
}

interface Side {
  name: string;
  note: string;
  burst(tokens: number, round: number): Promise<Burst>;
  stop(): Promise<void> | void;
}

export async function runGenSpeed(options: { rounds: number; threads: number; burst: number }): Promise<void> {
  const log = (line: string) => console.log(`gen-speed: ${line}`);
  const modelPath = await ensureTestModel("bench-0.5b");
  const build = await ensureLlamaCppBuild(log);
  const promptText = loadReplayFiles()[0]!.file.text;
  const threads = options.threads;
  const sides: Side[] = [];
  const nlc = async (name: string, extra: Partial<ChildOptions>) => {
    const side = await NlcSide.start({ modelPath, threads, promptText, dispatchAtOnce: false, ...extra });
    const note = `${side.info.buildType}, ${side.info.cpuVariant ? `libggml-cpu-${side.info.cpuVariant}.so` : "CPU code linked in (-march=native)"}`;
    sides.push({ name, note, burst: (n) => side.burst(n), stop: () => side.stop() });
    log(`${name}: ${note}`);
  };
  const loadBefore = loadavg().map((x) => x.toFixed(2)).join(" ");
  const rows = new Map<string, Burst[]>();
  try {
    await nlc("node-llama-cpp as Hearth, prebuilt", {});
    if (existsSync(join(BENCH_ENGINE_BUILD, "built.json"))) await nlc("node-llama-cpp as Hearth, built for this CPU", { libEntry: join(BENCH_ENGINE_BUILD, "node-llama-cpp", "dist", "index.js") });
    await nlc("node-llama-cpp as Hearth, prebuilt, decodes dispatched at once", { dispatchAtOnce: true });
    const server = await LlamaServer.start(build.server, modelPath, { threads, flags: ["-c", "4096", "-np", "1"], logFile: join(BENCH_DIR, ".work", "llama-server-gen-speed.log") });
    const serverTokens = await tokenizeOnServer(server.url, promptText);
    sides.push({
      name: "llama-server",
      note: "native, OpenMP (the bench's build)",
      burst: async (n) => {
        const answer = await server.complete(serverTokens.slice(0, PROMPT_TOKENS), n);
        // predicted_ms covers predicted_n − 1 decode steps: the first token comes with the prompt's logits.
        return { genMs: answer.timings.predicted_ms / (answer.timings.predicted_n - 1) };
      },
      stop: () => server.stop(),
    });
    for (const side of sides) rows.set(side.name, []);
    for (let round = 0; round < options.rounds; round++) {
      const order = sides.map((_, i) => sides[(i + round) % sides.length]!);
      for (const side of order) rows.get(side.name)!.push(await side.burst(options.burst, round));
      if ((round + 1) % 5 === 0) log(`round ${round + 1}/${options.rounds}: ${sides.map((s) => `${s.name} ${median(rows.get(s.name)!.map((b) => b.genMs)).toFixed(1)}`).join(", ")} ms/token; load ${loadavg()[0]!.toFixed(2)}`);
    }
  } finally {
    for (const side of sides) await side.stop();
  }
  const loadAfter = loadavg().map((x) => x.toFixed(2)).join(" ");
  const server = rows.get("llama-server")!;
  const figures: Record<string, FlatValue> = { rounds: options.rounds, threads, burst_tokens: options.burst, prompt_tokens: PROMPT_TOKENS, load_average_before: loadBefore, load_average_after: loadAfter };
  const lines: string[] = [];
  sides.forEach((side, i) => {
    const bursts = rows.get(side.name)!;
    const gen = median(bursts.map((b) => b.genMs));
    const decodes = bursts.map((b) => b.decodeMs).filter((x): x is number => x !== undefined);
    const decode = decodes.length > 0 ? median(decodes) : null;
    // Paired: each burst against the server's burst of the same round.
    const ratio = median(bursts.map((b, r) => b.genMs / server[r]!.genMs));
    const loop = decode === null ? null : median(bursts.map((b) => b.genMs / b.decodeMs!));
    figures[`s${i}_name`] = side.name;
    figures[`s${i}_note`] = side.note;
    figures[`s${i}_gen_ms`] = round2(gen);
    figures[`s${i}_decode_ms`] = decode === null ? null : round2(decode);
    figures[`s${i}_loop_over_decode`] = loop === null ? null : round2(loop);
    figures[`s${i}_over_server`] = round2(ratio);
    lines.push(`| ${side.name} | ${side.note} | ${decode === null ? "–" : decode.toFixed(1)} | ${gen.toFixed(1)} | ${loop === null ? "–" : loop.toFixed(3)} | ${ratio.toFixed(3)} |`);
  });
  const table = ["| side | llama.cpp | decode (llama_perf) | per token, first to last | ÷ own decode (paired) | ÷ llama-server (paired) |", "|---|---|---|---|---|---|", ...lines].join("\n");
  console.log(table);
  writeBenchResult(
    "engine-gen-speed",
    figures,
    `## Engine: generation speed against llama-server (\`node out/bench/engine/gen-speed.js\`)

bench-0.5b, ${threads} thread(s) (Hearth's default here), a ${PROMPT_TOKENS}-token prompt kept in the cache, bursts of ${options.burst} greedy
tokens; every side loaded at once and each generating one burst per round in rotating order, ${options.rounds} rounds. Figures are
ms per decode step (first generated token to last), medians; ratios are medians of per-round pairs. Load average
${loadBefore} before, ${loadAfter} after (2 cores, shared).

${table}`,
  );
}

async function tokenizeOnServer(url: string, content: string): Promise<number[]> {
  const response = await fetch(`${url}/tokenize`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ content }) });
  if (!response.ok) throw new Error(`llama-server /tokenize answered ${response.status}`);
  return ((await response.json()) as { tokens: number[] }).tokens;
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

if (require.main === module && !process.argv.includes("--child")) {
  const args = process.argv.slice(2);
  const arg = (name: string, fallback: number) => {
    const at = args.indexOf(name);
    return at >= 0 ? Number(args[at + 1]) : fallback;
  };
  runGenSpeed({ rounds: arg("--rounds", 30), threads: arg("--threads", defaultThreads()), burst: arg("--burst", 24) }).then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
      process.exit(1);
    },
  );
}
