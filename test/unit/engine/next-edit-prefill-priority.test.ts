// The next-edit prefill is the engine's lowest-priority work: on bench-0.5b (the cost of a real 0.5B model per token,
// one thread) as both the completion and the next-edit model, a completion asked for while a prefill runs is answered
// first, and the next-edit request at the pause stops the prefill and answers.
import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { isAbortError } from "../../../src/common/abort";
import type { EngineClient } from "../../../src/engine/client";
import type { PromptPiece } from "../../../src/fim/types";
import { ensureTestModel } from "../../fixtures/models/test-models";
import { createClient, REPO_ROOT, testSettings } from "../helpers/engine";

const SEP: PromptPiece = { kind: "special", token: "<|file_sep|>" };

/** A front as long as a Sweep prompt's diff blocks and windows (about 600 tokens), `tag` making it new to the cache. */
function front(tag: string): PromptPiece[] {
  const text = readFileSync(join(REPO_ROOT, "src", "nextedit", "edit-history.ts"), "utf8").split("\n").slice(0, 60).join("\n");
  return [SEP, { kind: "text", text: `${tag}.diff\noriginal:\n${text}\n` }];
}

describe("next-edit prefill beside completions and the request (bench-0.5b, engine process)", function () {
  this.timeout(240_000);
  let client: EngineClient;

  before(async () => {
    client = createClient();
    const model = await ensureTestModel("bench-0.5b");
    await client.configure(testSettings(model, { contextSize: 2048, nextEditModelPath: model }));
    await client.load();
    // The next-edit model loads on its first request; the prefill never loads it.
    await client.nextEdit({ pieces: [SEP], specialTokens: ["<|file_sep|>"], stop: ["<|file_sep|>"], maxTokens: 1 });
  });
  after(async () => client.dispose());

  it("answers a completion asked for while a prefill runs first, and the prefill waits for it, then finishes", async () => {
    const order: string[] = [];
    const prefill = client.prefillNextEdit({ pieces: front("a"), specialTokens: ["<|file_sep|>"] }).then((result) => (order.push("prefill"), result));
    const completion = client.infill({ prefix: "function total(items) {\n  return ", suffix: "\n}", maxTokens: 8 }).then((result) => (order.push("completion"), result));
    const [prefilled, completed] = await Promise.all([prefill, completion]);
    assert.deepEqual(order, ["completion", "prefill"]);
    assert.ok(prefilled, "the model was loaded, so the prefill ran");
    assert.ok(prefilled.waitedMs > 0, "the prefill gave way to the completion");
    assert.equal(prefilled.evaluatedTokens, prefilled.prefixTokens - prefilled.cachedTokens, "then it evaluated the rest of its front");
    assert.ok(completed.generatedTokens > 0);
  });

  it("is stopped by the next-edit request at the pause, which answers", async () => {
    const pieces = front("b");
    const prefill = client.prefillNextEdit({ pieces, specialTokens: ["<|file_sep|>"] });
    const answer = client.nextEdit({ pieces: [...pieces, SEP, { kind: "text", text: "updated/b.ts\n" }], specialTokens: ["<|file_sep|>"], stop: ["<|file_sep|>"], maxTokens: 2 });
    await assert.rejects(prefill, (error: unknown) => isAbortError(error), "the prefill ended as cancelled");
    const result = await answer;
    assert.ok(result.generatedTokens > 0);
  });
});
