// The chat prefill never competes with what the user waits for: on bench-0.5b (the cost of a real 0.5B model per token,
// one thread), a completion asked for while a prefill runs is answered first, and a chat request stops the prefill.
import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { isAbortError } from "../../../src/common/abort";
import type { EngineClient } from "../../../src/engine/client";
import type { ChatMessage } from "../../../src/engine/protocol";
import { ensureTestModel } from "../../fixtures/models/test-models";
import { createClient, REPO_ROOT, testSettings } from "../helpers/engine";

/** What a first question about a file starts with: the system prompt, then the file (about 600 tokens). */
function knownPart(): ChatMessage[] {
  const text = readFileSync(join(REPO_ROOT, "src", "chat", "conversation.ts"), "utf8").split("\n").slice(0, 70).join("\n");
  return [
    { role: "system", content: "You are Hearth, a coding assistant." },
    { role: "user", content: `File src/chat/conversation.ts:\n\`\`\`typescript\n${text}\n\`\`\`\n\n` },
  ];
}

describe("chat prefill beside completions and questions (bench-0.5b, engine process)", function () {
  this.timeout(240_000);
  let client: EngineClient;

  before(async () => {
    client = createClient();
    await client.configure(testSettings(await ensureTestModel("bench-0.5b"), { contextSize: 2048 }));
    await client.load();
  });
  after(async () => client.dispose());

  it("answers a completion asked for while a prefill runs first, and the prefill waits for it, then finishes", async () => {
    const order: string[] = [];
    const prefill = client.prefillChat({ messages: knownPart() }).then((result) => (order.push("prefill"), result));
    const completion = client.infill({ prefix: "function total(items) {\n  return ", suffix: "\n}", maxTokens: 8 }).then((result) => (order.push("completion"), result));
    const [prefilled, completed] = await Promise.all([prefill, completion]);
    assert.deepEqual(order, ["completion", "prefill"]);
    assert.ok(prefilled, "the model was ready, so the prefill ran");
    assert.ok(prefilled.waitedMs > 0, "the prefill gave way to the completion");
    assert.equal(prefilled.evaluatedTokens, prefilled.prefixTokens - prefilled.cachedTokens, "then it evaluated the rest of its prompt");
    assert.ok(completed.generatedTokens > 0);
  });

  it("stops a running prefill when a chat request arrives, and answers the request", async () => {
    const messages = knownPart();
    messages[0] = { role: "system", content: "You are Hearth. Nothing of this prompt is cached yet." };
    const prefill = client.prefillChat({ messages });
    const answer = client.chat({ messages: [...messages.slice(0, -1), { role: "user", content: `${messages.at(-1)!.content}What does it hold?` }], maxTokens: 4 });
    await assert.rejects(prefill, (error: unknown) => isAbortError(error), "the prefill ended as cancelled");
    const result = await answer;
    assert.equal(result.generatedTokens, 4);
  });
});
