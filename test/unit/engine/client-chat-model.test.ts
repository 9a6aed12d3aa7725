import { strict as assert } from "node:assert";
import { join } from "node:path";
import { EngineError } from "../../../src/engine/protocol";
import type { EngineStatus } from "../../../src/engine/client";
import { DEFAULT_SCRIPT, ensureTestModel } from "../../fixtures/models/test-models";
import { clientsDisposedAfterEach, testSettings } from "../helpers/engine";

describe("EngineClient with a separate chat model (hearth.chat.modelPath)", function () {
  this.timeout(60_000);
  let scripted: string;
  let tiny: string;
  const open = clientsDisposedAfterEach();
  const question = { messages: [{ role: "user" as const, content: "Write an add function" }], maxTokens: 256 };
  const infillRequest = { prefix: "export function countDone(items: Item[]): number {\n  ", suffix: "\n}\n", maxTokens: 8 };
  const readyModel = (status: EngineStatus) => {
    assert.equal(status.kind, "ready");
    return status.model;
  };

  before(async () => {
    scripted = await ensureTestModel("scripted");
    tiny = await ensureTestModel("tiny");
  });

  it("answers chat with the chat model and infill with the completion model", async () => {
    const client = open();
    await client.configure(testSettings(tiny, { chatModelPath: scripted }));
    const chat = await client.chat(question);
    const infill = await client.infill({ ...infillRequest, maxTokens: 64 });
    assert.equal(chat.text, DEFAULT_SCRIPT.chat);
    assert.notEqual(infill.text, DEFAULT_SCRIPT.fim, "the scripted model would have completed its script");
    assert.ok(infill.generatedTokens > 0);
    assert.equal(readyModel(client.status).path, tiny);
  });

  it("keeps both models loaded: a chat does not unload the completion model, nor an infill the chat model", async () => {
    const client = open();
    await client.configure(testSettings(tiny, { chatModelPath: scripted }));
    const statuses: EngineStatus["kind"][] = [];
    const first = await client.infill(infillRequest);
    client.onDidChangeStatus((status) => statuses.push(status.kind));
    await client.chat(question);
    const again = await client.infill(infillRequest);
    assert.ok(again.promptTokens < first.promptTokens, `the completion model kept its KV cache (${again.promptTokens} of ${first.promptTokens} tokens evaluated again)`);
    assert.ok(!statuses.includes("loading") && !statuses.includes("idle"), `the completion model's status went through ${statuses.join(", ")}`);
    assert.equal(readyModel(client.chatStatus).path, scripted);
  });

  it("loads only the chat model for a chat, and names it in the chat status while the engine status keeps the completion model", async () => {
    const client = open();
    await client.configure(testSettings(tiny, { chatModelPath: scripted }));
    const chatStatuses: EngineStatus["kind"][] = [];
    client.onDidChangeChatStatus((status) => chatStatuses.push(status.kind));
    await client.chat(question);
    assert.equal(readyModel(client.chatStatus).name, "Hearth scripted test model");
    assert.deepEqual(client.status, { kind: "idle", modelPath: tiny });
    assert.ok(chatStatuses.includes("loading") && chatStatuses.at(-1) === "ready", `chat statuses: ${chatStatuses.join(", ")}`);
  });

  it("fails a chat with a message naming hearth.chat.modelPath when the chat model file is missing, and completion keeps working", async () => {
    const client = open();
    const missing = join(__dirname, "no-such-chat-model.gguf");
    const status = await client.configure(testSettings(tiny, { chatModelPath: missing }));
    assert.equal(status.kind, "idle", "the completion model is not affected");
    assert.equal(client.chatStatus.kind, "no-model");
    await assert.rejects(client.chat(question), (error: unknown) => {
      assert.ok(error instanceof EngineError);
      assert.equal(error.code, "model-invalid");
      assert.match(error.message, /chat model \(setting hearth\.chat\.modelPath\) cannot be used: The model file does not exist: .*no-such-chat-model\.gguf/);
      return true;
    });
    assert.ok((await client.infill(infillRequest)).generatedTokens > 0);
    assert.equal(client.status.kind, "ready");
  });

  it("answers chat with the completion model again once the chat setting is cleared, without reloading it", async () => {
    const client = open();
    await client.configure(testSettings(scripted, { chatModelPath: tiny }));
    await client.load();
    const fromTiny = await client.chat({ ...question, maxTokens: 8 });
    assert.notEqual(fromTiny.text, DEFAULT_SCRIPT.chat);
    const statuses: EngineStatus["kind"][] = [];
    client.onDidChangeStatus((status) => statuses.push(status.kind));
    await client.configure(testSettings(scripted));
    assert.equal((await client.chat(question)).text, DEFAULT_SCRIPT.chat);
    assert.equal(readyModel(client.chatStatus).path, scripted);
    assert.ok(!statuses.includes("loading"), `the completion model's status went through ${statuses.join(", ")}`);
  });

  it("loads only the new chat model when the chat setting changes", async () => {
    const client = open();
    await client.configure(testSettings(scripted, { chatModelPath: tiny }));
    await client.load();
    await client.chat({ ...question, maxTokens: 4 });
    const statuses: EngineStatus["kind"][] = [];
    client.onDidChangeStatus((status) => statuses.push(status.kind));
    await client.configure(testSettings(scripted, { chatModelPath: scripted }));
    assert.equal((await client.chat(question)).text, DEFAULT_SCRIPT.chat);
    assert.ok(statuses.every((kind) => kind === "ready"), `the completion model's status went through ${statuses.join(", ")}`);
  });

  it("refuses a chat model that does not fit beside the completion model, with the numbers, and keeps completing", async () => {
    const probe = open();
    await probe.configure(testSettings(tiny, { chatModelPath: scripted }));
    await probe.load();
    await probe.chat({ ...question, maxTokens: 1 });
    const completionNeeds = readyModel(probe.status).estimatedMemory;
    const chatNeeds = readyModel(probe.chatStatus).estimatedMemory;
    assert.ok(completionNeeds && chatNeeds, "the engine reports its estimates");
    // Room for either model alone, not for both.
    const budget = Math.max(completionNeeds.ramBytes, chatNeeds.ramBytes) + Math.floor(Math.min(completionNeeds.ramBytes, chatNeeds.ramBytes) / 2);
    const client = open();
    await client.configure(testSettings(tiny, { chatModelPath: scripted, memoryBudgetBytes: budget }));
    await client.load();
    await assert.rejects(client.chat(question), (error: unknown) => {
      assert.ok(error instanceof EngineError);
      assert.equal(error.code, "model-too-large");
      assert.match(error.message, /needs about .* GiB of RAM, but only .* GiB is free beside .*, which is loaded for completion and takes about .* GiB .*clear hearth\.chat\.modelPath/);
      return true;
    });
    assert.equal(client.chatStatus.kind, "error");
    assert.equal(client.status.kind, "ready", "the completion model stays loaded");
    assert.ok((await client.infill(infillRequest)).generatedTokens > 0);
  });

  it("refuses a chat on the completion model when its chat's own context does not fit, with the numbers, and keeps completing", async () => {
    const probe = open();
    await probe.configure(testSettings(tiny));
    await probe.load();
    const completionNeeds = readyModel(probe.status).estimatedMemory;
    assert.ok(completionNeeds, "the engine reports its estimate");
    // Room for the completion model and its context, not for a second context.
    const client = open();
    await client.configure(testSettings(tiny, { memoryBudgetBytes: completionNeeds.ramBytes + 2 ** 20 }));
    await client.load();
    await assert.rejects(client.chat(question), (error: unknown) => {
      assert.ok(error instanceof EngineError);
      assert.equal(error.code, "model-too-large");
      assert.match(error.message, /^A chat with .* needs a 1024-token context of its own: it needs about .* GiB of RAM, but only .* GiB is free beside the .* GiB the loaded models take\. Completions go on\. For chat, lower hearth\.engine\.contextSize/);
      return true;
    });
    assert.equal(client.status.kind, "ready", "the completion model stays loaded");
    assert.ok((await client.infill(infillRequest)).generatedTokens > 0);
  });
});
