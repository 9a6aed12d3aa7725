import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import { closeSync, constants, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, symlinkSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { toShownEntry } from "../../../src/chat/chat-types";
import { createConversation, type Conversation } from "../../../src/chat/conversation";
import { MAX_CONVERSATION_FILE_BYTES } from "../../../src/chat/atomic-file";
import { ConversationStore } from "../../../src/chat/conversation-store";
import { parseHostMessage } from "../../../src/webview/protocol";
import { MemoryLogger } from "../helpers/engine";

function conversationWith(n: number, updatedAt = Date.now()): Conversation {
  const c = createConversation();
  c.title = `conversation with ${n}`;
  c.updatedAt = updatedAt;
  for (let i = 0; i < n; i++) c.entries.push({ id: `e-${i}`, role: i % 2 ? "assistant" : "user", content: `message ${i}`, status: "done", createdAt: i });
  return c;
}

/** What the view does with a conversation the host posts: null means it would show nothing. */
function asTheViewSeesIt(c: Conversation) {
  return parseHostMessage({ type: "conversation", conversation: { id: c.id, title: c.title, entries: c.entries.map(toShownEntry), streamingId: null } });
}

async function openStore(dir: string, logger = new MemoryLogger()): Promise<ConversationStore> {
  const store = new ConversationStore(dir, logger);
  await store.init();
  return store;
}

describe("chat conversation store, given files it did not write", () => {
  let root: string;
  let dir: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), "hearth-chat-trust-"));
    // Two levels down, so that "../../x" from the storage folder still lands inside this test's own temp folder.
    dir = join(root, "storage", "chat");
    mkdirSync(dir, { recursive: true });
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  describe("ids", () => {
    it("never writes outside its folder when a conversation file's inner id is a path", async () => {
      const fileId = createConversation().id;
      writeFileSync(join(dir, `${fileId}.json`), JSON.stringify({ ...conversationWith(2), id: "../../x" }));
      const logger = new MemoryLogger();
      const store = await openStore(dir, logger);
      const loaded = await store.load(fileId);
      assert.ok(loaded, "the conversation is still readable");
      loaded.entries.push({ id: "e-new", role: "user", content: "and now?", status: "done", createdAt: 9 });
      await store.save(loaded, true);

      assert.equal(existsSync(join(root, "x.json")), false, "nothing is written where the inner id points");
      assert.deepEqual(readdirSync(root), ["storage"]);
      assert.equal(loaded.id, fileId, "the file name is the conversation's id");
      const onDisk = JSON.parse(readFileSync(join(dir, `${fileId}.json`), "utf8")) as Conversation;
      assert.equal(onDisk.id, fileId);
      assert.equal(onDisk.entries.length, 3);
      assert.ok(logger.lines.some((l) => l.startsWith("warn") && l.includes("../../x") && l.includes(fileId)), logger.lines.join("\n"));
    });

    it("lists a conversation under its file name, not under the id written inside it", async () => {
      const fileId = createConversation().id;
      writeFileSync(join(dir, `${fileId}.json`), JSON.stringify({ ...conversationWith(1), id: "c-someone-else" }));
      const store = await openStore(dir);
      assert.deepEqual(store.list().map((s) => s.id), [fileId]);
    });

    it("refuses to write a conversation whose id is not one it generates, with a clear error", async () => {
      const logger = new MemoryLogger();
      const store = await openStore(dir, logger);
      await store.save({ ...conversationWith(1), id: "../../x" }, true);
      assert.equal(existsSync(join(root, "x.json")), false);
      assert.deepEqual(readdirSync(root), ["storage"]);
      assert.ok(logger.lines.some((l) => /not a conversation id/.test(l)), logger.lines.join("\n"));
    });

    it("skips files whose names are not conversation ids", async () => {
      writeFileSync(join(dir, "notes.json"), JSON.stringify(conversationWith(1)));
      writeFileSync(join(dir, "c-1 2.json"), JSON.stringify(conversationWith(1)));
      const store = await openStore(dir);
      assert.deepEqual(store.list(), []);
    });
  });

  describe("two windows on one workspace", () => {
    it("keeps the conversation another window saved when it writes its own", async () => {
      const first = await openStore(dir);
      const second = await openStore(dir);
      const a = conversationWith(2, 1000);
      const b = conversationWith(4, 2000);
      await first.save(a, true);
      await second.save(b, true);

      const reopened = await openStore(dir);
      assert.deepEqual(reopened.list().map((s) => s.id), [b.id, a.id]);
      const index = JSON.parse(readFileSync(join(dir, "index.json"), "utf8")) as { id: string }[];
      assert.deepEqual(index.map((s) => s.id).sort(), [a.id, b.id].sort());
    });

    it("shows the other window's conversations in its own list after its next save", async () => {
      const first = await openStore(dir);
      const second = await openStore(dir);
      const a = conversationWith(2, 1000);
      await first.save(a, true);
      const b = conversationWith(1, 2000);
      await second.save(b, true);
      assert.deepEqual(second.list().map((s) => s.id), [b.id, a.id]);
    });

    it("forgets a conversation the other window deleted", async () => {
      const first = await openStore(dir);
      const a = conversationWith(2, 1000);
      const b = conversationWith(2, 2000);
      await first.save(a, true);
      await first.save(b, true);
      const second = await openStore(dir);
      await first.delete(a.id);
      await second.save({ ...b, updatedAt: 3000 }, true);
      const reopened = await openStore(dir);
      assert.deepEqual(reopened.list().map((s) => s.id), [b.id]);
    });

    it("finds a conversation file the index does not list (its window crashed before writing the index)", async () => {
      const store = await openStore(dir);
      const a = conversationWith(2, 1000);
      await store.save(a, true);
      const orphan = conversationWith(3, 5000);
      writeFileSync(join(dir, `${orphan.id}.json`), JSON.stringify(orphan));
      const reopened = await openStore(dir);
      assert.deepEqual(reopened.list().map((s) => [s.id, s.messages]), [[orphan.id, 3], [a.id, 2]]);
    });
  });

  describe("files that are not conversation files", () => {
    // A pipe or a device where Hearth wrote a conversation (another program's doing, or a link a sync tool made):
    // reading it whole waited for a writer for ever (a pipe), or read until memory ran out (/dev/zero: ~1 GB and 10 s
    // before V8 refused the string), and the chat's history never opened.
    const fifos: string[] = [];
    afterEach(() => {
      // Unblocks a reader left waiting on a pipe (before the fix), so that the test run can end.
      for (const fifo of fifos.splice(0)) {
        try {
          closeSync(openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK));
        } catch {
          // Nobody reads it.
        }
      }
    });

    it("opens the history it can read when a conversation file is a named pipe, without waiting for a writer", async function () {
      if (process.platform === "win32") this.skip();
      const store = await openStore(dir);
      const a = conversationWith(2, 1000);
      await store.save(a, true);
      const piped = createConversation();
      const fifo = join(dir, `${piped.id}.json`);
      execFileSync("mkfifo", [fifo]);
      fifos.push(fifo);
      const logger = new MemoryLogger();
      const reopened = await openStore(dir, logger);
      assert.deepEqual(reopened.list().map((s) => s.id), [a.id]);
      assert.equal(await reopened.load(piped.id), undefined);
      assert.ok(logger.lines.some((line) => line.includes(piped.id) && /not a regular file/.test(line)), logger.lines.join("\n"));
    });

    it("reads no conversation file past its size limit, such as a link to an endless device", async function () {
      if (process.platform === "win32") this.skip();
      const store = await openStore(dir);
      const a = conversationWith(2, 1000);
      await store.save(a, true);
      const endless = createConversation();
      symlinkSync("/dev/zero", join(dir, `${endless.id}.json`));
      const huge = createConversation();
      writeFileSync(join(dir, `${huge.id}.json`), "");
      truncateSync(join(dir, `${huge.id}.json`), MAX_CONVERSATION_FILE_BYTES + 1);
      const logger = new MemoryLogger();
      const reopened = await openStore(dir, logger);
      assert.deepEqual(reopened.list().map((s) => s.id), [a.id]);
      assert.equal(await reopened.load(endless.id), undefined);
      assert.equal(await reopened.load(huge.id), undefined);
      assert.ok(logger.lines.some((line) => line.includes(huge.id) && /larger than/.test(line)), logger.lines.join("\n"));
    });
  });

  describe("validation with the view's rules", () => {
    it("keeps a conversation visible when one entry is one the view would reject, and logs what it dropped", async () => {
      const c = conversationWith(2);
      const raw = JSON.parse(JSON.stringify(c)) as { entries: unknown[] };
      raw.entries.push(
        { id: "e with spaces", role: "assistant", content: "bad id", status: "done" },
        { id: "x".repeat(500), role: "user", content: "long id", status: "done" },
        { id: "e-ctx", role: "user", content: "bad context", status: "done", context: ["a.ts", 7, null] },
        { id: "e-note", role: "assistant", content: "bad note", status: "error", note: { html: "<img>" } },
        { id: "e-role", role: "system", content: "no such role", status: "done" },
        { id: "e-content", role: "user", content: 42, status: "done" },
        "not an entry",
      );
      writeFileSync(join(dir, `${c.id}.json`), JSON.stringify(raw));
      const logger = new MemoryLogger();
      const store = await openStore(dir, logger);
      const loaded = await store.load(c.id);
      assert.ok(loaded);
      assert.notEqual(asTheViewSeesIt(loaded), null, "the view accepts the conversation");
      assert.deepEqual(
        loaded.entries.map((e) => e.content),
        ["message 0", "message 1", "bad id", "long id", "bad context", "bad note"],
        "only the entries that cannot be repaired are dropped",
      );
      assert.deepEqual(loaded.entries[4]!.context, ["a.ts"]);
      assert.equal(loaded.entries[5]!.note, undefined);
      assert.equal(new Set(loaded.entries.map((e) => e.id)).size, loaded.entries.length, "entry ids stay unique");
      const warning = logger.lines.find((l) => l.startsWith("warn") && l.includes(c.id));
      assert.ok(warning, logger.lines.join("\n"));
      assert.match(warning, /dropped 3/);
    });

    it("gives a duplicated entry id a new one, since the view finds entries by id", async () => {
      const c = conversationWith(2);
      c.entries[1]!.id = c.entries[0]!.id;
      writeFileSync(join(dir, `${c.id}.json`), JSON.stringify(c));
      const store = await openStore(dir);
      const loaded = (await store.load(c.id))!;
      assert.equal(loaded.entries.length, 2);
      assert.notEqual(loaded.entries[0]!.id, loaded.entries[1]!.id);
    });

    it("lists only index items the view's history accepts, and still finds their conversations", async () => {
      const good = conversationWith(2, 1000);
      const odd = conversationWith(1, 2000);
      const store = await openStore(dir);
      await store.save(good, true);
      await store.save(odd, true);
      const index = JSON.parse(readFileSync(join(dir, "index.json"), "utf8")) as Record<string, unknown>[];
      for (const item of index) if (item.id === odd.id) item.updatedAt = "yesterday";
      index.push({ id: "../../x", title: "t", updatedAt: 1, messages: 1 }, { id: "c-missing", title: 5, updatedAt: 1, messages: -1 });
      writeFileSync(join(dir, "index.json"), JSON.stringify(index));

      const reopened = await openStore(dir);
      const items = reopened.list();
      assert.notEqual(parseHostMessage({ type: "history", items, currentId: good.id }), null, "the view accepts the history");
      assert.deepEqual(items.map((s) => s.id), [odd.id, good.id]);
    });
  });
});
