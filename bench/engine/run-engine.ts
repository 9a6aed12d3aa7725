// `node out/bench/run.js engine` (`npm run bench:engine`): a typing replay of real files in real workspaces, each
// keystroke's request answered in one run, in rotating order, by
//   - Hearth: the extension's pipeline (context engine over the indexed workspace with the open tabs, FIM layout,
//     engine process, node-llama-cpp);
//   - llama-server given exactly Hearth's prompt (the same tokens, as a raw prompt to /completion, cache_prompt): the
//     headline ratio, engine against engine;
//   - llama-server with llama.vscode's recommended CPU settings, asked as llama.vscode asks (/infill, 256 lines before,
//     64 after, its ring of other files' chunks as input_extra);
// against the floor: the tokens of the document that really changed since the previous request at the best measured
// prompt rate, plus the generated tokens at the best measured generation rate; and against the floor with the prompt's
// order: the same plus, for each side, the tokens that follow the cursor in its prompt (a prefix-first prompt's suffix
// section), which an exact engine evaluates again whenever the text before them changes.
// Every other request (the odd ones) runs with every side's processes, and the bench's own (their client), under
// SCHED_FIFO (scheduling.ts): a woken thread gets a CPU at once, so those requests measure the engines and not the
// other work on this shared machine; the even ones run under normal scheduling. Each side still answers every request
// in order, so its KV cache sees the same typing in both regimes.
// Before each side's answer the machine idles for a typist's gap (TYPIST_GAP_MS, the same for every side): the engine
// a user has idles between keystrokes, and Hearth's does work then (its suffix cache's refresh). Hearth's engine process
// is stopped from its answer's end to its next gap's start (scheduling.ts typistStepPlan), so that work gets a typist's
// gap, not the other sides' answers too, and never runs while they are timed. The gaps are inside the request's window
// (raised with it under SCHED_FIFO: the bench's process and the servers sleep then and take no CPU from Hearth's
// idle-time work, which runs raised like its requests); three gaps add 1.8 s to a window capped at 120 s.
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { MemoryLogger } from "../../src/common/logger";
import { EngineClient, defaultThreads } from "../../src/engine/client";
import { ENGINE_BUILD_ENV } from "../../src/engine/engine-build-lines";
import { ensureTestModel } from "../../test/fixtures/models/test-models";
import { BENCH_DIR, median } from "../report";
import { reportEngineBench, type FileRun, type Rates, type Sample } from "./engine-report";
import { HearthSide, TYPIST_GAP_MS } from "./hearth-side";
import { BENCH_ENGINE_BUILD, ensureLlamaCppBuild } from "./llama-server-build";
import { LLAMA_VSCODE_BATCH, LLAMA_VSCODE_CPU_FLAGS, LlamaServer, type InfillAnswer } from "./llama-server";
import { PromptShapes } from "./prompt-shape";
import { measureLlamaBench, measureLlamaBenchGenAtDepth, measureNodeLlamaCppInChild } from "./rates";
import { loadReplayFiles } from "./replay-files";
import { FifoWindows, IdleStops, typistStepPlan, type StepAction } from "./scheduling";
import { llamaVscodeInfill, llamaVscodeRing, typingSteps, type TypingStep } from "./typing";

/**
 * llama.cpp threads, the same on every side: Hearth's default on this 2-core machine (cores − 1). HEARTH_BENCH_THREADS
 * sets another; with 2 threads on a shared 2-core machine ggml's spinning thread barrier collapses under load (a smoke
 * run at load average 12 took 8 s per token).
 */
export const THREADS = Number(process.env.HEARTH_BENCH_THREADS ?? "0") || defaultThreads();
/** Hearth's completion context (hearth.engine.contextSize's default), also the same-prompt server's. */
export const CONTEXT = 4096;
export const N_PREDICT = 24;
/** HEARTH_BENCH_ENGINE_STEPS=N types only the first N requests of each file (a quicker run on a busy machine). */
const MAX_STEPS = Number(process.env.HEARTH_BENCH_ENGINE_STEPS ?? "0") || Infinity;
/**
 * A SCHED_FIFO window (one request's three answers, or a file's warm-up) longer than this is ended and FIFO is off for
 * the rest of the run: a request takes seconds, a warm-up well under a minute.
 */
const MAX_FIFO_WINDOW_MS = 120_000;

