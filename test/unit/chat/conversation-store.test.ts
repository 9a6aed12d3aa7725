import { strict as assert } from "node:assert";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createConversation, reviveConversation, titleFrom, type Conversation } from "../../../src/chat/conversation";
import { ConversationStore } from "../../../src/chat/conversation-store";
import { MemoryLogger } from "../helpers/engine";

function conversationWith(n: number): Conversation {
  const c = createConversation();
  c.title = `conversation with ${n}`;
  for (let i = 0; i < n; i++) c.entries.push({ id: `e-${i}`, role: i % 2 ? "assistant" : "user", content: `message ${i}`, status: "done", createdAt: i });
  return c;
}

describe("chat conversation store", () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), "hearth-chat-store-"))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("saves, lists newest first, loads and deletes; a new store on the same folder sees the same", async () => {
    const store = new ConversationStore(dir, new MemoryLogger());
    await store.init();
    const a = conversationWith(2);
    a.updatedAt = 1000;
    const b = conversationWith(300);
    b.updatedAt = 2000;
    await store.save(a, true);
    await store.save(b, true);
    assert.deepEqual(store.list().map((s) => s.id), [b.id, a.id]);

    const reopened = new ConversationStore(dir, new MemoryLogger());
    await reopened.init();
    assert.deepEqual(reopened.list().map((s) => [s.id, s.messages]), [[b.id, 300], [a.id, 2]]);
    assert.deepEqual(await reopened.load(b.id), b);

    await reopened.delete(a.id);
    const third = new ConversationStore(dir, new MemoryLogger());
    await third.init();
    assert.deepEqual(third.list().map((s) => s.id), [b.id]);
    assert.equal(await third.load(a.id), undefined);
  });

  it("debounces writes while an answer streams and writes them on flush", async () => {
    const store = new ConversationStore(dir, new MemoryLogger(), 60_000);
    await store.init();
    const c = conversationWith(1);
    await store.save(c);
    assert.throws(() => readFileSync(join(dir, `${c.id}.json`)), /ENOENT/);
    c.entries.push({ id: "e-x", role: "assistant", content: "partial", status: "streaming", createdAt: 0 });
    await store.save(c);
    await store.flush();
    const onDisk = JSON.parse(readFileSync(join(dir, `${c.id}.json`), "utf8")) as Conversation;
    assert.equal(onDisk.entries[1]!.content, "partial");
  });

  it("rebuilds a missing or corrupt index from the conversation files", async () => {
    const store = new ConversationStore(dir, new MemoryLogger());
    await store.init();
    const c = conversationWith(4);
    await store.save(c, true);
    writeFileSync(join(dir, "index.json"), "{ not json");
    const logger = new MemoryLogger();
    const reopened = new ConversationStore(dir, logger);
    await reopened.init();
    assert.deepEqual(reopened.list().map((s) => s.id), [c.id]);
    assert.ok(logger.lines.some((l) => /index unreadable/.test(l)));
  });

  it("skips a corrupt conversation file without failing the others", async () => {
    const store = new ConversationStore(dir, new MemoryLogger());
    await store.init();
    const good = conversationWith(2);
    await store.save(good, true);
    writeFileSync(join(dir, "c-broken.json"), "garbage");
    rmSync(join(dir, "index.json"));
    const reopened = new ConversationStore(dir, new MemoryLogger());
    await reopened.init();
    assert.deepEqual(reopened.list().map((s) => s.id), [good.id]);
    assert.equal(await reopened.load("c-broken"), undefined);
    assert.equal(await reopened.load("../../etc/passwd"), undefined);
  });

  it("revives an answer that was streaming when the window closed as interrupted, keeping its text", () => {
    const c = conversationWith(1);
    c.entries.push({ id: "e-s", role: "assistant", content: "half an answer", status: "streaming", createdAt: 0 });
    const revived = reviveConversation(JSON.parse(JSON.stringify(c)))!;
    assert.equal(revived.entries[1]!.status, "stopped");
    assert.equal(revived.entries[1]!.content, "half an answer");
    assert.match(revived.entries[1]!.note!, /Interrupted/);
    assert.equal(reviveConversation({ nope: true }), null);
    assert.equal(reviveConversation({ id: "c", entries: [{ id: 1 }, { id: "e", role: "robot", content: "" }] })!.entries.length, 0);
  });

  it("titles a conversation by the first line of its first question", () => {
    assert.equal(titleFrom("  How do I add?\nmore"), "How do I add?");
    assert.equal(titleFrom(""), "New conversation");
    assert.equal(titleFrom("x".repeat(100)).length, 60);
  });
});
