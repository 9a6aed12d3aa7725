// The chat's prefill through the real engine process on the scripted model: what the user's question will be sent
// with is evaluated while they type it, and the answer is then the same text, having evaluated only the question.
import { strict as assert } from "node:assert";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ChatSession, type ChatEngine, type ChatEvaluation } from "../../../src/chat/chat-session";
import { ConversationStore } from "../../../src/chat/conversation-store";
import type { ContextPiece } from "../../../src/chat/prompt";
import type { EngineClient } from "../../../src/engine/client";
import type { ChatParams, GenerationResult } from "../../../src/engine/protocol";
import { DEFAULT_SCRIPT, ensureTestModel } from "../../fixtures/models/test-models";
import { createClient, MemoryLogger, testSettings } from "../helpers/engine";

/** The engine as the session sees it, keeping what each answer cost. */
class RecordingEngine implements ChatEngine {
  readonly answers: { params: ChatParams; result: GenerationResult }[] = [];
  constructor(private readonly client: EngineClient) {}
  async chat(params: ChatParams, options: Parameters<ChatEngine["chat"]>[1]): Promise<GenerationResult> {
    const result = await this.client.chat(params, options);
    this.answers.push({ params: structuredClone(params), result });
    return result;
  }
  prefillChat(...args: Parameters<EngineClient["prefillChat"]>): ReturnType<EngineClient["prefillChat"]> {
    return this.client.prefillChat(...args);
  }
}

const BUDGET = { windowTokens: 2048, limitTokens: 1536, maxAnswerTokens: 256 };
const steps = (name: string) => Array.from({ length: 24 }, (_, i) => `export function ${name}${i}(items: number[]): number {\n  return items.length + ${i};\n}`).join("\n");
const file: ContextPiece = { id: "file", kind: "file", label: "steps.ts", detail: "src/steps.ts", languageId: "typescript", text: steps("step") };
const selection: ContextPiece = { id: "selection", kind: "selection", label: "steps.ts:1-3", detail: "src/steps.ts:1-3", languageId: "typescript", text: steps("step").split("\n").slice(0, 3).join("\n") };
const other: ContextPiece = { id: "other", kind: "attached", label: "jumps.ts", detail: "src/jumps.ts", languageId: "typescript", text: steps("jump") };
const QUESTION = "What do these functions return, and which one returns the most?";
// Enter evaluates the question and the chat template's tail: fewer tokens than the question has characters.

