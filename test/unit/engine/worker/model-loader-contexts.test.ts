// Which contexts a loaded model holds (engine/worker/model-loader.mts): the completion model's chat has a context of its
// own, made on the first chat, so that the completion's context holds one sequence and its cache shifts rotate only
// that sequence's cells.
import { strict as assert } from "node:assert";
import type { Llama } from "node-llama-cpp" with { "resolution-mode": "import" };
import type { LoadParams, ModelRole } from "../../../../src/engine/protocol";
import { ensureTestModel } from "../../../fixtures/models/test-models";

type NodeLlamaCpp = typeof import("node-llama-cpp", { with: { "resolution-mode": "import" } });
type Loader = typeof import("../../../../src/engine/worker/model-loader.mjs", { with: { "resolution-mode": "import" } });
type LoadedModel = Awaited<ReturnType<Loader["loadModel"]>>;
type ChatSide = Awaited<ReturnType<Loader["chatSideOf"]>>;

describe("engine: the contexts a loaded model holds", function () {
  this.timeout(120_000);
  let nlc: NodeLlamaCpp;
  let loader: Loader;
  let llama: Llama;
  const loadedModels: LoadedModel[] = [];

  before(async function () {
    nlc = await import("node-llama-cpp");
    loader = await import("../../../../src/engine/worker/model-loader.mjs");
    llama = await nlc.getLlama({ gpu: false, build: "never", maxThreads: 1, logLevel: nlc.LlamaLogLevel.error, logger: () => {} });
  });

  after(async function () {
    for (const loaded of loadedModels) await loader.disposeLoadedModel(loaded).catch(() => undefined);
    await llama?.dispose();
  });

  async function load(role: ModelRole, sizes: Pick<LoadParams, "contextSize" | "completionContextSize"> = { contextSize: 512 }): Promise<LoadedModel> {
    const params: LoadParams = { modelPath: await ensureTestModel("tiny"), role, threads: 1, ...sizes, gpu: "off" };
    const loaded = await loader.loadModel({
      lib: nlc,
      llama,
      role,
      params,
      signal: new AbortController().signal,
      started: performance.now(),
      onStep: () => undefined,
      onProgress: () => undefined,
      other: undefined,
      log: () => undefined,
    });
    loadedModels.push(loaded);
    return loaded;
  }

  it("holds only the completion's sequence in the completion model's context", async function () {
    const loaded = await load("completion");
    assert.equal(loaded.context.totalSequences, 1);
    assert.equal(loaded.context.sequencesLeft, 0);
    assert.notEqual(loaded.completionSequence, null);
  });

  it("makes the completion's context of the completion's size and its chat's of hearth.engine.contextSize", async function () {
    const loaded = await load("completion", { contextSize: 1024, completionContextSize: 512 });
    assert.ok(loaded.model.trainContextSize >= 1024, `the tiny model trains at ${loaded.model.trainContextSize}`);
    assert.equal(loaded.context.contextSize, 512);
    assert.equal(loaded.info.contextSize, 512);
    assert.equal(loaded.info.chatContextSize, 1024);
    assert.equal((await loader.chatSideOf(loaded)).context.contextSize, 1024);
  });

  it("makes a chat model's context of hearth.engine.contextSize, whatever the completion's size", async function () {
    const loaded = await load("chat", { contextSize: 1024, completionContextSize: 512 });
    assert.equal(loaded.context.contextSize, 1024);
    assert.equal(loaded.info.chatContextSize, 1024);
  });

  it("counts a load as the same only for the same completion and chat context sizes", async function () {
    const sizes = { contextSize: 1024, completionContextSize: 512 };
    const loaded = await load("completion", sizes);
    const params = (changed: Partial<LoadParams>): LoadParams => ({ modelPath: loaded.info.path, threads: 1, gpu: "off", ...sizes, ...changed });
    assert.equal(loader.sameLoad(loaded.info, params({})), true);
    assert.equal(loader.sameLoad(loaded.info, params({ completionContextSize: 1024 })), false);
    assert.equal(loader.sameLoad(loaded.info, params({ contextSize: 768 })), false);
  });

  it("gives the completion model's chat a context of its own on the first chat, and the same one after", async function () {
    const loaded = await load("completion");
    const first = await loader.chatSideOf(loaded);
    const again = await loader.chatSideOf(loaded);
    assert.notEqual(first.context, loaded.context);
    assert.equal(first.context.totalSequences, 1);
    assert.equal(again.context, first.context);
    assert.equal(again.sequence, first.sequence);
  });

  it("makes one chat context when two chats ask for it at once", async function () {
    const loaded = await load("completion");
    const [a, b] = await Promise.all([loader.chatSideOf(loaded), loader.chatSideOf(loaded)]);
    assert.equal(a.context, b.context);
  });

  it("answers a chat model's chat on the model's own context, made at load", async function () {
    const loaded = await load("chat");
    assert.equal(loaded.completionSequence, null);
    const side = await loader.chatSideOf(loaded);
    assert.equal(side.context, loaded.context);
  });

  it("frees the chat context the first chat made when the model is unloaded", async function () {
    const loaded = await load("completion");
    const side = await loader.chatSideOf(loaded);
    await loader.disposeLoadedModel(loaded);
    loadedModels.splice(loadedModels.indexOf(loaded), 1);
    assert.equal(side.context.disposed, true);
    assert.equal(loaded.context.disposed, true);
  });

  it("tries again to make the chat side after a failed attempt", async function () {
    let attempts = 0;
    const made = { context: {}, sequence: {}, chat: {} } as unknown as ChatSide;
    const lazy = new loader.LazyChatSide(() => (++attempts === 1 ? Promise.reject(new Error("no memory")) : Promise.resolve(made)));
    await assert.rejects(lazy.get(), /no memory/);
    assert.equal(await lazy.get(), made);
    assert.equal(attempts, 2);
  });
});
