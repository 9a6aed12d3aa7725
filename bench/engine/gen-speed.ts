// Why does Hearth generate slower than llama-server on the same model and threads? Every side stays loaded at once and
// generates short bursts in turn, many rounds in rotating order, so that each burst is compared with its neighbours
// measured seconds apart (the machine is shared and its load swings by minutes: paired ratios, medians):
//   node-llama-cpp as Hearth calls it (LlamaCompletion with stop triggers and a text callback, a context of 2 sequences),
//     with the prebuilt binary (which loads one of a few CPU variants) and with the engine build for this CPU when one
//     exists (bench/.work/engine-build, `node out/bench/engine/llama-server-build.js --engine`); llama.cpp's own decode
//     time per token (llama_perf) is read beside its token loop's;
//   node-llama-cpp prebuilt with one libuv worker thread (UV_THREADPOOL_SIZE=1): every decode and sampling on the same
//     thread, as llama-server decodes on one, instead of handed each time to whichever of the 4 is free;
//   llama-server (the bench's build: native flags, OpenMP): /completion with the same prompt tokens, its timings; and
//     llama-server given node-llama-cpp's context (8,192 cells in 2 unshared sequences of 4,096, batch = micro-batch 512).
// Each figure is ms per decode step: from the first generated token to the last, over the tokens after the first. Beside
// the wall time, each side's CPU time per decode step (task-times.ts), which the other work on a shared machine does
// not inflate the way it inflates wall time. With --priority nice, every other round runs each side's session at nice
// -19 (Linux, root), so that other sessions' work seldom takes the CPU from it; with --priority fifo, every other round
// runs every side's threads under SCHED_FIFO, so that a thread woken to run takes a CPU at once: what the sides cost
// without the wait for a CPU, measured in the same run as the normal rounds.
//
//   node out/bench/engine/gen-speed.js [--rounds N] [--threads N] [--burst N] [--priority nice|fifo]
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
import { fifoUnboundedReason, setPriority } from "./scheduling";
import { readTaskTimes, taskUse } from "./task-times";
import { loadWatchedLlama } from "./watched-llama";


const PROMPT_TOKENS = 256;

interface ChildOptions {
  modelPath: string;
  threads: number;
  promptText: string;
  libEntry?: string;
  /** UV_THREADPOOL_SIZE of the child: the libuv worker threads node-llama-cpp's decodes and samplings run on. */
  libuvThreads?: number;
}

interface Burst {
  /** ms per decode step, first generated token to last. */
  genMs: number;
  /** llama.cpp's own decode time per token (llama_perf), node-llama-cpp only. */
  decodeMs?: number;
  /** CPU ms per decode step: llama.cpp's decode and sampling (node-llama-cpp: its worker threads; llama-server: all). */
  cpuMs?: number;
  /** CPU ms per decode step of node-llama-cpp's JavaScript thread. */
  jsMs?: number;
  /** ms per decode step the side's threads waited for a CPU. */
  waitedMs?: number;
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

  get pid(): number | undefined {
    return this.child.pid;
  }

