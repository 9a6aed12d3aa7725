import type { Tree } from "web-tree-sitter";
import { throwIfAborted } from "../common/abort";
import type { Logger } from "../common/logger";
import { scopedLogger } from "../common/logger";
import { DEFAULT_SHARES, splitBudget } from "./budget";
import type { AssembleRequest, AssembledContext } from "./context-types";
import { prefixWindow, suffixWindow } from "./context-windows";
import { describeSurroundings, findEnclosingScopes } from "./cursor-analysis";
import type { DeclarationRange } from "./cursor-analysis";
import { ContextHold } from "./context-hold";
import { DocumentStore } from "./document-store";
import type { TextEdit } from "./document-store";
import { FileImports } from "./file-imports";
import { IndexSync } from "./index-sync";
import type { ImportStatement } from "./imports";
import type { LanguageSpec } from "./languages";
import { MemoizedSymbolIndex } from "./index/memoized-index";
import { WorkerSymbolIndex } from "./index/symbol-index";
import type { SymbolIndex } from "./index/symbol-index";
import { mix, orderForCacheReuse, withoutShown } from "./mixer";
import { RecentFiles } from "./recent-files";
import { requestView, retrievalRequest } from "./request-view";
import type { RequestView } from "./request-view";
import { DefinitionRetriever } from "./retrievers/definition-retriever";
import { ImportRetriever } from "./retrievers/import-retriever";
import { RecentEditRetriever } from "./retrievers/recent-edit-retriever";
import type { RetrievalRequest, Retriever, RetrieverName } from "./retrievers/retriever";
import { ScopeRetriever } from "./retrievers/scope-retriever";
import { retrieveAll } from "./retrievers/retrieve-all";
import { SnippetRetriever } from "./retrievers/snippet-retriever";
import type { IndexLimits, IndexStats } from "./symbol-types";
import { SyntaxRuntime } from "./syntax-runtime";
import { SyntaxService } from "./syntax-service";
import { estimateTokens } from "./token-estimate";
import type { CountTokens } from "./token-estimate";
import { lineEndWithin, startOfLinesAbove } from "./text-lines";
import { uriToPath } from "./uri-path";

export interface ContextEngineOptions {
  /** Folder with the grammars' .wasm, web-tree-sitter.wasm and each language's query files (the extension's `grammars/`). */
  grammarsDir: string;
  logger: Logger;
  /** Reads a workspace file (recently viewed files that are not open); null when it cannot be read. */
  readFile(path: string): Promise<string | null>;
  countTokens?: CountTokens;
  /** Files the workspace index keeps (least recently used are evicted beyond it). */
  maxIndexedFiles?: number;
  indexLimits?: Partial<IndexLimits>;
  /** An index to use instead of the worker (tests, benches, CLI). */
  symbolIndex?: SymbolIndex;
  /** How long a completion waits for the index before going on without it. */
  indexTimeoutMs?: number;
  /** Which retrievers contribute (benches compare them); all on by default. */
  sources?: Partial<Record<RetrieverName, boolean>>;
  /**
   * Keep a completion's other-file context and its prefix window's first line in place while the user types (see
   * ContextHold); on by default, off for benches that compare.
   */
  stableContext?: boolean;
  /** The clock of the hold's pause rule, in ms (benches that simulate time). */
  now?: () => number;
}

/**
 * A completion's prefix window starts on a document line that is a multiple of this: the engine's FIM layout anchors
 * its window to the same lines (fim/layout.ts PSM_WINDOW.prefixAnchorLines), so the two cuts agree.
 */
const PREFIX_ANCHOR_LINES = 16;
/**
 * How far past its budget, as a share of the whole budget, the prefix may grow while the held context is kept: what
 * the user types in one scope without a pause (a few lines) is then added to the prompt rather than pushing its first
 * line down, which would have the engine evaluate the whole prefix again.
 */
const HELD_PREFIX_SLACK = 0.5;

/**
 * Assembles the context of one completion: prefix and suffix windows, and items from the retrievers (enclosing scopes,
 * imports, definitions through the workspace index, similar snippets and recent edits of other files), which the mixer
 * ranks, de-duplicates and fits to the budget. Coordinates what they share: the open documents and their trees, each
 * file's imports, the recent files, and the index, kept in step with the editor. Runs on the extension host's thread:
 * every step reads a bounded stretch of text around the cursor, whatever the size of the file or the length of its
 * lines; the workspace index lives in a worker. A file too large or too minified to parse gets the same context without
 * a tree; one too large to keep gets the editor's window.
 */
