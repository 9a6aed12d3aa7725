// `node out/bench/engine/request-overhead.js [steps] [--save-tokens FILE | --check-tokens FILE]`: where the time of one
// keystroke's request goes besides the model's own work, on the engine bench's three files (replay-files.ts), bench-0.5b
// on 1 llama.cpp thread. Issue 16: given exactly Hearth's prompt, llama-server answered ~14 ms sooner, and Hearth's
// latency adds its context assembly on top.
//   A. Through the engine bench's own path (CompletionPipeline's context engine, generateSuggestion, EngineClient, the
//      engine process): the context engine's phases (its own AssembledContext.phases, and the time its token counter
//      took), the host's work between the context and the engine call, and the IPC both ways (the host's times less
//      the engine process's own `timings`).
//   B. The engine process's part in this process (LlamaEngine, the same requests in the same order, so its KV cache
//      and suffix reuse see what A's did), timed by wrapping the loaded model: how many times and how long the prompt
//      fitting tokenises, what runs before LlamaCompletion is called (the prompt's fitting, the suffix reuse's
//      planning and the changed tokens it evaluates), LlamaCompletion's own setup until its first evaluation, the
//      first token, and the stream after it.
// The prompt tokens of every request can be saved and checked against a later run (a cut must not change them).
// Writes bench/results/engine-request-overhead.json when asked (--write).
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { silentLogger } from "../../src/common/logger";
import { pathInFolder } from "../../src/completion/completion-pipeline";
import type { CompletionEngine, ContextAssembler } from "../../src/completion/completion-types";
import { DEFAULT_GENERATION, generateSuggestion } from "../../src/completion/generate-suggestion";
import type { AssembledContext } from "../../src/context/context-types";
import { EngineClient } from "../../src/engine/client";
import type { GenerationResult, InfillParams } from "../../src/engine/protocol";
import { ensureTestModel } from "../../test/fixtures/models/test-models";
import { BENCH_DIR, median } from "../report";
import { CONTEXT_TOKENS, HearthSide } from "./hearth-side";
import { loadReplayFiles, type ReplayFile } from "./replay-files";
import { typingSteps, type TypingStep } from "./typing";

type LlamaEngineModule = typeof import("../../src/engine/worker/llama-engine.mjs", { with: { "resolution-mode": "import" } });

const THREADS = 1;
const CONTEXT = 4096;
const N_PREDICT = 24;

/** One request's spans through the engine process (A), ms. */
interface HostSpans {
  assembly: number;
  /** The context engine's own measure of its assemble() (AssembledContext.elapsedMs). */
  contextElapsed: number;
  phases: Record<string, number>;
  countTokens: number;
  countTokenCalls: number;
  /** From the context's answer to the engine call: params, the stream filter. */
  toEngine: number;
  /** Host → engine process → first chunk back, less the process's own time to its first chunk. */
  ipcFirstChunk: number;
  /** Host's whole engine call less the process's own total. */
  ipcTotal: number;
  workerQueued: number;
  workerFirstChunk: number;
  workerTotal: number;
  hostFirstChunk: number;
  total: number;
  promptTokens: number;
}