  static start(options: ChildOptions): Promise<NlcSide> {
    return new Promise((resolve, reject) => {
      // A session of its own, as Hearth's engine process (engine-process.ts) and the llama-server have: Linux's
      // autogroup scheduler shares the CPU between sessions first.
      // UV_THREADPOOL_SIZE is read when libuv starts its pool, so it can only be set at the fork.
      const env = options.libuvThreads === undefined ? process.env : { ...process.env, UV_THREADPOOL_SIZE: String(options.libuvThreads) };
      const child = fork(__filename, ["--child"], { stdio: ["ignore", "ignore", "pipe", "ipc"], serialization: "json", detached: true, env });
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
  // Hearth's completion context (model-loader.mts): 1 sequence (the chat has a context of its own), the model's threads.
  const context = await model.createContext({
    contextSize: 4096,
    sequences: 1,
    threads: options.threads,
    performanceTracking: true,
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
      const tasksBefore = readTaskTimes("self");
      const stamps: number[] = [];
      // As infill.mts calls it: the prompt's tokens (the cached prefix is kept), stop triggers, a text callback.
      await completion.generateCompletionWithMeta(prompt, {
        maxTokens: message.burst,
        customStopTriggers: [["<|endoftext|>"], ["<|file_sep|>"]],
        onToken: () => stamps.push(performance.now()),
        onTextChunk: () => undefined,
      });
      const tasksAfter = readTaskTimes("self");
      const after = await readEval();
      if (stamps.length < 2) throw new Error(`only ${stamps.length} token(s) generated`);
      const steps = Math.max(1, after.runs - before.runs);
      const use = tasksBefore && tasksAfter ? taskUse(tasksBefore, tasksAfter, String(process.pid)) : null;
      process.send?.({
        genMs: (stamps.at(-1)! - stamps[0]!) / (stamps.length - 1),
        decodeMs: (after.ms - before.ms) / steps,
        ...(use ? { cpuMs: use.workersMs / steps, jsMs: use.mainMs / steps, waitedMs: use.waitedMs / steps } : {}),
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
  /** The process --priority raises. */
  pid: number | undefined;
  burst(tokens: number, round: number): Promise<Burst>;
  stop(): Promise<void> | void;
}

/** node-llama-cpp's context as Hearth creates it (model-loader.mts), in llama-server's flags. */
const SERVER_AS_NODE_LLAMA_CPP = ["-c", "8192", "-np", "2", "-b", "512", "-ub", "512"];

export async function runGenSpeed(options: { rounds: number; threads: number; burst: number; priority: "nice" | "fifo" | null }): Promise<void> {
  const log = (line: string) => console.log(`gen-speed: ${line}`);
  const modelPath = await ensureTestModel("bench-0.5b");
  const build = await ensureLlamaCppBuild(log);
  const promptText = loadReplayFiles()[0]!.file.text;
  const threads = options.threads;
  // The bounds FifoWindows (scheduling.ts) keeps: rounds are short, and only throttled real-time threads that do not spin.
  const unbounded = options.priority === "fifo" ? (threads > 1 ? `${threads} threads spin in their barriers` : fifoUnboundedReason()) : null;
  if (unbounded !== null) throw new Error(`--priority fifo refused: ${unbounded}`);
  const sides: Side[] = [];
  const nlc = async (name: string, extra: Partial<ChildOptions>) => {
    const side = await NlcSide.start({ modelPath, threads, promptText, ...extra });
    const note = `${side.info.buildType}, ${side.info.cpuVariant ? `libggml-cpu-${side.info.cpuVariant}.so` : "CPU code linked in (-march=native)"}${extra.libuvThreads === undefined ? "" : `, UV_THREADPOOL_SIZE=${extra.libuvThreads}`}`;
    sides.push({ name, note, pid: side.pid, burst: (n) => side.burst(n), stop: () => side.stop() });
    log(`${name}: ${note}`);
  };
  const loadBefore = loadavg().map((x) => x.toFixed(2)).join(" ");
  const rows = new Map<string, Burst[]>();
  const prioritized = (round: number) => options.priority !== null && round % 2 === 1;
  try {
    await nlc("node-llama-cpp as Hearth, prebuilt", {});
    if (existsSync(join(BENCH_ENGINE_BUILD, "built.json"))) await nlc("node-llama-cpp as Hearth, built for this CPU", { libEntry: join(BENCH_ENGINE_BUILD, "node-llama-cpp", "dist", "index.js") });
    await nlc("node-llama-cpp as Hearth, prebuilt, one libuv worker thread", { libuvThreads: 1 });
    const serverSide = async (name: string, note: string, flags: string[], log: string) => {
      const server = await LlamaServer.start(build.server, modelPath, { threads, flags, logFile: join(BENCH_DIR, ".work", log) });
      const serverTokens = await tokenizeOnServer(server.url, promptText);
      // The prompt evaluated once before the rounds, as the node-llama-cpp sides evaluate theirs when they start.
      await server.complete(serverTokens.slice(0, PROMPT_TOKENS), 1);
      sides.push({
        name,
        note,
        pid: server.pid,
        burst: async (n) => {
          const before = server.pid === undefined ? null : readTaskTimes(server.pid);
          const answer = await server.complete(serverTokens.slice(0, PROMPT_TOKENS), n);
          const after = server.pid === undefined ? null : readTaskTimes(server.pid);
          // The server's decode steps: the prompt's last token evaluated again (its logits), then one per token after the first.
          const steps = answer.timings.predicted_n;
          const use = before && after ? taskUse(before, after, String(server.pid)) : null;
          return {
            // predicted_ms covers predicted_n − 1 decode steps: the first token comes with the prompt's logits.
            genMs: answer.timings.predicted_ms / (answer.timings.predicted_n - 1),
            ...(use ? { cpuMs: (use.workersMs + use.mainMs) / steps, waitedMs: use.waitedMs / steps } : {}),
          };
        },
        stop: () => server.stop(),
      });
    };
    await serverSide("llama-server", "native, OpenMP (the bench's build)", ["-c", "4096", "-np", "1"], "llama-server-gen-speed.log");
    await serverSide("llama-server given node-llama-cpp's context", `as above, ${SERVER_AS_NODE_LLAMA_CPP.join(" ")}`, SERVER_AS_NODE_LLAMA_CPP, "llama-server-gen-speed-nlc.log");
    for (const side of sides) rows.set(side.name, []);
    for (let round = 0; round < options.rounds; round++) {
      const order = sides.map((_, i) => sides[(i + round) % sides.length]!);
      for (const side of sides) {
        const result = options.priority !== null && side.pid !== undefined ? setPriority(options.priority, side.pid, prioritized(round)) : { ok: true as const };
        if (!result.ok) throw new Error(`--priority ${options.priority}: could not change the scheduling of ${side.name} (Linux and root needed): ${result.reason}`);
      }
      for (const side of order) rows.get(side.name)!.push(await side.burst(options.burst, round));
      if ((round + 1) % 5 === 0) log(`round ${round + 1}/${options.rounds}: ${sides.map((s) => `${s.name} ${median(rows.get(s.name)!.map((b) => b.genMs)).toFixed(1)}`).join(", ")} ms/token; load ${loadavg()[0]!.toFixed(2)}`);
    }
  } finally {
    for (const side of sides) await side.stop();
  }
  const loadAfter = loadavg().map((x) => x.toFixed(2)).join(" ");
  const figures: Record<string, FlatValue> = { rounds: options.rounds, threads, burst_tokens: options.burst, prompt_tokens: PROMPT_TOKENS, priority: options.priority, load_average_before: loadBefore, load_average_after: loadAfter };
  const modes = options.priority
    ? [
        { key: "normal", title: "normal scheduling (even rounds)", rounds: (r: number) => !prioritized(r) },
        { key: options.priority, title: options.priority === "nice" ? "every side's session at nice −19 (odd rounds)" : "every side's threads under SCHED_FIFO (odd rounds)", rounds: prioritized },
      ]
    : [{ key: "normal", title: "normal scheduling", rounds: () => true }];
  const lines: string[] = [];
  for (const mode of modes) {
    if (modes.length > 1) lines.push(`| **${mode.title}** | | | | | | | | | |`);
    const server = rows.get("llama-server")!;
    sides.forEach((side, i) => {
      const all = rows.get(side.name)!;
      const picked = all.map((burst, r) => ({ burst, base: server[r]! })).filter((_, r) => mode.rounds(r));
      const of = (pick: (b: Burst) => number | undefined) => {
        const values = picked.map((p) => pick(p.burst)).filter((x): x is number => x !== undefined);
        return values.length > 0 ? median(values) : null;
      };
      // Paired: each burst against the server's burst of the same round.
      const paired = (pick: (b: Burst) => number | undefined) => {
        const values = picked.map((p) => [pick(p.burst), pick(p.base)]).filter((x): x is [number, number] => x[0] !== undefined && x[1] !== undefined);
        return values.length > 0 ? median(values.map(([x, base]) => x / base)) : null;
      };
      const figure = { gen: of((b) => b.genMs), decode: of((b) => b.decodeMs), cpu: of((b) => b.cpuMs), js: of((b) => b.jsMs), waited: of((b) => b.waitedMs), loop: of((b) => (b.decodeMs === undefined ? undefined : b.genMs / b.decodeMs)), ratio: paired((b) => b.genMs), cpuRatio: paired((b) => b.cpuMs) };
      figures[`s${i}_name`] = side.name;
      figures[`s${i}_note`] = side.note;
      for (const [key, value] of Object.entries(figure)) figures[`s${i}_${mode.key}_${key}`] = value === null ? null : round2(value);
      const cell = (value: number | null, digits: number) => (value === null ? "–" : value.toFixed(digits));
      lines.push(`| ${side.name} | ${side.note} | ${cell(figure.decode, 1)} | ${cell(figure.gen, 1)} | ${cell(figure.cpu, 1)} | ${cell(figure.js, 2)} | ${cell(figure.waited, 1)} | ${cell(figure.loop, 3)} | ${cell(figure.ratio, 3)} | ${cell(figure.cpuRatio, 3)} |`);
    });
  }
  const table = [
    "| side | llama.cpp | decode (llama_perf) | per token, first to last | CPU per step, llama.cpp | CPU per step, JavaScript | waited for a CPU per step | ÷ own decode (paired) | ÷ llama-server (paired) | CPU ÷ llama-server's (paired) |",
    "|---|---|---|---|---|---|---|---|---|---|",
    ...lines,
  ].join("\n");
  console.log(table);
  writeBenchResult(
    "engine-gen-speed",
    figures,
    `## Engine: generation speed against llama-server (\`node out/bench/engine/gen-speed.js${options.priority ? ` --priority ${options.priority}` : ""}\`)

bench-0.5b, ${threads} thread(s) (Hearth's default here), a ${PROMPT_TOKENS}-token prompt kept in the cache, bursts of ${options.burst} greedy
tokens; every side loaded at once and each generating one burst per round in rotating order, ${options.rounds} rounds. Figures are
ms per decode step (first generated token to last), medians; ratios are medians of per-round pairs. CPU per step: the
side's threads' time on a CPU (Linux schedstat) over its decode steps, sampling included (node-llama-cpp: its worker
threads, its JavaScript thread apart; llama-server: all its threads); "waited": the time its threads were ready to run
but another had the CPU.${options.priority === "nice" ? " Odd rounds ran every side's session (autogroup) at nice −19: other sessions' work seldom took the CPU from them." : options.priority === "fifo" ? " Odd rounds ran every side's threads under SCHED_FIFO: a thread woken to run took a CPU at once, whatever else ran." : ""} Load average ${loadBefore} before, ${loadAfter} after (2 cores, shared).

${table}`,
  );
}

async function tokenizeOnServer(url: string, content: string): Promise<number[]> {
  const response = await fetch(`${url}/tokenize`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ content }) });
  if (!response.ok) throw new Error(`llama-server /tokenize answered ${response.status}`);
  return ((await response.json()) as { tokens: number[] }).tokens;
}

function priorityArg(args: string[]): "nice" | "fifo" | null {
  const at = args.indexOf("--priority");
  if (at < 0) return null;
  const mode = args[at + 1];
  if (mode !== "nice" && mode !== "fifo") throw new Error(`--priority takes nice or fifo, not ${String(mode)}`);
  return mode;
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
  runGenSpeed({ rounds: arg("--rounds", 30), threads: arg("--threads", defaultThreads()), burst: arg("--burst", 24), priority: priorityArg(args) }).then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
      process.exit(1);
    },
  );
}
