// `node out/bench/engine/inline-drafts.js [requests per file] [--threads N] [--write]`: whether speculative decoding
// would make inline completions faster (issue 16 item 4: "speculative decoding where it can help (node-llama-cpp's
// token predictors, for example input lookup ...). Report each option's gain, kept or not").
//   Acceptance: the engine bench's typing replays (replay-files.ts, the same workspaces and requests through Hearth's
//   own pipeline and engine process), each request's exact prompt (the engine's fitInfillPrompt), and as the answer the
//   file's true text after the cursor, 24 tokens (the engine bench's answer length): what an always-right model
//   writes. Random weights never write it, so the drafts are checked against it (draft-steps.ts, as the next-edit
//   bench does); a real model that writes something else accepts fewer.
//   Cost: on the completion context (4,096 cells, one sequence) after the median request's prompt, a batch of n tokens
//   with a sampled token at each (a draft's verification), n = 1..17, timed in rotating order, medians.
//   Latency of the answer = the sum of its steps' batch costs; plain decoding is 24 steps of one token.
import { writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { silentLogger } from "../../src/common/logger";
import { EngineClient } from "../../src/engine/client";
import type { InfillParams } from "../../src/engine/protocol";
import { ensureTestModel } from "../../test/fixtures/models/test-models";
import { BENCH_DIR, median } from "../report";
import { decodeSteps } from "./draft-steps";
import { HearthSide } from "./hearth-side";
import { PromptShapes } from "./prompt-shape";
import { loadReplayFiles } from "./replay-files";
import { typingSteps } from "./typing";

type NodeLlamaCpp = typeof import("node-llama-cpp", { with: { "resolution-mode": "import" } });
type Token = import("node-llama-cpp", { with: { "resolution-mode": "import" } }).Token;
type Sequence = import("node-llama-cpp", { with: { "resolution-mode": "import" } }).LlamaContextSequence;

const CONTEXT = 4096;
const ANSWER_TOKENS = 24;
const MAX_BATCH = 17;
const COST_ROUNDS = 5;

/** node-llama-cpp's InputLookupTokenPredictor settings tried: its default, the next-edit model's, and longer drafts. */
const PREDICTORS = [
  { name: "lookup ≥1 → ≤3 (node-llama-cpp's default)", min: 1, max: 3 },
  { name: "lookup ≥2 → ≤4 (the next-edit model's)", min: 2, max: 4 },
  { name: "lookup ≥2 → ≤8", min: 2, max: 8 },
  { name: "lookup ≥3 → ≤16", min: 3, max: 16 },
] as const;

interface Request {
  prompt: Token[];
  answer: Token[];
}

interface VariantFigures {
  variant: string;
  stepsP50: number;
  draftsPerRequest: number;
  /** Accepted ÷ drafted, over all requests. */
  acceptance: number;
  /** Answer tokens per step, over all requests. */
  tokensPerStep: number;
  estimatedMsP50: number;
  /** Median over requests of this variant's estimate ÷ plain decoding's. */
  vsPlainPaired: number;
}

interface FileFigures {
  label: string;
  requests: number;
  promptTokensP50: number;
  /** ms of a batch of n tokens with a token sampled at each, index n - 1. */
  batchMs: number[];
  variants: VariantFigures[];
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const perFile = Number(args.find((a) => /^\d+$/.test(a)) ?? "40");
  const threadsAt = args.indexOf("--threads");
  const threads = threadsAt >= 0 ? Number(args[threadsAt + 1]) : 1;
  const load = () => loadavg().map((x) => x.toFixed(2)).join(" ");
  const loadBefore = load();
  const files = loadReplayFiles();
  const modelPath = await ensureTestModel("bench-0.5b");
  console.log(`load average ${loadBefore}; up to ${perFile} requests per file; costs at ${threads} thread(s)`);

  // The requests' parameters, from Hearth's own pipeline and engine process (one generated token each).
  const asked = new Map<string, { params: InfillParams; truth: string }[]>();
  const client = new EngineClient({ workerPath: join(BENCH_DIR, "..", "dist", "engine-worker.mjs"), logger: silentLogger });
  try {
    await client.configure({ modelPath, threads: 1, contextSize: CONTEXT, gpu: "off", idleUnloadMs: 0 });
    await client.load();
    for (const file of files) {
      const typing = typingSteps(file.file.text, file.lines[0], file.lines[1]).slice(0, perFile + 1);
      const side = await HearthSide.open(client, file, typing[0]!);
      try {
        const list: { params: InfillParams; truth: string }[] = [];
        for (const step of typing.slice(1)) {
          const answer = await side.ask(step, 1);
          list.push({ params: answer.params, truth: file.file.text.slice(step.before.length, step.before.length + 600) });
        }
        asked.set(file.label, list);
      } finally {
        side.dispose();
      }
    }
  } finally {
    await client.dispose();
  }

  const lib: NodeLlamaCpp = await import("node-llama-cpp");
  const shapes = await PromptShapes.open(modelPath, CONTEXT);
  const llama = await lib.getLlama({ gpu: false, build: "never", maxThreads: threads, logLevel: lib.LlamaLogLevel.error, logger: () => undefined });
  const model = await llama.loadModel({ modelPath, gpuLayers: 0 });
  const results: FileFigures[] = [];
  try {
    for (const file of files) {
      const requests: Request[] = asked.get(file.label)!.map(({ params, truth }) => ({
        prompt: shapes.hearth(params).tokens as Token[],
        answer: model.tokenize(truth, false).slice(0, ANSWER_TOKENS),
      }));
      const context = await model.createContext({ contextSize: CONTEXT, sequences: 1, threads });
      let batchMs: number[];
      try {
        const byLength = [...requests].sort((a, b) => a.prompt.length - b.prompt.length);
        const middle = byLength[Math.floor(byLength.length / 2)]!;
        batchMs = await batchCosts(context.getSequence(), middle.prompt, middle.answer);
      } finally {
        await context.dispose();
      }
      const cost = (drafts: number) => batchMs[Math.min(drafts, MAX_BATCH - 1)]!;
      const plain = requests.map((r) => decodeSteps(undefined, r.prompt, r.answer));
      const plainMs = plain.map((s) => s.list.reduce((sum, drafts) => sum + cost(drafts), 0));
      const variants: VariantFigures[] = [figures("plain decoding", plain, plainMs, plainMs)];
      for (const p of PREDICTORS) {
        const steps = requests.map((r) => decodeSteps(new lib.InputLookupTokenPredictor({ patternLength: { min: p.min }, predictionLength: { max: p.max } }), r.prompt, r.answer));
        variants.push(figures(p.name, steps, steps.map((s) => s.list.reduce((sum, drafts) => sum + cost(drafts), 0)), plainMs));
      }
      const figuresOfFile: FileFigures = {
        label: file.label,
        requests: requests.length,
        promptTokensP50: median(requests.map((r) => r.prompt.length)),
        batchMs,
        variants,
      };
      results.push(figuresOfFile);
      print(figuresOfFile);
    }
  } finally {
    await model.dispose();
    await llama.dispose();
    await shapes.dispose();
  }
  const loadAfter = load();
  console.log(`load average ${loadBefore} before, ${loadAfter} after`);
  if (args.includes("--write")) {
    writeFileSync(join(BENCH_DIR, "results", "engine-inline-drafts.json"), `${JSON.stringify({ threads, contextSize: CONTEXT, answerTokens: ANSWER_TOKENS, loadBefore, loadAfter, files: results }, null, 1)}\n`);
  }
}

function figures(variant: string, steps: ReturnType<typeof decodeSteps>[], estimatedMs: number[], plainMs: number[]): VariantFigures {
  const drafted = steps.reduce((n, s) => n + s.accepted + s.refuted, 0);
  const accepted = steps.reduce((n, s) => n + s.accepted, 0);
  const written = steps.reduce((n, s) => n + s.written, 0);
  const stepCount = steps.reduce((n, s) => n + s.list.length, 0);
  return {
    variant,
    stepsP50: median(steps.map((s) => s.list.length)),
    draftsPerRequest: round(drafted / steps.length, 1),
    acceptance: drafted === 0 ? 0 : round(accepted / drafted, 3),
    tokensPerStep: round(written / stepCount, 2),
    estimatedMsP50: Math.round(median(estimatedMs)),
    vsPlainPaired: round(median(estimatedMs.map((ms, i) => ms / plainMs[i]!)), 3),
  };
}

/**
 * ms of a batch of n = 1..MAX_BATCH tokens with a token sampled at each, appended after `prompt` on `sequence` and
 * erased again; medians of COST_ROUNDS, the sizes in rotating order.
 */
async function batchCosts(sequence: Sequence, prompt: Token[], answer: Token[]): Promise<number[]> {
  await sequence.evaluateWithoutGeneratingNewTokens(prompt);
  const batch = Array.from({ length: MAX_BATCH }, (_, i) => answer[i % Math.max(1, answer.length)]!);
  const timed: number[][] = Array.from({ length: MAX_BATCH }, () => []);
  for (let r = 0; r < COST_ROUNDS; r++) {
    const sizes = Array.from({ length: MAX_BATCH }, (_, i) => ((i + r * 5) % MAX_BATCH) + 1);
    for (const n of r % 2 === 0 ? sizes : sizes.reverse()) {
      const from = sequence.nextTokenIndex;
      const started = performance.now();
      await sequence.controlledEvaluate(batch.slice(0, n).map((token) => [token, { generateNext: { token: true } }]));
      timed[n - 1]!.push(performance.now() - started);
      await sequence.eraseContextTokenRanges([{ start: from, end: sequence.nextTokenIndex }]);
    }
  }
  return timed.map((list) => round(median(list), 1));
}

function print(f: FileFigures): void {
  console.log(`\n${f.label}: ${f.requests} requests, prompt p50 ${f.promptTokensP50} tokens`);
  console.log(`  batch of n tokens, a token sampled at each (ms): ${f.batchMs.map((ms, i) => `${i + 1}: ${ms}`).join(", ")}`);
  console.log("  | variant | steps p50 | drafts per request | accepted | answer tokens per step | estimated ms p50 | ÷ plain (paired) |");
  for (const v of f.variants) console.log(`  | ${v.variant} | ${v.stepsP50} | ${v.draftsPerRequest} | ${v.acceptance} | ${v.tokensPerStep} | ${v.estimatedMsP50} | ${v.vsPlainPaired} |`);
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