/** One request's spans inside the engine's code (B), ms. */
interface WorkerSpans {
  /** generateInfill's call until LlamaCompletion is called: fitting, the suffix reuse's planning and evaluation. */
  beforeCompletion: number;
  tokenizeCalls: number;
  tokenizeMs: number;
  /** The suffix reuse's own evaluation and cache edits before LlamaCompletion (0 where it did not reuse). */
  reuseEvaluateMs: number;
  /** LlamaCompletion's call until its first sequence.evaluate. */
  completionSetup: number;
  /** Its first evaluate until the first chunk (the prompt's remaining tokens, the first token). */
  firstToken: number;
  /** First chunk to the answer. */
  stream: number;
  total: number;
  chunks: number;
  promptHash: string;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const steps = Number(args.find((a) => /^\d+$/.test(a)) ?? "12");
  const flag = (name: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const saveTokens = flag("--save-tokens");
  const checkTokens = flag("--check-tokens");
  const load = () => loadavg().map((x) => x.toFixed(2)).join(" ");
  const loadBefore = load();
  const files = loadReplayFiles();
  const modelPath = await ensureTestModel("bench-0.5b");
  console.log(`load average ${loadBefore}; ${steps} requests per file`);

  // A: the engine bench's path.
  const client = new EngineClient({ workerPath: join(BENCH_DIR, "..", "dist", "engine-worker.mjs"), logger: silentLogger });
  const host: Record<string, HostSpans[]> = {};
  const asked: Record<string, InfillParams[]> = {};
  try {
    await client.configure({ modelPath, threads: THREADS, contextSize: CONTEXT, gpu: "off", idleUnloadMs: 0 });
    await client.load();
    for (const file of files) {
      const typing = typingSteps(file.file.text, file.lines[0], file.lines[1]).slice(0, steps + 1);
      const replay = await Replay.open(client, file, typing[0]!);
      try {
        await replay.ask(typing[0]!); // warm-up: the document before typing fills the cache
        host[file.label] = [];
        asked[file.label] = [replay.lastParams!];
        for (const step of typing.slice(1)) {
          host[file.label]!.push(await replay.ask(step));
          asked[file.label]!.push(replay.lastParams!);
        }
      } finally {
        replay.dispose();
      }
    }
  } finally {
    await client.dispose();
  }

  // B: the engine's code in this process, the same requests (--host-only: A alone, for a profile of the host's work).
  if (args.includes("--host-only")) {
    for (const file of files) for (const s of [summarize(file.label, host[file.label]!, [])]) printSummary(s);
    return;
  }
  const { LlamaEngine } = (await import("../../src/engine/worker/llama-engine.mjs")) as LlamaEngineModule;
  const worker: Record<string, WorkerSpans[]> = {};
  const hashes: Record<string, string[]> = {};
  for (const file of files) {
    const engine = new LlamaEngine(
      () => undefined,
      () => undefined,
    );
    try {
      await engine.load({ modelPath, threads: THREADS, contextSize: CONTEXT, gpu: "off" }, new AbortController().signal);
      const probe = new WorkerProbe(engine);
      const spans: WorkerSpans[] = [];
      for (const [i, params] of asked[file.label]!.entries()) {
        const s = await probe.infill(params);
        if (i > 0) spans.push(s);
        (hashes[file.label] ??= []).push(s.promptHash);
      }
      worker[file.label] = spans;
    } finally {
      await engine.dispose();
    }
  }
  const loadAfter = load();

  const summary = files.map((file) => summarize(file.label, host[file.label]!, worker[file.label]!));
  for (const s of summary) printSummary(s);
  console.log(`load average ${loadBefore} before, ${loadAfter} after`);
  if (saveTokens) writeFileSync(saveTokens, `${JSON.stringify(hashes, null, 1)}\n`);
  if (checkTokens) {
    const before = JSON.parse(readFileSync(checkTokens, "utf8")) as Record<string, string[]>;
    const differ = Object.entries(hashes).flatMap(([label, list]) => list.flatMap((h, i) => (before[label]?.[i] === h ? [] : [`${label} #${i}`])));
    console.log(differ.length === 0 ? `prompt tokens: identical to ${checkTokens} (${Object.values(hashes).flat().length} requests)` : `prompt tokens DIFFER: ${differ.join(", ")}`);
    if (differ.length > 0) process.exitCode = 1;
  }
  if (args.includes("--write")) {
    writeFileSync(join(BENCH_DIR, "results", "engine-request-overhead.json"), `${JSON.stringify({ threads: THREADS, contextSize: CONTEXT, nPredict: N_PREDICT, requestsPerFile: steps, loadBefore, loadAfter, files: summary }, null, 1)}\n`);
  }
}

/** The engine bench's Hearth side (hearth-side.ts), with the context engine's and the engine call's times taken apart. */
class Replay {
  lastParams: InfillParams | undefined;

  private constructor(
    private readonly side: HearthSide,
    private readonly client: EngineClient,
    private readonly file: ReplayFile,
  ) {}

  static async open(client: EngineClient, file: ReplayFile, first: TypingStep): Promise<Replay> {
    return new Replay(await HearthSide.open(client, file, first), client, file);
  }

