// The next-edit model's cost per request, lever by lever, in Qwen2.5-Coder-0.5B's shape (bench-0.5b: what Sweep's 0.5B
// costs per token) on 1 thread, in this process, with the engine's own code (src/engine/worker/next-edit*.mts).
//   Prompt levers, measured end to end (generateNextEdit with a 1-token answer; each layout on its own sequence, which
//   answered the previous request of its layout, so its KV cache is what it would be):
//     sliding       the last 3 diff blocks (the list slides by one at each edit)
//     stable        the blocks kept from the previous prompt's first one (shownEvents)
//     typing        the stable prompt, its known front evaluated while the hunk before the pause was typed: each front
//                   the editor would send (knownPromptPrefix, at each new line) run through the engine's own prefill
//                   (next-edit-prefill.mts) on a clock of the typist's keystrokes, each stopped when the next is known
//                   and the last when the pause ends; then the request, timed from the pause (plus any prefill step
//                   still under way then, which the request waits for). No completion competes for the CPU here.
//   Answer levers, for the always-right oracle's answer (the true next hunk's rewrite of the window). Random weights
//   never write it, and forcing it with a grammar costs as much per token as the decode itself (llama.cpp checks the
//   whole 152k vocabulary against the grammar at each sampled token), which hid the drafts' gain. So the answer's cost is
//   put together from parts measured in this run on this request's own sequence, the order alternated:
//     - a decode of one token, and a batch of 9 tokens with logits at each (a draft's verification), in ms;
//     - the decode steps each variant takes for the oracle's tokens: plain, one per token; speculative, the steps of
//       the engine's own InputLookupTokenPredictor (nextEditTokenPredictor) run over the prompt and the oracle's tokens
//       (a step verifies its drafts in one batch and keeps the ones the oracle confirms); early stop, the same steps
//       until the engine's ResyncWatcher stops the answer; first change, until the oracle's change is written whole
//       (what showing the suggestion the moment its change is complete could at best give).
//     latency = the pause + the stable prompt's measured time + each step's cost: a decode, plus per draft the share
//     of one that a 9-token batch costs over a decode (medians over all requests).
import type { LlamaContextSequence, Token } from "node-llama-cpp" with { "resolution-mode": "import" };
import type { NextEditParams } from "../../src/engine/protocol";
import { SWEEP_FORMAT } from "../../src/nextedit/formats";
import { changedLines, type NextEditPrompt } from "../../src/nextedit/next-edit-prompt";
import type { PromptPiece } from "../../src/fim/types";
import { DEFAULT_PAUSE_MS } from "../../src/nextedit/next-edit-requests";
import { lineOfOffset } from "../../src/nextedit/text-lines";
import { ensureTestModel } from "../../test/fixtures/models/test-models";
import { decodeSteps } from "../engine/draft-steps";

type NodeLlamaCpp = typeof import("node-llama-cpp", { with: { "resolution-mode": "import" } });
type NextEditWorker = typeof import("../../src/engine/worker/next-edit.mjs", { with: { "resolution-mode": "import" } });
type ResyncModule = typeof import("../../src/engine/worker/next-edit-resync.mjs", { with: { "resolution-mode": "import" } });
type PromptTokens = typeof import("../../src/engine/worker/prompt-tokens.mjs", { with: { "resolution-mode": "import" } });
type PrefillWorker = typeof import("../../src/engine/worker/next-edit-prefill.mjs", { with: { "resolution-mode": "import" } });

/** A front of the next prompt the editor's prefill would send while the hunk is typed, and when it became known. */
export interface TypedFront {
  /** After the hunk's first keystroke. */
  atMs: number;
  pieces: PromptPiece[];
}

/** One request of a replayed run of edits in one file, in both prompt layouts, with the oracle's answer if it has one. */
export interface LeverSample {
  path: string;
  sliding: NextEditPrompt;
  stable: NextEditPrompt;
  cursorOffset: number;
  /** The window with the true next hunk applied, or undefined when that hunk is not in the window. */
  oracle: string | undefined;
  /** The prefills while the hunk before this request was typed, and when the pause ended (after its first keystroke). */
  typing: { fronts: TypedFront[]; untilPauseMs: number };
}

export const PROMPT_VARIANTS = ["sliding", "stable", "typing"] as const;
export const ANSWER_VARIANTS = ["plain", "speculative", "early-stop", "first-change", "typing-early-stop"] as const;
export type Variant = (typeof PROMPT_VARIANTS)[number] | (typeof ANSWER_VARIANTS)[number];

export interface VariantRun {
  variant: Variant;
  path: string;
  promptTokens: number;
  /** The prompt's tokens in all (the rest of promptTokens came from the KV cache). */
  promptTotal: number;
  /** Answer tokens written (the oracle's, up to where the variant stops). */
  generatedTokens: number;
  /** Decode steps (batches) the answer took. */
  steps: number;
  draftsAccepted: number;
  draftsRefuted: number;
  stoppedEarly: boolean;
  latencyMs: number;
  /** typing: prompt tokens the prefills evaluated before the pause, and whether the last front was done by then. */
  prefilledTokens?: number;
  prefillDone?: boolean;
}

