// Issue 12, defect 4: whatever happens to the engine while it answers (stopped, killed, restarted by the user), the
// chat keeps what was written, marks the answer with a visible error, saves it, and the next question is answered.
import { strict as assert } from "node:assert";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ChatSession } from "../../../src/chat/chat-session";
import { ConversationStore } from "../../../src/chat/conversation-store";
import { EngineClient } from "../../../src/engine/client";
import { ensureTestModel } from "../../fixtures/models/test-models";
import { MemoryLogger, WORKER_PATH, testSettings } from "../helpers/engine";

const BUDGET = { windowTokens: 2048, limitTokens: 1024, maxAnswerTokens: 1000 };

describe("chat session over a failing engine", function () {
  this.timeout(90_000);
  let dir: string;
  let engine: EngineClient;
  let session: ChatSession;
  let store: ConversationStore;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), "hearth-chat-faults-"));
    engine = new EngineClient({
      workerPath: WORKER_PATH,
      logger: new MemoryLogger(),
      restartBackoffMs: [20],
      supervision: { heartbeatIntervalMs: 200, unresponsiveMs: 2500 },
    });
    await engine.configure(testSettings(await ensureTestModel("tiny"), { contextSize: 2048 }));
    await engine.load();
    store = new ConversationStore(dir, new MemoryLogger(), 20);
    session = new ChatSession({ engine, store, logger: new MemoryLogger(), system: "SYS" });
    await session.init();
  });
  afterEach(async () => {
    await session.dispose();
    await engine.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Sends `question`, and does `fault` to the engine once `after` chunks have been written into the answer. */
  async function askWithFault(question: string, after: number, fault: (pid: number) => void | Promise<void>): Promise<void> {
    let chunks = 0;
    const sub = session.onDidAppend(() => {
      if (++chunks === after && engine.pid) void fault(engine.pid);
    });
    try {
      await session.send(question, [], BUDGET);
    } finally {
      sub.dispose();
    }
  }

  for (const [what, fault, says] of [
    ["stops responding", (pid: number) => void process.kill(pid, "SIGSTOP"), /^The engine stopped responding while answering, so Hearth restarted it\. What it wrote so far is kept; Regenerate to try again\.$/],
    ["is killed", (pid: number) => void process.kill(pid, "SIGKILL"), /engine stopped while answering\. What it wrote so far is kept/],
  ] as const) {
    it(`keeps the partial answer with a visible error when the engine ${what} mid-answer, and answers the next question`, async () => {
      await askWithFault("Tell me a long story", 5, fault);
      const answer = session.conversation.entries[1]!;
      assert.equal(answer.status, "error");
      assert.ok(answer.content.length > 0, "what was written is kept");
      assert.match(answer.note ?? "", says);
      const saved = await new ConversationStore(dir, new MemoryLogger(), 20).load(session.conversation.id).catch(() => undefined);
      assert.equal(saved?.entries[1]?.content, answer.content, "the partial answer is on disk");
      await session.send("And now?", [], { ...BUDGET, maxAnswerTokens: 8 });
      assert.equal(session.conversation.entries[3]?.status, "done");
      assert.equal(session.conversation.entries[1]?.content, answer.content, "the earlier partial answer is still there");
    });
  }

  it("keeps the partial answer when the user restarts the engine mid-answer", async () => {
    await askWithFault("Tell me a long story", 5, () => engine.restart());
    const answer = session.conversation.entries[1]!;
    assert.ok(answer.content.length > 0);
    assert.equal(answer.status, "stopped");
  });
});
