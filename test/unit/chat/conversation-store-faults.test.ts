import { strict as assert } from "node:assert";
import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { open } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createConversation, type Conversation } from "../../../src/chat/conversation";
import { ConversationStore } from "../../../src/chat/conversation-store";
import { nodeStoreFs, type SaveProblem, type StoreFs } from "../../../src/chat/atomic-file";
import { MemoryLogger } from "../helpers/engine";

function conversationWith(n: number): Conversation {
  const c = createConversation();
  c.title = `conversation with ${n}`;
  for (let i = 0; i < n; i++) c.entries.push({ id: `e-${i}`, role: i % 2 ? "assistant" : "user", content: `message ${i}`, status: "done", createdAt: i });
  return c;
}

function errno(code: string, syscall: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: simulated, ${syscall}`), { code, syscall });
}

/**
 * The real file system, except that while `full` is set a write puts half its bytes on disk and then fails with
 * ENOSPC, as a real write does when the disk fills up in the middle of it.
 */
function diskThatFills(): { fs: StoreFs; full: boolean } {
  const state = { full: false, fs: nodeStoreFs };
  state.fs = {
    ...nodeStoreFs,
    open: async (path, flags) => {
      const handle = await nodeStoreFs.open(path, flags);
      return {
        writeFile: async (text: string) => {
          if (!state.full) return handle.writeFile(text);
          await handle.writeFile(text.slice(0, Math.floor(text.length / 2)));
          throw errno("ENOSPC", "write");
        },
        sync: () => handle.sync(),
        close: () => handle.close(),
      };
    },
  };
  return state;
}

/** Conversation files and temporary files in the folder, by name. */
function filesIn(dir: string): string[] {
  return readdirSync(dir).sort();
}

function readConversation(dir: string, id: string): Conversation {
  return JSON.parse(readFileSync(join(dir, `${id}.json`), "utf8")) as Conversation;
}

/** Runs a command, returning false when this machine does not allow it (not root, no mount in a container). */
function tryRun(command: string, args: string[]): boolean {
  try {
    execFileSync(command, args, { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

describe("chat conversation store on a failing disk", () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), "hearth-chat-faults-"))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("keeps the conversation in memory, says so once, damages nothing and saves it when space returns", async () => {
    const disk = diskThatFills();
    const logger = new MemoryLogger();
    const store = new ConversationStore(dir, logger, 10, { fs: disk.fs, retryMs: 60_000 });
    const problems: (SaveProblem | undefined)[] = [];
    store.onDidChangeSaveProblem((p) => problems.push(p));
    await store.init();
    const c = conversationWith(2);
    await store.save(c, true);
    const before = readFileSync(join(dir, `${c.id}.json`), "utf8");
    const indexBefore = readFileSync(join(dir, "index.json"), "utf8");

    disk.full = true;
    for (let i = 0; i < 20; i++) {
      c.entries.push({ id: `e-k${i}`, role: "user", content: `keystroke ${i}`, status: "done", createdAt: i });
      await store.save(c, i % 5 === 0);
    }
    await store.flush();

    assert.equal(problems.length, 1, "one message, not one per save");
    assert.equal(problems[0]!.code, "ENOSPC");
    assert.match(problems[0]!.message, /disk is full/);
    assert.match(problems[0]!.message, /stay open in this window/);
    assert.equal(readFileSync(join(dir, `${c.id}.json`), "utf8"), before, "the file on disk is untouched");
    assert.equal(readFileSync(join(dir, "index.json"), "utf8"), indexBefore, "the index on disk is untouched");
    assert.deepEqual(filesIn(dir), [`${c.id}.json`, "index.json"], "no temporary file is left behind");
    assert.equal((await store.load(c.id))!.entries.length, 22, "the newest version is still in memory");
    assert.equal(logger.lines.filter((l) => l.startsWith("error")).length, 1, logger.lines.join("\n"));

    disk.full = false;
    c.entries.push({ id: "e-after", role: "user", content: "after", status: "done", createdAt: 99 });
    await store.save(c, true);
    assert.equal(readConversation(dir, c.id).entries.length, 23);
    assert.deepEqual(problems.slice(1), [undefined], "and says once that saving works again");
    const reopened = new ConversationStore(dir, new MemoryLogger());
    await reopened.init();
    assert.equal(reopened.list()[0]!.messages, 23);
  });

  it("retries by itself, so a conversation nobody touches again is saved once space returns", async () => {
    const disk = diskThatFills();
    const store = new ConversationStore(dir, new MemoryLogger(), 10, { fs: disk.fs, retryMs: 20 });
    await store.init();
    const saved = new Promise<void>((resolve) => store.onDidChangeSaveProblem((p) => p === undefined && resolve()));
    disk.full = true;
    const c = conversationWith(3);
    await store.save(c, true);
    disk.full = false;
    await saved;
    assert.equal(readConversation(dir, c.id).entries.length, 3);
    store.dispose();
  });

  it("says the folder cannot be written, and opens with the history it can read, when permission is denied", async function () {
    const store = new ConversationStore(dir, new MemoryLogger());
    await store.init();
    const c = conversationWith(2);
    await store.save(c, true);
    chmodSync(dir, 0o500);
    try {
      if (canWrite(dir)) this.skip(); // root: chmod does not bite
      const problems: (SaveProblem | undefined)[] = [];
      const window = new ConversationStore(dir, new MemoryLogger());
      window.onDidChangeSaveProblem((p) => problems.push(p));
      await window.init();
      assert.deepEqual(window.list().map((s) => s.id), [c.id]);
      c.entries.push({ id: "e-2", role: "user", content: "more", status: "done", createdAt: 2 });
      await window.save(c, true);
      await window.save(c, true);
      assert.equal(problems.length, 1);
      assert.match(problems[0]!.code, /EACCES|EPERM/);
      assert.match(problems[0]!.message, /permission/);
      assert.equal((await window.load(c.id))!.entries.length, 3);
      chmodSync(dir, 0o700);
      await window.save(c, true);
      assert.equal(readConversation(dir, c.id).entries.length, 3);
    } finally {
      chmodSync(dir, 0o700);
    }
  });

  it("keeps its list and the index on disk when the folder cannot be listed while saving", async () => {
    let unreadable = false;
    const fs: StoreFs = {
      ...nodeStoreFs,
      readdir: (path) => (unreadable ? Promise.reject(errno("EACCES", "scandir")) : nodeStoreFs.readdir(path)),
    };
    const store = new ConversationStore(dir, new MemoryLogger(), 10, { fs, retryMs: 60_000 });
    const problems: (SaveProblem | undefined)[] = [];
    store.onDidChangeSaveProblem((p) => problems.push(p));
    await store.init();
    const a = conversationWith(1);
    const b = conversationWith(2);
    await store.save(a, true);
    await store.save(b, true);
    const index = readFileSync(join(dir, "index.json"), "utf8");

    unreadable = true;
    b.entries.push({ id: "e-more", role: "user", content: "more", status: "done", createdAt: 5 });
    await store.save(b, true);
    assert.deepEqual(store.list().map((s) => s.id).sort(), [a.id, b.id].sort());
    assert.equal(readFileSync(join(dir, "index.json"), "utf8"), index, "the index is not rewritten from an empty listing");
    assert.equal(problems.length, 1);
    assert.match(problems[0]!.message, /permission denied/);

    unreadable = false;
    await store.save(b, true);
    const reopened = new ConversationStore(dir, new MemoryLogger());
    await reopened.init();
    assert.deepEqual(reopened.list().map((s) => [s.id, s.messages]).sort(), [[a.id, 1], [b.id, 3]].sort());
  });

  it("removes a temporary file it could not remove while the folder refused it, once the folder accepts it again", async () => {
    let readOnly = false;
    const fs: StoreFs = {
      ...nodeStoreFs,
      open: async (path, flags) => {
        const file = await nodeStoreFs.open(path, flags);
        if (!readOnly || flags !== "wx") return file;
        const writeFile = async (text: string) => {
          await file.writeFile(text.slice(0, 10));
          throw errno("EROFS", "write");
        };
        return { ...file, writeFile };
      },
      unlink: (path) => (readOnly ? Promise.reject(errno("EROFS", "unlink")) : nodeStoreFs.unlink(path)),
    };
    const store = new ConversationStore(dir, new MemoryLogger(), 10, { fs, retryMs: 60_000 });
    await store.init();
    const c = conversationWith(1);
    await store.save(c, true);
    readOnly = true;
    c.entries.push({ id: "e-1", role: "assistant", content: "more", status: "done", createdAt: 1 });
    await store.save(c, true);
    assert.equal(filesIn(dir).filter((n) => n.endsWith(".tmp")).length, 1, "the failed write's temporary file could not be removed");
    readOnly = false;
    await store.save(c, true);
    assert.deepEqual(filesIn(dir), [`${c.id}.json`, "index.json"]);
  });

  it("removes the temporary files a window that died mid-write left, and only those", async () => {
    const c = conversationWith(1);
    const dead = spawnSync(process.execPath, ["-e", ""]).pid;
    const abandoned = `${c.id}.json.${dead}.0123456789ab.tmp`;
    const inProgress = `${c.id}.json.${process.ppid}.0123456789ab.tmp`;
    writeFileSync(join(dir, abandoned), "{ half");
    writeFileSync(join(dir, inProgress), "{ half");
    const store = new ConversationStore(dir, new MemoryLogger());
    await store.init();
    assert.deepEqual(filesIn(dir), [inProgress], "a live process's file may be a write in progress");
  });

  it("opens with an empty history, and says why, when its folder cannot be created", async () => {
    const blocker = join(dir, "file");
    writeFileSync(blocker, "not a folder");
    const problems: (SaveProblem | undefined)[] = [];
    const store = new ConversationStore(join(blocker, "chat"), new MemoryLogger());
    store.onDidChangeSaveProblem((p) => problems.push(p));
    await store.init();
    assert.deepEqual(store.list(), []);
    assert.equal(problems.length, 1);
    assert.match(problems[0]!.message, /could not save/);
  });

  describe("on a real, tiny file system (root only; skipped where mounting is not allowed)", () => {
    let mount: string;
    before(function () {
      mount = mkdtempSync(join(tmpdir(), "hearth-chat-tmpfs-"));
      if (!tryRun("mount", ["-t", "tmpfs", "-o", "size=256k", "tmpfs", mount])) {
        rmSync(mount, { recursive: true, force: true });
        this.skip();
      }
    });
    after(() => {
      if (!mount || !existsSync(mount)) return;
      tryRun("umount", [mount]);
      rmSync(mount, { recursive: true, force: true });
    });

    it("survives the disk really filling up, and saves once space is freed", async () => {
      const chat = join(mount, "chat");
      const store = new ConversationStore(chat, new MemoryLogger(), 10, { retryMs: 60_000 });
      const problems: (SaveProblem | undefined)[] = [];
      store.onDidChangeSaveProblem((p) => problems.push(p));
      await store.init();
      const c = conversationWith(2);
      await store.save(c, true);
      const before = readFileSync(join(chat, `${c.id}.json`), "utf8");
      const filler = join(mount, "filler");
      await fillDisk(filler);

      c.entries.push({ id: "e-big", role: "assistant", content: "x".repeat(64 * 1024), status: "done", createdAt: 2 });
      await store.save(c, true);
      assert.equal(problems.length, 1);
      assert.equal(problems[0]!.code, "ENOSPC");
      assert.equal(readFileSync(join(chat, `${c.id}.json`), "utf8"), before);
      assert.deepEqual(filesIn(chat), [`${c.id}.json`, "index.json"]);

      rmSync(filler);
      await store.save(c, true);
      assert.equal(readConversation(chat, c.id).entries.length, 3);
      assert.deepEqual(problems.slice(1), [undefined]);
    });

    it("says the disk is read-only when it is remounted read-only", async function () {
      const chat = join(mount, "chat-ro");
      const store = new ConversationStore(chat, new MemoryLogger());
      const problems: (SaveProblem | undefined)[] = [];
      store.onDidChangeSaveProblem((p) => problems.push(p));
      await store.init();
      const c = conversationWith(1);
      await store.save(c, true);
      if (!tryRun("mount", ["-o", "remount,ro", mount])) this.skip();
      try {
        c.entries.push({ id: "e-1", role: "assistant", content: "more", status: "done", createdAt: 1 });
        await store.save(c, true);
        assert.equal(problems.length, 1);
        assert.equal(problems[0]!.code, "EROFS");
        assert.match(problems[0]!.message, /read-only/);
        assert.equal(readConversation(chat, c.id).entries.length, 1);
      } finally {
        tryRun("mount", ["-o", "remount,rw", mount]);
      }
      await store.save(c, true);
      assert.equal(readConversation(chat, c.id).entries.length, 2);
    });
  });
});

function canWrite(dir: string): boolean {
  try {
    const probe = join(dir, ".probe");
    writeFileSync(probe, "");
    rmSync(probe);
    return true;
  } catch {
    return false;
  }
}

async function fillDisk(path: string): Promise<void> {
  const handle = await open(path, "w");
  try {
    const block = Buffer.alloc(4096, 1);
    for (;;) await handle.write(block);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOSPC") throw error;
  } finally {
    await handle.close();
  }
}
