// Suffix reuse (engine/worker/suffix-reuse.mts) on generated models, through the worker's own generateInfill: while the
// user types in the prefix, the suffix's cache is moved instead of evaluated again, within a bound, and every case the
// reuse does not cover takes the exact path.
import { strict as assert } from "node:assert";
import type { Llama, LlamaContext, LlamaModel } from "node-llama-cpp" with { "resolution-mode": "import" };
import type { GenerationResult, InfillParams } from "../../../../src/engine/protocol";
import { qwenFormat } from "../../../../src/fim/formats";
import { DEFAULT_SCRIPT } from "../../../fixtures/models/test-models";
import { loadCompletionModel, type LoadedModel } from "./completion-model";

type NodeLlamaCpp = typeof import("node-llama-cpp", { with: { "resolution-mode": "import" } });
type Infill = typeof import("../../../../src/engine/worker/infill.mjs", { with: { "resolution-mode": "import" } });
type Reuse = typeof import("../../../../src/engine/worker/suffix-reuse.mjs", { with: { "resolution-mode": "import" } });
type Result = Omit<GenerationResult, "timings">;

const FRONT = Array.from({ length: 12 }, (_, i) => `export function helper${i}(value: number): number {\n  return value * ${i};\n}\n`).join("");
const SUFFIX = "\n  return total;\n}\n\nexport function after(items: number[]): number {\n  let sum = 0;\n  for (const item of items) sum += item;\n  return sum;\n}\n";
const params = (typed: string, suffix = SUFFIX): InfillParams => ({ prefix: `${FRONT}export function current(items: number[]): number {\n  const total = ${typed}`, suffix, maxTokens: 4 });

