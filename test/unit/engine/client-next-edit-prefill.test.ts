// The next-edit prefill: while the user types, the known front of the next prompt goes into the next-edit model's KV
// cache, so that the request after the pause evaluates only the rest; it never loads a model.
import { strict as assert } from "node:assert";
import { ensureTestModel } from "../../fixtures/models/test-models";
import { RENAME, ensureNextEditModel } from "../../fixtures/models/next-edit-models";
import type { NextEditParams } from "../../../src/engine/protocol";
import type { PromptPiece } from "../../../src/fim/types";
import { clientsDisposedAfterEach, testSettings } from "../helpers/engine";

const SEP: PromptPiece = { kind: "special", token: "<|file_sep|>" };
const DIFF = `${RENAME.path}.diff\noriginal:\nexport function area(w: number, h: number): number {\nupdated:\nexport function area(width: number, h: number): number {\n`;

function request(front: PromptPiece[], rest: string): NextEditParams {
  return { pieces: [...front, { kind: "text", text: rest }, SEP, { kind: "text", text: `updated/${RENAME.path}\n` }], specialTokens: ["<|file_sep|>"], stop: ["<|file_sep|>"], maxTokens: 256 };
}

describe("EngineClient.prefillNextEdit", function () {
  this.timeout(90_000);
  const open = clientsDisposedAfterEach();

  it("evaluates the known front ahead, so the request after the pause evaluates only what follows it, and answers the same", async () => {
    const client = open();
    await client.configure(testSettings(await ensureTestModel("tiny"), { nextEditModelPath: await ensureNextEditModel(RENAME.rewrite) }));
    const other = request([SEP, { kind: "text", text: "src/other.ts.diff\noriginal:\nlet a = 1;\nupdated:\nlet a = 2;\n" }], "");
    const front: PromptPiece[] = [SEP, { kind: "text", text: DIFF }, SEP, { kind: "text", text: `original/${RENAME.path}\n${RENAME.before}` }];
    const later = request(front, "");
    // Without a prefill: the request after another one evaluates everything past their common start.
    await client.nextEdit(other);
    const plain = await client.nextEdit(later);
    // With one: the same two requests, the front evaluated between them.
    await client.nextEdit(other);
    const prefilled = await client.prefillNextEdit({ pieces: front, specialTokens: ["<|file_sep|>"] });
    const after = await client.nextEdit(later);
    assert.ok(prefilled && prefilled.evaluatedTokens > 0, JSON.stringify(prefilled));
    assert.equal(prefilled.evaluatedTokens, prefilled.prefixTokens - prefilled.cachedTokens);
    assert.equal(after.promptTokens, plain.promptTokens - prefilled.evaluatedTokens, `${after.promptTokens} evaluated after the prefill, ${plain.promptTokens} without`);
    assert.equal(after.text, plain.text);
    assert.equal(after.text, RENAME.rewrite);
  });

  it("does nothing and loads nothing while the next-edit model is not loaded", async () => {
    const client = open();
    await client.configure(testSettings(await ensureTestModel("tiny"), { nextEditModelPath: await ensureNextEditModel(RENAME.rewrite) }));
    const result = await client.prefillNextEdit({ pieces: [SEP, { kind: "text", text: DIFF }], specialTokens: ["<|file_sep|>"] });
    assert.equal(result, null);
    assert.notEqual(client.statusFor("nextEdit").kind, "ready");
    assert.notEqual(client.statusFor("nextEdit").kind, "loading");
  });
});