  async ask(step: TypingStep): Promise<HostSpans> {
    this.side.advance(step);
    const context = this.side.pipeline.context;
    // The context engine's token counter, timed (it weighs every window and candidate).
    const counted = context as unknown as { countTokens: (text: string) => number };
    const count = counted.countTokens;
    let countMs = 0;
    let countCalls = 0;
    counted.countTokens = (text) => {
      const t = performance.now();
      const n = count(text);
      countMs += performance.now() - t;
      countCalls++;
      return n;
    };
    let assembled: AssembledContext | undefined;
    let assembledAt = 0;
    const assembler: ContextAssembler = {
      assemble: async (req) => {
        assembled = await context.assemble(req);
        assembledAt = performance.now();
        return assembled;
      },
    };
    let calledAt = 0;
    let firstChunkAt = 0;
    let answeredAt = 0;
    let result: GenerationResult | undefined;
    const client = this.client;
    const engine: CompletionEngine = {
      infill: async (params, options) => {
        calledAt = performance.now();
        this.lastParams = { ...params, maxTokens: N_PREDICT, maxLines: 0 };
        result = await client.infill(this.lastParams, {
          ...(options.signal ? { signal: options.signal } : {}),
          onChunk: () => {
            firstChunkAt ||= performance.now();
          },
        });
        answeredAt = performance.now();
        return result;
      },
    };
    const started = performance.now();
    try {
      await generateSuggestion({ engine, context: assembler }, this.side.snapshot(step), { ...DEFAULT_GENERATION, budgetTokens: CONTEXT_TOKENS, relativePath: (path) => pathInFolder(this.file.root, path) ?? path }, new AbortController().signal);
    } finally {
      counted.countTokens = count;
    }
    const total = performance.now() - started;
    if (!assembled || !result) throw new Error("the pipeline made no model call");
    const t = result.timings;
    return {
      assembly: assembledAt - started,
      contextElapsed: assembled.elapsedMs,
      phases: assembled.phases,
      countTokens: countMs,
      countTokenCalls: countCalls,
      toEngine: calledAt - assembledAt,
      ipcFirstChunk: firstChunkAt - calledAt - (t.firstChunkMs ?? 0),
      ipcTotal: answeredAt - calledAt - t.totalMs,
      workerQueued: t.queuedMs,
      workerFirstChunk: t.firstChunkMs ?? NaN,
      workerTotal: t.totalMs,
      hostFirstChunk: firstChunkAt - started,
      total,
      promptTokens: result.promptTokens,
    };
  }

  dispose(): void {
    this.side.dispose();
  }
}

/** Minimal shapes of what the probe wraps (node-llama-cpp's objects, reached through the engine's loaded model). */
interface ProbedModel {
  tokenize(...args: unknown[]): number[];
}
interface ProbedSequence {
  evaluate(...args: unknown[]): AsyncGenerator<unknown>;
  evaluateWithoutGeneratingNewTokens(...args: unknown[]): Promise<void>;
  controlledEvaluate?(...args: unknown[]): Promise<unknown>;
  eraseContextTokenRanges(...args: unknown[]): Promise<void>;
  /** node-llama-cpp's internal decode, which the suffix reuse calls to evaluate changed tokens ahead of the rest. */
  _decodeTokens?(...args: unknown[]): Promise<unknown>;
}
interface ProbedCompletion {
  generateCompletionWithMeta(tokens: number[], options: unknown): Promise<unknown>;
}

/** LlamaEngine.infill with its steps timed, by wrapping the loaded model's tokenizer, sequence and completion. */
class WorkerProbe {
  private phase: "before" | "setup" | "decoding" = "before";
  private marks = { start: 0, completion: 0, evaluate: 0, firstChunk: 0 };
  private tokenizeCalls = 0;
  private tokenizeMs = 0;
  private reuseEvaluateMs = 0;
  private promptTokens: number[] = [];

