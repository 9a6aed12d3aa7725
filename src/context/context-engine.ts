import { isAbsolute } from "node:path";
import { fileURLToPath } from "node:url";
import type { Tree } from "web-tree-sitter";
import { throwIfAborted } from "../common/abort";
import type { Logger } from "../common/logger";
import { scopedLogger } from "../common/logger";
import { splitContextBudget } from "../completion/context-budget";
import { decideMultiline } from "../completion/multiline-decision";
import type { AssembleRequest, AssembledContext, ContextItem } from "./context-types";
import { describeSurroundings, findDeclarationAt, findEnclosingScopes } from "./cursor-analysis";
import type { DeclarationRange } from "./cursor-analysis";
import { DocumentStore } from "./document-store";
import type { TextEdit } from "./document-store";
import { extractImports } from "./imports";
import type { ImportStatement } from "./imports";
import { getLanguageSpec, isIndexableLanguage } from "./languages";
import type { LanguageSpec } from "./languages";
import { findSimilarSnippets, identifierSet, windowFile } from "./similar-snippets";
import type { SnippetSource, SnippetWindow } from "./similar-snippets";
import { WorkerSymbolIndex } from "./symbol-index";
import type { SymbolIndex } from "./symbol-index";
import { MemoizedSymbolIndex } from "./memoized-index";
import type { DefinitionQuery, FoundDefinition, IndexLimits, IndexStats } from "./symbol-types";
import { SyntaxRuntime } from "./syntax-runtime";
import { lineEndAt, lineStartAt } from "./text-lines";
import { estimateTokens } from "./token-estimate";
import type { CountTokens } from "./token-estimate";
import { IDENTIFIER_STOPWORDS } from "./stopwords";
import { DEFAULT_EXCLUDED_FOLDERS } from "./workspace-files";

export interface ContextEngineOptions {
  /** Folder with the grammars' .wasm, web-tree-sitter.wasm and queries/ (the extension's `grammars/`). */
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

const RECENT_FILES = 20;
const SNIPPET_FILES = 8;
const RECENT_EDITS = 6;
const MAX_CACHED_FILE_CHARS = 512 * 1024;
const NEAR_LINES_BEFORE = 40;
const NEAR_LINES_AFTER = 10;
const MAX_LOOKUP_NAMES = 48;
/** How far (characters each way) members used through an imported module still count. */
const WIDE_CHARS = 40_000;
/** File-wide identifier usage is recomputed at most this often while typing (offsets drift a little meanwhile). */
const USAGE_TTL_MS = 2000;
/**
 * How long typing must pause before the edited file is reindexed. Reindexing a long file keeps the index worker busy
 * for tens of milliseconds, during which the next keystroke's lookup would wait; the edited file's own symbols matter
 * to other files only, which can wait until the user stops.
 */
const INDEX_SYNC_DELAY_MS = 2500;

interface RecentFile {
  uri: string;
  /** Text read from disk for files that are not open. */
  text: string | null;
  windows: SnippetWindow[] | null;
  windowsFor: string | null;
}

/**
 * Assembles the context of one completion: prefix and suffix windows, enclosing scopes, imports, definitions of the
 * symbols near the cursor (same file, imported files, workspace index) and similar snippets from recent files, all
 * under a token budget. Runs on the extension host's thread: everything here is bounded to a few milliseconds; the
 * workspace index lives in a worker.
 */
export class ContextEngine {
  private readonly logger: Logger;
  private readonly runtime: SyntaxRuntime;
  private readonly documents: DocumentStore;
  private readonly index: MemoizedSymbolIndex;
  private readonly countTokens: CountTokens;
  private readonly sources: Record<"definitions" | "snippets" | "scopes" | "imports", boolean>;
  private readonly recent: RecentFile[] = [];
  private readonly recentEdits: { uri: string; offset: number }[] = [];
  private readonly indexSync = new Map<string, NodeJS.Timeout>();
  private lastNames: { uri: string; text: string; offset: number; imports: readonly ImportStatement[]; names: { name: string; weight: number }[] } | undefined;
  private readonly usageCache = new Map<string, { at: number; importsKey: string; usage: FileUsage; refreshing: boolean }>();
  private readonly importCache = new Map<string, { version: number | null; text: string; fromTree: boolean; imports: ImportStatement[] }>();
  private disposed = false;

