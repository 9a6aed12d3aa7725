import { join } from "node:path";
import * as vscode from "vscode";
import { isAbortError } from "../common/abort";
import { DisposableStore, toDisposable } from "../common/disposable";
import { errorMessage } from "../common/errors";
import type { Logger } from "../common/logger";
import type { CountTokens } from "../context/token-estimate";
import { searchCodebase } from "../memory/codebase-search";
import type { CodebaseSearchResult, SymbolLookup } from "../memory/codebase-search";
import type { Embedder } from "../memory/embedder";
import type { IndexSummary } from "../memory/memory-results";
import { WorkerCodebaseMemory } from "../memory/worker-memory";
import { readConfig } from "./config";

export const CODEBASE_COMMANDS = { reindex: "hearth.reindexCodebase", search: "hearth.searchCodebase" } as const;

/** Changes on disk (a branch switch touches many files at once) are gathered this long before they are indexed. */
const CHANGE_BATCH_MS = 500;
/** Indexing starts this long after activation: startup belongs to the editor and the completion model. */
const START_DELAY_MS = 5000;
/** A codebase search that takes longer (embedding the question included) is given up. */
const SEARCH_TIMEOUT_MS = 10_000;

export interface CodebaseMemoryDeps {
  storageDir: string | undefined;
  grammarsDir: string;
  logger: Logger;
  embedder: Embedder | null;
  symbols: SymbolLookup;
}

/**
 * Codebase memory in the editor: the worker-thread index in the workspace's storage, kept up to date from saves and
 * file events, paused while the user types, its progress in a status bar item; the commands to reindex and search.
 */
export class CodebaseMemoryHost implements vscode.Disposable {
  readonly memory: WorkerCodebaseMemory | null;
  private readonly item: vscode.StatusBarItem;
  private readonly subscriptions = new DisposableStore();
  private indexing: AbortController | null = null;
  private running: Promise<IndexSummary | null> | null = null;
  private startTimer: NodeJS.Timeout | undefined;
  private changeTimer: NodeJS.Timeout | undefined;
  private readonly changed = new Set<string>();
  private readonly deleted = new Set<string>();
  private lastSummary: IndexSummary | null = null;
  private readonly ready: Promise<void>;
  private markReady: () => void = () => {};

  constructor(private readonly deps: CodebaseMemoryDeps) {
    this.ready = new Promise((r) => (this.markReady = r));
    this.item = vscode.window.createStatusBarItem("hearth.codebase", vscode.StatusBarAlignment.Right, 99);
    this.item.name = "Hearth Codebase Index";
    this.item.command = CODEBASE_COMMANDS.search;
    // Checked and bounded (common/settings.ts): the workspace's settings may say anything.
    const config = readConfig().codebase;
    const enabled = config.enable && deps.storageDir !== undefined;
    this.memory = enabled
      ? new WorkerCodebaseMemory({
          storeDir: join(deps.storageDir!, "codebase-index"),
          grammarsDir: deps.grammarsDir,
          excludeGlobs: excludeGlobs(),
          maxFiles: config.maxFiles,
          logger: deps.logger,
          embedder: deps.embedder,
        })
      : null;
    if (!this.memory) return;
    const memory = this.memory;
    this.subscriptions.add(
      vscode.workspace.onDidChangeTextDocument((e) => {
        // Only the user's edits: a file another program rewrites (a log open in an editor) reloads clean, and taking
        // each reload for typing kept indexing waiting for as long as the program wrote.
        if (e.document.uri.scheme === "file" && e.contentChanges.length && e.document.isDirty) this.typed();
      }),
      vscode.workspace.onDidSaveTextDocument((doc) => doc.uri.scheme === "file" && this.fileChanged(doc.uri.fsPath)),
      vscode.workspace.onDidRenameFiles((e) => {
        for (const f of e.files) {
          this.fileDeleted(f.oldUri.fsPath);
          this.fileChanged(f.newUri.fsPath);
        }
      }),
      vscode.workspace.onDidChangeWorkspaceFolders(() => this.reindex()),
      toDisposable(() => clearTimeout(this.changeTimer)),
      toDisposable(() => this.indexing?.abort()),
      toDisposable(() => memory.dispose()),
    );
    const watcher = vscode.workspace.createFileSystemWatcher("**/*");
    this.subscriptions.add(
      watcher,
      watcher.onDidCreate((uri) => this.fileChanged(uri.fsPath)),
      watcher.onDidChange((uri) => this.fileChanged(uri.fsPath)),
      watcher.onDidDelete((uri) => this.fileDeleted(uri.fsPath)),
    );
    this.startTimer = setTimeout(() => void this.reindex(), START_DELAY_MS);
    this.subscriptions.add(toDisposable(() => clearTimeout(this.startTimer)));
  }

  /** Indexes what changed since the store last saw the workspace (all of it the first time). */
  async reindex(): Promise<IndexSummary | null> {
    if (!this.memory) return null;
    const roots = (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === "file").map((f) => f.uri.fsPath);
    if (!roots.length) return null;
    // A pass under way covers the request (its hashes see every change made before it reached the file).
    if (this.running) return this.running;
    clearTimeout(this.startTimer);
    this.running = this.runPass(roots).finally(() => (this.running = null));
    return this.running;
  }

