import { strict as assert } from "node:assert";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ChatSession, type ChatEngine } from "../../../src/chat/chat-session";
import { ConversationStore } from "../../../src/chat/conversation-store";
import type { ContextPiece } from "../../../src/chat/prompt";
import { AbortedError } from "../../../src/common/abort";
import { EngineError, type ChatParams, type GenerationResult } from "../../../src/engine/protocol";
import { MemoryLogger } from "../helpers/engine";

const BUDGET = { windowTokens: 4000, limitTokens: 3000, maxAnswerTokens: 512 };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Streams `chunks` one per `delayMs`, answers aborts as EngineClient does, or fails after `failAfter` chunks. */
class FakeEngine implements ChatEngine {
  readonly calls: ChatParams[] = [];
  constructor(
    private chunks: string[],
    private readonly delayMs = 1,
    private readonly failAfter?: { chunks: number; error: Error },
  ) {}

  setChunks(chunks: string[]): void {
    this.chunks = chunks;
  }

  async chat(params: ChatParams, options: { signal?: AbortSignal; onChunk?: (text: string) => void }): Promise<GenerationResult> {
    this.calls.push(structuredClone(params));
    let text = "";
    for (const [i, chunk] of this.chunks.entries()) {
      if (this.failAfter && i === this.failAfter.chunks) throw this.failAfter.error;
      await sleep(this.delayMs);
      if (options.signal?.aborted) throw new AbortedError();
      text += chunk;
      options.onChunk?.(chunk);
    }
    return { text, stopReason: "end-token", promptTokens: 10, generatedTokens: this.chunks.length, timings: { queuedMs: 0, firstChunkMs: 1, totalMs: 2 } };
  }
}

const file: ContextPiece = { id: "file", kind: "file", label: "math.ts", detail: "src/math.ts", languageId: "typescript", text: "export const x = 1;" };