export class ContextEngine {
  /** Syntax facts for the refactor actions. */
  readonly syntax: SyntaxService;
  private readonly logger: Logger;
  private readonly runtime: SyntaxRuntime;
  private readonly documents: DocumentStore;
  private readonly index: MemoizedSymbolIndex;
  private readonly countTokens: CountTokens;
  private readonly recentFiles: RecentFiles;
  private readonly fileImports: FileImports;
  private readonly indexSync: IndexSync;
  /** In the order their candidates are mixed (of equal scores, the first retriever's come first). */
  private readonly retrievers: Retriever[];
  private readonly hold: ContextHold | null;
  private disposed = false;

  constructor(opts: ContextEngineOptions) {
    this.logger = scopedLogger(opts.logger, "context");
    this.runtime = new SyntaxRuntime(opts.grammarsDir, this.logger);
    this.syntax = new SyntaxService(this.runtime);
    this.documents = new DocumentStore(this.runtime, this.logger);
    this.fileImports = new FileImports((languageId) => this.specOf(languageId));
    const countTokens = (this.countTokens = opts.countTokens ?? estimateTokens);
    this.recentFiles = new RecentFiles({ documents: this.documents, readFile: opts.readFile, pathOf: uriToPath });
    this.index = new MemoizedSymbolIndex(
      opts.symbolIndex ??
        new WorkerSymbolIndex({
          grammarsDir: opts.grammarsDir,
          logger: this.logger,
          limits: { ...opts.indexLimits, ...(opts.maxIndexedFiles ? { maxFiles: opts.maxIndexedFiles } : {}) },
        }),
    );
    this.indexSync = new IndexSync(this.index, this.documents);
    const all: Retriever[] = [
      new ScopeRetriever(countTokens),
      new ImportRetriever(countTokens),
      new DefinitionRetriever({ index: this.index, countTokens, currentText: (uri) => this.documents.getText(uri), timeoutMs: opts.indexTimeoutMs ?? 60 }),
      new SnippetRetriever(this.recentFiles, countTokens),
      new RecentEditRetriever(this.recentFiles, countTokens),
    ];
    this.retrievers = all.filter((r) => opts.sources?.[r.name] ?? true);
    this.hold = (opts.stableContext ?? true) ? new ContextHold(opts.now ? { now: opts.now } : {}) : null;
  }

  /** Starts following a document; `text` null for one too large to keep (followed by version, completed from windows). */
  openDocument(uri: string, languageId: string, text: string | null, version: number): void {
    this.guard("openDocument", () => {
      this.documents.open(uri, languageId, text, version);
      this.fileImports.forget(uri);
      this.indexSync.opened(uri);
    });
  }

  applyEdit(uri: string, edits: readonly TextEdit[], version: number): void {
    this.guard("applyEdit", () => {
      if (!this.documents.applyEdits(uri, edits, version)) return;
      this.hold?.edited(uri);
      this.fileImports.edited(uri, edits, version, this.documents.getText(uri));
      this.indexSync.edited(uri);
    });
  }

  closeDocument(uri: string): void {
    this.guard("closeDocument", () => {
      this.documents.close(uri);
      this.fileImports.forget(uri);
      for (const r of this.retrievers) r.forget?.(uri);
      this.hold?.forget(uri);
      this.indexSync.closed(uri);
    });
  }

  noteVisited(uri: string): void {
    this.guard("noteVisited", () => {
      this.recentFiles.visited(uri);
      this.hold?.visited(uri);
    });
  }

  noteEdited(uri: string, offset: number): void {
    this.guard("noteEdited", () => this.recentFiles.edited(uri, offset));
  }

  /** Starts (or extends) the workspace index over these folders, off the extension host's thread. */
  indexWorkspace(folders: readonly string[], signal?: AbortSignal): Promise<IndexStats | null> {
    return this.index.indexFolders(folders, signal).catch(() => null);
  }

  /** A file changed on disk (a file watcher saw it). */
  notifyFileChanged(uri: string): void {
    this.indexSync.changedOnDisk(uri);
  }

  notifyFileDeleted(uri: string): void {
    this.indexSync.deletedOnDisk(uri);
    this.recentFiles.deleted(uri);
  }

  indexStats(): Promise<IndexStats | null> {
    return this.index.stats();
  }

  /** Where the workspace index defines these names (codebase search's symbol side); empty when it does not answer in time. */
  async findDefinitions(names: readonly string[], timeoutMs: number, signal?: AbortSignal): Promise<{ path: string; line: number }[]> {
    const query = { fromPath: null, languageId: "", imports: [], names: [...names], maxPerName: 2 };
    const result = await this.index.query(query, timeoutMs, signal).catch(() => null);
    return (result?.definitions ?? []).map((d) => ({ path: d.path, line: d.startLine }));
  }

