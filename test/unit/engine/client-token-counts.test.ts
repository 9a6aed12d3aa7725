import { strict as assert } from "node:assert";
import type { EngineClient } from "../../../src/engine/client";
import { ensureTestModel } from "../../fixtures/models/test-models";
import { createClient, MemoryLogger, testSettings, waitForStatus } from "../helpers/engine";

describe("EngineClient.tokenCounts", function () {
  this.timeout(60_000);
  let client: EngineClient;
  afterEach(() => client.dispose());

  it("counts texts with the loaded model's tokenizer", async () => {
    client = createClient(new MemoryLogger());
    const model = await ensureTestModel("tiny");
    await client.configure(testSettings(model));
    await client.load();
    const answer = await client.tokenCounts(["", "ab", "function count(items) {\n"]);
    assert.equal(answer?.modelPath, model);
    assert.equal(answer?.counts[0], 0);
    assert.ok((answer?.counts[1] ?? 0) >= 1);
    assert.ok((answer?.counts[2] ?? 0) > (answer?.counts[1] ?? 0));
  });

  it("answers null and loads nothing while no model is ready", async () => {
    client = createClient(new MemoryLogger());
    await client.configure(testSettings(await ensureTestModel("tiny")));
    await waitForStatus(client, "idle");
    assert.equal(await client.tokenCounts(["ab"]), null);
    assert.equal(client.status.kind, "idle");
  });

  it("counts the chat's texts with the separate chat model's tokenizer once it is loaded, and with the completion model's where there is none", async () => {
    client = createClient(new MemoryLogger());
    const [tiny, scripted] = [await ensureTestModel("tiny"), await ensureTestModel("scripted")];
    await client.configure(testSettings(tiny, { chatModelPath: scripted }));
    await client.load();
    assert.equal(await client.tokenCounts(["ab"], { role: "chat" }), null, "the chat model is not loaded yet");
    await client.chat({ messages: [{ role: "user", content: "hi" }], maxTokens: 4 });
    assert.equal((await client.tokenCounts(["ab"], { role: "chat" }))?.modelPath, scripted);
    assert.equal((await client.tokenCounts(["ab"]))?.modelPath, tiny, "completion counts stay with the completion model");
    await client.configure(testSettings(tiny));
    assert.equal((await client.tokenCounts(["ab"], { role: "chat" }))?.modelPath, tiny);
  });
});