type Side = "hearth" | "same" | "vscode";
/**
 * Who goes first at each step. llama-server given Hearth's prompt needs that step's prompt, so it always comes after
 * Hearth; llama.vscode's server takes each of the three places in turn.
 */
const ORDERS: readonly (readonly Side[])[] = [
  ["hearth", "same", "vscode"],
  ["vscode", "hearth", "same"],
  ["hearth", "vscode", "same"],
];
/** The sides that work in idle time, and so are stopped outside their own gap: Hearth's engine (its suffix refresh). */
const IDLE_WORKERS: readonly Side[] = ["hearth"];

export async function runEngineBench(): Promise<void> {
  const log = (line: string) => console.log(`engine: ${line}`);
  const uptime = () => loadavg().map((x) => x.toFixed(2)).join(" ");
  const loadBefore = uptime();
  const files = loadReplayFiles();
  const modelPath = await ensureTestModel("bench-0.5b");
  const build = await ensureLlamaCppBuild(log);
  const shapes = await PromptShapes.open(modelPath, CONTEXT);
  log(`load average ${loadBefore}; files: ${files.map((f) => f.label).join("; ")}`);

  // HEARTH_BENCH_ENGINE_RATES=run takes the floor's rates from the replay itself (llama-server's timings of the
  // warm-up prompts, the sides' generation): on a saturated machine the separate measurement costs many minutes.
  const ratesFromRun = process.env.HEARTH_BENCH_ENGINE_RATES === "run";
  let measured: { nlcPromptTokPerS: number; nlcGenMs: number; benchPromptTokPerS: number; benchGenMs: number } | null = null;
  if (!ratesFromRun) {
    log(`measuring prompt and generation rates (node-llama-cpp directly, then llama-bench), ${THREADS} threads`);
    const nlc = await measureNodeLlamaCppInChild({ modelPath, threads: THREADS, promptText: files.map((f) => f.file.text).join("\n"), repetitions: 2 });
    const bench = await measureLlamaBench(build.bench, modelPath, THREADS, { repetitions: 2 });
    measured = { nlcPromptTokPerS: nlc.promptTokPerS, nlcGenMs: nlc.genMsPerToken, benchPromptTokPerS: bench.promptTokPerS, benchGenMs: bench.genMsPerToken };
    log(`node-llama-cpp: prompt ${nlc.promptTokPerS.toFixed(0)} tok/s, generation ${nlc.genMsPerToken.toFixed(1)} ms/token; llama-bench: ${bench.promptTokPerS.toFixed(0)} tok/s, ${bench.genMsPerToken.toFixed(1)} ms/token`);
  }
  /** Prompt rates llama-server reported for the warm-up prompts (a few hundred tokens or more, in one go). */
  const warmupPromptRates: number[] = [];

  // HEARTH_BENCH_ENGINE_FIFO=off runs every request under normal scheduling.
  const fifo = new FifoWindows({ threads: THREADS, maxWindowMs: MAX_FIFO_WINDOW_MS, includeSelf: true, log });
  const fifoWanted = process.env.HEARTH_BENCH_ENGINE_FIFO !== "off";
  const fifoSkipped = fifoWanted ? null : "HEARTH_BENCH_ENGINE_FIFO=off";
  // The gaps inside a window count toward its cap, which ends FIFO for the rest of the run: keep them a small part.
  const windowIdleMs = Math.max(...ORDERS.map((order) => typistStepPlan(order, TYPIST_GAP_MS, IDLE_WORKERS).idleMs));
  if (windowIdleMs > MAX_FIFO_WINDOW_MS / 10) throw new Error(`typist's gaps of ${windowIdleMs} ms in a window would crowd its ${MAX_FIFO_WINDOW_MS} ms cap`);
  const stops = new IdleStops();
  if (fifoWanted && fifo.refusedBecause) log(`SCHED_FIFO refused: ${fifo.refusedBecause}; every request under normal scheduling`);

  const work = join(BENCH_DIR, ".work");
  mkdirSync(work, { recursive: true });
  const engineLog = new MemoryLogger("info");
  // The engine build for this CPU, as a user who ran "Hearth: Build the Engine for This CPU" has it, when the bench has
  // one (`node out/bench/engine/llama-server-build.js --engine`); HEARTH_BENCH_ENGINE_BUILD=off runs the prebuilt binary.
  const engineBuild = existsSync(join(BENCH_ENGINE_BUILD, "built.json")) && process.env.HEARTH_BENCH_ENGINE_BUILD !== "off";
  log(`Hearth's engine runs ${engineBuild ? `the build for this CPU in ${BENCH_ENGINE_BUILD}` : "node-llama-cpp's prebuilt binary"}`);
  const client = new EngineClient({ workerPath: join(BENCH_DIR, "..", "dist", "engine-worker.mjs"), logger: engineLog, ...(engineBuild ? { env: { [ENGINE_BUILD_ENV]: BENCH_ENGINE_BUILD } } : {}) });
  let vscodeServer: LlamaServer | undefined;
  let sameServer: LlamaServer | undefined;
  const runs: FileRun[] = [];
  const loads: number[] = [loadavg()[0]!];
  try {
    await client.configure({ modelPath, threads: THREADS, contextSize: CONTEXT, gpu: "off", idleUnloadMs: 0 });
    await client.load();
    vscodeServer = await LlamaServer.start(build.server, modelPath, { threads: THREADS, flags: LLAMA_VSCODE_CPU_FLAGS, logFile: join(work, "llama-server-vscode.log") });
    sameServer = await LlamaServer.start(build.server, modelPath, { threads: THREADS, flags: ["-c", String(CONTEXT), "-np", "1"], logFile: join(work, "llama-server-same.log") });
    // Every side's process (the engine process may have been started again), all raised and put back together.
    const sides = [client, vscodeServer, sameServer];
    const inRegime = async <T>(raised: boolean, work: () => Promise<T>): Promise<{ value: T; fifo: boolean }> =>
      raised && fifoWanted ? fifo.during(() => sides.map((side) => side.pid), work) : { value: await work(), fifo: false };
    const pidOf = (side: Side) => (side === "hearth" ? client : side === "same" ? sameServer! : vscodeServer!).pid;
    const perform = async (actions: readonly StepAction<Side>[], answer: (side: Side) => Promise<void>) => {
      for (const action of actions) {
        if (action.kind === "answer") await answer(action.side);
        else if (action.kind === "idle") await sleep(action.ms);
        else if (action.kind === "stop") stops.stop(pidOf(action.side));
        else stops.continueAll();
      }
    };
    /** One request's answers in `order`, each after a typist's gap, the window under SCHED_FIFO when `raised`. */
    const replayRequest = async (order: readonly Side[], raised: boolean, answer: (side: Side) => Promise<void>): Promise<boolean> => {
      const plan = typistStepPlan(order, TYPIST_GAP_MS, IDLE_WORKERS);
      return (await inRegime(raised, () => perform(plan.actions, answer))).fifo;
    };
    for (const file of files) {
      const steps = typingSteps(file.file.text, file.lines[0], file.lines[1]).slice(0, MAX_STEPS + 1);
      const changed = changedTokensPerStep(shapes, steps);
      const ring = llamaVscodeRing(file.tabs);
      const hearth = await HearthSide.open(client, file, steps[0]!);
      const run: FileRun = { file, ring, steps: [] };
      try {
        const askHearth = async (step: TypingStep) => {
          const answer = await hearth.ask(step, N_PREDICT);
          const prompt = shapes.hearth(answer.params);
          const sample: Sample = {
            ms: answer.ms,
            engineMs: answer.ms - answer.assemblyMs,
            evaluated: answer.result.promptTokens,
            generated: answer.result.generatedTokens,
            genMsPerToken: answer.genMsPerToken,
            shape: prompt,
            reusedSuffixTokens: answer.result.reusedSuffixTokens ?? 0,
            // Evaluated in the background since the previous request: in the typist's gap just before this one.
            backgroundTokens: answer.result.backgroundRefreshTokens ?? 0,
          };
          return { sample, tokens: prompt.tokens };
        };
        const askSame = async (tokens: readonly number[], shape: Sample["shape"]): Promise<Sample> => {
          const started = performance.now();
          const answer = await sameServer!.complete(tokens, N_PREDICT);
          // Without --cache-reuse its cache keeps only the common start of two prompts: it never reuses a suffix.
          // llama.vscode's server (--cache-reuse 256) may shift chunks, but says nothing of it: left unknown.
          return { ...serverSample(answer, performance.now() - started, shape, tokens.length), reusedSuffixTokens: 0 };
        };
        const askVscode = async (step: TypingStep): Promise<Sample> => {
          const request = llamaVscodeInfill(step);
          const started = performance.now();
          const answer = await vscodeServer!.infill(request, ring, N_PREDICT);
          return serverSample(answer, performance.now() - started, shapes.llamaVscode(request, ring, LLAMA_VSCODE_BATCH), null);
        };
        // Warm-up: the document before typing, so every side starts with its cache filled; under SCHED_FIFO where
        // allowed, since the floor takes its prompt rate from the servers' timings of it.
        const warmup: { hearth?: Awaited<ReturnType<typeof askHearth>> } = {};
        await replayRequest(ORDERS[0]!, true, async (side) => {
          if (side === "hearth") warmup.hearth = await askHearth(steps[0]!);
          else {
            const warm = side === "same" ? await askSame(warmup.hearth!.tokens, warmup.hearth!.sample.shape) : await askVscode(steps[0]!);
            if (warm.evaluated >= 256 && warm.promptMs) warmupPromptRates.push((warm.evaluated / warm.promptMs) * 1000);
          }
        });
        const first = warmup.hearth!;
        log(`${file.label}: ${steps.length - 1} requests; Hearth's prompt ${first.sample.shape.totalTokens} tokens (other files ${first.sample.shape.otherTokens}), llama.vscode's ${shapes.llamaVscode(llamaVscodeInfill(steps[0]!), ring, LLAMA_VSCODE_BATCH).totalTokens}`);
        for (let i = 1; i < steps.length; i++) {
          const step = steps[i]!;
          const got: Partial<Record<Side, Sample>> = {};
          let hearthTokens: number[] = [];
          // Odd requests under SCHED_FIFO, even ones under normal scheduling: every side the same at the same time.
          const underFifo = await replayRequest(ORDERS[i % ORDERS.length]!, i % 2 === 1, async (side) => {
            if (side === "hearth") {
              const h = await askHearth(step);
              got.hearth = h.sample;
              hearthTokens = h.tokens;
            } else if (side === "same") got.same = await askSame(hearthTokens, got.hearth!.shape);
            else got.vscode = await askVscode(step);
          });
          const noFloor = { hearth: 0, same: 0, vscode: 0 };
          run.steps.push({ line: step.line + 1, column: step.column, changed: changed[i]!, fifo: underFifo, floorMs: 0, orderFloorMs: noFloor, hearth: got.hearth!, same: got.same!, vscode: got.vscode! });
          loads.push(loadavg()[0]!);
          if (i % 10 === 0) {
            const p50 = (side: Side) => median(run.steps.filter((s) => s.fifo).map((s) => s[side].ms)).toFixed(0);
            log(`${file.label} ${i}/${steps.length - 1}: p50 under SCHED_FIFO Hearth ${p50("hearth")} ms, same prompt ${p50("same")} ms, llama.vscode ${p50("vscode")} ms; load ${uptime()}`);
          }
        }
      } finally {
        stops.continueAll();
        hearth.dispose();
      }
      runs.push(run);
    }
  } finally {
    stops.continueAll();
    await client.dispose();
    await vscodeServer?.stop();
    await sameServer?.stop();
    await shapes.dispose();
  }
  // The run's own best: each side's median generation in each regime, the lowest of them (the SCHED_FIFO requests',
  // where FIFO ran), and llama-server's prompt rate on the warm-up prompts.
  const runGen = (side: Side, fifoSteps: boolean) => median(runs.flatMap((r) => r.steps.filter((s) => s.fifo === fifoSteps).map((s) => s[side].genMsPerToken)).filter((x): x is number => x !== null));
  const runGens = (["hearth", "same", "vscode"] as const).flatMap((side) => [runGen(side, true), runGen(side, false)]).filter((x) => Number.isFinite(x));
  const fromRun = { promptTokPerS: Math.max(...warmupPromptRates), genMs: Math.min(...runGens) };
  const rates: Rates = measured
    ? {
        ...measured,
        // The floor takes the best rate this machine showed for each: what an ideal engine could do here.
        runPromptTokPerS: fromRun.promptTokPerS,
        runGenMs: fromRun.genMs,
        promptTokPerS: Math.max(measured.nlcPromptTokPerS, measured.benchPromptTokPerS, fromRun.promptTokPerS),
        genMs: Math.min(measured.nlcGenMs, measured.benchGenMs, fromRun.genMs),
      }
    : { ...fromRun, runPromptTokPerS: fromRun.promptTokPerS, runGenMs: fromRun.genMs, nlcPromptTokPerS: null, nlcGenMs: null, benchPromptTokPerS: null, benchGenMs: null };
  const floorMs = (tokens: number) => (tokens / rates.promptTokPerS) * 1000 + N_PREDICT * rates.genMs;
  for (const run of runs) {
    for (const step of run.steps) {
      step.floorMs = floorMs(step.changed);
      step.orderFloorMs = { hearth: floorMs(step.changed + step.hearth.shape.tokensAfterPrefix), same: floorMs(step.changed + step.same.shape.tokensAfterPrefix), vscode: floorMs(step.changed + step.vscode.shape.tokensAfterPrefix) };
    }
    // Beside the floor (its generation rate is measured after an empty cache): llama.cpp's own generation after this
    // file's prompt, the servers stopped and Hearth's engine gone.
    if (!ratesFromRun) {
      const depth = Math.round(median(run.steps.map((s) => s.hearth.shape.totalTokens)));
      const genMsPerToken = await measureLlamaBenchGenAtDepth(build.bench, modelPath, THREADS, depth, { genTokens: N_PREDICT });
      for (const step of run.steps) step.floorAtDepthMs = (step.changed / rates.promptTokPerS) * 1000 + N_PREDICT * genMsPerToken;
      run.floorAtDepth = { depth, genMsPerToken, floorMs: median(run.steps.map((s) => s.floorAtDepthMs!)) };
      log(`${run.file.label}: llama-bench generates at ${genMsPerToken.toFixed(1)} ms/token after ${depth} cached tokens`);
    }
  }
  writeFileSync(join(work, "engine-requests.json"), `${JSON.stringify(runs.map((r) => ({ file: r.file.label, steps: r.steps })), null, 1)}\n`);
  reportEngineBench({ runs, rates, threads: THREADS, fifoRefused: fifoSkipped ?? fifo.refusedBecause, fifoMaxWindowMs: MAX_FIFO_WINDOW_MS, typistGapMs: TYPIST_GAP_MS, loadBefore, loadAfter: uptime(), loadMax: Math.max(...loads), bundleHash: build.bundleHash, vscodeFlags: LLAMA_VSCODE_CPU_FLAGS });
  const binding = engineLog.lines.find((line) => /llama\.cpp: the (build for this CPU|prebuilt binaries)/.test(line));
  if (binding) log(`engine: ${binding}`);
  const errors = engineLog.lines.filter((line) => line.startsWith("error"));
  if (errors.length > 0) console.log(`engine log errors:\n${errors.join("\n")}`);
}