  /** Resolves when the document's tree matches its text (tests, benches). */
  whenParsed(uri: string, timeoutMs?: number): Promise<boolean> {
    return this.documents.whenParsed(uri, timeoutMs);
  }

  /**
   * Resolves when the files visited lately are read and cut into snippet windows, which happens between requests a
   * bounded amount at a time (tests, benches; a user who switches tabs has long had it done when they type).
   */
  whenRecentFilesReady(timeoutMs?: number): Promise<boolean> {
    return this.recentFiles.whenReady(timeoutMs);
  }

  /** The function, method or class an action works on when nothing is selected (see SyntaxService). */
  findDeclaration(languageId: string, text: string, offset: number): Promise<DeclarationRange | null> {
    return this.syntax.findDeclaration(languageId, text, offset);
  }

  /** Whether the text has syntax errors; null when the language has no grammar here (see SyntaxService). */
  hasSyntaxErrors(languageId: string, text: string): Promise<boolean | null> {
    return this.syntax.hasSyntaxErrors(languageId, text);
  }

  /**
   * Called when a request will assemble its context after a pause (the typing debounce): the retrievers start their
   * slow lookups now (the workspace index's, for the names near the cursor), to be answered by the time it assembles.
   */
  prepare(req: AssembleRequest): void {
    this.guard("prepare", () => {
      const view = this.viewOf(req);
      const request = this.retrievalRequest(req, view, 0);
      for (const r of this.retrievers) r.prepare?.(request);
    });
  }

  async assemble(req: AssembleRequest): Promise<AssembledContext> {
    throwIfAborted(req.signal);
    const started = performance.now();
    const phases: Record<string, number> = {};
    let mark = started;
    const lap = (name: string): void => {
      phases[name] = (phases[name] ?? 0) + performance.now() - mark;
      mark = performance.now();
    };
    const view = this.viewOf(req);
    const { text, offset, tree, lines } = view;
    const spec = this.specOf(req.languageId);
    lap("parse");
    const surroundings = describeSurroundings(text, offset, req.languageId, tree, spec);
    const split = req.split ?? splitBudget(req.budgetTokens, DEFAULT_SHARES);
    const suffix = suffixWindow(text, offset, split.suffixTokens, this.countTokens, split.suffixSentLines);
    const floorPrefix = prefixWindow(text, offset, split.minPrefixTokens, null, null, this.countTokens);
    lap("windows");
    // Before the await: the tree may be replaced (and deleted) meanwhile.
    const scope = this.hold && req.otherFilesOnly ? scopeChain(tree, text, offset, spec) : [];
    const request = this.retrievalRequest(req, view, floorPrefix.start);
    lap("scope+imports");
    const retrieved = await retrieveAll(this.retrievers, request, split.extrasTokens, req.signal, phases);
    mark = performance.now();
    const candidates = retrieved.flatMap((r) => r.items ?? []);
    const suffixEndLine = lines.lineOf(suffix.end);
    const chosen = mix(candidates, { budgetTokens: split.extrasTokens, countTokens: this.countTokens, shownLines: { startLine: lines.lineOf(floorPrefix.start), endLine: suffixEndLine } });
    // A completion (its prompt shows other files only) keeps what it showed while the user types in one scope.
    const ordered =
      this.hold && req.otherFilesOnly
        ? this.hold.choose({ uri: req.uri, scope, fresh: orderForCacheReuse(chosen), budgetTokens: split.extrasTokens })
        : orderForCacheReuse(chosen);
    const used = ordered.reduce((n, i) => n + i.tokens, 0);
    // Trees do not outlive an await: a background parse may have replaced (and deleted) the one from before. The user
    // may also have typed meanwhile: then this request's text is stale and must not replace the document's copy.
    const treeNow = this.documents.getText(req.uri) === text ? this.documents.getTree(req.uri) : null;
    const anchor = this.hold && req.otherFilesOnly ? { lines: PREFIX_ANCHOR_LINES, lineOf: (at: number) => lines.lineOf(at) } : undefined;
    const prefixBudget = req.budgetTokens - suffix.tokens - used;
    const prefix = this.heldPrefix(prefixWindow(text, offset, prefixBudget, treeNow, spec, this.countTokens, anchor), view, !!anchor, prefixBudget + req.budgetTokens * HELD_PREFIX_SLACK);
    const prefixStartLine = lines.lineOf(prefix.start);
    // Whatever the final prefix already shows is not repeated (the import block, definitions just above the cursor).
    const items = withoutShown(ordered, prefixStartLine, Math.max(lines.lineOf(offset), suffixEndLine));
    lap("mix+prefix");
    return {
      languageId: req.languageId,
      prefix: text.slice(prefix.start, offset),
      suffix: text.slice(offset, suffix.end),
      items,
      surroundings,
      prefixStart: view.base + prefix.start,
      suffixEnd: view.base + suffix.end,
      prefixStartLine,
      tokens: { prefix: prefix.tokens, suffix: suffix.tokens, items: items.reduce((n, i) => n + i.tokens, 0), budget: req.budgetTokens },
      parsed: tree !== null || treeNow !== null,
      indexAnswered: (retrieved.find((r) => r.name === "definitions")?.items ?? null) !== null,
      elapsedMs: performance.now() - started,
      phases,
      ...(this.hold && req.otherFilesOnly ? { hold: this.hold.choice } : {}),
    };
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.indexSync.dispose();
    for (const r of this.retrievers) r.dispose?.();
    this.recentFiles.dispose();
    this.documents.dispose();
    this.syntax.dispose();
    this.runtime.dispose();
    this.index.dispose();
  }

