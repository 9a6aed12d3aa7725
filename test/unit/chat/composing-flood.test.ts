// A flood of `composing` messages (the chat view says one on every focus, keystroke pause and chip change): through
// the real engine process on the scripted model, it starts one prefill per distinct prompt, never a storm, and a
// completion asked in the middle of it is answered.
import { strict as assert } from "node:assert";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ChatSession, type ChatEngine } from "../../../src/chat/chat-session";
import { ConversationStore } from "../../../src/chat/conversation-store";
import type { ContextPiece } from "../../../src/chat/prompt";
import type { EngineClient } from "../../../src/engine/client";
import type { ChatParams, GenerationResult } from "../../../src/engine/protocol";
import { ensureTestModel } from "../../fixtures/models/test-models";
import { createClient, MemoryLogger, testSettings } from "../helpers/engine";

/** The real client, counting the prefills the session asks of it. */
class CountingEngine implements ChatEngine {
  prefills = 0;
  constructor(private readonly client: EngineClient) {}
  chat(params: ChatParams, options: Parameters<ChatEngine["chat"]>[1]): Promise<GenerationResult> {
    return this.client.chat(params, options);
  }
  prefillChat(...args: Parameters<EngineClient["prefillChat"]>): ReturnType<EngineClient["prefillChat"]> {
    this.prefills++;
    return this.client.prefillChat(...args);
  }
}

const BUDGET = { windowTokens: 2048, limitTokens: 1536, maxAnswerTokens: 256 };
const piece = (name: string): ContextPiece => ({
  id: name,
  kind: "file",
  label: `${name}.ts`,
  detail: `src/${name}.ts`,
  languageId: "typescript",
  text: Array.from({ length: 12 }, (_, i) => `export const ${name}${i} = ${i};`).join("\n"),
});

describe("a flood of composing messages (scripted model, engine process)", function () {
  this.timeout(120_000);
  let dir: string;
  let client: EngineClient;
  let engine: CountingEngine;
  let session: ChatSession;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "hearth-composing-flood-"));
    client = createClient();
    await client.configure(testSettings(await ensureTestModel("scripted"), { contextSize: BUDGET.windowTokens }));
    await client.load();
    engine = new CountingEngine(client);
    session = new ChatSession({ engine, store: new ConversationStore(dir, new MemoryLogger(), 20), logger: new MemoryLogger() });
    await session.init();
  });
  after(async () => {
    await session.dispose();
    await client.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it("starts one prefill for five hundred composing messages with the same chips", async () => {
    engine.prefills = 0;
    const runs = Array.from({ length: 500 }, () => session.prefill([piece("orders")], BUDGET));
    await Promise.all(runs);
    assert.equal(engine.prefills, 1);
  });

  it("answers a completion asked while the chips change on every one of 200 composing messages", async () => {
    engine.prefills = 0;
    const runs = Array.from({ length: 200 }, (_, i) => session.prefill([piece(i % 2 ? "orders" : "money")], BUDGET));
    const completion = await client.infill({ prefix: "function total(items) {\n  return ", suffix: "\n}", maxTokens: 8 });
    const results = await Promise.all(runs);
    assert.ok(completion.generatedTokens > 0);
    // Each change stops the prefill before it: only the last one is left to finish.
    assert.ok(results.filter((r) => r !== null && !r.skipped).length <= 1, JSON.stringify(results.filter(Boolean)));
  });
});
