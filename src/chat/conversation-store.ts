import { mkdir, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Logger } from "../common/logger";
import { reviveConversation, summarize, type Conversation, type ConversationSummary } from "./conversation";

const INDEX = "index.json";
const ID_RE = /^[\w-]{1,100}$/;

/**
 * Conversations on disk, in the extension's storage folder: one JSON file per conversation plus an index of their
 * titles, so the history list opens without reading every file. Writes are atomic (temporary file + rename) and
 * debounced while an answer streams, so a crash of the engine — or of the extension host — loses at most the last
 * `debounceMs` of an answer.
 */
export class ConversationStore {
  private index = new Map<string, ConversationSummary>();
  private readonly dirty = new Map<string, Conversation>();
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    readonly dir: string,
    private readonly logger: Logger,
    private readonly debounceMs = 500,
  ) {}

  /** Reads the index; rebuilds it from the conversation files when it is missing or unreadable. */
  async init(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    try {
      const raw = JSON.parse(await readFile(join(this.dir, INDEX), "utf8")) as unknown;
      if (!Array.isArray(raw)) throw new Error("not a list");
      for (const item of raw as ConversationSummary[]) {
        if (item && typeof item.id === "string" && ID_RE.test(item.id) && typeof item.title === "string") this.index.set(item.id, { ...item });
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") this.logger.warn(`chat history index unreadable, rebuilding it: ${String(error)}`);
      await this.rebuildIndex();
    }
  }

  /** Newest first. */
  list(): ConversationSummary[] {
    return [...this.index.values()].sort((a, b) => b.updatedAt - a.updatedAt);
  }

  has(id: string): boolean {
    return this.index.has(id);
  }

  async load(id: string): Promise<Conversation | undefined> {
    const pending = this.dirty.get(id);
    if (pending) return pending;
    if (!ID_RE.test(id)) return undefined;
    try {
      const conversation = reviveConversation(JSON.parse(await readFile(this.file(id), "utf8")));
      if (!conversation) throw new Error("not a conversation");
      return conversation;
    } catch (error) {
      this.logger.warn(`chat conversation ${id} unreadable: ${String(error)}`);
      return undefined;
    }
  }

  /** Schedules a write; `immediate` writes now (end of an answer, switching conversations). */
  save(conversation: Conversation, immediate = false): Promise<void> {
    this.index.set(conversation.id, summarize(conversation));
    this.dirty.set(conversation.id, conversation);
    if (immediate) return this.flush();
    this.timer ??= setTimeout(() => void this.flush(), this.debounceMs);
    return Promise.resolve();
  }

  async delete(id: string): Promise<void> {
    this.dirty.delete(id);
    this.index.delete(id);
    if (ID_RE.test(id)) await rm(this.file(id), { force: true });
    await this.enqueue(() => this.writeIndex());
  }

  /** Writes everything pending; safe to call at any time (deactivation calls it). */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = [...this.dirty.values()];
    this.dirty.clear();
    if (batch.length === 0) return this.writing;
    return this.enqueue(async () => {
      for (const conversation of batch) await atomicWrite(this.file(conversation.id), JSON.stringify(conversation));
      await this.writeIndex();
    });
  }

  private enqueue(work: () => Promise<void>): Promise<void> {
    const next = this.writing.then(work).catch((error: unknown) => this.logger.error(`saving chat history failed: ${String(error)}`));
    this.writing = next;
    return next;
  }

  private writeIndex(): Promise<void> {
    return atomicWrite(join(this.dir, INDEX), JSON.stringify(this.list()));
  }

  private async rebuildIndex(): Promise<void> {
    this.index.clear();
    for (const name of await readdir(this.dir).catch(() => [] as string[])) {
      const id = name.replace(/\.json$/, "");
      if (name === INDEX || !name.endsWith(".json") || !ID_RE.test(id)) continue;
      const conversation = await this.load(id);
      if (conversation) this.index.set(id, summarize(conversation));
    }
  }

  private file(id: string): string {
    return join(this.dir, `${id}.json`);
  }
}

async function atomicWrite(path: string, text: string): Promise<void> {
  const temp = `${path}.${process.pid}.${Date.now()}.tmp`;
  await writeFile(temp, text, "utf8");
  await rename(temp, path);
}
