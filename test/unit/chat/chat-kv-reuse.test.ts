import { strict as assert } from "node:assert";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ChatSession, type ChatEngine } from "../../../src/chat/chat-session";
import { ConversationStore } from "../../../src/chat/conversation-store";
import type { ContextPiece } from "../../../src/chat/prompt";
import type { EngineClient } from "../../../src/engine/client";
import type { ChatParams, GenerationResult } from "../../../src/engine/protocol";
import { DEFAULT_SCRIPT, ensureTestModel } from "../../fixtures/models/test-models";
import { createClient, MemoryLogger, testSettings } from "../helpers/engine";

/** The engine as the session sees it, keeping what was asked and what each answer cost. */
class RecordingEngine implements ChatEngine {
  readonly calls: { params: ChatParams; result: GenerationResult }[] = [];
  constructor(private readonly client: EngineClient) {}
  async chat(params: ChatParams, options: Parameters<ChatEngine["chat"]>[1]): Promise<GenerationResult> {
    const result = await this.client.chat(params, options);
    this.calls.push({ params: structuredClone(params), result });
    return result;
  }
}

const BUDGET = { windowTokens: 2048, limitTokens: 1536, maxAnswerTokens: 256 };
const source = Array.from({ length: 30 }, (_, i) => `export function step${i}(items: number[]): number {\n  return items.length + ${i};\n}`).join("\n");
const file: ContextPiece = { id: "file", kind: "file", label: "steps.ts", detail: "src/steps.ts", languageId: "typescript", text: source };

describe("chat follow-ups reuse the engine's KV cache (scripted model, engine process)", function () {
  this.timeout(120_000);
  let model: string;
  let dir: string;
  const clients: EngineClient[] = [];
  const sessions: ChatSession[] = [];
  const open = async () => {
    const client = createClient();
    clients.push(client);
    await client.configure(testSettings(model, { contextSize: BUDGET.windowTokens }));
    return client;
  };

  before(async () => (model = await ensureTestModel("scripted")));
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), "hearth-chat-kv-"))));
  afterEach(async () => {
    await Promise.all(sessions.splice(0).map((s) => s.dispose()));
    await Promise.all(clients.splice(0).map((c) => c.dispose()));
    rmSync(dir, { recursive: true, force: true });
  });

  it("a follow-up evaluates fewer prompt tokens than its full prompt and than the first question", async () => {
    const engine = new RecordingEngine(await open());
    const session = new ChatSession({ engine, store: new ConversationStore(dir, new MemoryLogger(), 20), logger: new MemoryLogger() });
    sessions.push(session);
    await session.init();
    await session.send("What do these functions return?", [file], BUDGET);
    await session.send("Which one returns the most?", [file], BUDGET);
    const [first, followUp] = engine.calls;
    assert.equal(first!.result.text, DEFAULT_SCRIPT.chat);
    assert.equal(followUp!.result.text, DEFAULT_SCRIPT.chat);

    // The same prompt on a fresh engine, with nothing cached: what the follow-up would cost without reuse.
    const cold = await (await open()).chat(followUp!.params);
    const full = cold.promptTokens;
    const evaluated = followUp!.result.promptTokens;
    assert.ok(full > first!.result.promptTokens, `the follow-up's prompt (${full} tokens) holds the first one (${first!.result.promptTokens})`);
    assert.ok(evaluated < first!.result.promptTokens, `the follow-up evaluated ${evaluated} tokens, the first question ${first!.result.promptTokens}`);
    assert.ok(evaluated < full - first!.result.promptTokens + 16, `the follow-up evaluated ${evaluated} of its ${full} tokens: only the new turn and the seams`);
  });
});