describe("chat prefill (scripted model, engine process)", function () {
  this.timeout(120_000);
  let model: string;
  let dir: string;
  const clients: EngineClient[] = [];
  const sessions: ChatSession[] = [];

  /** A session on a fresh engine with the model loaded, so nothing is cached from another test. */
  const open = async (): Promise<{ session: ChatSession; engine: RecordingEngine }> => {
    const client = createClient();
    clients.push(client);
    await client.configure(testSettings(model, { contextSize: BUDGET.windowTokens }));
    await client.load();
    const engine = new RecordingEngine(client);
    const session = new ChatSession({ engine, store: new ConversationStore(join(dir, String(sessions.length)), new MemoryLogger(), 20), logger: new MemoryLogger() });
    sessions.push(session);
    await session.init();
    return { session, engine };
  };

  before(async () => (model = await ensureTestModel("scripted")));
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), "hearth-chat-prefill-"))));
  afterEach(async () => {
    await Promise.all(sessions.splice(0).map((s) => s.dispose()));
    await Promise.all(clients.splice(0).map((c) => c.dispose()));
    rmSync(dir, { recursive: true, force: true });
  });

  it("answers with the same text after a prefill, having evaluated only what the prefill could not know", async () => {
    const cold = await open();
    await cold.session.send(QUESTION, [file, selection], BUDGET);
    const warm = await open();
    const prefill = await warm.session.prefill([file, selection], BUDGET);
    await warm.session.send(QUESTION, [file, selection], BUDGET);

    const without = cold.engine.answers[0]!;
    const withPrefill = warm.engine.answers[0]!;
    assert.equal(without.result.text, DEFAULT_SCRIPT.chat);
    assert.equal(withPrefill.result.text, DEFAULT_SCRIPT.chat);
    assert.deepEqual(withPrefill.params, without.params, "the prefill does not change what is asked");
    assert.ok(prefill, "the model was ready, so the prefill ran");
    assert.equal(prefill.evaluatedTokens, prefill.prefixTokens);
    assert.ok(prefill.prefixTokens > 500, `the prefill evaluated the file and the selection (${prefill.prefixTokens} tokens)`);
    // The prefilled tokens are exactly the front of the final prompt: Enter evaluated the rest and nothing again.
    assert.equal(withPrefill.result.promptTokens, without.result.promptTokens - prefill.prefixTokens);
    assert.ok(withPrefill.result.promptTokens < QUESTION.length, `Enter evaluated ${withPrefill.result.promptTokens} tokens: the question and the template's tail`);
  });

  it("prefills a follow-up from the previous answer's cache, so neither evaluates the earlier turn again", async () => {
    const { session, engine } = await open();
    await session.send(QUESTION, [file], BUDGET);
    const first = engine.answers[0]!.result;
    const prefill = await session.prefill([file, other], BUDGET);
    await session.send("And in jumps.ts?", [file, other], BUDGET);
    const followUp = engine.answers[1]!.result;

    assert.equal(followUp.text, DEFAULT_SCRIPT.chat);
    assert.ok(prefill, "the prefill ran");
    assert.ok(prefill.cachedTokens >= first.promptTokens, `the first question's ${first.promptTokens} tokens came from the cache (${prefill.cachedTokens} cached)`);
    assert.ok(prefill.evaluatedTokens < prefill.prefixTokens - first.promptTokens + 16, `the prefill evaluated ${prefill.evaluatedTokens}: the answer's seam and the new file`);
    assert.ok(followUp.promptTokens < 30, `Enter evaluated ${followUp.promptTokens} tokens: the question and the template's tail`);
  });

  it("stops a prefill when the chips change and prefills the prompt with the new chips instead", async () => {
    const { session, engine } = await open();
    const stale = session.prefill([file], BUDGET);
    const current = session.prefill([file, other], BUDGET);
    assert.equal(await stale, null, "the prefill for the old chips was stopped");
    const prefill = await current;
    assert.ok(prefill, "the prefill for the new chips ran");
    assert.equal(prefill.evaluatedTokens, prefill.prefixTokens);
    await session.send(QUESTION, [file, other], BUDGET);
    const answer = engine.answers[0]!.result;
    assert.equal(answer.text, DEFAULT_SCRIPT.chat);
    assert.ok(answer.promptTokens < QUESTION.length, `Enter evaluated ${answer.promptTokens} tokens: what the new chips' prefill left`);
  });

  it("prefills the same prompt once while it runs, and again from the cache once it ended", async () => {
    const { session } = await open();
    const first = session.prefill([file], BUDGET);
    assert.equal(session.prefill([file], BUDGET), first, "a second call for the same prompt joins the running prefill");
    const done = await first;
    const again = await session.prefill([file], BUDGET);
    assert.ok(done && again);
    assert.equal(again.evaluatedTokens, 0);
    assert.equal(again.cachedTokens, done.prefixTokens);
  });
  it("reports through onDidEvaluate the prefill that ran and the prompt tokens the answer evaluated after it", async () => {
    const { session, engine } = await open();
    const seen: ChatEvaluation[] = [];
    const listener = session.onDidEvaluate((evaluation) => seen.push(evaluation));
    const prefill = await session.prefill([file], BUDGET);
    await session.send(QUESTION, [file], BUDGET);
    listener.dispose();
    const answer = session.conversation.entries.at(-1)!;
    assert.ok(prefill);
    assert.deepEqual(seen, [
      { kind: "prefill", prefill },
      { kind: "answer", entryId: answer.id, promptTokens: engine.answers[0]!.result.promptTokens },
    ]);
  });
});