describe("chat session", () => {
  let dir: string;
  const sessions: ChatSession[] = [];
  const open = async (engine: ChatEngine, count?: (text: string) => number) => {
    const session = new ChatSession({ engine, store: new ConversationStore(dir, new MemoryLogger(), 20), logger: new MemoryLogger(), system: "SYS", ...(count ? { count } : {}) });
    sessions.push(session);
    await session.init();
    return session;
  };
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), "hearth-chat-session-"))));
  afterEach(async () => {
    await Promise.all(sessions.splice(0).map((s) => s.dispose()));
    rmSync(dir, { recursive: true, force: true });
  });

  it("streams an answer into the conversation and sends system, context and question to the engine", async () => {
    const engine = new FakeEngine(["Hello", ", ", "world"]);
    const session = await open(engine);
    const appended: string[] = [];
    session.onDidAppend(({ text }) => appended.push(text));
    await session.send("Say hello", [file], BUDGET);
    assert.deepEqual(appended, ["Hello", ", ", "world"]);
    const [user, answer] = session.conversation.entries;
    assert.equal(user!.content, "Say hello");
    assert.deepEqual(user!.context, ["math.ts"]);
    assert.equal(answer!.content, "Hello, world");
    assert.equal(answer!.status, "done");
    assert.equal(session.conversation.title, "Say hello");
    const sent = engine.calls[0]!;
    assert.equal(sent.messages[0]!.content, "SYS");
    assert.match(sent.messages[1]!.content, /File src\/math\.ts:\n```typescript\nexport const x = 1;\n```\n\nSay hello$/);
    assert.ok(sent.maxTokens > 512 && sent.maxTokens < 4000, `an answer may use the room the prompt left: ${sent.maxTokens}`);
  });

  it("weighs the context with the counter it is given (the chat model's tokenizer), so a piece that fits by estimate may not", async () => {
    const piece: ContextPiece = { id: "file", kind: "file", label: "big.ts", detail: "src/big.ts", languageId: "typescript", text: "const x = 1;\n".repeat(100) };
    const byEstimate = (await open(new FakeEngine([]))).preview([piece], { ...BUDGET, limitTokens: 800 });
    assert.equal(byEstimate.pieces[0]?.sentTokens, byEstimate.pieces[0]?.tokens, "fits by the estimate");
    const perCharacter = (await open(new FakeEngine([]), (text) => text.length)).preview([piece], { ...BUDGET, limitTokens: 800 });
    assert.ok(perCharacter.pieces[0]!.tokens >= 1300, `counted ${perCharacter.pieces[0]!.tokens} tokens with one per character`);
    assert.ok(perCharacter.pieces[0]!.sentTokens < perCharacter.pieces[0]!.tokens, "cut to fit");
    const engine = new FakeEngine(["ok"]);
    await (await open(engine, (text) => text.length)).send("Why?", [piece], { ...BUDGET, limitTokens: 800 });
    const sent = engine.calls[0]!.messages.at(-1)!.content;
    assert.ok(sent.length < piece.text.length, "the question went with the file cut as the counter weighed it");
  });

  it("stops mid-answer and keeps what was written", async () => {
    const engine = new FakeEngine(Array.from({ length: 200 }, (_, i) => `${i} `), 5);
    const session = await open(engine);
    let chunks = 0;
    session.onDidAppend(() => {
      if (++chunks === 3) void session.stop();
    });
    await session.send("count", [], BUDGET);
    const answer = session.conversation.entries[1]!;
    assert.equal(answer.status, "stopped");
    assert.equal(answer.note, "Stopped.");
    assert.equal(answer.content, "0 1 2 ");
    assert.equal(session.streamingId, null);
  });

  it("keeps the partial answer and says what happened when the engine crashes mid-answer", async () => {
    const crash = new EngineError({ code: "engine-crashed", message: "The engine process stopped unexpectedly (signal SIGKILL)." });
    const session = await open(new FakeEngine(["partial ", "answer ", "never"], 1, { chunks: 2, error: crash }));
    const changed: string[] = [];
    session.onDidChangeEntry((e) => changed.push(e.status));
    await session.send("q", [], BUDGET);
    const answer = session.conversation.entries[1]!;
    assert.equal(answer.status, "error");
    assert.equal(answer.content, "partial answer ");
    assert.match(answer.note!, /engine stopped while answering.*kept; Regenerate/);
    assert.deepEqual(changed, ["error"]);
  });

  it("regenerates the last answer with the context the question was first sent with", async () => {
    const engine = new FakeEngine(["first"]);
    const session = await open(engine);
    await session.send("q", [file], BUDGET);
    engine.setChunks(["second"]);
    await session.regenerate(BUDGET);
    assert.deepEqual(session.conversation.entries.map((e) => e.content), ["q", "second"]);
    assert.equal(engine.calls[1]!.messages.at(-1)!.content, engine.calls[0]!.messages.at(-1)!.content);
  });

  it("asks a follow-up with the earlier turns exactly as they were sent, so they are a prefix the engine has cached", async () => {
    const engine = new FakeEngine(["first answer"]);
    const session = await open(engine);
    await session.send("q1", [file], BUDGET);
    engine.setChunks(["second answer"]);
    await session.send("q2", [file], BUDGET);
    const [first, followUp] = engine.calls;
    assert.deepEqual(followUp!.messages.slice(0, first!.messages.length), first!.messages);
    assert.deepEqual(followUp!.messages.slice(first!.messages.length), [
      { role: "assistant", content: "first answer" },
      { role: "user", content: "q2" },
    ]);
    assert.deepEqual(session.conversation.entries[2]!.context, ["math.ts"], "the chip is still shown with the follow-up");
  });

  it("edits a question: drops it and everything after it, and asks again", async () => {
    const engine = new FakeEngine(["a"]);
    const session = await open(engine);
    await session.send("one", [], BUDGET);
    await session.send("two", [], BUDGET);
    const first = session.conversation.entries[0]!;
    await session.edit(first.id, "uno", [], BUDGET);
    assert.deepEqual(session.conversation.entries.map((e) => e.content), ["uno", "a"]);
    assert.equal(engine.calls[2]!.messages.length, 2, "no history before the edited question");
    assert.equal(session.conversation.title, "uno");
  });

  it("survives a restart: a new session on the same folder opens the latest conversation", async () => {
    const session = await open(new FakeEngine(["persisted answer"]));
    await session.send("remember me", [], BUDGET);
    await session.dispose();
    const again = await open(new FakeEngine([]));
    assert.deepEqual(again.conversation.entries.map((e) => e.content), ["remember me", "persisted answer"]);
    assert.equal(again.history()[0]!.title, "remember me");
  });

  it("creates, lists, switches, exports and deletes conversations", async () => {
    const session = await open(new FakeEngine(["ok"]));
    await session.send("first conversation", [], BUDGET);
    const firstId = session.conversation.id;
    await session.newConversation();
    assert.notEqual(session.conversation.id, firstId);
    assert.equal(session.conversation.entries.length, 0);
    await session.send("second conversation", [], BUDGET);
    assert.deepEqual(session.history().map((h) => h.title).sort(), ["first conversation", "second conversation"]);
    assert.equal(await session.switchTo(firstId), true);
    assert.equal(session.conversation.entries[0]!.content, "first conversation");
    assert.match((await session.exportMarkdown())!, /^# first conversation\n[\s\S]*## You\n\nfirst conversation\n\n## Hearth\n\nok\n$/);
    await session.delete(firstId);
    assert.deepEqual(session.history().map((h) => h.title).sort(), ["New conversation", "second conversation"]);
    assert.equal(await session.switchTo("c-missing"), false);
  });

  it("a new question while an answer streams stops the old answer first", async () => {
    const engine = new FakeEngine(Array.from({ length: 100 }, () => "x"), 5);
    const session = await open(engine);
    const first = session.send("slow", [], BUDGET);
    await sleep(30);
    engine.setChunks(["fast"]);
    await session.send("next", [], BUDGET);
    await first;
    const statuses = session.conversation.entries.map((e) => `${e.role}:${e.status}`);
    assert.deepEqual(statuses, ["user:done", "assistant:stopped", "user:done", "assistant:done"]);
  });
});