  constructor(private readonly engine: InstanceType<LlamaEngineModule["LlamaEngine"]>) {
    const loaded = (engine as unknown as { loaded: { completion: { model: ProbedModel; completionSequence: ProbedSequence; completion: ProbedCompletion } } }).loaded.completion;
    const model = loaded.model;
    const tokenize = model.tokenize.bind(model);
    model.tokenize = (...args) => {
      const t = performance.now();
      const tokens = tokenize(...args);
      if (this.phase === "before") {
        this.tokenizeMs += performance.now() - t;
        this.tokenizeCalls++;
      }
      return tokens;
    };
    const sequence = loaded.completionSequence;
    const timedBefore = <A extends unknown[], R>(fn: (...args: A) => Promise<R>) => {
      return async (...args: A): Promise<R> => {
        const t = performance.now();
        try {
          return await fn(...args);
        } finally {
          if (this.phase === "before") this.reuseEvaluateMs += performance.now() - t;
        }
      };
    };
    sequence.evaluateWithoutGeneratingNewTokens = timedBefore(sequence.evaluateWithoutGeneratingNewTokens.bind(sequence));
    if (sequence.controlledEvaluate) sequence.controlledEvaluate = timedBefore(sequence.controlledEvaluate.bind(sequence));
    if (sequence._decodeTokens) sequence._decodeTokens = timedBefore(sequence._decodeTokens.bind(sequence));
    sequence.eraseContextTokenRanges = timedBefore(sequence.eraseContextTokenRanges.bind(sequence));
    const evaluate = sequence.evaluate.bind(sequence);
    sequence.evaluate = (...args) => {
      if (this.phase === "setup") {
        this.phase = "decoding";
        this.marks.evaluate = performance.now();
      }
      return evaluate(...args);
    };
    const completion = loaded.completion;
    const generate = completion.generateCompletionWithMeta.bind(completion);
    completion.generateCompletionWithMeta = (tokens, options) => {
      this.phase = "setup";
      this.marks.completion = performance.now();
      this.promptTokens = [...tokens];
      return generate(tokens, options);
    };
  }

  async infill(params: InfillParams): Promise<WorkerSpans> {
    this.phase = "before";
    this.tokenizeCalls = 0;
    this.tokenizeMs = 0;
    this.reuseEvaluateMs = 0;
    this.marks = { start: performance.now(), completion: 0, evaluate: 0, firstChunk: 0 };
    let chunks = 0;
    await this.engine.infill(params, {
      signal: new AbortController().signal,
      onChunk: () => {
        this.marks.firstChunk ||= performance.now();
        chunks++;
      },
      onProgress: () => undefined,
    });
    const end = performance.now();
    const { start, completion, evaluate, firstChunk } = this.marks;
    return {
      beforeCompletion: completion - start,
      tokenizeCalls: this.tokenizeCalls,
      tokenizeMs: this.tokenizeMs,
      reuseEvaluateMs: this.reuseEvaluateMs,
      completionSetup: evaluate - completion,
      firstToken: firstChunk - evaluate,
      stream: end - firstChunk,
      total: end - start,
      chunks,
      promptHash: createHash("sha256").update(this.promptTokens.join(",")).digest("hex").slice(0, 16),
    };
  }
}

interface FileSummary {
  file: string;
  requests: number;
  /** Medians, ms. */
  host: Record<string, number>;
  worker: Record<string, number>;
}

function summarize(label: string, host: HostSpans[], worker: WorkerSpans[]): FileSummary {
  const med = <T>(list: T[], pick: (x: T) => number) => Math.round(median(list.map(pick)) * 100) / 100;
  /** The median of each of `keys`, in their order (the printed line's and the JSON's). */
  const medians = <T>(list: T[], keys: readonly (keyof T & string)[]) => Object.fromEntries(keys.map((k) => [k, med(list, (x) => x[k] as number)]));
  const phaseNames = [...new Set(host.flatMap((h) => Object.keys(h.phases)))];
  return {
    file: label,
    requests: host.length,
    host: {
      ...medians(host, ["total", "hostFirstChunk", "assembly", "contextElapsed"]),
      ...Object.fromEntries(phaseNames.map((p) => [`phase:${p}`, med(host, (h) => h.phases[p] ?? 0)])),
      ...medians(host, ["countTokens", "countTokenCalls", "toEngine", "ipcFirstChunk", "ipcTotal", "workerQueued", "workerFirstChunk", "workerTotal"]),
      promptTokensEvaluated: med(host, (h) => h.promptTokens),
    },
    worker: medians(worker, ["beforeCompletion", "tokenizeCalls", "tokenizeMs", "reuseEvaluateMs", "completionSetup", "firstToken", "stream", "total", "chunks"]),
  };
}

function printSummary(s: FileSummary): void {
  const line = (o: Record<string, number>) => Object.entries(o).map(([k, v]) => `${k} ${v}`).join(", ");
  console.log(`${s.file} (${s.requests} requests, medians, ms)\n  host: ${line(s.host)}\n  engine code: ${line(s.worker)}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
