// The engine's next-edit role: its own model beside the completion model, inline completions first on the CPU.
import { strict as assert } from "node:assert";
import { ensureTestModel } from "../../fixtures/models/test-models";
import { ADD_FIELD, RENAME, afterEdit, ensureNextEditModel } from "../../fixtures/models/next-edit-models";
import type { NextEditParams } from "../../../src/engine/protocol";
import { clientsDisposedAfterEach, testSettings } from "../helpers/engine";

describe("EngineClient's next-edit model (hearth.nextEdit.modelPath)", function () {
  this.timeout(90_000);
  const open = clientsDisposedAfterEach();
  const request: NextEditParams = {
    pieces: [{ kind: "special", token: "<|file_sep|>" }, { kind: "text", text: `current/${RENAME.path}\nexport function area(width: number) {}\n` }, { kind: "special", token: "<|file_sep|>" }, { kind: "text", text: `updated/${RENAME.path}\n` }],
    specialTokens: ["<|file_sep|>"],
    stop: ["<|file_sep|>"],
    maxTokens: 256,
  };

  it("answers with the next-edit model's rewrite, exactly, beside a completion model", async () => {
    const client = open();
    await client.configure(testSettings(await ensureTestModel("tiny"), { nextEditModelPath: await ensureNextEditModel(RENAME.rewrite) }));
    const result = await client.nextEdit(request);
    assert.equal(result.text, RENAME.rewrite);
    assert.equal(client.status.kind, "idle", "the completion model was not loaded for it");
  });

  it("starts a next edit only once the completion under way has finished", async () => {
    const client = open();
    await client.configure(testSettings(await ensureTestModel("tiny"), { nextEditModelPath: await ensureNextEditModel(RENAME.rewrite) }));
    // Both models loaded first, so the order below is the lanes', not the loads'.
    await client.infill({ prefix: "let a = ", suffix: "", maxTokens: 1 });
    await client.nextEdit(request);
    const ended: string[] = [];
    // The tiny model never stops on its own: 200 tokens take far longer than the scripted next edit.
    const infill = client.infill({ prefix: "export function countDone(items) {\n  ", suffix: "\n}\n", maxTokens: 200 }).then((r) => (ended.push("infill"), r));
    const nextEdit = client.nextEdit(request).then((r) => (ended.push("nextEdit"), r));
    const [completion, edit] = await Promise.all([infill, nextEdit]);
    assert.deepEqual(ended, ["infill", "nextEdit"]);
    assert.equal(edit.text, RENAME.rewrite);
    assert.ok(edit.timings.queuedMs >= completion.timings.totalMs * 0.5, `the next edit waited ${edit.timings.queuedMs} ms for a ${completion.timings.totalMs} ms completion`);
  });

  it("stops the answer once it is back on the window after the change, and completes it from the window exactly", async () => {
    const window = Array.from({ length: 16 }, (_, i) => `  total += item${i}.price;`);
    const rewrite = [...window];
    rewrite[3] = "  total += item3.price * item3.count;";
    const full = `${rewrite.join("\n")}\n`;
    const client = open();
    await client.configure(testSettings(await ensureTestModel("tiny"), { nextEditModelPath: await ensureNextEditModel(full) }));
    const whole = await client.nextEdit(request);
    const early = await client.nextEdit({ ...request, window: { text: window.join("\n"), cursorLine: 2 } });
    assert.equal(whole.text, full);
    assert.equal(early.text, full);
    assert.equal(early.stoppedEarly, true);
    assert.ok(early.generatedTokens < whole.generatedTokens, `${early.generatedTokens} tokens generated with the early stop, ${whole.generatedTokens} without`);
  });

  it("writes a change over several lines whole before it stops (add a field)", async () => {
    const client = open();
    await client.configure(testSettings(await ensureTestModel("tiny"), { nextEditModelPath: await ensureNextEditModel(ADD_FIELD.rewrite) }));
    const window = afterEdit(ADD_FIELD).replace(/\n$/, "");
    const result = await client.nextEdit({ ...request, window: { text: window, cursorLine: 3 } });
    assert.equal(result.text, ADD_FIELD.rewrite);
  });

  it("fails with a message naming hearth.nextEdit.modelPath when no next-edit model is configured", async () => {
    const client = open();
    await client.configure(testSettings(await ensureTestModel("tiny")));
    await assert.rejects(client.nextEdit(request), /hearth\.nextEdit\.modelPath/);
  });
});
