// The suffix reuse's idle refresh (engine/worker/suffix-refresh.mts, suffix-reuse.mts refreshSuffixInOrder) on
// generated models, through the worker's own request lanes and generateInfill as the engine process runs them: in idle
// time the cells evaluated out of order are evaluated in order again, a request that comes meanwhile waits one step at
// most and goes on from what the refresh did, and nothing of it runs while a request waits.
import { strict as assert } from "node:assert";
import type { Llama, LlamaContext, LlamaModel } from "node-llama-cpp" with { "resolution-mode": "import" };
import type { GenerationResult, InfillParams } from "../../../../src/engine/protocol";
import { qwenFormat } from "../../../../src/fim/formats";
import { DEFAULT_SCRIPT } from "../../../fixtures/models/test-models";
import { loadCompletionModel, type LoadedModel } from "./completion-model";

type NodeLlamaCpp = typeof import("node-llama-cpp", { with: { "resolution-mode": "import" } });
type Infill = typeof import("../../../../src/engine/worker/infill.mjs", { with: { "resolution-mode": "import" } });
type Reuse = typeof import("../../../../src/engine/worker/suffix-reuse.mjs", { with: { "resolution-mode": "import" } });
type Refresh = typeof import("../../../../src/engine/worker/suffix-refresh.mjs", { with: { "resolution-mode": "import" } });
type Lanes = typeof import("../../../../src/engine/worker/request-lanes.mjs", { with: { "resolution-mode": "import" } });
type Callbacks = Parameters<Reuse["refreshSuffixInOrder"]>[2];
type Result = Omit<GenerationResult, "timings">;

const FRONT = Array.from({ length: 12 }, (_, i) => `export function helper${i}(value: number): number {\n  return value * ${i};\n}\n`).join("");
/** The rest of the cursor's block (the suffix a prefix-first prompt carries): several refresh steps, to catch one part way. */
const SUFFIX = `;\n${Array.from({ length: 10 }, (_, i) => `  const part${i} = items.slice(${i}).reduce((a, b) => a + b, ${i});\n`).join("")}  return total;\n}\n`;
const TYPED = "items.filter((item) => item > 0).map((item) => item * 2).reduce((a, b) => a + b, 0) + offset";
/**
 * Keystrokes in a burst: on the tiny model each evaluates one token out of order, so a burst reaches the refresh's
 * threshold (24) and stays under the bound (32).
 */
const BURST = 26;
const params = (typed: string, maxTokens = 4): InfillParams => ({ prefix: `${FRONT}export function current(items: number[]): number {\n  const total = ${typed}`, suffix: SUFFIX, maxTokens });