  constructor(private readonly opts: ContextEngineOptions) {
    this.logger = scopedLogger(opts.logger, "context");
    this.runtime = new SyntaxRuntime(opts.grammarsDir, this.logger);
    this.documents = new DocumentStore(this.runtime, this.logger);
    this.countTokens = opts.countTokens ?? estimateTokens;
    this.sources = { definitions: true, snippets: true, scopes: true, imports: true, ...opts.sources };
    this.index = new MemoizedSymbolIndex(
      opts.symbolIndex ??
        new WorkerSymbolIndex({
          grammarsDir: opts.grammarsDir,
          logger: this.logger,
          limits: { ...opts.indexLimits, ...(opts.maxIndexedFiles ? { maxFiles: opts.maxIndexedFiles } : {}) },
        }),
    );
  }

  openDocument(uri: string, languageId: string, text: string, version: number): void {
    this.guard("openDocument", () => {
      this.documents.open(uri, languageId, text, version);
      this.syncToIndex(uri, 0);
    });
  }

  applyEdit(uri: string, edits: readonly TextEdit[], version: number): void {
    this.guard("applyEdit", () => {
      if (!this.documents.applyEdits(uri, edits, version)) return;
      // Typing below the imports does not change them: keep the parsed imports for the new version.
      const cached = this.importCache.get(uri);
      const importsEnd = cached ? Math.max(0, ...cached.imports.map((i) => i.endIndex)) : 0;
      if (cached && cached.imports.length && edits.every((e) => e.startOffset > importsEnd && e.endOffset >= e.startOffset)) {
        cached.version = version;
        cached.text = this.documents.getText(uri) ?? "";
      } else this.importCache.delete(uri);
      this.syncToIndex(uri, INDEX_SYNC_DELAY_MS);
    });
  }

  closeDocument(uri: string): void {
    this.guard("closeDocument", () => {
      this.documents.close(uri);
      this.importCache.delete(uri);
      this.usageCache.delete(uri);
      const path = uriToPath(uri);
      // Unsaved changes are gone with the editor: the file on disk is the truth again.
      if (path) this.index.updateFile(path);
    });
  }

  noteVisited(uri: string): void {
    this.guard("noteVisited", () => this.touchRecent(uri));
  }

  noteEdited(uri: string, offset: number): void {
    this.guard("noteEdited", () => {
      this.touchRecent(uri);
      const i = this.recentEdits.findIndex((e) => e.uri === uri);
      if (i >= 0) this.recentEdits.splice(i, 1);
      this.recentEdits.unshift({ uri, offset });
      this.recentEdits.length = Math.min(this.recentEdits.length, RECENT_EDITS);
    });
  }

  /** Starts (or extends) the workspace index over these folders, off the extension host's thread. */
  indexWorkspace(folders: readonly string[], signal?: AbortSignal): Promise<IndexStats | null> {
    return this.index.indexFolders(folders, signal).catch(() => null);
  }

  /** A file changed on disk (a file watcher saw it). */
  notifyFileChanged(uri: string): void {
    const path = uriToPath(uri);
    // `npm install` rewrites thousands of files under node_modules: the index never walks there, so never reparse them.
    if (!path || this.documents.getText(uri) !== null || isInExcludedFolder(path)) return;
    this.index.updateFile(path);
  }

  notifyFileDeleted(uri: string): void {
    const path = uriToPath(uri);
    if (path) this.index.removeFile(path);
    const i = this.recent.findIndex((r) => r.uri === uri);
    if (i >= 0) this.recent.splice(i, 1);
  }

  indexStats(): Promise<IndexStats | null> {
    return this.index.stats();
  }