const BATCH = 9;

export interface LeverResults {
  runs: VariantRun[];
  /** Each answered request's measured cost of a 1-token decode and of a 9-token batch, ms. */
  stepOneMs: number[];
  stepNineMs: number[];
}

export async function runModelLevers(samples: LeverSample[], log: (line: string) => void): Promise<LeverResults> {
  const lib: NodeLlamaCpp = await import("node-llama-cpp");
  const worker: NextEditWorker = await import("../../src/engine/worker/next-edit.mjs");
  const resync: ResyncModule = await import("../../src/engine/worker/next-edit-resync.mjs");
  const promptTokens: PromptTokens = await import("../../src/engine/worker/prompt-tokens.mjs");
  const prefillWorker: PrefillWorker = await import("../../src/engine/worker/next-edit-prefill.mjs");
  const llama = await lib.getLlama({ gpu: false, build: "never", maxThreads: 1, logLevel: lib.LlamaLogLevel.error, logger: () => undefined });
  const model = await llama.loadModel({ modelPath: await ensureTestModel("bench-0.5b"), gpuLayers: 0 });
  const context = await model.createContext({ contextSize: 4096, sequences: PROMPT_VARIANTS.length, threads: 1 });
  const fileSep = promptTokens.specialToken(model, "<|file_sep|>");
  const runs: VariantRun[] = [];
  const stepOneMs: number[] = [];
  const stepNineMs: number[] = [];
  try {
    const sequences = new Map<string, LlamaContextSequence>(PROMPT_VARIANTS.map((variant) => [variant, context.getSequence()]));
    const completions = new Map([...sequences].map(([variant, sequence]) => [variant, new lib.LlamaCompletion({ contextSequence: sequence })]));
    for (const [index, sample] of samples.entries()) {
      const promptMs = new Map<string, number>();
      let stable: VariantRun | undefined;
      let typing: VariantRun | undefined;
      for (const variant of index % 2 === 0 ? PROMPT_VARIANTS : [...PROMPT_VARIANTS].reverse()) {
        const prompt = variant === "sliding" ? sample.sliding : sample.stable;
        const loaded = { model, sequence: sequences.get(variant)!, completion: completions.get(variant)!, contextSize: context.contextSize };
        const ahead = variant === "typing" ? await prefillWhileTyping(prefillWorker, loaded, sample.typing) : undefined;
        const params: NextEditParams = { pieces: prompt.pieces, specialTokens: [...SWEEP_FORMAT.specialTokens], stop: [...SWEEP_FORMAT.stopStrings], maxTokens: 1 };
        const started = performance.now();
        const result = await worker.generateNextEdit(loaded, params, { signal: new AbortController().signal, onChunk: () => undefined });
        promptMs.set(variant, performance.now() - started + (ahead?.overrunMs ?? 0));
        const promptTotal = promptTokens.tokenizePrompt(model, prompt.pieces, { guard: SWEEP_FORMAT.specialTokens }).length;
        const run: VariantRun = { variant, path: sample.path, promptTokens: result.promptTokens, promptTotal, generatedTokens: 0, steps: 0, draftsAccepted: 0, draftsRefuted: 0, stoppedEarly: false, latencyMs: DEFAULT_PAUSE_MS + promptMs.get(variant)! };
        if (ahead) Object.assign(run, { prefilledTokens: ahead.evaluated, prefillDone: ahead.done });
        runs.push(run);
        if (variant === "stable") stable = run;
        if (variant === "typing") typing = run;
        log(`  ${sample.path} ${variant}: ${result.promptTokens} of ${promptTotal} prompt tokens evaluated, ${Math.round(promptMs.get(variant)!)} ms${ahead ? ` (${ahead.evaluated} evaluated while typing, ${ahead.fronts} fronts, ${ahead.done ? "done" : "not done"} by the pause)` : ""}`);
      }
      if (sample.oracle === undefined) continue;
      // The step costs, on the stable sequence as it stands after its prompt (the KV cache an answer would see).
      const { one, nine } = await stepCosts(sequences.get("stable")!, model.tokenize(sample.oracle, false).slice(0, BATCH), index);
      stepOneMs.push(one);
      stepNineMs.push(nine);
      const prompt = promptTokens.tokenizePrompt(model, sample.stable.pieces, { guard: SWEEP_FORMAT.specialTokens });
      const answer = [...model.tokenize(`${sample.oracle}\n`, false), fileSep];
      const window = sample.stable.window;
      const change = changedLines(window.text, sample.oracle);
      const firstChangeEnd = change ? sample.oracle.split("\n").slice(0, change.after.last + 1).join("\n").length + 1 : 0;
      for (const variant of ANSWER_VARIANTS) {
        const watcher = variant === "early-stop" || variant === "typing-early-stop" ? new resync.ResyncWatcher({ window: window.text, cursorLine: lineOfOffset(window.text, sample.cursorOffset - window.start) }) : undefined;
        // first-change: the answer ends the moment the oracle's change is written whole (a lower bound: knowing that the
        // change ended needs the lines after it, which the early stop waits for).
        let written = "";
        const stop = (tokens: Token[]) => (variant === "first-change" ? (written += model.detokenize(tokens)).length >= firstChangeEnd : watcher?.push(model.detokenize(tokens)) !== undefined);
        const steps = decodeSteps(variant === "plain" ? undefined : worker.nextEditTokenPredictor(lib), prompt, answer, stop);
        const from = variant === "typing-early-stop" ? typing! : stable!;
        const run: VariantRun = {
          variant,
          path: sample.path,
          promptTokens: from.promptTokens,
          promptTotal: from.promptTotal,
          generatedTokens: steps.written,
          steps: steps.list.length,
          draftsAccepted: steps.accepted,
          draftsRefuted: steps.refuted,
          stoppedEarly: steps.stopped,
          // Put together below, from the step costs of all requests (one request's are too noisy on a shared machine).
          latencyMs: DEFAULT_PAUSE_MS + promptMs.get(from.variant)!,
        };
        runs.push(run);
        log(`  ${sample.path} ${variant}: ${run.generatedTokens} of ${answer.length} answer tokens in ${run.steps} steps, drafts ${run.draftsAccepted} accepted / ${run.draftsRefuted} refuted${run.stoppedEarly ? ", stopped early" : ""} (step costs here: 1 token ${Math.round(one)} ms, 9 tokens ${Math.round(nine)} ms)`);
      }
    }
  } finally {
    await context.dispose();
    await model.dispose();
    await llama.dispose();
  }
  // A step's cost by its batch's size, from the medians over all requests: a decode, plus a share of one per draft.
  if (stepOneMs.length > 0) {
    const one = middle(stepOneMs);
    const perDraft = (middle(stepNineMs) - one) / (BATCH - 1);
    for (const run of runs) if ((ANSWER_VARIANTS as readonly string[]).includes(run.variant)) run.latencyMs += run.steps * one + (run.draftsAccepted + run.draftsRefuted) * perDraft;
  }
  return { runs, stepOneMs, stepNineMs };
}

