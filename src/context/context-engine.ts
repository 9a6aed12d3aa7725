import { isAbsolute } from "node:path";
import { fileURLToPath } from "node:url";
import type { Tree } from "web-tree-sitter";
import { throwIfAborted } from "../common/abort";
import type { Logger } from "../common/logger";
import { scopedLogger } from "../common/logger";
import { DEFAULT_SHARES, splitBudget } from "./budget";
import { definitionItem, definitionQuery, importsItem, orderForCacheReuse, overlaps, scopeItem } from "./context-items";
import type { ItemWithHeader } from "./context-items";
import type { AssembleRequest, AssembledContext, ContextItem } from "./context-types";
import { prefixWindow, suffixWindow } from "./context-windows";
import { describeSurroundings, findDeclarationAt } from "./cursor-analysis";
import type { DeclarationRange } from "./cursor-analysis";
import { CursorNames } from "./cursor-names";
import { DocumentStore } from "./document-store";
import type { TextEdit } from "./document-store";
import { FileImports } from "./file-imports";
import type { ImportStatement } from "./imports";
import { isIndexableLanguage } from "./languages";
import type { LanguageSpec } from "./languages";
import { RecentFiles } from "./recent-files";
import { WorkerSymbolIndex } from "./index/symbol-index";
import type { SymbolIndex } from "./index/symbol-index";
import { MemoizedSymbolIndex } from "./index/memoized-index";
import type { IndexLimits, IndexStats } from "./symbol-types";
import { SyntaxRuntime } from "./syntax-runtime";
import { LineNumbers } from "./text-lines";
import { estimateTokens } from "./token-estimate";
import type { CountTokens } from "./token-estimate";
import { DEFAULT_EXCLUDED_FOLDERS } from "./index/workspace-files";

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
  /** Which sources contribute (benches compare them); all on by default. */
  sources?: Partial<Record<"definitions" | "snippets" | "scopes" | "imports", boolean>>;
}

/**
 * How long typing must pause before the edited file is reindexed. Reindexing a long file keeps the index worker busy
 * for tens of milliseconds, during which the next keystroke's lookup would wait; the edited file's own symbols matter
 * to other files only, which can wait until the user stops.
 */
const INDEX_SYNC_DELAY_MS = 2500;

/** A one-off parse (an action's) holds the thread this long at most per turn of the event loop. */
const ACTION_PARSE_SLICE_MS = 8;

/** The text a request is answered from: the document's own (the request's, or the store's copy) or the editor's window. */
interface RequestView {
  text: string;
  offset: number;
  tree: Tree | null;
  lines: LineNumbers;
  /** Offset in the document of `text`'s first character (0 unless only a window of the document is known). */
  base: number;
  /** With only a window: the document's first characters, where its imports are. */
  head?: string;
}

/**
 * Assembles the context of one completion: prefix and suffix windows, enclosing scopes, imports, definitions of the
 * symbols near the cursor (same file, imported files, workspace index) and similar snippets from recent files, all
 * under a token budget. Runs on the extension host's thread: every step reads a bounded stretch of text around the
 * cursor, whatever the size of the file or the length of its lines; the workspace index lives in a worker. A file too
 * large or too minified to parse gets the same context without a tree; one too large to keep gets the editor's window.
 */
export class ContextEngine {
  private readonly logger: Logger;
  private readonly runtime: SyntaxRuntime;
  private readonly documents: DocumentStore;
  private readonly index: MemoizedSymbolIndex;
  private readonly countTokens: CountTokens;
  private readonly sources: Record<"definitions" | "snippets" | "scopes" | "imports", boolean>;
  private readonly names: CursorNames;
  private readonly recentFiles: RecentFiles;
  private readonly indexSync = new Map<string, NodeJS.Timeout>();
  private readonly fileImports = new FileImports((languageId) => this.runtime.getLoaded(languageId)?.spec ?? null);
  private disposed = false;

  constructor(private readonly opts: ContextEngineOptions) {
    this.logger = scopedLogger(opts.logger, "context");
    this.runtime = new SyntaxRuntime(opts.grammarsDir, this.logger);
    this.documents = new DocumentStore(this.runtime, this.logger);
    this.countTokens = opts.countTokens ?? estimateTokens;
    this.sources = { definitions: true, snippets: true, scopes: true, imports: true, ...opts.sources };
    this.names = new CursorNames((uri) => this.documents.getText(uri));
    this.recentFiles = new RecentFiles({ documents: this.documents, readFile: opts.readFile, countTokens: this.countTokens, pathOf: uriToPath });
    this.index = new MemoizedSymbolIndex(
      opts.symbolIndex ??
        new WorkerSymbolIndex({
          grammarsDir: opts.grammarsDir,
          logger: this.logger,
          limits: { ...opts.indexLimits, ...(opts.maxIndexedFiles ? { maxFiles: opts.maxIndexedFiles } : {}) },
        }),
    );
  }