describe("engine: the suffix reuse's idle refresh", function () {
  this.timeout(180_000);
  let nlc: NodeLlamaCpp;
  let infill: Infill;
  let reuse: Reuse;
  let refresh: Refresh;
  let lanesModule: Lanes;
  let llama: Llama;
  const models: LlamaModel[] = [];
  const contexts: LlamaContext[] = [];
  let nextId = 1;

  before(async function () {
    nlc = await import("node-llama-cpp");
    infill = await import("../../../../src/engine/worker/infill.mjs");
    reuse = await import("../../../../src/engine/worker/suffix-reuse.mjs");
    refresh = await import("../../../../src/engine/worker/suffix-refresh.mjs");
    lanesModule = await import("../../../../src/engine/worker/request-lanes.mjs");
    llama = await nlc.getLlama({ gpu: false, build: "never", maxThreads: 1, logLevel: nlc.LlamaLogLevel.error, logger: () => {} });
  });

  after(async function () {
    for (const context of contexts) await context.dispose().catch(() => undefined);
    for (const model of models) await model.dispose();
    await llama?.dispose();
  });

  /** A completion model as the worker holds it, on its own context. */
  function load(name: "tiny" | "scripted"): Promise<LoadedModel> {
    return loadCompletionModel(nlc, llama, name, { models, contexts });
  }

  /** The worker's lanes with a completion model: completions as main.mts runs them, refreshes as it schedules them. */
  function engineOf(loaded: LoadedModel) {
    const lanes = new lanesModule.RequestLanes();
    const steps = { done: 0, listeners: new Set<() => void>() };
    return {
      lanes,
      steps,
      complete(request: InfillParams): Promise<Result> {
        return lanes.run(nextId++, "completion", { newestWins: true }, (signal) => infill.generateInfill(loaded, request, { signal, onChunk: () => {} }));
      },
      /** The refresh main.mts schedules after a completion; `wrap` sees its callbacks. */
      refresh(wrap: (callbacks: Callbacks) => Callbacks = (c) => c): Promise<number> {
        return refresh.scheduleSuffixRefresh(lanes, (callbacks) => reuse.refreshSuffixInOrder(loaded.completionSequence!, refresh.SUFFIX_REFRESH_STEP_TOKENS, wrap(callbacks)), {
          holdMs: 0,
          onStep: () => {
            steps.done++;
            for (const listener of [...steps.listeners]) listener();
          },
        });
      },
      /** Resolves after the refresh's `n`th step from now. */
      afterSteps(n: number): Promise<void> {
        const target = steps.done + n;
        return new Promise((resolve) => {
          const listener = () => {
            if (steps.done < target) return;
            steps.listeners.delete(listener);
            resolve();
          };
          steps.listeners.add(listener);
        });
      },
    };
  }

  /** Types `typed` a character at a time after `from`, without a pause: the reuse's cells go out of order. */
  async function type(engine: ReturnType<typeof engineOf>, from: number, to: number, maxTokens = 4): Promise<Result[]> {
    const results: Result[] = [];
    for (let i = from; i <= to; i++) results.push(await engine.complete(params(TYPED.slice(0, i), maxTokens)));
    return results;
  }

  function promptOf(loaded: LoadedModel, request: InfillParams) {
    return infill.fitInfillPrompt(loaded.model, loaded.info.contextSize, qwenFormat(), request).tokens;
  }

  function suffixTokens(loaded: LoadedModel): number {
    return loaded.model.tokenize(infill.fitInfillPrompt(loaded.model, loaded.info.contextSize, qwenFormat(), params(TYPED)).prompt.suffix, false, "trimLeadingSpace").length;
  }

  it("keeps every keystroke's evaluation to its changed tokens past the bound when the user pauses between bursts", async () => {
    const loaded = await load("tiny");
    const engine = engineOf(loaded);
    await engine.complete(params(""));
    const results: Result[] = [];
    // Bursts of keystrokes, each followed by a pause in which the refresh runs to its end.
    for (let from = 1; from <= TYPED.length; from += BURST) {
      results.push(...(await type(engine, from, Math.min(from + BURST - 1, TYPED.length))));
      await engine.refresh();
    }
    // Each keystroke evaluates at least one token out of order: more than twice the bound in all.
    assert.ok(results.length > 2 * reuse.SUFFIX_REUSE_MAX_OUT_OF_ORDER_TOKENS);
    const worst = Math.max(...results.map((result) => result.promptTokens));
    assert.ok(worst <= 4, `a keystroke evaluated ${worst} tokens`);
    assert.ok(results.every((result) => result.reusedSuffixTokens !== undefined), "every keystroke reused the suffix");
    assert.ok(results.some((result) => (result.backgroundRefreshTokens ?? 0) >= suffixTokens(loaded)), "the request after a pause reports the refresh's tokens");
  });

  it("leaves a few out-of-order tokens for the next keystrokes to reuse: no refresh below 3/4 of the bound", async () => {
    const loaded = await load("tiny");
    const engine = engineOf(loaded);
    await engine.complete(params(""));
    await type(engine, 1, 8);
    assert.equal(await engine.refresh(), 0);
    const next = await engine.complete(params(TYPED.slice(0, 9)));
    assert.ok(next.promptTokens <= 4 && next.reusedSuffixTokens !== undefined, `${next.promptTokens} tokens evaluated`);
  });

  it("leaves the cells exact: after a refresh the same prompt answers as on a fresh sequence", async () => {
    const loaded = await load("tiny");
    const engine = engineOf(loaded);
    await engine.complete(params(""));
    await type(engine, 1, BURST);
    const evaluated = await engine.refresh();
    assert.ok(evaluated >= suffixTokens(loaded), `${evaluated} tokens refreshed`);
    const again = await engine.complete(params(TYPED.slice(0, BURST), 12));
    const fresh = await engineOf(await load("tiny")).complete(params(TYPED.slice(0, BURST), 12));
    assert.equal(again.text, fresh.text);
    assert.ok(again.promptTokens <= 1, `${again.promptTokens} tokens evaluated: <MID> at most`);
  });

  it("answers a request that comes mid-refresh after one step at most, exactly, going on from the refresh's tokens", async () => {
    const loaded = await load("scripted");
    const engine = engineOf(loaded);
    await engine.complete(params("", 64));
    await type(engine, 1, BURST, 64);
    let stepsAtRequest = 0;
    let stepsWaited = -1;
    const refreshing = engine.refresh();
    await engine.afterSteps(2);
    stepsAtRequest = engine.steps.done;
    const request = params(TYPED.slice(0, BURST + 1), 64);
    const answer = engine.lanes.run(nextId++, "completion", { newestWins: true }, (signal) => {
      stepsWaited = engine.steps.done - stepsAtRequest;
      return infill.generateInfill(loaded, request, { signal, onChunk: () => {} });
    });
    await assert.rejects(refreshing, /cancelled/);
    const result = await answer;
    assert.ok(stepsWaited >= 0 && stepsWaited <= 1, `the request waited ${stepsWaited} steps`);
    assert.equal(result.text, DEFAULT_SCRIPT.fim);
    const fresh = await engineOf(await load("scripted")).complete(request);
    assert.equal(result.text, fresh.text);
    const prompt = promptOf(loaded, request);
    assert.deepEqual(loaded.completionSequence!.contextTokens.slice(0, prompt.length), prompt);
    assert.ok((result.backgroundRefreshTokens ?? 0) >= 2 * refresh.SUFFIX_REFRESH_STEP_TOKENS, `${result.backgroundRefreshTokens} tokens refreshed before it`);
    assert.ok(result.reusedSuffixTokens !== undefined, "it evaluated the refresh's tail, then reused the suffix");
    assert.ok(result.promptTokens < suffixTokens(loaded), `${result.promptTokens} tokens evaluated: less than the exact path's suffix`);
  });

  it("leaves the sequence exact after a refresh cancelled between steps: the same prompt answers as on a fresh sequence", async () => {
    const loaded = await load("tiny");
    const engine = engineOf(loaded);
    await engine.complete(params(""));
    await type(engine, 1, BURST);
    const refreshing = engine.refresh();
    await engine.afterSteps(1);
    engine.lanes.cancelAll();
    await assert.rejects(refreshing, /cancelled/);
    const again = await engine.complete(params(TYPED.slice(0, BURST), 12));
    const fresh = await engineOf(await load("tiny")).complete(params(TYPED.slice(0, BURST), 12));
    assert.equal(again.text, fresh.text);
    const next = await engine.complete(params(TYPED.slice(0, BURST + 1), 12));
    assert.ok(next.promptTokens <= 4, `the next keystroke evaluated ${next.promptTokens} tokens`);
  });

  it("ends a refresh whose context is disposed mid-way with an error, not a hang", async () => {
    const loaded = await load("tiny");
    const engine = engineOf(loaded);
    await engine.complete(params(""));
    await type(engine, 1, BURST);
    const refreshing = engine.refresh();
    await engine.afterSteps(1);
    await loaded.context.dispose();
    await assert.rejects(refreshing);
  });

  it("does not run while a completion is queued: the completion stops it before its first step", async () => {
    const loaded = await load("tiny");
    const engine = engineOf(loaded);
    await engine.complete(params(""));
    await type(engine, 1, BURST);
    const running = engine.complete(params(TYPED.slice(0, BURST + 1), 64));
    const refreshing = engine.refresh();
    const queued = engine.complete(params(TYPED.slice(0, BURST + 2)));
    await running.catch(() => undefined);
    await assert.rejects(refreshing, /cancelled/);
    const result = await queued;
    assert.equal(engine.steps.done, 0);
    assert.equal(result.backgroundRefreshTokens, undefined);
  });

  it("does not run while a chat request runs, and goes on once it ended", async () => {
    const loaded = await load("tiny");
    const engine = engineOf(loaded);
    await engine.complete(params(""));
    await type(engine, 1, BURST);
    let endChat = () => {};
    const chat = engine.lanes.run(nextId++, "chat", {}, () => new Promise<void>((resolve) => (endChat = resolve)));
    let stepsWhenChatEnded = -1;
    let waits = 0;
    const refreshing = engine.refresh((callbacks) => ({
      ...callbacks,
      mayContinue: () => {
        // The first wait is before anything is erased; the chat ends once the refresh is blocked on it.
        if (waits++ === 0)
          setImmediate(() => {
            stepsWhenChatEnded = engine.steps.done;
            endChat();
          });
        return callbacks.mayContinue();
      },
    }));
    await chat;
    const evaluated = await refreshing;
    assert.equal(stepsWhenChatEnded, 0);
    assert.ok(evaluated >= suffixTokens(loaded), `${evaluated} tokens refreshed after the chat`);
  });
});