  private async runPass(roots: string[]): Promise<IndexSummary | null> {
    if (!this.memory) return null;
    const controller = (this.indexing = new AbortController());
    this.show("$(sync~spin) Indexing codebase…", markdown("Hearth is indexing the workspace for codebase search, one file at a time, paused while you type."));
    try {
      const summary = await this.memory.indexFolders(roots, controller.signal, (p) => {
        if (p.total) this.show(`$(sync~spin) Indexing codebase ${p.done}/${p.total}`, markdown(`Hearth is indexing ${p.total} files for codebase search, paused while you type.`));
      });
      if (this.indexing !== controller) return summary;
      this.lastSummary = summary;
      if (summary) this.deps.logger.info(`codebase index: ${summary.files} files, ${summary.indexed} indexed, ${summary.removed} removed, ${summary.chunks} chunks in ${summary.ms} ms${summary.vectorsOff ? ` (no vectors: ${summary.vectorsOff})` : ""}`);
      this.showSummary(summary);
      return summary;
    } catch (e) {
      if (isAbortError(e)) return null;
      this.show("$(warning) Codebase index", markdown("Codebase search is off: ").appendText(errorMessage(e)));
      this.deps.logger.warn(`codebase index: ${errorMessage(e)}`);
      return null;
    } finally {
      if (this.indexing === controller) this.indexing = null;
      this.markReady();
    }
  }

  /** Codebase search for a question, within a token budget. */
  async search(question: string, budgetTokens: number, signal?: AbortSignal, countTokens?: CountTokens): Promise<CodebaseSearchResult | null> {
    if (!this.memory) return null;
    // A store that stops answering must not hold a chat question for ever: past the deadline it goes without.
    const deadline = AbortSignal.timeout(SEARCH_TIMEOUT_MS);
    const bounded = signal ? AbortSignal.any([signal, deadline]) : deadline;
    return searchCodebase(this.memory, question, { budgetTokens, symbols: this.deps.symbols, signal: bounded, countTokens, logger: this.deps.logger });
  }

  /** Resolves once the first indexing run has ended (tests wait on it). */
  whenIndexed(): Promise<void> {
    return this.ready;
  }

  get summary(): IndexSummary | null {
    return this.lastSummary;
  }

  /** The status bar item's text, as shown (tests read it). */
  get statusText(): string {
    return this.item.text;
  }

  /** The status bar item's tooltip, its markdown source (tests read it). */
  get statusTooltip(): string {
    const tooltip = this.item.tooltip;
    return typeof tooltip === "string" ? tooltip : (tooltip?.value ?? "");
  }

  dispose(): void {
    this.subscriptions.dispose();
    this.item.dispose();
  }

  private typed(): void {
    this.memory?.noteActivity();
  }

  private fileChanged(path: string): void {
    this.deleted.delete(path);
    this.changed.add(path);
    this.scheduleChanges();
  }

  private fileDeleted(path: string): void {
    this.changed.delete(path);
    this.deleted.add(path);
    this.scheduleChanges();
  }

  private scheduleChanges(): void {
    clearTimeout(this.changeTimer);
    this.changeTimer = setTimeout(() => void this.flushChanges(), CHANGE_BATCH_MS);
  }

  private async flushChanges(): Promise<void> {
    const memory = this.memory;
    if (!memory) return;
    const changed = [...this.changed];
    const deleted = [...this.deleted];
    this.changed.clear();
    this.deleted.clear();
    try {
      for (const path of deleted) await memory.removeFile(path);
      // A deleted folder comes as one event, and removeFile takes its files with it. A branch switch of hundreds of
      // files gets a full pass, which compares hashes.
      if (changed.length > 200) {
        void this.reindex();
        return;
      }
      for (const path of changed) await memory.updateFile(path);
    } catch (e) {
      this.deps.logger.debug(`codebase index: update failed: ${errorMessage(e)}`);
    }
  }

  private showSummary(summary: IndexSummary | null): void {
    if (!summary) {
      this.item.hide();
      return;
    }
    const tooltip = markdown(`${summary.files} files, ${summary.chunks} chunks indexed for codebase search (\`@codebase\` in the chat, Hearth: Search Codebase…).`);
    if (summary.vectorsOff) tooltip.appendMarkdown("\n\nFull text and symbols only: ").appendText(summary.vectorsOff).appendMarkdown(".");
    if (summary.overLimit) tooltip.appendMarkdown(`\n\nThe workspace has more files than hearth.codebase.maxFiles: only the first ${summary.files} (nearest the top) are indexed.`);
    this.show(summary.overLimit || summary.vectorsOff ? "$(database) Codebase ⚠" : "$(database) Codebase", tooltip);
  }

  private show(text: string, tooltip: vscode.MarkdownString): void {
    this.item.text = text;
    this.item.tooltip = tooltip;
    this.item.show();
  }
}

/**
 * A tooltip that starts with Hearth's own words as markdown. The engine's or a server's words (an error, a path) are
 * added with appendText, which escapes them: as markdown, a server's error could show an image, which the editor
 * fetches from wherever it points (a network call Hearth promises not to make), or a link that runs a command.
 */
function markdown(ours: string): vscode.MarkdownString {
  return new vscode.MarkdownString(ours);
}

/** `files.exclude` (and `search.exclude`) patterns that are on. */
function excludeGlobs(): string[] {
  const out: string[] = [];
  for (const section of ["files.exclude", "search.exclude"]) {
    const value = vscode.workspace.getConfiguration().get<Record<string, unknown>>(section) ?? {};
    for (const [glob, on] of Object.entries(value)) if (on === true) out.push(glob);
  }
  return out;
}
