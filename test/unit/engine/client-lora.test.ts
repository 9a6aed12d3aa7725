import { strict as assert } from "node:assert";
import { join } from "node:path";
import { EngineError } from "../../../src/engine/protocol";
import { EngineClient } from "../../../src/engine/client";
import { DEFAULT_SCRIPT, ensureTestLora, ensureTestModel } from "../../fixtures/models/test-models";
import { clientsDisposedAfterEach, MemoryLogger, testSettings, WORKER_PATH } from "../helpers/engine";

describe("EngineClient with LoRA adapters and memory refusals", function () {
  this.timeout(60_000);
  let scripted: string;
  const open = clientsDisposedAfterEach();
  const infill = (client: EngineClient) => client.infill({ prefix: "function count(items) {\n  ", suffix: "\n}\n", maxTokens: 64 });

  before(async () => {
    scripted = await ensureTestModel("scripted");
  });

  it("applies a LoRA adapter with zero B matrices, names it, and completes exactly as without it", async () => {
    const adapter = await ensureTestLora(scripted);
    const client = open();
    await client.configure(testSettings(scripted, { loraAdapters: [adapter] }));
    const model = await client.load();
    assert.deepEqual(model.loraAdapters, [{ path: adapter, name: "Hearth test LoRA (zero)" }]);
    assert.equal((await infill(client)).text, DEFAULT_SCRIPT.fim);
  });

  it("changes the output when the adapter's weights are not zero (the adapter is really applied)", async () => {
    const tiny = await ensureTestModel("tiny");
    const prompt = { prefix: "export function countDone(items: Todo[]): number {\n  ", suffix: "\n}\n", maxTokens: 12 };
    const plain = open();
    await plain.configure(testSettings(tiny));
    const adapted = open();
    await adapted.configure(testSettings(tiny, { loraAdapters: [await ensureTestLora(tiny, { variant: "random" })] }));
    assert.notEqual((await adapted.infill(prompt)).text, (await plain.infill(prompt)).text);
  });

  it("refuses an adapter for another architecture before loading, saying what is wrong and what to do", async () => {
    const adapter = await ensureTestLora(scripted, { variant: "other-architecture" });
    const client = open();
    await client.configure(testSettings(scripted, { loraAdapters: [adapter] }));
    await assert.rejects(client.load(), (error: unknown) => {
      assert.ok(error instanceof EngineError);
      assert.equal(error.code, "lora-invalid");
      assert.match(error.message, /is a LoRA adapter for a qwen2 model, but Hearth scripted test model is a llama model, so it cannot be applied\. Remove it from hearth\.model\.loraAdapters/);
      return true;
    });
    assert.equal(client.status.kind, "error");
  });

  it("refuses a missing adapter file, naming the setting to correct", async () => {
    const client = open();
    await client.configure(testSettings(scripted, { loraAdapters: [join(__dirname, "no-such-adapter.gguf")] }));
    await assert.rejects(client.load(), (error: unknown) => error instanceof EngineError && error.code === "lora-invalid" && /does not exist: .*no-such-adapter\.gguf\. Correct the path in hearth\.model\.loraAdapters/.test(error.message));
  });

  it("loads the model again without the adapter once the setting no longer lists it", async () => {
    const adapter = await ensureTestLora(scripted);
    const client = open();
    await client.configure(testSettings(scripted, { loraAdapters: [adapter] }));
    assert.equal((await client.load()).loraAdapters?.length, 1);
    await client.configure(testSettings(scripted));
    assert.deepEqual((await client.load()).loraAdapters, []);
  });

  it("says when no catalog model fits the memory either, after refusing one that does not fit", async () => {
    const client = open();
    await client.configure(testSettings(scripted, { memoryBudgetBytes: 1024 }));
    await assert.rejects(client.load(), (error: unknown) => {
      assert.ok(error instanceof EngineError && error.code === "model-too-large");
      assert.match(error.message, /needs about .* GiB of RAM, but only .* GiB is free .*No model in Hearth's catalog fits in the memory free now/);
      assert.equal(error.suggestion, undefined);
      return true;
    });
    assert.ok(client.status.kind === "error" && /No model in Hearth's catalog fits/.test(client.status.error.message), "the status says the same");
  });

  it("says only what did not fit when the front end gives no advice on refusals", async () => {
    const client = new EngineClient({ workerPath: WORKER_PATH, logger: new MemoryLogger() });
    try {
      await client.configure(testSettings(scripted, { memoryBudgetBytes: 1024 }));
      await assert.rejects(client.load(), (error: unknown) => {
        assert.ok(error instanceof EngineError && error.code === "model-too-large");
        assert.match(error.message, /needs about .* GiB of RAM, but only .* GiB is free/);
        assert.doesNotMatch(error.message, /catalog|Select Model/);
        return true;
      });
      assert.ok(client.status.kind === "error" && !/catalog/.test(client.status.error.message), "the status says the same");
    } finally {
      await client.dispose();
    }
  });
});
