import { strict as assert } from "node:assert";
import type { EngineClient } from "../../src/engine/client";
import { ensureTestModel } from "../fixtures/models/test-models";
import { createClient, MemoryLogger, testSettings, waitForStatus } from "./helpers/engine";

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
});