  /** Starts following a document; `text` null for one too large to keep (followed by version, completed from windows). */
  openDocument(uri: string, languageId: string, text: string | null, version: number): void {
    this.guard("openDocument", () => {
      this.documents.open(uri, languageId, text, version);
      this.fileImports.forget(uri);
      this.syncToIndex(uri, 0);
    });
  }

  applyEdit(uri: string, edits: readonly TextEdit[], version: number): void {
    this.guard("applyEdit", () => {
      if (!this.documents.applyEdits(uri, edits, version)) return;
      this.fileImports.edited(uri, edits, version, this.documents.getText(uri));
      this.syncToIndex(uri, INDEX_SYNC_DELAY_MS);
    });
  }

  closeDocument(uri: string): void {
    this.guard("closeDocument", () => {
      this.documents.close(uri);
      this.fileImports.forget(uri);
      this.names.forget(uri);
      const path = uriToPath(uri);
      // Unsaved changes are gone with the editor: the file on disk is the truth again.
      if (path) this.index.updateFile(path);
    });
  }

  noteVisited(uri: string): void {
    this.guard("noteVisited", () => this.recentFiles.visited(uri));
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
    const path = uriToPath(uri);
    // `npm install` rewrites thousands of files under node_modules: the index never walks there, so never reparse them.
    if (!path || this.documents.has(uri) || isInExcludedFolder(path)) return;
    this.index.updateFile(path);
  }

  notifyFileDeleted(uri: string): void {
    const path = uriToPath(uri);
    if (path) this.index.removeFile(path);
    this.recentFiles.deleted(uri);
  }

