// `node out/bench/run.js first-suggestion` (issue 15 item 6): how soon the first ghost text comes, and what a warm
// suggestion's latency is made of. Under Node, the pipeline the CLI and the extension build (ContextEngine weighed by
// the model's tokenizer, RequestManager, EngineClient, the engine process, node-llama-cpp on `bench-0.5b`), driven as
// VS Code drives the provider; the extension host's own adapter (toSnapshot, the InlineCompletionItem) is not in it.
//   A. Open a file at startup, type a word two seconds later, pause: time to the first ghost text, with the model file
//      in the page cache, with and without the background load (ModelPreloader, as extension.ts wires it).
//   B. Warm: pauses after words while typing a real file; each pause's latency split into the wait before the call,
//      context assembly, IPC and the engine's queue, the model (the engine process's own generation time) and
//      post-processing; the design before (RHYTHM_DEBOUNCE), now (DEFAULT_DEBOUNCE) and always at once (AT_ONCE), alternated.
//   C. What each design costs while typing, for a fast, the inline bench's human and a slow typist, in the same run:
//      model calls per 100 keys (measured, and computed from the typist's schedule), CPU seconds of the engine process
//      and of this one per 100 keys.
// `-- --smoke` runs one of each, briefly, and writes nothing to bench/results; `-- --warm-only` skips A. `-- --tiny` runs on the tiny test model
// (a machine too busy for bench-0.5b's calls to end within a pause): the parts around the model are the same code.
import { execFileSync } from "node:child_process";
import { createReadStream, readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { loadavg } from "node:os";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { MemoryLogger, silentLogger } from "../../src/common/logger";
import type { DocumentSnapshot, Suggestion } from "../../src/completion/completion-types";
import { AT_ONCE, AdaptiveDebounce, DEFAULT_DEBOUNCE, RHYTHM_DEBOUNCE, type DebounceOptions } from "../../src/completion/adaptive-debounce";
import { ModelPreloader, PRELOAD_DELAY_MS } from "../../src/completion/model-preload";
import { ALL_FEATURES, RequestManager, type RequestManagerFeatures } from "../../src/completion/request-manager";
import { ContextEngine } from "../../src/context/context-engine";
import { ModelTokenCounter } from "../../src/context/model-token-counter";
import { EngineClient } from "../../src/engine/client";
import { ensureTestModel } from "../../test/fixtures/models/test-models";
import { loadKySource } from "../engine/source-file";
import { BENCH_DIR, median, quantile, writeBenchResult, type FlatValue } from "../report";
import { engineChildProcess } from "../reliability/flood";
import { AssemblerProbe, EngineProbe, listenToEngineReplies, type EngineReply } from "./probes";
import { truthAt } from "./replay";
import { HUMAN_PACE, makeSegment, nextKey, type Key, type Pace, type TypingSegment } from "./typist";

const THREADS = 2;
const CONTEXT = 4096;
const MAX_TOKENS = 24;
const KY_LINES: [number, number] = [147, 172];
/** A. The user looks at the file this long before the first key. */
const FIRST_KEY_MS = 2000;
/** B. A pause long enough for any answer; the typist pauses after every third word. */
const PAUSE_MS = 3000;
const PAUSE_EVERY_WORDS = 3;
const NON_MODEL_TARGET = 0.15;
/** C. A fast typist: no word or line pauses to speak of, no thinking. */
const FAST_PACE: Pace = { ...HUMAN_PACE, keyMs: 60, wordEndMs: 90, lineEndMs: 200, thinkShare: 0, typoShare: 0 };
/** A slow typist (about 40 words a minute). */
const SLOW_PACE: Pace = { ...HUMAN_PACE, keyMs: 300, wordEndMs: 450, lineEndMs: 900, typoShare: 0 };
/** The design before: wait 1.5× the typist's usual gap, 40–150 ms (issue 15's first step). */
const DEBOUNCE_BEFORE: DebounceOptions = RHYTHM_DEBOUNCE;
/** The design now: the request manager's default. */
const DEBOUNCE_NOW: DebounceOptions = DEFAULT_DEBOUNCE;
const DESIGNS = {
  before: { label: "1.5× the average gap, 40–150 ms (before)", debounce: DEBOUNCE_BEFORE },
  now: { label: "1.15× the median gap if ≤ 75 ms, else at once (now)", debounce: DEBOUNCE_NOW },
  at_once: { label: "always at once", debounce: AT_ONCE },
} as const;
type Design = keyof typeof DESIGNS;
const WARM_VARIANTS = (["human", "slow"] as const).flatMap((typist) =>
  (Object.keys(DESIGNS) as (keyof typeof DESIGNS)[]).map((design) => ({
    key: `${typist}_${design}`,
    label: `${typist}, ${DESIGNS[design].label}`,
    pace: typist === "human" ? HUMAN_PACE : SLOW_PACE,
    debounce: DESIGNS[design].debounce,
  })),
);
const PACES = { fast: FAST_PACE, human: HUMAN_PACE, slow: SLOW_PACE } as const;
type PaceName = keyof typeof PACES;
/** C. Keys typed per typist and design (the slow typist's take 300 ms each). */
const COST_KEYS: Record<PaceName, number> = { fast: 150, human: 150, slow: 80 };

/**
 * Model calls per 100 keys a debounce lets start for a typist's schedule: a key starts one when the next key comes
 * later than the key's wait (or it is the last). Savings that answer without the model (typing-through, the cache,
 * joining a generation) are not counted: this is the debounce's own part, free of the machine's speed and load.
 */
function scheduledCallsPer100Keys(segment: TypingSegment, pace: Pace, options: DebounceOptions): { calls: number; keys: number; waitP50: number } {
  const gaps: number[] = [];
  let previous: Key | null = null;
  for (let at = 0; at < segment.typed.length; ) {
    const key = nextKey(segment.typed, at, previous, pace);
    gaps.push(key.gapMs);
    at += key.advance;
    previous = key;
  }
  let now = 0;
  const debounce = new AdaptiveDebounce(options, () => now);
  const waits = gaps.map((gap) => {
    now += gap;
    return debounce.keystroke();
  });
  const calls = waits.filter((wait, i) => i === gaps.length - 1 || gaps[i + 1]! > wait).length;
  return { calls: (100 * calls) / gaps.length, keys: gaps.length, waitP50: median(waits) };
}

interface Rig {
  context: ContextEngine;
  tokenCounter: ModelTokenCounter;
  uri: string;
  snapshot: (typed: number) => DocumentSnapshot;
  dispose(): void;
}

/** The editor's side of one open file: the context engine with the document open and visited, and its index started. */
function openFile(segment: TypingSegment, client: EngineClient, grammarsDir: string): Rig {
  const uri = pathToFileURL(segment.absolutePath).toString();
  const tokenCounter = new ModelTokenCounter(client, silentLogger);
  const context = new ContextEngine({ grammarsDir, logger: silentLogger, readFile: (path) => readFile(path, "utf8").catch(() => null), countTokens: tokenCounter.count });
  const text = (typed: number) => segment.head + segment.typed.slice(0, typed) + segment.tail;
  context.openDocument(uri, segment.languageId, text(0), 1);
  context.noteVisited(uri);
  void context.indexWorkspace([dirname(segment.absolutePath)]);
  return {
    context,
    tokenCounter,
    uri,
    snapshot: (typed) => ({ uri, languageId: segment.languageId, text: text(typed), offset: segment.head.length + typed, relativePath: segment.relativePath, repoName: segment.repoName }),
    dispose: () => {
      context.dispose();
      tokenCounter.dispose();
    },
  };
}

/** The worker's own timings of each infill it answered, in order (cancelled ones included). */
function workerTimings(client: EngineClient): { replies: { totalMs: number; queuedMs: number }[]; stop: () => void } {
  const replies: { totalMs: number; queuedMs: number }[] = [];
  const child = engineChildProcess(client);
  const onMessage = (message: { type?: string; result?: { promptTokens?: number; timings?: { totalMs: number; queuedMs: number } }; error?: { code?: string } }) => {
    if (message.type === "result" && typeof message.result?.promptTokens === "number" && message.result.timings) replies.push(message.result.timings);
    else if (message.type === "error" && message.error?.code === "cancelled") replies.push({ totalMs: 0, queuedMs: 0 });
  };
  child?.on("message", onMessage);
  return { replies, stop: () => child?.off("message", onMessage) };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

/** Types keys from `from` as VS Code would call the provider: each key aborts the request before it. */
class Typist {
  private current: { controller: AbortController; done: Promise<{ suggestion: Suggestion | null; at: number }> } | null = null;
  typed = 0;
  keys = 0;
  private previous: Key | null = null;

  constructor(
    private readonly segment: TypingSegment,
    private readonly rig: Rig,
    private readonly manager: RequestManager,
  ) {}

  /** Presses the next key after its gap; returns when it was pressed and the request it made. */
  async press(pace: Pace, extraGapMs = 0): Promise<{ at: number; done: Promise<{ suggestion: Suggestion | null; at: number }> }> {
    const key = nextKey(this.segment.typed, this.typed, this.previous, pace);
    await sleep(key.gapMs + extraGapMs);
    this.current?.controller.abort();
    const at = performance.now();
    const offset = this.segment.head.length + this.typed;
    this.typed += key.advance;
    this.keys++;
    this.rig.context.applyEdit(this.rig.uri, [{ startOffset: offset, endOffset: offset, text: key.insert }], this.keys + 1);
    this.rig.context.noteEdited(this.rig.uri, offset);
    const controller = new AbortController();
    const done = this.manager
      .provide({ snapshot: this.rig.snapshot(this.typed), triggerKind: "automatic", signal: controller.signal })
      .then((suggestion) => ({ suggestion: controller.signal.aborted ? null : suggestion, at: performance.now() }));
    this.current = { controller, done };
    this.previous = key;
    return { at, done };
  }

  /** Whether the key after the last one starts a new word (the last one ended a word or a line). */
  atWordEnd(): boolean {
    const next = this.segment.typed[this.typed];
    const last = this.previous?.insert.slice(-1) ?? "";
    return next !== undefined && /\w/.test(last) && !/\w/.test(next);
  }

  get finished(): boolean {
    return this.typed >= this.segment.typed.length;
  }

  stop(): void {
    this.current?.controller.abort();
  }
}

interface FirstRun {
  preload: boolean;
  openToGhostMs: number | null;
  pauseToGhostMs: number | null;
  loadDoneAfterOpenMs: number | null;
}

/** A. A fresh engine process (VS Code just started), the file opened at once, a word typed FIRST_KEY_MS later. */
async function firstSuggestion(preload: boolean, modelPath: string, segment: TypingSegment, grammarsDir: string, workerPath: string): Promise<FirstRun> {
  const opened = performance.now();
  const client = new EngineClient({ workerPath, logger: new MemoryLogger("warn") });
  const rig = openFile(segment, client, grammarsDir);
  const preloader = new ModelPreloader(client);
  let loadDone: number | null = null;
  const watch = client.onDidChangeStatus((status) => {
    if (status.kind === "ready") loadDone ??= performance.now() - opened;
  });
  try {
    await client.configure({ modelPath, threads: THREADS, contextSize: CONTEXT, gpu: "off", idleUnloadMs: 0 });
    preloader.consider({ enabled: preload, modelKey: modelPath });
    const assemblies = new AssemblerProbe(rig.context, true);
    const engine = new EngineProbe(client, assemblies, (text, offset) => truthAt(segment, text, offset));
    const manager = new RequestManager({ engine, context: assemblies, logger: silentLogger }, { generation: { maxTokensSingleLine: MAX_TOKENS, maxTokensMultiLine: MAX_TOKENS } });
    const typist = new Typist(segment, rig, manager);
    await sleep(FIRST_KEY_MS - (performance.now() - opened));
    let last = await typist.press(HUMAN_PACE);
    while (!typist.atWordEnd()) last = await typist.press(HUMAN_PACE);
    const answer = await Promise.race([last.done, sleep(120_000).then(() => null)]);
    if (!answer?.suggestion) console.log(`first-suggestion: no ghost text: ${answer ? "null" : "timeout"}; calls ${JSON.stringify(engine.calls.map((c) => c.outcome))}`);
    manager.dispose();
    const ghost = answer?.suggestion ? answer.at : null;
    return { preload, openToGhostMs: ghost && ghost - opened, pauseToGhostMs: ghost && ghost - last.at, loadDoneAfterOpenMs: loadDone };
  } finally {
    watch.dispose();
    preloader.dispose();
    rig.dispose();
    await client.dispose();
  }
}

interface PausePart {
  totalMs: number;
  debounceMs: number;
  contextMs: number;
  ipcMs: number;
  modelMs: number;
  postMs: number;
}

/** B. Pauses after every few words while typing the segment; the parts of each model-backed pause's latency. */
async function warmPauses(
  client: EngineClient,
  segment: TypingSegment,
  grammarsDir: string,
  maxPauses: number,
  pace: Pace,
  debounce: DebounceOptions,
): Promise<{ parts: PausePart[]; pauses: number }> {
  const rig = openFile(segment, client, grammarsDir);
  await rig.context.whenParsed(rig.uri, 10_000);
  const timings = workerTimings(client);
  const assemblies = new AssemblerProbe(rig.context, true);
  const engine = new EngineProbe(client, assemblies, (text, offset) => truthAt(segment, text, offset));
  // Typing-through and the cache answer without the model, joining a generation started before the key answers with
  // one whose parts began earlier: all off, so that every pause makes its own model call, whose parts are measured.
  const features: RequestManagerFeatures = { ...ALL_FEATURES, typedThrough: false, cache: false, inFlightReuse: false };
  const manager = new RequestManager({ engine, context: assemblies, logger: silentLogger }, { generation: { maxTokensSingleLine: MAX_TOKENS, maxTokensMultiLine: MAX_TOKENS }, features, debounce });
  const typist = new Typist(segment, rig, manager);
  const parts: PausePart[] = [];
  let pauses = 0;
  let words = 0;
  try {
    // Warm the KV cache on this file (not measured).
    await manager.provide({ snapshot: rig.snapshot(0), triggerKind: "invoked", signal: new AbortController().signal });
    while (!typist.finished && pauses < maxPauses) {
      const key = await typist.press(pace);
      if (!typist.atWordEnd() || ++words % PAUSE_EVERY_WORDS !== 0) continue;
      pauses++;
      const callsBefore = engine.calls.length;
      const answer = await Promise.race([key.done, sleep(PAUSE_MS + 20_000).then(() => null)]);
      await sleep(PAUSE_MS - (performance.now() - key.at));
      const call = engine.calls.at(-1);
      if (!answer?.suggestion || answer.suggestion.source !== "model" || engine.calls.length !== callsBefore + 1 || !call?.assembly || call.endedAt === null) continue;
      // Replies arrive in the order of the calls; a late one (a cancelled call's) may still be on its way.
      for (let waited = 0; timings.replies.length < engine.calls.length && waited < 2000; waited += 20) await sleep(20);
      const reply = timings.replies.length === engine.calls.length ? timings.replies.at(-1)! : null;
      if (!reply) continue;
      const engineWait = call.endedAt - call.startedAt;
      // Stopped early by the post-processor, the worker runs on until the cancel reaches it: its time is capped there.
      const modelMs = Math.min(engineWait, reply.totalMs - reply.queuedMs);
      parts.push({
        totalMs: answer.at - key.at,
        debounceMs: call.assembly.startedAt - key.at,
        contextMs: call.startedAt - call.assembly.startedAt,
        ipcMs: engineWait - modelMs,
        modelMs,
        postMs: answer.at - call.endedAt,
      });
    }
  } finally {
    typist.stop();
    manager.dispose();
    timings.stop();
    rig.dispose();
  }
  return { parts, pauses };
}

/** C. What a design costs while the user types: model calls started, and CPU time of the engine process and of this one. */
interface TypingCost {
  keys: number;
  calls: number;
  engineCpuS: number;
  hostCpuS: number;
  typingS: number;
  /** Tokens the engine evaluated for the calls' prompts (what their KV cache did not hold) and generated, cancelled calls included. */
  promptTokens: number;
  generatedTokens: number;
}

/** The engine process's CPU time (user + system, all its threads), from /proc (Linux); NaN where it cannot be read. */
function engineCpuSeconds(client: EngineClient): number {
  const pid = engineChildProcess(client)?.pid;
  if (pid === undefined) return Number.NaN;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name, which may hold spaces: state is field 3, utime 14 and stime 15.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return Number.NaN;
  }
}

const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/**
 * C. Types `maxKeys` keys of the segment with `pace` (the model's own text, every saving on, as the extension runs) and
 * counts what it cost: model calls and CPU seconds, up to a second after the last key (the last call's answer).
 */
async function typingCost(client: EngineClient, segment: TypingSegment, grammarsDir: string, pace: Pace, debounce: DebounceOptions, maxKeys: number): Promise<TypingCost> {
  const rig = openFile(segment, client, grammarsDir);
  await rig.context.whenParsed(rig.uri, 10_000);
  const assemblies = new AssemblerProbe(rig.context, false);
  const engine = new EngineProbe(client, assemblies, null);
  const manager = new RequestManager({ engine, context: assemblies, logger: silentLogger }, { generation: { maxTokensSingleLine: MAX_TOKENS, maxTokensMultiLine: MAX_TOKENS }, debounce });
  const typist = new Typist(segment, rig, manager);
  // Let the engine finish whatever the last measurement left, so that it is not counted here.
  await sleep(1000);
  const replies: EngineReply[] = [];
  const stopListening = listenToEngineReplies(client, replies);
  const engineBefore = engineCpuSeconds(client);
  const hostBefore = process.cpuUsage();
  const started = performance.now();
  try {
    while (!typist.finished && typist.keys < maxKeys) await typist.press(pace);
    await sleep(1000);
  } finally {
    typist.stop();
    manager.dispose();
    rig.dispose();
    stopListening();
  }
  const host = process.cpuUsage(hostBefore);
  return {
    keys: typist.keys,
    calls: engine.calls.length,
    engineCpuS: engineCpuSeconds(client) - engineBefore,
    hostCpuS: (host.user + host.system) / 1e6,
    typingS: (performance.now() - started) / 1000,
    promptTokens: replies.reduce((sum, r) => sum + r.promptTokens, 0),
    generatedTokens: replies.reduce((sum, r) => sum + r.generatedTokens, 0),
  };
}

/** Reads the model file once, so every run finds it in the page cache as a second start of VS Code would. */
async function intoPageCache(path: string): Promise<void> {
  for await (const _chunk of createReadStream(path, { highWaterMark: 8 << 20 })) {
    /* read and dropped */
  }
}

export async function runFirstSuggestionBench(argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  const smoke = argv.includes("--smoke");
  const log = (line: string) => console.log(`first-suggestion: ${line}`);
  const root = join(BENCH_DIR, "..");
  const grammarsDir = join(root, "grammars");
  const workerPath = join(root, "dist", "engine-worker.mjs");
  const ky = loadKySource(log);
  const segment = makeSegment(
    { origin: ky.origin, absolutePath: join(BENCH_DIR, ".work", "ky-1.14.3", "Ky.ts"), relativePath: ky.path, repoName: "ky", languageId: "typescript", text: ky.text },
    ...KY_LINES,
  );
  const tiny = argv.includes("--tiny");
  const modelPath = await ensureTestModel(tiny ? "tiny" : "bench-0.5b");
  const modelLabel = tiny
    ? "the tiny test model (~0.5 MB of random weights; `-- --tiny`: the machine was too busy for bench-0.5b's calls to end within a pause)"
    : "`bench-0.5b` (random weights in Qwen2.5-Coder-0.5B's shape, Q8_0)";
  await intoPageCache(modelPath);
  const loadAtStart = loadavg()[0]!;
  log(`load average ${loadAtStart.toFixed(2)}${smoke ? "; smoke run" : ""}`);

  const firstRuns: FirstRun[] = [];
  // `-- --warm-only` skips A (a quicker look at B and C; the report then shows no first ghost text).
  for (let i = 0; i < (argv.includes("--warm-only") ? 0 : smoke ? 1 : 2); i++) {
    for (const preload of [false, true]) {
      const run = await firstSuggestion(preload, modelPath, segment, grammarsDir, workerPath);
      firstRuns.push(run);
      log(`A ${preload ? "background load" : "load on first use"}: open → ghost text ${fmt(run.openToGhostMs)}, pause → ghost text ${fmt(run.pauseToGhostMs)} (model ready ${fmt(run.loadDoneAfterOpenMs)} after open)`);
    }
  }

  const client = new EngineClient({ workerPath, logger: new MemoryLogger("warn") });
  const warm = new Map<string, Awaited<ReturnType<typeof warmPauses>>>();
  const costs = new Map<string, TypingCost>();
  try {
    await client.configure({ modelPath, threads: THREADS, contextSize: CONTEXT, gpu: "off", idleUnloadMs: 0 });
    await client.load();
    // Alternated (the second round in reverse order), so that every design meets the same machine.
    for (let round = 0; round < (smoke ? 1 : 2); round++) {
      // Two rounds of a few pauses each: on a shared 2-core machine a pause's model call can take seconds.
      for (const variant of round % 2 === 0 ? WARM_VARIANTS : [...WARM_VARIANTS].reverse()) {
        const result = await warmPauses(client, segment, grammarsDir, smoke ? 2 : 4, variant.pace, variant.debounce);
        const sofar = warm.get(variant.key);
        warm.set(variant.key, sofar ? { parts: [...sofar.parts, ...result.parts], pauses: sofar.pauses + result.pauses } : result);
        log(`B ${variant.key}: ${result.parts.length} model-backed pauses of ${result.pauses}`);
      }
    }
    // Each typist with each design, the order alternated from typist to typist.
    for (const [i, name] of (Object.keys(PACES) as PaceName[]).entries()) {
      const order = Object.keys(DESIGNS) as Design[];
      for (const design of i % 2 === 0 ? order : order.reverse()) {
        const cost = await typingCost(client, segment, grammarsDir, PACES[name], DESIGNS[design].debounce, smoke ? 30 : COST_KEYS[name]);
        costs.set(`${name}_${design}`, cost);
        log(`C ${name} typist, ${design}: ${cost.calls} model calls for ${cost.keys} keys, ${cost.promptTokens} + ${cost.generatedTokens} tokens, engine CPU ${cost.engineCpuS.toFixed(2)} s, host CPU ${cost.hostCpuS.toFixed(2)} s in ${cost.typingS.toFixed(1)} s`);
      }
    }
  } finally {
    await client.dispose();
  }
  const loadAtEnd = loadavg()[0]!;

  const warmFigures: Record<string, FlatValue> = {};
  for (const { key } of WARM_VARIANTS) {
    const { parts, pauses } = warm.get(key)!;
    const p50 = (pick: (p: PausePart) => number) => median(parts.map(pick));
    const share = parts.map((p) => (p.totalMs - p.modelMs) / p.totalMs);
    Object.assign(warmFigures, {
      [`warm_${key}_pauses`]: pauses,
      [`warm_${key}_model_backed`]: parts.length,
      [`warm_${key}_latency_ms_p50`]: round(p50((p) => p.totalMs)),
      [`warm_${key}_latency_ms_p95`]: round(quantile(parts.map((p) => p.totalMs), 0.95)),
      [`warm_${key}_debounce_ms_p50`]: round(p50((p) => p.debounceMs), 1),
      [`warm_${key}_context_ms_p50`]: round(p50((p) => p.contextMs), 1),
      [`warm_${key}_ipc_and_queue_ms_p50`]: round(p50((p) => p.ipcMs), 1),
      [`warm_${key}_model_ms_p50`]: round(p50((p) => p.modelMs)),
      [`warm_${key}_post_ms_p50`]: round(p50((p) => p.postMs), 1),
      [`warm_${key}_non_model_share_p50`]: round(median(share), 3),
      [`warm_${key}_non_model_share_p95`]: round(quantile(share, 0.95), 3),
    });
  }
  const headlineShare = Number(warmFigures.warm_slow_now_non_model_share_p50);
  const firstOf = (preload: boolean, pick: (r: FirstRun) => number | null) => median(firstRuns.filter((r) => r.preload === preload).map(pick).filter((v): v is number => v !== null));
  const costFigures: Record<string, FlatValue> = {};
  for (const name of Object.keys(PACES) as PaceName[]) {
    for (const design of Object.keys(DESIGNS) as Design[]) {
      const cost = costs.get(`${name}_${design}`)!;
      const per100 = (value: number, digits: number) => round((100 * value) / Math.max(1, cost.keys), digits);
      const x = scheduledCallsPer100Keys(segment, PACES[name], DESIGNS[design].debounce);
      Object.assign(costFigures, {
        [`cost_${name}_${design}_keys`]: cost.keys,
        [`cost_${name}_${design}_model_calls_per_100_keys`]: per100(cost.calls, 1),
        [`cost_${name}_${design}_engine_cpu_s_per_100_keys`]: per100(cost.engineCpuS, 2),
        [`cost_${name}_${design}_host_cpu_s_per_100_keys`]: per100(cost.hostCpuS, 2),
        [`cost_${name}_${design}_typing_s_per_100_keys`]: per100(cost.typingS, 1),
        [`cost_${name}_${design}_prompt_tokens_per_100_keys`]: per100(cost.promptTokens, 0),
        [`cost_${name}_${design}_generated_tokens_per_100_keys`]: per100(cost.generatedTokens, 0),
        [`scheduled_${name}_typist_calls_per_100_keys_${design}`]: round(x.calls, 1),
        [`scheduled_${name}_typist_wait_ms_p50_${design}`]: round(x.waitP50),
      });
    }
  }
  const figures: Record<string, FlatValue> = {
    source: `${segment.origin}, lines ${segment.firstLine}-${segment.lastLine}`,
    model: tiny ? "tiny" : "bench-0.5b",
    threads: THREADS,
    max_tokens: MAX_TOKENS,
    preload_delay_ms: PRELOAD_DELAY_MS,
    first_key_after_open_ms: FIRST_KEY_MS,
    first_runs: firstRuns.length / 2,
    first_open_to_ghost_ms_p50_load_on_first_use: round(firstOf(false, (r) => r.openToGhostMs)),
    first_open_to_ghost_ms_p50_background_load: round(firstOf(true, (r) => r.openToGhostMs)),
    first_pause_to_ghost_ms_p50_load_on_first_use: round(firstOf(false, (r) => r.pauseToGhostMs)),
    first_pause_to_ghost_ms_p50_background_load: round(firstOf(true, (r) => r.pauseToGhostMs)),
    first_model_ready_after_open_ms_p50_background_load: round(firstOf(true, (r) => r.loadDoneAfterOpenMs)),
    ...warmFigures,
    // The tiny model's calls are no real model's: the share is not judged against them.
    target_non_model_share_p50_lt_0_15: tiny ? null : Math.max(Number(warmFigures.warm_human_now_non_model_share_p50), headlineShare) < NON_MODEL_TARGET,
    ...costFigures,
    load_average_start: round(loadAtStart, 2),
    load_average_end: round(loadAtEnd, 2),
  };
  console.log(figures);
  if (smoke) return;
  const f = (key: string) => String(figures[key]);
  writeBenchResult(
    "first-suggestion",
    figures,
    `## First suggestion and the parts of a warm one (\`node out/bench/run.js first-suggestion\`)

Under Node, the pipeline the extension and the CLI build (ContextEngine weighed with the model's tokenizer,
RequestManager, EngineClient, the engine process, node-llama-cpp), ${modelLabel}, ${THREADS} threads, driven as VS Code drives the provider (automatic trigger, each
key aborts the request before it); the model's text is replaced by the file's true continuation (the always-right
oracle of the inline bench) so that every answer is shown. Not in it: the extension host's adapter and VS Code's own
rendering. Typed: ${segment.origin}, lines ${segment.firstLine}–${segment.lastLine}.

**A. First ghost text** (${f("first_runs")} runs each, alternated; the model file in the page cache). A fresh engine
process and the file opened at once (VS Code just started), the first word typed ${FIRST_KEY_MS / 1000} s later, then a pause:

| model load | open → ghost text p50 | pause → ghost text p50 |
|---|---|---|
| on first use (\`hearth.model.loadOnStartup\` off) | ${fmt(Number(figures.first_open_to_ghost_ms_p50_load_on_first_use))} | ${fmt(Number(figures.first_pause_to_ghost_ms_p50_load_on_first_use))} |
| in the background ${PRELOAD_DELAY_MS / 1000} s after startup (default) | ${fmt(Number(figures.first_open_to_ghost_ms_p50_background_load))} | ${fmt(Number(figures.first_pause_to_ghost_ms_p50_background_load))} |

With the background load the model was ready ${fmt(Number(figures.first_model_ready_after_open_ms_p50_background_load))} after the file opened (p50).

**B. A warm suggestion, part by part.** A ${PAUSE_MS / 1000} s pause after every ${PAUSE_EVERY_WORDS}rd word, by the inline bench's human typist
(${HUMAN_PACE.keyMs} ms a key) and a slow one (${SLOW_PACE.keyMs} ms a key), each with the design before (${DESIGNS.before.label}), now
(${DESIGNS.now.label}) and ${DESIGNS.at_once.label}, alternated; typing-through, the cache and joining a generation under way off, so that every pause makes its own model call. From the key before
the pause to the ghost text, p50 of each part:

| typist, design | pauses (model-backed) | latency p50 / p95 | wait (key → context) | context and prompt (→ engine call) | IPC and engine queue | model (engine process) | post-processing (→ provide resolves) | not the model, p50 (p95) |
|---|---|---|---|---|---|---|---|---|
${WARM_VARIANTS.map(({ key, label }) => `| ${label} | ${f(`warm_${key}_pauses`)} (${f(`warm_${key}_model_backed`)}) | ${fmt(Number(figures[`warm_${key}_latency_ms_p50`]))} / ${fmt(Number(figures[`warm_${key}_latency_ms_p95`]))} | ${fmt(Number(figures[`warm_${key}_debounce_ms_p50`]))} | ${fmt(Number(figures[`warm_${key}_context_ms_p50`]))} | ${fmt(Number(figures[`warm_${key}_ipc_and_queue_ms_p50`]))} | ${fmt(Number(figures[`warm_${key}_model_ms_p50`]))} | ${fmt(Number(figures[`warm_${key}_post_ms_p50`]))} | ${round(Number(figures[`warm_${key}_non_model_share_p50`]) * 100, 1)}% (${round(Number(figures[`warm_${key}_non_model_share_p95`]) * 100, 1)}%) |`).join("\n")}

"Model": the engine process's own generation time (its reply's timings, queue excluded), capped at the engine call's
wait when the post-processor stopped it early. Target: the non-model share under ${NON_MODEL_TARGET * 100}% at p50 with the design now, both
typists: ${tiny ? "not judged on the tiny model (its calls are no real model's; read the parts around the model in ms)" : figures.target_non_model_share_p50_lt_0_15 ? "met" : "**not met**"}.

**C. What each design costs while the user types** (the model's own text, every saving on, as the extension runs;
${COST_KEYS.fast} keys of the fast and human typists, ${COST_KEYS.slow} of the slow one, each with every design, the order alternated from typist to typist).
Engine CPU: the engine process's user + system time (all its threads, from /proc), from the first key to a second
after the last; host CPU: this process's (the extension host's part: snapshots, context, the request manager):

| typist | design | model calls per 100 keys (scheduled) | tokens evaluated + generated per 100 keys | engine CPU s per 100 keys | host CPU s per 100 keys | typing s per 100 keys |
|---|---|---|---|---|---|---|
${(Object.keys(PACES) as PaceName[]).flatMap((name) => (Object.keys(DESIGNS) as Design[]).map((design) => `| ${name === "fast" ? `fast (${FAST_PACE.keyMs} ms a key, ${FAST_PACE.wordEndMs} ms after a word)` : name === "human" ? `the inline bench's (${HUMAN_PACE.keyMs} ms a key, pauses)` : `slow (${SLOW_PACE.keyMs} ms a key)`} | ${DESIGNS[design].label} | ${f(`cost_${name}_${design}_model_calls_per_100_keys`)} (${f(`scheduled_${name}_typist_calls_per_100_keys_${design}`)}) | ${f(`cost_${name}_${design}_prompt_tokens_per_100_keys`)} + ${f(`cost_${name}_${design}_generated_tokens_per_100_keys`)} | ${f(`cost_${name}_${design}_engine_cpu_s_per_100_keys`)} | ${f(`cost_${name}_${design}_host_cpu_s_per_100_keys`)} | ${f(`cost_${name}_${design}_typing_s_per_100_keys`)} |`)).join("\n")}

"Scheduled": the calls the design alone lets start for the typist's schedule (a key starts one when the next key comes
later than its wait; free of the machine's speed), before typing-through, the cache and joining a generation save some.

Load average ${round(loadAtStart, 1)} at the start, ${round(loadAtEnd, 1)} at the end (2 cores, shared with other work).`,
  );
}

function fmt(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return "–";
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : ms >= 10 ? `${Math.round(ms)} ms` : `${ms.toFixed(1)} ms`;
}

function round(value: number, digits = 0): number {
  if (!Number.isFinite(value)) return Number.NaN;
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