  /** Resolves when the document's tree matches its text (tests, benches). */
  whenParsed(uri: string, timeoutMs?: number): Promise<boolean> {
    return this.documents.whenParsed(uri, timeoutMs);
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

  /** A fresh, complete parse (actions run once per command, not per keystroke). */
  private async parse(languageId: string, text: string): Promise<{ tree: Tree; spec: LanguageSpec } | null> {
    if (text.length > 2_000_000) return null;
    const grammar = await this.runtime.load(languageId);
    if (!grammar || this.disposed) return null;
    const tree = grammar.parser.parse(text);
    return tree ? { tree, spec: grammar.spec } : null;
  }

  /**
   * Called when a request will assemble its context after a pause (the typing debounce): starts the workspace index's
   * lookup for the names near the cursor now, so that the lookup is answered by the time the context is assembled.
   */
  prepare(req: AssembleRequest): void {
    this.guard("prepare", () => {
      if (!this.sources.definitions || !isIndexableLanguage(req.languageId)) return;
      const text = req.text;
      const offset = Math.max(0, Math.min(req.offset, text.length));
      const spec = getLanguageSpec(req.languageId);
      const tree = this.treeFor(req.uri, req.languageId, text);
      const imports = this.importsOf(req.uri, req.languageId, text, tree, spec);
      const names = this.namesFor(req.uri, text, offset, imports);
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
    const text = req.text;
    const offset = Math.max(0, Math.min(req.offset, text.length));
    const spec = getLanguageSpec(req.languageId);
    const tree = this.treeFor(req.uri, req.languageId, text);
    lap("parse");
    const path = uriToPath(req.uri);
    const displayPath = path ?? req.uri;

    const surroundings = describeSurroundings(text, offset, req.languageId, tree, spec);
    const multiline = decideMultiline(surroundings);
    const split = splitContextBudget(req.budgetTokens);

    const suffix = this.suffixWindow(text, offset, split.suffixTokens);
    const cursorLine = countLines(text, offset);
    const floorPrefix = this.prefixWindow(text, offset, split.minPrefixTokens, null, null);
    lap("windows");

    const candidates: ContextItem[] = [];
    const imports = this.sources.imports || this.sources.definitions ? this.importsOf(req.uri, req.languageId, text, tree, spec) : [];
    const sameFile = !req.otherFilesOnly;
    if (sameFile && this.sources.scopes && tree && spec) {
      const scope = this.scopeItem(tree, text, offset, spec, floorPrefix.start, displayPath);
      if (scope) candidates.push(scope);
    }
    if (sameFile && this.sources.imports && imports.length) {
      const item = this.importsItem(imports, text, displayPath, split.extrasTokens);
      if (item) candidates.push(item);
    }
    lap("scopes+imports");
    let indexAnswered = false;
    if (this.sources.definitions && isIndexableLanguage(req.languageId)) {
      const names = this.namesFor(req.uri, text, offset, imports);
      lap("names");
      const result = await this.index.query(definitionQuery(path, req.languageId, imports, names), this.opts.indexTimeoutMs ?? 60, req.signal);
      throwIfAborted(req.signal);
      if (result) {
        indexAnswered = true;
        const weights = new Map(names.map((n) => [n.name, n.weight]));
        for (const def of result.definitions) candidates.push(this.definitionItem(def, weights.get(def.name) ?? 0.1));
      }
      lap("index");
    }
    if (this.sources.snippets) candidates.push(...this.snippetItems(req.uri, text, offset));
    lap("snippets");

    // Fill the extras budget best-first; what is left goes to the prefix.
    const chosen: ContextItem[] = [];
    let used = 0;
    const suffixEndLine = countLines(text, suffix.end);
    for (const item of candidates.sort((a, b) => b.score - a.score)) {
      if (!sameFile && item.source === "same-file") continue;
      if (item.source === "same-file" && item.kind === "definition" && item.startLine >= countLines(text, floorPrefix.start) && item.endLine <= suffixEndLine) continue;
      if (chosen.some((c) => overlaps(c, item) || c.text === item.text)) continue;
      let candidate = item;
      if (used + candidate.tokens > split.extrasTokens && (candidate.kind === "definition" || candidate.kind === "outline")) {
        const header = (candidate as ContextItem & { header?: string }).header;
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
    const prefix = this.prefixWindow(text, offset, prefixBudget, treeNow, spec);
    const prefixStartLine = countLines(text, prefix.start);
    // Whatever the final prefix already shows is not repeated (the import block, definitions just above the cursor).
    const items = chosen.filter((c) => !(c.source === "same-file" && c.kind !== "scope" && c.startLine >= prefixStartLine && c.endLine <= Math.max(cursorLine, suffixEndLine)));
    const ordered = orderForCacheReuse(items);
    lap("select+prefix");
    for (const item of ordered) delete (item as ContextItem & { header?: string }).header;
    return {
      languageId: req.languageId,
      prefix: text.slice(prefix.start, offset),
      suffix: text.slice(offset, suffix.end),
      items: ordered,
      multiline,
      prefixStart: prefix.start,
      suffixEnd: suffix.end,
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

  /** The document's tree when the store holds exactly this text; otherwise start tracking the text and go without. */
  private treeFor(uri: string, languageId: string, text: string): Tree | null {
    if (this.documents.getText(uri) !== text) {
      this.importCache.delete(uri);
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
      if (text !== null && text.length <= 1024 * 1024) this.index.updateFile(path, text, languageId);
    }, delayMs);
    timer.unref?.();
    this.indexSync.set(uri, timer);
  }

  private touchRecent(uri: string): void {
    const i = this.recent.findIndex((r) => r.uri === uri);
    const entry = i >= 0 ? this.recent.splice(i, 1)[0] : { uri, text: null, windows: null, windowsFor: null };
    this.recent.unshift(entry);
    this.recent.length = Math.min(this.recent.length, RECENT_FILES);
    if (entry.text === null && this.documents.getText(uri) === null) {
      const path = uriToPath(uri);
      if (!path) return;
      this.opts
        .readFile(path)
        .then((text) => {
          if (text !== null && text.length <= MAX_CACHED_FILE_CHARS && !text.includes("\u0000")) entry.text = text;
        })
        .catch(() => {});
    }
  }

  private importsOf(uri: string, languageId: string, text: string, tree: Tree | null, spec: LanguageSpec | null): ImportStatement[] {
    const version = this.documents.getVersion(uri);
    const cached = this.importCache.get(uri);
    if (cached && cached.version === version && cached.text === text && (cached.fromTree || !tree)) return cached.imports;
    const imports = extractImports(text, languageId, tree, spec);
    this.importCache.set(uri, { version, text, fromTree: tree !== null, imports });
    return imports;
  }

  private scopeItem(tree: Tree, text: string, offset: number, spec: LanguageSpec, prefixStart: number, path: string): ContextItem | null {
    // Only scopes whose header the prefix window does not already show.
    const scopes = findEnclosingScopes(tree, text, offset, spec).filter((s) => s.startIndex < prefixStart);
    if (!scopes.length) return null;
    const body = scopes.reverse().map((s) => s.header).join("\n");
    const startLine = countLines(text, scopes[0].startIndex);
    return { kind: "scope", source: "same-file", path, startLine, endLine: startLine, text: body, tokens: this.countTokens(body), score: 10 };
  }

  private importsItem(imports: ImportStatement[], text: string, path: string, extrasTokens: number): ContextItem | null {
    const seen = new Set<number>();
    const parts: string[] = [];
    for (const i of imports) {
      if (seen.has(i.startIndex)) continue;
      seen.add(i.startIndex);
      parts.push(i.text.trim());
    }
    const cap = Math.floor(extrasTokens * 0.3);
    // Keep the first statements that fit: per-statement counts, so this stays linear in the number of imports.
    let tokens = 0;
    let kept = 0;
    for (const part of parts) {
      const t = this.countTokens(part + "\n");
      if (tokens + t > cap) break;
      tokens += t;
      kept++;
    }
    const body = parts.slice(0, kept).join("\n");
    if (kept === 0) return null;
    const first = imports[0];
    const last = imports[imports.length - 1];
    return { kind: "imports", source: "same-file", path, startLine: countLines(text, first.startIndex), endLine: countLines(text, last.endIndex), text: body, tokens, score: 5 };
  }

  private definitionItem(def: FoundDefinition, nameWeight: number): ContextItem & { header: string } {
    const sourceWeight = def.source === "imported-file" ? 1 : def.source === "same-file" ? 0.8 : 0.6 / Math.max(1, def.candidates);
    return {
      kind: def.kind === "outline" ? "outline" : "definition",
      source: def.source,
      path: def.path,
      symbol: def.name,
      startLine: def.startLine,
      endLine: def.endLine,
      text: def.text,
      header: def.header,
      tokens: this.countTokens(def.text),
      score: nameWeight * sourceWeight,
    };
  }

  /** prepare() and the assembly after the pause ask for the same position: compute its names once. */
  private namesFor(uri: string, text: string, offset: number, imports: readonly ImportStatement[]): { name: string; weight: number }[] {
    const last = this.lastNames;
    if (last && last.uri === uri && last.offset === offset && last.imports === imports && last.text === text) return last.names;
    const names = this.namesNearCursor(uri, text, offset, imports);
    this.lastNames = { uri, text, offset, imports, names };
    return names;
  }

  /**
   * Names worth looking up, weighted: identifiers near the cursor (closer is better, after the cursor a little less),
   * and names the file imports but does not use yet (about to be used, very likely).
   */
  private namesNearCursor(uri: string, text: string, offset: number, imports: readonly ImportStatement[]): { name: string; weight: number }[] {
    const weights = new Map<string, number>();
    const from = lineStartAt(text, Math.max(0, offset - 1));
    let start = from;
    for (let i = 0; i < NEAR_LINES_BEFORE && start > 0; i++) start = lineStartAt(text, start - 1);
    let end = lineEndAt(text, offset);
    for (let i = 0; i < NEAR_LINES_AFTER && end < text.length; i++) end = lineEndAt(text, end + 1);
    const cursorLine = countLines(text, offset);
    const importRanges = imports.map((i) => [i.startIndex, i.endIndex] as const);
    const importedNames = new Set(imports.flatMap((i) => i.names));
    const window = text.slice(start, end);
    let line = countLines(text, start);
    let lastIndex = 0;
    for (const m of window.matchAll(/[\p{L}_$][\p{L}\p{N}_$]*/gu)) {
      const at = m.index ?? 0;
      for (let i = window.indexOf("\n", lastIndex); i >= 0 && i < at; i = window.indexOf("\n", i + 1)) line++;
      lastIndex = at;
      const name = m[0];
      if (name.length < 2 || IDENTIFIER_STOPWORDS.has(name)) continue;
      if (importRanges.some(([s, e]) => start + at >= s && start + at < e)) continue;
      const distance = line - cursorLine;
      // `module.name` where the module is imported: very likely a definition in another file.
      const qualifier = /([\p{L}_$][\p{L}\p{N}_$]*)\.$/u.exec(window.slice(Math.max(0, at - 64), at))?.[1];
      const qualified = qualifier !== undefined && importedNames.has(qualifier) ? 1.5 : 1;
      const w = (1 / (1 + Math.abs(distance) / 6)) * (distance > 0 ? 0.7 : 1) * (/^[A-Z]/.test(name) ? 1.2 : 1) * qualified;
      weights.set(name, Math.max(weights.get(name) ?? 0, w));
    }
    // Imported names: unused so far means about to be used; otherwise the closer the nearest use, the better. And
    // members used through an imported module (`events.get_running_loop()` a page above): the module's definitions
    // that this file actually uses.
    const usage = this.fileUsage(uri, text, imports);
    for (const imp of imports) {
      for (const name of imp.names) {
        const nearest = nearestOffset(usage.uses.get(name), offset);
        const fromUse = nearest === null ? 0.9 : 0.35 + 0.4 / (1 + nearest / 2000);
        weights.set(name, Math.max(weights.get(name) ?? 0, fromUse) + (weights.has(name) ? 0.3 : 0));
      }
    }
    for (const [member, offsets] of usage.members) {
      const nearest = nearestOffset(offsets, offset);
      if (nearest === null || nearest > WIDE_CHARS) continue;
      weights.set(member, Math.max(weights.get(member) ?? 0, 0.6 / (1 + nearest / 3000)));
    }
    return [...weights.entries()]
      .map(([name, weight]) => ({ name, weight }))
      .sort((a, b) => b.weight - a.weight)
      .slice(0, MAX_LOOKUP_NAMES);
  }

  /**
   * Where imported names and `module.member` uses occur in the whole file. One pass over the file (milliseconds on a
   * long one), so it is cached, and once a while old it is served as it is and redone after the request, not in it:
   * offsets a few keystrokes old only weigh names a little differently.
   */
  private fileUsage(uri: string, text: string, imports: readonly ImportStatement[]): FileUsage {
    const importsKey = imports.map((i) => i.names.join(",")).join(";");
    const cached = this.usageCache.get(uri);
    if (cached && cached.importsKey === importsKey) {
      if (performance.now() - cached.at >= USAGE_TTL_MS && !cached.refreshing) {
        cached.refreshing = true;
        setImmediate(() => {
          const current = this.documents.getText(uri);
          if (this.disposed || this.usageCache.get(uri) !== cached) return;
          if (current === null) this.usageCache.delete(uri);
          else this.scanUsage(uri, current, imports, importsKey);
        });
      }
      return cached.usage;
    }
    return this.scanUsage(uri, text, imports, importsKey);
  }

  private scanUsage(uri: string, text: string, imports: readonly ImportStatement[], importsKey: string): FileUsage {
    const imported = new Set(imports.flatMap((i) => i.names));
    const ranges = imports.map((i) => [i.startIndex, i.endIndex] as const);
    const usage: FileUsage = { uses: new Map(), members: new Map() };
    if (imported.size) {
      for (const m of text.matchAll(/[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)?/g)) {
        const at = m.index ?? 0;
        const dot = m[0].indexOf(".");
        const head = dot < 0 ? m[0] : m[0].slice(0, dot);
        if (!imported.has(head) || (at > 0 && text.charCodeAt(at - 1) === 46)) continue;
        if (ranges.some(([s, e]) => at >= s && at < e)) continue;
        push(usage.uses, head, at);
        if (dot > 0) push(usage.members, m[0].slice(dot + 1), at);
      }
    }
    this.usageCache.set(uri, { at: performance.now(), importsKey, usage, refreshing: false });
    return usage;
  }

  private snippetItems(uri: string, text: string, offset: number): ContextItem[] {
    const sources: SnippetSource[] = [];
    for (const r of this.recent) {
      if (r.uri === uri || sources.length >= SNIPPET_FILES) continue;
      const body = this.documents.getText(r.uri) ?? r.text;
      if (body === null) continue;
      const key = `${this.documents.getVersion(r.uri) ?? "disk"}:${body.length}`;
      if (r.windowsFor !== key || !r.windows) {
        r.windows = windowFile(body);
        r.windowsFor = key;
      }
      sources.push({ path: uriToPath(r.uri) ?? r.uri, text: body, windows: r.windows });
    }
    if (!sources.length) return [];
    let start = lineStartAt(text, offset);
    for (let i = 0; i < 20 && start > 0; i++) start = lineStartAt(text, start - 1);
    const query = identifierSet(text.slice(start, offset));
    const items: ContextItem[] = findSimilarSnippets(query, sources, 4).map((s) => ({
      kind: "snippet",
      source: "recent-file",
      path: s.path,
      startLine: s.startLine,
      endLine: s.endLine,
      text: s.text,
      tokens: this.countTokens(s.text),
      score: 0.5 * s.score,
    }));
    // Where the user just edited another file is likely what they are wiring up now.
    this.recentEdits.forEach((edit, rank) => {
      if (edit.uri === uri) return;
      const body = this.documents.getText(edit.uri) ?? this.recent.find((r) => r.uri === edit.uri)?.text;
      if (!body) return;
      const at = Math.min(edit.offset, body.length);
      let s = lineStartAt(body, at);
      for (let i = 0; i < 6 && s > 0; i++) s = lineStartAt(body, s - 1);
      let e = lineEndAt(body, at);
      for (let i = 0; i < 6 && e < body.length; i++) e = lineEndAt(body, e + 1);
      const snippet = body.slice(s, e);
      const startLine = countLines(body, s);
      items.push({
        kind: "snippet",
        source: "recent-file",
        path: uriToPath(edit.uri) ?? edit.uri,
        startLine,
        endLine: startLine + countLines(snippet, snippet.length),
        text: snippet,
        tokens: this.countTokens(snippet),
        score: 0.3 / (1 + rank),
      });
    });
    return items;
  }

  /** Whole lines after the cursor (the cursor's line to its end first), up to the budget. */
  private suffixWindow(text: string, offset: number, budget: number): { end: number; tokens: number } {
    let end = lineEndAt(text, offset);
    let tokens = this.countTokens(text.slice(offset, end));
    if (tokens > budget) return this.cutByChars(text, offset, budget, 1);
    while (end < text.length) {
      const next = lineEndAt(text, end + 1);
      const t = this.countTokens(text.slice(end, next));
      if (tokens + t > budget) break;
      tokens += t;
      end = next;
    }
    return { end, tokens };
  }

  /**
   * Whole lines before the cursor, up to the budget. With a tree, the window then starts at a statement boundary
   * rather than in the middle of an expression (a few lines are given up for it).
   */
  private prefixWindow(text: string, offset: number, budget: number, tree: Tree | null, spec: LanguageSpec | null): { start: number; tokens: number } {
    let start = lineStartAt(text, offset);
    let tokens = this.countTokens(text.slice(start, offset));
    if (tokens > budget) {
      const cut = this.cutByChars(text, offset, budget, -1);
      return { start: cut.end, tokens: cut.tokens };
    }
    const lineTokens: number[] = [];
    while (start > 0) {
      const prev = lineStartAt(text, start - 1);
      const t = this.countTokens(text.slice(prev, start));
      if (tokens + t > budget) break;
      tokens += t;
      lineTokens.push(t);
      start = prev;
    }
    if (tree && spec && start > 0) {
      for (let i = 0; i < 8 && start < offset; i++) {
        if (startsStatement(tree, text, start, spec)) break;
        const next = lineEndAt(text, start) + 1;
        if (next > offset) break;
        tokens -= lineTokens[lineTokens.length - 1 - i] ?? 0;
        start = next;
      }
    }
    return { start, tokens };
  }

  /** A minified line: take characters instead of lines (about 3.5 per token). */
  private cutByChars(text: string, offset: number, budget: number, direction: 1 | -1): { end: number; tokens: number } {
    const chars = Math.max(0, Math.floor(budget * 3.5));
    const end = direction === 1 ? Math.min(text.length, offset + chars) : Math.max(0, offset - chars);
    const slice = direction === 1 ? text.slice(offset, end) : text.slice(end, offset);
    return { end, tokens: this.countTokens(slice) };
  }
}

function definitionQuery(fromPath: string | null, languageId: string, imports: readonly ImportStatement[], names: readonly { name: string }[]): DefinitionQuery {
  return {
    fromPath,
    languageId,
    imports: imports.map((i) => ({ specifier: i.specifier, names: i.names, ...(i.namespace ? { namespace: i.namespace } : {}) })),
    names: names.map((n) => n.name),
    maxPerName: 2,
  };
}

/** Does a statement (or declaration) begin on the line starting at `lineStart`? */
function startsStatement(tree: Tree, text: string, lineStart: number, spec: LanguageSpec): boolean {
  const lineEnd = lineEndAt(text, lineStart);
  const first = text.slice(lineStart, lineEnd).search(/\S/);
  if (first < 0) return true;
  const at = lineStart + first;
  let node = tree.rootNode.descendantForIndex(at, at);
  for (let depth = 0; node && depth < 20; depth++) {
    if (node.startIndex !== at) return false;
    const parent = node.parent;
    if (!parent || parent.parent === null || spec.blockTypes.has(parent.type)) return true;
    node = parent;
  }
  return false;
}

/** Stable order: other files' definitions, snippets, then this file's imports, definitions and scopes. */
function orderForCacheReuse(items: ContextItem[]): ContextItem[] {
  const group = (i: ContextItem): number => {
    if (i.source !== "same-file") return i.kind === "definition" ? 0 : 1;
    return i.kind === "imports" ? 2 : i.kind === "definition" ? 3 : 4;
  };
  return [...items].sort((a, b) => group(a) - group(b) || a.path.localeCompare(b.path) || a.startLine - b.startLine);
}

function overlaps(a: ContextItem, b: ContextItem): boolean {
  // A scope's header and a module's outline are one-line summaries: they leave room for the code they summarise.
  const summary = (i: ContextItem): boolean => i.kind === "scope" || i.kind === "outline";
  return a.path === b.path && a.startLine <= b.endLine && b.startLine <= a.endLine && !summary(a) && !summary(b);
}

interface FileUsage {
  /** Offsets where each imported name is used (outside the import statements). */
  uses: Map<string, number[]>;
  /** Offsets of `module.member` for imported modules/namespaces, by member. */
  members: Map<string, number[]>;
}

function push(map: Map<string, number[]>, key: string, value: number): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** Distance from `offset` to the nearest of ascending offsets; null for none. */
function nearestOffset(offsets: readonly number[] | undefined, offset: number): number | null {
  if (!offsets || offsets.length === 0) return null;
  let lo = 0;
  let hi = offsets.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (offsets[mid] < offset) lo = mid + 1;
    else hi = mid;
  }
  const candidates = [offsets[lo], offsets[lo - 1]].filter((x): x is number => x !== undefined);
  return Math.min(...candidates.map((x) => Math.abs(x - offset)));
}

/** 0-based line of an offset. */
function countLines(text: string, offset: number): number {
  let n = 0;
  for (let i = text.indexOf("\n"); i >= 0 && i < offset; i = text.indexOf("\n", i + 1)) n++;
  return n;
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