  /**
   * The prefix window from the held first line, where the hold keeps another than the budget's (see ContextHold): above
   * it only while the prefix from there is at most `maxTokens`.
   */
  private heldPrefix(prefix: { start: number; tokens: number }, view: RequestView, held: boolean, maxTokens: number): { start: number; tokens: number } {
    if (!held || !this.hold) return prefix;
    const { text, offset, lines } = view;
    const first = lines.lineOf(prefix.start);
    const cursorLine = lines.lineOf(offset);
    const startOf = (line: number): number => startOfLinesAbove(text, offset, cursorLine - line, offset);
    const fits = (line: number): boolean => this.countTokens(text.slice(startOf(line), offset)) <= maxTokens;
    const line = this.hold.prefixStartLine(first, cursorLine, fits);
    if (line === first) return prefix;
    if (line < first) {
      const start = startOf(line);
      return { start, tokens: this.countTokens(text.slice(start, offset)) };
    }
    let start = prefix.start;
    for (let l = first; l < line && start < offset; l++) start = Math.min(offset, lineEndWithin(text, start, offset - start + 1) + 1);
    return { start, tokens: this.countTokens(text.slice(start, offset)) };
  }

  private retrievalRequest(req: AssembleRequest, view: RequestView, prefixFloor: number): RetrievalRequest {
    return retrievalRequest(req, view, { spec: this.specOf(req.languageId), imports: this.importsOf(req.uri, req.languageId, view), prefixFloor });
  }

  /** The language's node types once its grammar is loaded (as it is wherever a tree was given). */
  private specOf(languageId: string): LanguageSpec | null {
    return this.runtime.getLoaded(languageId)?.spec ?? null;
  }

  /** Bad input must cost context, never an exception in the extension host. */
  private guard(what: string, fn: () => void): void {
    if (this.disposed) return;
    try {
      fn();
    } catch (e) {
      this.logger.warn(`${what} failed: ${(e as Error).message}`);
    }
  }

  private viewOf(req: AssembleRequest): RequestView {
    return requestView(req, this.documents, (uri, languageId, text) => {
      this.fileImports.forget(uri);
      this.documents.open(uri, languageId, text, this.documents.getVersion(uri) ?? 0);
    });
  }

  /** The file's imports, at offsets of the view's text (a window's are before it: negative). */
  private importsOf(uri: string, languageId: string, view: RequestView): ImportStatement[] {
    // A window from the middle of a large document does not hold its imports: its head does, if it came with one.
    const text = view.base > 0 ? view.head : view.text;
    if (text === undefined) return [];
    return this.fileImports.of(uri, languageId, this.documents.getVersion(uri), text, view.base > 0 ? null : view.tree, view.base);
  }
}

/**
 * The cursor's enclosing declarations, innermost first, by the line each starts on (typing a header does not move it).
 * Not by node type: half-typed code can make the parse recover one declaration as another kind (JavaScript's class as a
 * `class` expression rather than a `class_declaration` while a bracket is open), which is still the same scope.
 */
export function scopeChain(tree: Tree | null, text: string, offset: number, spec: LanguageSpec | null): string[] {
  if (!tree || !spec) return [];
  return findEnclosingScopes(tree, text, offset, spec).map((s) => `line ${s.startLine}`);
}