  indexStats(): Promise<IndexStats | null> {
    return this.index.stats();
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

  /** The function, method or class an action works on when nothing is selected; null without a grammar or outside one. */
  async findDeclaration(languageId: string, text: string, offset: number): Promise<DeclarationRange | null> {
    const parsed = await this.parse(languageId, text);
    if (!parsed) return null;
    try {
      return findDeclarationAt(parsed.tree, text, offset, parsed.spec);
    } finally {
      parsed.tree.delete();
    }
  }

  /** Whether the text has syntax errors; null when the language has no grammar here. */
  async hasSyntaxErrors(languageId: string, text: string): Promise<boolean | null> {
    const parsed = await this.parse(languageId, text);
    if (!parsed) return null;
    try {
      return parsed.tree.rootNode.hasError;
    } finally {
      parsed.tree.delete();
    }
  }

  /**
   * A fresh, complete parse (actions run once per command, not per keystroke), in slices: a parser of its own resumes
   * where each slice stopped, so that a long file never holds the thread for the whole parse.
   */
  private async parse(languageId: string, text: string): Promise<{ tree: Tree; spec: LanguageSpec } | null> {
    if (text.length > 2_000_000) return null;
    const grammar = await this.runtime.load(languageId);
    if (!grammar || this.disposed) return null;
    const parser = this.runtime.createParser(grammar);
    try {
      for (;;) {
        const deadline = performance.now() + ACTION_PARSE_SLICE_MS;
        const tree = parser.parse(text, null, { progressCallback: () => performance.now() > deadline });
        if (tree) return { tree, spec: grammar.spec };
        await new Promise((resolve) => setImmediate(resolve));
        if (this.disposed) return null;
      }
    } finally {
      parser.delete();
    }
  }

  /**
   * Called when a request will assemble its context after a pause (the typing debounce): starts the workspace index's
   * lookup for the names near the cursor now, so that the lookup is answered by the time the context is assembled.
   */
  prepare(req: AssembleRequest): void {
    this.guard("prepare", () => {
      if (!this.sources.definitions || !isIndexableLanguage(req.languageId)) return;
      const view = this.viewOf(req);
      const imports = this.importsOf(req.uri, req.languageId, view);
      const names = this.names.namesFor(req.uri, view.text, view.offset, imports, view.lines);
      this.index.lookAhead(definitionQuery(uriToPath(req.uri), req.languageId, imports, names));
    });
  }

  async assemble(req: AssembleRequest): Promise<AssembledContext> {
    throwIfAborted(req.signal);
    const started = performance.now();
    const phases: Record<string, number> = {};
    let mark = started;
    const lap = (name: string): void => {
      const now = performance.now();
      phases[name] = (phases[name] ?? 0) + (now - mark);
      mark = now;
    };
    const view = this.viewOf(req);
    const { text, offset, tree, lines } = view;
    const spec = tree ? (this.runtime.getLoaded(req.languageId)?.spec ?? null) : null;
    lap("parse");
    const path = uriToPath(req.uri);
    const displayPath = path ?? req.uri;

    const surroundings = describeSurroundings(text, offset, req.languageId, tree, spec);
    const split = req.split ?? splitBudget(req.budgetTokens, DEFAULT_SHARES);

    const suffix = suffixWindow(text, offset, split.suffixTokens, this.countTokens);
    const cursorLine = lines.lineOf(offset);
    const floorPrefix = prefixWindow(text, offset, split.minPrefixTokens, null, null, this.countTokens);
    lap("windows");

    const candidates: ContextItem[] = [];
    const imports = this.sources.imports || this.sources.definitions ? this.importsOf(req.uri, req.languageId, view) : [];
    const sameFile = !req.otherFilesOnly;
    if (sameFile && this.sources.scopes && tree && spec) {
      const scope = scopeItem(tree, text, offset, spec, floorPrefix.start, displayPath, this.countTokens);
      if (scope) candidates.push(scope);
    }
    if (sameFile && this.sources.imports && imports.length) {
      const item = importsItem(imports, lines, displayPath, split.extrasTokens, this.countTokens);
      if (item) candidates.push(item);
    }
    lap("scopes+imports");
    let indexAnswered = false;
    if (this.sources.definitions && isIndexableLanguage(req.languageId)) {
      const names = this.names.namesFor(req.uri, text, offset, imports, lines);
      lap("names");
      const result = await this.index.query(definitionQuery(path, req.languageId, imports, names), this.opts.indexTimeoutMs ?? 60, req.signal);
      throwIfAborted(req.signal);
      if (result) {
        indexAnswered = true;
        const weights = new Map(names.map((n) => [n.name, n.weight]));
        for (const def of result.definitions) candidates.push(definitionItem(def, weights.get(def.name) ?? 0.1, this.countTokens));
      }
      lap("index");
    }
    if (this.sources.snippets) candidates.push(...this.recentFiles.snippetItems(req.uri, text, offset));
    lap("snippets");

    // Fill the extras budget best-first; what is left goes to the prefix.
    const chosen: ContextItem[] = [];
    let used = 0;
    const suffixEndLine = lines.lineOf(suffix.end);
    const floorStartLine = lines.lineOf(floorPrefix.start);
    for (const item of candidates.sort((a, b) => b.score - a.score)) {
      if (!sameFile && item.source === "same-file") continue;
      if (item.source === "same-file" && item.kind === "definition" && item.startLine >= floorStartLine && item.endLine <= suffixEndLine) continue;
      if (chosen.some((c) => overlaps(c, item) || c.text === item.text)) continue;
      let candidate = item;
      if (used + candidate.tokens > split.extrasTokens && (candidate.kind === "definition" || candidate.kind === "outline")) {
        const header = (candidate as ItemWithHeader).header;
        if (header && header !== candidate.text) candidate = { ...candidate, text: header, tokens: this.countTokens(header) };
      }
      if (used + candidate.tokens > split.extrasTokens) continue;
      chosen.push(candidate);
      used += candidate.tokens;
    }
    const prefixBudget = req.budgetTokens - suffix.tokens - used;
    // Trees do not outlive an await: a background parse may have replaced (and deleted) the one from before. The user
    // may also have typed meanwhile: then this request's text is stale and must not replace the document's copy.
    const treeNow = this.documents.getText(req.uri) === text ? this.documents.getTree(req.uri) : null;
    const prefix = prefixWindow(text, offset, prefixBudget, treeNow, spec, this.countTokens);
    const prefixStartLine = lines.lineOf(prefix.start);
    // Whatever the final prefix already shows is not repeated (the import block, definitions just above the cursor).
    const items = chosen.filter((c) => !(c.source === "same-file" && c.kind !== "scope" && c.startLine >= prefixStartLine && c.endLine <= Math.max(cursorLine, suffixEndLine)));
    const ordered = orderForCacheReuse(items);
    lap("select+prefix");
    for (const item of ordered) delete (item as ItemWithHeader).header;
    return {
      languageId: req.languageId,
      prefix: text.slice(prefix.start, offset),
      suffix: text.slice(offset, suffix.end),
      items: ordered,
      surroundings,
      prefixStart: view.base + prefix.start,
      suffixEnd: view.base + suffix.end,
      prefixStartLine,
      tokens: { prefix: prefix.tokens, suffix: suffix.tokens, items: ordered.reduce((n, i) => n + i.tokens, 0), budget: req.budgetTokens },
      parsed: tree !== null || treeNow !== null,
      indexAnswered,
      elapsedMs: performance.now() - started,
      phases,
    };
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const t of this.indexSync.values()) clearTimeout(t);
    this.indexSync.clear();
    this.names.dispose();
    this.recentFiles.dispose();
    this.documents.dispose();
    this.runtime.dispose();
    this.index.dispose();
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

  /**
   * What a request is answered from. A window of the editor's text (a document too large to copy per keystroke) is
   * widened to the store's copy when that copy is of the same version; otherwise the window alone is used, without a
   * tree, its line numbers counted from the cursor's line that the editor gave.
   */
  private viewOf(req: AssembleRequest): RequestView {
    const window = req.window;
    if (window) {
      const stored = this.documents.getText(req.uri);
      if (stored !== null && req.version !== undefined && this.documents.getVersion(req.uri) === req.version && stored.length === window.documentLength) {
        const offset = clamp(window.start + req.offset, 0, stored.length);
        return { text: stored, offset, tree: this.documents.getTree(req.uri), lines: LineNumbers.at(stored, offset, req.cursorLine ?? this.documents.lineAt(req.uri, offset) ?? undefined), base: 0 };
      }
      const offset = clamp(req.offset, 0, req.text.length);
      return { text: req.text, offset, tree: null, lines: LineNumbers.at(req.text, offset, req.cursorLine), base: window.start, ...(window.head !== undefined ? { head: window.head } : {}) };
    }
    const offset = clamp(req.offset, 0, req.text.length);
    const tree = this.treeFor(req.uri, req.languageId, req.text);
    // The store counts lines from where it last counted them; a text it does not keep is counted once from the top.
    const line = req.cursorLine ?? (this.documents.getText(req.uri) === req.text ? this.documents.lineAt(req.uri, offset) : null) ?? undefined;
    return { text: req.text, offset, tree, lines: LineNumbers.at(req.text, offset, line), base: 0 };
  }

  /** The document's tree when the store holds exactly this text; otherwise start tracking the text and go without. */
  private treeFor(uri: string, languageId: string, text: string): Tree | null {
    if (this.documents.getText(uri) !== text) {
      this.fileImports.forget(uri);
      this.documents.open(uri, languageId, text, this.documents.getVersion(uri) ?? 0);
      return null;
    }
    return this.documents.getTree(uri);
  }

  private syncToIndex(uri: string, delayMs: number): void {
    const path = uriToPath(uri);
    const languageId = this.documents.getLanguageId(uri);
    if (!path || !languageId || !isIndexableLanguage(languageId)) return;
    clearTimeout(this.indexSync.get(uri));
    const timer = setTimeout(() => {
      this.indexSync.delete(uri);
      const text = this.documents.getText(uri);
      // A minified file would keep the worker parsing for a second and more, while lookups wait behind it.
      if (text !== null && this.documents.isParseable(uri)) this.index.updateFile(path, text, languageId);
    }, delayMs);
    timer.unref?.();
    this.indexSync.set(uri, timer);
  }

  /** The file's imports, at offsets of the view's text (a window's are before it: negative). */
  private importsOf(uri: string, languageId: string, view: RequestView): ImportStatement[] {
    // A window from the middle of a large document does not hold its imports: its head does, if it came with one.
    const text = view.base > 0 ? view.head : view.text;
    if (text === undefined) return [];
    return this.fileImports.of(uri, languageId, this.documents.getVersion(uri), text, view.base > 0 ? null : view.tree, view.base);
  }

}

function clamp(n: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, n));
}

function isInExcludedFolder(path: string): boolean {
  return path.split(/[\\/]/).slice(0, -1).some((segment) => DEFAULT_EXCLUDED_FOLDERS.has(segment) || segment.startsWith("."));
}

/** A file path for file: URIs and plain absolute paths; null for untitled buffers and other schemes. */
export function uriToPath(uri: string): string | null {
  if (uri.startsWith("file://")) {
    try {
      return fileURLToPath(uri);
    } catch {
      return null;
    }
  }
  return isAbsolute(uri) ? uri : null;
}
