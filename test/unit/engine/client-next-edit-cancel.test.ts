// A next-edit answer cancelled while the model writes it (with drafted tokens in flight), then the next request on
// the same sequence: its KV cache must hold exactly the tokens the sequence says it holds.
import { strict as assert } from "node:assert";
import { isAbortError } from "../../../src/common/abort";
import type { NextEditParams } from "../../../src/engine/protocol";
import { ensureNextEditModel } from "../../fixtures/models/next-edit-models";
import { clientsDisposedAfterEach, testSettings } from "../helpers/engine";

describe("EngineClient's next-edit model, cancelled mid-answer", function () {
  this.timeout(90_000);
  const open = clientsDisposedAfterEach();
  const window = Array.from({ length: 16 }, (_, i) => `  total += item${i}.price;`);
  const rewrite = [...window];
  rewrite[12] = "  total += item12.price * item12.count;";
  const full = `${rewrite.join("\n")}\n`;
  const request: NextEditParams = {
    pieces: [{ kind: "special", token: "<|file_sep|>" }, { kind: "text", text: `current/a.ts\n${window.join("\n")}\n` }, { kind: "special", token: "<|file_sep|>" }, { kind: "text", text: "updated/a.ts\n" }],
    specialTokens: ["<|file_sep|>"],
    stop: ["<|file_sep|>"],
    maxTokens: 512,
  };

  it("answers the next request exactly, from the cached prompt and with the same drafts, after one cancelled mid-answer", async () => {
    const client = open();
    await client.configure(testSettings("", { nextEditModelPath: await ensureNextEditModel(full) }));
    await client.nextEdit(request);
    // An uncancelled answer from the cached prompt: what every answer after a cancel must match, drafts included.
    const uncancelled = await client.nextEdit(request);
    for (const chunksBeforeCancel of [1, 3, 8]) {
      const controller = new AbortController();
      let chunks = 0;
      const cancelled = await client.nextEdit(request, { signal: controller.signal, onChunk: () => ++chunks === chunksBeforeCancel && controller.abort() }).then(
        () => "answered",
        (error: unknown) => (isAbortError(error) ? "cancelled" : String(error)),
      );
      assert.equal(cancelled, "cancelled");
      const next = await client.nextEdit(request);
      assert.equal(next.text, full, `after a cancel at chunk ${chunksBeforeCancel}`);
      assert.deepEqual([next.drafts, next.generatedTokens, next.promptTokens], [uncancelled.drafts, uncancelled.generatedTokens, 0], `after a cancel at chunk ${chunksBeforeCancel}`);
    }
  });
});
