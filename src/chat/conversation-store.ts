import { join } from "node:path";
import { Emitter, type Event } from "../common/event";
import type { Logger } from "../common/logger";
import { atomicWrite, describeSaveProblem, isAbandonedTemp, nodeStoreFs, TEMP_SUFFIX, type SaveProblem, type StoreFs } from "./atomic-file";
import { isConversationSummary, type ConversationSummary } from "./chat-types";
import { isConversationId, reviveConversation, summarize, type Conversation, type ReviveReport } from "./conversation";

const INDEX = "index.json";
/** How many of a file's problems one log line names. */
const LOGGED_PROBLEMS = 10;

export interface ConversationStoreOptions {
  /** The file operations (tests make them fail); the real ones by default. */
  fs?: StoreFs;
  /** How long to wait before trying again after a save failed, when nothing else saves first. */
  retryMs?: number;
}

/**
 * Conversations on disk, in the extension's storage folder: one JSON file per conversation, named by its id, plus an
 * index of their titles so the history list opens without reading every file.
 *
 * The files are the truth and the index is a cache of them: another window on the same workspace writes to the same
 * folder, so before the index is written it is merged with what is on disk (a conversation another window saved is
 * never dropped; one it deleted is forgotten). Nothing read is trusted: a file's name is its conversation's id, never
 * the id written inside it, and entries are checked with the view's own rules. Writes are atomic and debounced while
 * an answer streams. When a write fails (disk full, permission denied, read-only disk) the conversation stays in
 * memory, the failure is reported once through onDidChangeSaveProblem, and the write is retried.
 */
export class ConversationStore {
  private index = new Map<string, ConversationSummary>();
  private readonly dirty = new Map<string, Conversation>();
  /** Grows with each save of a conversation: a write only clears `dirty` if no newer save came in meanwhile. */
  private readonly versions = new Map<string, number>();
  private readonly pendingDeletes = new Set<string>();
  /** Files already found unreadable (logged once, not read again at every write of the index). */
  private readonly unreadable = new Set<string>();
  /** Temporary files a failed write could not remove; removed at the next write. */
  private readonly leftovers = new Set<string>();
  private indexStale = false;
  private timer: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();
  private problem: SaveProblem | undefined;
  private disposed = false;
  private readonly fs: StoreFs;
  private readonly retryMs: number;
  private readonly problemEmitter = new Emitter<SaveProblem | undefined>();
  /** A save failed (the problem), or saving works again after a failure (undefined). Fires on changes only. */
  readonly onDidChangeSaveProblem: Event<SaveProblem | undefined> = this.problemEmitter.event;

  constructor(
    readonly dir: string,
    private readonly logger: Logger,
    private readonly debounceMs = 500,
    options: ConversationStoreOptions = {},
  ) {
    this.fs = options.fs ?? nodeStoreFs;
    this.retryMs = options.retryMs ?? 15_000;
  }

  /** Reads the history: the conversation files in the folder, with their summaries from the index where it has them. */
  async init(): Promise<void> {
    try {
      await this.fs.mkdir(this.dir);
    } catch (error) {
      this.fail(error);
    }
    this.index = await this.scan(true);
  }

  /** The current save problem, if saving fails. */
  get saveProblem(): SaveProblem | undefined {
    return this.problem;
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
    if (!isConversationId(id)) return undefined;
    try {
      return (await this.read(id)) ?? undefined;
    } catch (error) {
      this.logger.warn(`chat conversation ${id} unreadable: ${String(error)}`);
      return undefined;
    }
  }

  /** The conversation in its file; null when the file holds none (logged); throws when the file cannot be read. */
  private async read(id: string): Promise<Conversation | null> {
    const text = await this.fs.readFile(this.file(id));
    const report: ReviveReport = { dropped: [], repaired: [] };
    let conversation: Conversation | null = null;
    try {
      conversation = reviveConversation(JSON.parse(text), { id, report });
    } catch (error) {
      this.logger.warn(`chat conversation ${id} unreadable: ${String(error)}`);
      return null;
    }
    if (!conversation) this.logger.warn(`chat conversation ${id} unreadable: not a conversation`);
    else this.logRepairs(id, report);
    return conversation;
  }

