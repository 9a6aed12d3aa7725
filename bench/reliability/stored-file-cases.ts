// Files Hearth itself wrote, found changed on disk: the chat history's conversation files and their index replaced by
// what another program, a sync tool or a crash leaves (a named pipe, a link to an endless device, a huge file, a folder,
// a file cut short, bytes that are not JSON). Each case opens the real ConversationStore on a temp folder that also
// holds one sound conversation:
// - accepted: the history opens with the sound conversation, the bad file left out (and untouched), and a save works;
// - hung: the history did not open in time (a read waiting on a pipe, or reading without end);
// - unsafe: the sound conversation was lost, or the bad file was listed; crashed: a throw where it should have opened.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MAX_CONVERSATION_FILE_BYTES } from "../../src/chat/atomic-file";
import { createConversation, type Conversation } from "../../src/chat/conversation";
import { ConversationStore } from "../../src/chat/conversation-store";
import { MemoryLogger } from "../../src/common/logger";
import type { CaseVerdict } from "./case-pool";
import { describeError } from "./outcomes";

interface StoredCase {
  name: string;
  /** Puts the bad thing at `path` (a conversation file's, or the index's). */
  make(path: string): void;
  /** The index file is the one replaced, not a conversation's. */
  index?: boolean;
}

const CASES: StoredCase[] = [
  { name: "a conversation file that is a named pipe", make: (path) => execFileSync("mkfifo", [path]) },
  { name: "a conversation file linked to /dev/zero", make: (path) => symlinkSync("/dev/zero", path) },
  { name: "a conversation file linked to /dev/urandom", make: (path) => symlinkSync("/dev/urandom", path) },
  {
    name: "a conversation file one byte over the size limit",
    make: (path) => {
      writeFileSync(path, "");
      truncateSync(path, MAX_CONVERSATION_FILE_BYTES + 1);
    },
  },
  { name: "a conversation file that is a folder", make: (path) => mkdirSync(path) },
  { name: "a conversation file cut short mid-JSON", make: (path) => writeFileSync(path, JSON.stringify(conversation(40)).slice(0, 1234)) },
  { name: "a conversation file of binary bytes", make: (path) => writeFileSync(path, Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 131) % 256))) },
  { name: "a conversation file linked to a missing target", make: (path) => symlinkSync("/nonexistent/hearth/conversation.json", path) },
  { name: "an index that is a named pipe", make: (path) => execFileSync("mkfifo", [path]), index: true },
  { name: "an index linked to /dev/zero", make: (path) => symlinkSync("/dev/zero", path), index: true },
  { name: "an index of binary bytes", make: (path) => writeFileSync(path, Buffer.from([0xff, 0x00, 0xfe, 0x7b])), index: true },
];

export const STORED_FILE_CORPUS = CASES.map((c, index) => ({ index, name: c.name }));

function conversation(n: number): Conversation {
  const c = createConversation();
  c.title = `a sound conversation of ${n}`;
  for (let i = 0; i < n; i++) c.entries.push({ id: `e-${i}`, role: i % 2 ? "assistant" : "user", content: `message ${i}`, status: "done", createdAt: i });
  return c;
}

export function openCases(): Promise<(index: number) => Promise<CaseVerdict>> {
  return Promise.resolve(async (index: number) => {
    const spec = CASES[index];
    if (!spec) throw new Error(`no stored-file case ${index}`);
    if (process.platform === "win32") return { outcome: "accepted", detail: "skipped: no pipes or /dev here" };
    const root = mkdtempSync(join(tmpdir(), "hearth-stored-case-"));
    const dir = join(root, "chat");
    try {
      const first = new ConversationStore(dir, new MemoryLogger(), 0);
      await first.init();
      const sound = conversation(4);
      await first.save(sound, true);
      await first.dispose();
      const bad = createConversation();
      const path = join(dir, spec.index ? "index.json" : `${bad.id}.json`);
      rmSync(path, { force: true });
      spec.make(path);
      const logger = new MemoryLogger();
      const store = new ConversationStore(dir, logger, 0);
      try {
        await store.init();
        const listed = store.list().map((s) => s.id);
        if (!listed.includes(sound.id)) return { outcome: "unsafe", detail: `the sound conversation is gone from the list (${listed.join(", ")})` };
        if (listed.includes(bad.id)) return { outcome: "unsafe", detail: "the bad file is listed as a conversation" };
        if (!spec.index && (await store.load(bad.id)) !== undefined) return { outcome: "unsafe", detail: "the bad file loaded as a conversation" };
        if ((await store.load(sound.id))?.entries.length !== 4) return { outcome: "unsafe", detail: "the sound conversation does not load whole" };
        const next = conversation(2);
        await store.save(next, true);
        if (store.saveProblem) return { outcome: "unsafe", detail: `saving failed: ${store.saveProblem.message}` };
        return { outcome: "accepted", detail: `opened with ${listed.length} conversation(s); ${logger.lines.find((l) => l.includes(spec.index ? "index" : bad.id)) ?? "nothing logged"}` };
      } finally {
        await store.dispose();
      }
    } catch (error) {
      return { outcome: "crashed", detail: `threw: ${describeError(error)}` };
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
}