/**
 * The editor's prefills while the hunk is typed, on a clock of the typist's keystrokes: each front runs from when it is
 * known (or when the one before it ends) until the next is known, the last until the pause ends; the engine stops a
 * prefill only between its steps, so one may run past its time, which the clock carries on (and past the pause, the
 * request waits for it: overrunMs).
 */
async function prefillWhileTyping(
  prefill: PrefillWorker,
  loaded: Parameters<PrefillWorker["prefillNextEdit"]>[0],
  typing: LeverSample["typing"],
): Promise<{ evaluated: number; done: boolean; fronts: number; overrunMs: number }> {
  const before = loaded.sequence.tokenMeter.getState();
  let clock = 0;
  let done = false;
  for (const [i, front] of typing.fronts.entries()) {
    const until = typing.fronts[i + 1]?.atMs ?? typing.untilPauseMs;
    clock = Math.max(clock, front.atMs);
    if (clock >= until) continue;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), until - clock);
    const started = performance.now();
    try {
      await prefill.prefillNextEdit(loaded, { pieces: front.pieces, specialTokens: [...SWEEP_FORMAT.specialTokens] }, { signal: controller.signal, mayContinue: () => Promise.resolve() });
      done = i === typing.fronts.length - 1;
    } catch (error) {
      if (!controller.signal.aborted) throw error;
    } finally {
      clearTimeout(timer);
      clock += performance.now() - started;
    }
  }
  const evaluated = loaded.sequence.tokenMeter.diff(before).usedInputTokens;
  return { evaluated, done, fronts: typing.fronts.length, overrunMs: Math.max(0, clock - typing.untilPauseMs) };
}

/** A 1-token decode's and a 9-token batch's cost (medians of 5 of each, alternated) on `sequence`, left as it was. */
async function stepCosts(sequence: LlamaContextSequence, tokens: Token[], round: number): Promise<{ one: number; nine: number }> {
  const batch = [...tokens, ...tokens, ...tokens].slice(0, BATCH);
  const timed: Record<"one" | "nine", number[]> = { one: [], nine: [] };
  for (let r = 0; r < 5; r++) {
    for (const size of (r + round) % 2 === 0 ? (["one", "nine"] as const) : (["nine", "one"] as const)) {
      const from = sequence.nextTokenIndex;
      const started = performance.now();
      await sequence.controlledEvaluate((size === "one" ? batch.slice(0, 1) : batch).map((token) => [token, { generateNext: { token: true } }]));
      timed[size].push(performance.now() - started);
      await sequence.eraseContextTokenRanges([{ start: from, end: sequence.nextTokenIndex }]);
    }
  }
  const one = middle(timed.one);
  const nine = middle(timed.nine);
  return { one, nine };
}

function middle(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}