export function serverSample(answer: InfillAnswer, ms: number, shape: Sample["shape"], expectedPromptTokens: number | null): Sample {
  const t = answer.timings;
  if (expectedPromptTokens !== null && answer.tokens_evaluated !== undefined && answer.tokens_evaluated !== expectedPromptTokens) {
    throw new Error(`llama-server's prompt was ${answer.tokens_evaluated} tokens, Hearth's ${expectedPromptTokens}: not the same prompt`);
  }
  return {
    ms,
    engineMs: ms,
    evaluated: t.prompt_n,
    promptMs: t.prompt_ms,
    generated: t.predicted_n,
    // llama-server's predicted_ms runs from the first token, which comes with the prompt's logits, to the last: it
    // covers predicted_n − 1 decode steps (its own predicted_per_token_ms divides by those), as Hearth's figure does.
    genMsPerToken: t.predicted_n > 1 ? t.predicted_ms / (t.predicted_n - 1) : null,
    shape: { ...shape, totalTokens: answer.tokens_evaluated ?? shape.totalTokens },
  };
}

/** For each step, how many tokens of the document differ from the previous step's (0 for the first). */
function changedTokensPerStep(shapes: PromptShapes, steps: readonly TypingStep[]): number[] {
  let previous: readonly number[] = [];
  return steps.map((step, i) => {
    const tokens = shapes.tokenize(step.before + step.after);
    const n = i === 0 ? 0 : changedCount(previous, tokens);
    previous = tokens;
    return n;
  });
}

/** Tokens of `next` outside its longest common prefix and suffix with `prev`. */
export function changedCount(prev: readonly number[], next: readonly number[]): number {
  let start = 0;
  while (start < prev.length && start < next.length && prev[start] === next[start]) start++;
  let end = 0;
  while (end < prev.length - start && end < next.length - start && prev[prev.length - 1 - end] === next[next.length - 1 - end]) end++;
  return next.length - start - end;
}