  /** Schedules a write; `immediate` writes now (end of an answer, switching conversations). */
  save(conversation: Conversation, immediate = false): Promise<void> {
    const id = conversation.id;
    if (!isConversationId(id)) {
      this.logger.error(`chat: not saving a conversation whose id ${JSON.stringify(id).slice(0, 60)} is not a conversation id`);
      return Promise.resolve();
    }
    this.index.set(id, summarize(conversation));
    this.dirty.set(id, conversation);
    this.versions.set(id, (this.versions.get(id) ?? 0) + 1);
    this.pendingDeletes.delete(id);
    this.unreadable.delete(id);
    this.indexStale = true;
    if (immediate) return this.flush();
    this.timer ??= setTimeout(() => void this.flush(), this.debounceMs);
    return Promise.resolve();
  }

  delete(id: string): Promise<void> {
    this.dirty.delete(id);
    this.versions.delete(id);
    this.index.delete(id);
    if (isConversationId(id)) this.pendingDeletes.add(id);
    this.indexStale = true;
    return this.flush();
  }

  /** Writes everything pending; safe to call at any time (deactivation calls it). */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.dirty.size === 0 && !this.indexStale) return this.writing;
    const next = this.writing.then(() => this.writePending()).then(
      () => this.recovered(),
      (error: unknown) => this.fail(error),
    );
    this.writing = next;
    return next;
  }

  /** Stops retrying and writes what is pending one last time. */
  dispose(): Promise<void> {
    this.disposed = true;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    const last = this.flush();
    this.problemEmitter.dispose();
    return last;
  }

  private async writePending(): Promise<void> {
    // The folder may have failed to be created at init, or been removed since.
    await this.fs.mkdir(this.dir);
    for (const temp of [...this.leftovers]) {
      await this.fs.unlink(temp).then(
        () => this.leftovers.delete(temp),
        (error: unknown) => (error as NodeJS.ErrnoException).code === "ENOENT" && this.leftovers.delete(temp),
      );
    }
    for (const id of [...this.pendingDeletes]) {
      await this.fs.rm(this.file(id));
      this.pendingDeletes.delete(id);
    }
    let failure: unknown;
    for (const [id, conversation] of [...this.dirty]) {
      const version = this.versions.get(id);
      try {
        await atomicWrite(this.fs, this.file(id), JSON.stringify(conversation), this.leftovers);
        if (this.versions.get(id) === version) this.dirty.delete(id);
      } catch (error) {
        // Kept in `dirty`: load() still returns it and the next flush tries again. The other conversations still go.
        failure ??= error;
      }
    }
    if (failure !== undefined) throw failure;
    if (!this.indexStale) return;
    this.indexStale = false;
    try {
      await this.writeIndex();
    } catch (error) {
      this.indexStale = true;
      throw error;
    }
  }

  /** Writes the index of what is on disk now, this window's writes and other windows' alike. */
  private async writeIndex(): Promise<void> {
    const onDisk = await this.scan(false);
    await atomicWrite(this.fs, join(this.dir, INDEX), JSON.stringify(sortedNewestFirst(onDisk)), this.leftovers);
    // This window's list: what is on disk, plus what it has not managed to write yet.
    for (const [id, conversation] of this.dirty) onDisk.set(id, summarize(conversation));
    this.index = onDisk;
  }

  /**
   * The conversations in the folder: every file named by a conversation id, summarized by the index on disk or by
   * this window (the newer of the two), or by reading the file when neither lists it.
   */
  private async scan(atInit: boolean): Promise<Map<string, ConversationSummary>> {
    const listed = await this.readIndex(atInit);
    let names: string[];
    try {
      names = await this.fs.readdir(this.dir);
    } catch (error) {
      // At init, an unreadable folder is an empty history (init reports it when writing fails). Before a write, an
      // index built from nothing would drop every conversation: the write fails instead, and is retried.
      if (!atInit) throw error;
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") this.logger.warn(`chat history folder unreadable: ${String(error)}`);
      names = [];
    }
    const found = new Map<string, ConversationSummary>();
    for (const name of names.sort()) {
      if (atInit && name.endsWith(TEMP_SUFFIX) && isAbandonedTemp(name)) await this.fs.unlink(join(this.dir, name)).catch(() => undefined);
      const id = name.endsWith(".json") ? name.slice(0, -".json".length) : "";
      if (!isConversationId(id) || this.pendingDeletes.has(id)) continue;
      const summary = newer(this.index.get(id), listed.get(id)) ?? (await this.summaryFromFile(id));
      if (summary) found.set(id, summary);
    }
    return found;
  }

  /** The summaries in the index file that the history list can show; an unreadable index is rebuilt from the files. */
  private async readIndex(atInit: boolean): Promise<Map<string, ConversationSummary>> {
    const listed = new Map<string, ConversationSummary>();
    let raw: unknown;
    try {
      raw = JSON.parse(await this.fs.readFile(join(this.dir, INDEX)));
      if (!Array.isArray(raw)) throw new Error("not a list");
    } catch (error) {
      if (atInit && (error as NodeJS.ErrnoException).code !== "ENOENT") this.logger.warn(`chat history index unreadable, rebuilding it: ${String(error)}`);
      return listed;
    }
    let skipped = 0;
    for (const item of raw as unknown[]) {
      if (isConversationSummary(item) && isConversationId(item.id)) listed.set(item.id, { id: item.id, title: item.title, updatedAt: item.updatedAt, messages: item.messages });
      else skipped++;
    }
    if (atInit && skipped) this.logger.warn(`chat history index: skipped ${skipped} item(s) the history list cannot show; their files are read instead`);
    return listed;
  }

  private async summaryFromFile(id: string): Promise<ConversationSummary | undefined> {
    if (this.unreadable.has(id)) return undefined;
    const pending = this.dirty.get(id);
    if (pending) return summarize(pending);
    try {
      const conversation = await this.read(id);
      // Not a conversation: logged once, not read again at every write. It stays on disk, untouched.
      if (!conversation) this.unreadable.add(id);
      return conversation ? summarize(conversation) : undefined;
    } catch (error) {
      // Could not be read just now: left out of this index only; the next write (or window) reads it again.
      this.logger.debug(`chat conversation ${id} not read for the index: ${String(error)}`);
      return undefined;
    }
  }

  private logRepairs(id: string, report: ReviveReport): void {
    const parts: string[] = [];
    if (report.innerId !== undefined) parts.push(`the id inside the file (${report.innerId}) is not its name; the name is used`);
    if (report.dropped.length) parts.push(`dropped ${report.dropped.length} entr${report.dropped.length === 1 ? "y" : "ies"} the view cannot show (${listed(report.dropped)})`);
    if (report.repaired.length) parts.push(`repaired ${report.repaired.length} (${listed(report.repaired)})`);
    if (parts.length) this.logger.warn(`chat conversation ${id}: ${parts.join("; ")}`);
  }

  private fail(error: unknown): void {
    const problem = describeSaveProblem(error, this.dir);
    if (problem.code !== this.problem?.code) {
      this.problem = problem;
      this.logger.error(`saving chat history failed: ${String(error)}`);
      this.problemEmitter.fire(problem);
    } else {
      this.logger.debug(`saving chat history failed again: ${String(error)}`);
    }
    const pending = this.dirty.size > 0 || this.indexStale || this.pendingDeletes.size > 0;
    if (this.disposed || !pending || this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.flush();
    }, this.retryMs);
    // A retry alone must not keep a process (a test, the CLI) alive.
    this.retryTimer.unref();
  }

  private recovered(): void {
    if (!this.problem) return;
    this.problem = undefined;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.logger.info("saving chat history works again");
    this.problemEmitter.fire(undefined);
  }

  /** Only ever called with a checked conversation id, so the path stays in the folder. */
  private file(id: string): string {
    if (!isConversationId(id)) throw new Error(`not a conversation id: ${JSON.stringify(id).slice(0, 60)}`);
    return join(this.dir, `${id}.json`);
  }
}

function newer(a: ConversationSummary | undefined, b: ConversationSummary | undefined): ConversationSummary | undefined {
  if (!a || !b) return a ?? b;
  return b.updatedAt > a.updatedAt ? b : a;
}

function sortedNewestFirst(index: Map<string, ConversationSummary>): ConversationSummary[] {
  return [...index.values()].sort((a, b) => b.updatedAt - a.updatedAt);
}

function listed(items: string[]): string {
  return items.length > LOGGED_PROBLEMS ? `${items.slice(0, LOGGED_PROBLEMS).join(", ")}, …` : items.join(", ");
}