describe("engine: suffix reuse while typing in a prefix-first prompt", function () {
  this.timeout(120_000);
  let nlc: NodeLlamaCpp;
  let infill: Infill;
  let reuse: Reuse;
  let llama: Llama;
  const models: LlamaModel[] = [];
  const contexts: LlamaContext[] = [];

  before(async function () {
    nlc = await import("node-llama-cpp");
    infill = await import("../../../../src/engine/worker/infill.mjs");
    reuse = await import("../../../../src/engine/worker/suffix-reuse.mjs");
    llama = await nlc.getLlama({ gpu: false, build: "never", maxThreads: 1, logLevel: nlc.LlamaLogLevel.error, logger: () => {} });
  });

  after(async function () {
    for (const context of contexts) await context.dispose();
    for (const model of models) await model.dispose();
    await llama?.dispose();
  });

  /** A completion model as the worker holds it, on its own context. */
  function load(name: "tiny" | "scripted"): Promise<LoadedModel> {
    return loadCompletionModel(nlc, llama, name, { models, contexts });
  }

  function complete(loaded: LoadedModel, request: InfillParams, signal = new AbortController().signal, log: (m: string) => void = () => {}): Promise<Result> {
    return infill.generateInfill(loaded, request, { signal, onChunk: () => {} }, log);
  }

  /** The prompt's tokens after the cursor (its suffix part), as the engine evaluates them. */
  function suffixTokens(loaded: LoadedModel, request: InfillParams): number {
    return loaded.model.tokenize(infill.fitInfillPrompt(loaded.model, loaded.info.contextSize, qwenFormat(), request).prompt.suffix, false, "trimLeadingSpace").length;
  }

  it("evaluates only the changed tokens when the suffix is unchanged", async () => {
    const loaded = await load("tiny");
    await complete(loaded, params("items.len"));
    const second = await complete(loaded, params("items.length"));
    assert.ok(second.promptTokens <= 4, `${second.promptTokens} tokens evaluated for a keystroke`);
    assert.ok((second.reusedSuffixTokens ?? 0) >= suffixTokens(loaded, params("items.length")), `${second.reusedSuffixTokens} tokens reused`);
  });

  it("leaves the cache holding exactly the new prompt before the answer", async () => {
    const loaded = await load("tiny");
    await complete(loaded, params("items.len"));
    await complete(loaded, params("items.length"));
    const prompt = infill.fitInfillPrompt(loaded.model, loaded.info.contextSize, qwenFormat(), params("items.length")).tokens;
    const held = loaded.completionSequence!.contextTokens;
    assert.deepEqual(held.slice(0, prompt.length), prompt);
  });

  it("leaves the cache holding exactly the new prompt whether the change is decoded one token per decode or in one", async () => {
    const sizes = new Set<number>();
    for (const [before, after] of [
      ["items", "items.m"],
      ["items", "items.ma"],
      ["items", "items.map(x"],
    ] as const) {
      const loaded = await load("tiny");
      await complete(loaded, params(before));
      const second = await complete(loaded, params(after));
      assert.ok(second.reusedSuffixTokens !== undefined, `the suffix was reused after ${after}`);
      const prompt = infill.fitInfillPrompt(loaded.model, loaded.info.contextSize, qwenFormat(), params(after)).tokens;
      assert.deepEqual(loaded.completionSequence!.contextTokens.slice(0, prompt.length), prompt);
      // The changed tokens: all the request evaluated but <MID>.
      sizes.add(second.promptTokens - 1);
    }
    // On the tiny model's tokenizer: 1 and 2 tokens one per decode, 5 in one.
    assert.deepEqual([...sizes], [1, 2, 5]);
    assert.ok(reuse.SUFFIX_REUSE_ONE_BY_ONE_MAX_TOKENS >= 2 && reuse.SUFFIX_REUSE_ONE_BY_ONE_MAX_TOKENS < 5);
  });

  it("moves the cells for a keystroke in one rotation of the context's keys, at <MID>'s decode", async () => {
    const loaded = await load("tiny");
    await complete(loaded, params("items.len"));
    // llama.cpp rotates the keys of every cell of the context at the first decode after any move (42 ms on Hearth's
    // 4,096 cells at one thread): the decodes that follow a move are the rotations.
    // The native context's methods are read-only: node-llama-cpp's context gets a watching view of it instead.
    const context = loaded.context as unknown as { _ctx: object };
    const native = context._ctx;
    const events: string[] = [];
    context._ctx = new Proxy(native, {
      get(target, key) {
        const value: unknown = Reflect.get(target, key);
        if (typeof value !== "function") return value;
        const method = value as (...args: unknown[]) => unknown;
        return (...args: unknown[]) => {
          if (key === "shiftSequenceTokenCells" || key === "decodeBatch") events.push(key);
          return method.apply(target, args);
        };
      },
    });
    const second = await complete(loaded, params("items.length"));
    assert.ok(second.reusedSuffixTokens !== undefined, "the suffix was reused");
    const rotations = events.filter((event, i) => event === "decodeBatch" && events[i - 1] === "shiftSequenceTokenCells").length;
    assert.equal(rotations, 1, events.join(" "));
  });

  it("leaves a cell at every position from 0 to the last token after a reuse, and none above, for changes that grow, shrink or only delete", async () => {
    for (const [before, after] of [
      ["items.len", "items.length"],
      ["items", "items.map(x"],
      ["items.map(x", "items.m"],
      ["items.map(x", "items"],
    ] as const) {
      const loaded = await load("tiny");
      await complete(loaded, params(before));
      const second = await complete(loaded, params(after));
      assert.ok(second.reusedSuffixTokens !== undefined, `the suffix was reused after ${after}`);
      const sequence = loaded.completionSequence!;
      const native = (loaded.context as unknown as { _ctx: { getSequenceKvCacheMaxPosition(id: number): number; removeTokenCellsFromSequence(id: number, start: number, end: number): boolean } })._ctx;
      const id = (sequence as unknown as { _sequenceId: number })._sequenceId;
      const last = sequence.nextTokenIndex - 1;
      assert.equal(native.getSequenceKvCacheMaxPosition(id), last, `${before} → ${after}`);
      // Cutting the cells from position p on leaves p - 1 the highest only when a cell sits there: a gap or a cell left
      // at a wrong position shows.
      for (let p = last; p > 0; p--) {
        native.removeTokenCellsFromSequence(id, p, -1);
        assert.equal(native.getSequenceKvCacheMaxPosition(id), p - 1, `${before} → ${after}: no cell at position ${p - 1}`);
      }
    }
  });

  it("evaluates the whole suffix again when it changed", async () => {
    const loaded = await load("tiny");
    await complete(loaded, params("items.len"));
    const second = await complete(loaded, params("items.length", SUFFIX.replace("total", "result")));
    assert.equal(second.reusedSuffixTokens, undefined);
    assert.ok(second.promptTokens > suffixTokens(loaded, params("items.length")), `${second.promptTokens} tokens evaluated`);
  });

  it("evaluates in order again once the bound of out-of-order tokens is passed, then reuses again", async () => {
    const loaded = await load("tiny");
    const typed = "items.filter((item) => item > 0).map((item) => item * 2).reduce((a, b) => a + b, 0) + offset";
    await complete(loaded, params(""));
    const results: Result[] = [];
    for (let i = 1; i <= typed.length; i++) results.push(await complete(loaded, params(typed.slice(0, i))));
    const exact = results.findIndex((result) => result.reusedSuffixTokens === undefined);
    assert.ok(exact > 0, "some keystrokes reused the suffix before one evaluated it in order");
    assert.ok(results[exact].promptTokens > suffixTokens(loaded, params(typed)), `${results[exact].promptTokens} tokens evaluated`);
    assert.ok(results.slice(exact + 1).some((result) => result.reusedSuffixTokens !== undefined), "the reuse resumed");
    const outOfOrder = results.slice(0, exact).reduce((sum, result) => sum + result.promptTokens - 1, 0);
    assert.ok(outOfOrder <= reuse.SUFFIX_REUSE_MAX_OUT_OF_ORDER_TOKENS, `${outOfOrder} tokens evaluated out of order`);
  });

  it("takes the exact path, and says why once, when node-llama-cpp's internals are not the expected ones", async () => {
    const loaded = await load("tiny");
    // The worker's view of the sequence lacks one private member; LlamaCompletion still works on the real one.
    const hidden = new Proxy(loaded.completionSequence!, { get: (target, key) => (key === "_decodeTokens" ? undefined : Reflect.get(target, key)) });
    const stripped = { ...loaded, completionSequence: hidden } as LoadedModel;
    const logs: string[] = [];
    await complete(stripped, params("items.len"), undefined, (m) => logs.push(m));
    const second = await complete(stripped, params("items.length"), undefined, (m) => logs.push(m));
    assert.equal(second.reusedSuffixTokens, undefined);
    assert.ok(second.promptTokens > suffixTokens(loaded, params("items.length")), `${second.promptTokens} tokens evaluated`);
    assert.equal(logs.filter((m) => m.includes("internals")).length, 1);
  });

  it("gives the exact answer after a reuse on the scripted model, whose answer must not depend on the suffix's cache", async () => {
    const loaded = await load("scripted");
    // A block long enough after the cursor that moving its cells pays (SUFFIX_REUSE_MIN_SUFFIX_TOKENS).
    const suffix = "\n  const twice = total * 2;\n  const half = total / 2;\n  return total + twice + half;\n}\n";
    await complete(loaded, { ...params("items.len", suffix), maxTokens: 64 });
    const reused = await complete(loaded, { ...params("items.length", suffix), maxTokens: 64 });
    assert.ok(reused.reusedSuffixTokens !== undefined);
    const fresh = await complete(await load("scripted"), { ...params("items.length", suffix), maxTokens: 64 });
    assert.equal(reused.text, fresh.text);
    assert.equal(reused.text, DEFAULT_SCRIPT.fim);
  });

  it("stays usable after a request cancelled while its reuse ran: the next one answers as without the cancel", async () => {
    const cancelled = await load("tiny");
    const plain = await load("tiny");
    for (const loaded of [cancelled, plain]) await complete(loaded, params("items.len"));
    const controller = new AbortController();
    const pending = complete(cancelled, params("items.leng"), controller.signal);
    controller.abort();
    await pending.catch(() => undefined);
    await complete(plain, params("items.leng"));
    const afterCancel = await complete(cancelled, { ...params("items.length"), maxTokens: 8 });
    const expected = await complete(plain, { ...params("items.length"), maxTokens: 8 });
    assert.equal(afterCancel.text, expected.text);
    assert.equal(afterCancel.reusedSuffixTokens, expected.reusedSuffixTokens);
  });
});
