import { join } from "node:path";
import type { Language, Parser, Query } from "web-tree-sitter";
import type { Logger } from "../common/logger";
import { compileQuery, loadLanguageQueries } from "./language-queries";
import type { QuerySource } from "./language-queries";
import { grammarFor } from "./languages";
import type { GrammarEntry, LanguageSpec, QueryKind } from "./languages";

export interface LoadedGrammar {
  /** The node types the language's query files name (grammars/<grammar>/*.scm). */
  readonly spec: LanguageSpec;
  readonly language: Language;
  /** Shared by every document of the language: parse calls are synchronous, so they never interleave. */
  readonly parser: Parser;
  /** The language's query files, compiled on first use (getQuery). */
  readonly sources: ReadonlyMap<QueryKind, QuerySource>;
}

type TreeSitter = typeof import("web-tree-sitter");

/**
 * web-tree-sitter is loaded on the first grammar, not with the extension: evaluating it would be most of the
 * extension's start-up time, and a window without code to complete never needs it. Parser.init loads the runtime's
 * own WASM once per thread; every runtime in the thread shares it.
 */
let treeSitter: TreeSitter | null = null;
let runtimeInit: Promise<TreeSitter> | null = null;

function initParser(grammarsDir: string): Promise<TreeSitter> {
  runtimeInit ??= import("web-tree-sitter").then(async (module) => {
    await module.Parser.init({ locateFile: (file: string) => join(grammarsDir, file) });
    treeSitter = module;
    return module;
  });
  return runtimeInit;
}

/** The loaded web-tree-sitter module; only called once a grammar (and so the module) is loaded. */
export function loadedTreeSitter(): TreeSitter {
  if (!treeSitter) throw new Error("web-tree-sitter is used before any grammar was loaded");
  return treeSitter;
}

/**
 * Owns the tree-sitter side of one thread: grammars and their query files loaded lazily on first use (once per
 * language), one parser per language, compiled queries. Everything it creates is deleted in dispose() (WASM memory is
 * not garbage-collected).
 */
export class SyntaxRuntime {
  private readonly pending = new Map<string, Promise<LoadedGrammar | null>>();
  private readonly loaded = new Map<string, LoadedGrammar>();
  private readonly queries = new Map<string, Query | null>();
  private disposed = false;

  constructor(
    private readonly grammarsDir: string,
    private readonly logger: Logger,
  ) {}

  /** The grammar for a language id, loading it the first time; null when there is none or it failed to load. */
  load(languageId: string): Promise<LoadedGrammar | null> {
    const entry = grammarFor(languageId);
    if (!entry || this.disposed) return Promise.resolve(null);
    let p = this.pending.get(entry.grammar);
    if (!p) {
      p = this.loadGrammar(entry);
      this.pending.set(entry.grammar, p);
    }
    return p;
  }

  /** The grammar if it is already loaded (never waits). */
  getLoaded(languageId: string): LoadedGrammar | null {
    const entry = grammarFor(languageId);
    return entry ? (this.loaded.get(entry.grammar) ?? null) : null;
  }

  /** One of a language's query files, compiled once and cached; null if it has none or it does not compile. */
  getQuery(grammar: LoadedGrammar, kind: QueryKind): Query | null {
    const cacheKey = `${grammar.spec.grammar}:${kind}`;
    if (this.queries.has(cacheKey)) return this.queries.get(cacheKey) ?? null;
    const source = grammar.sources.get(kind);
    let query: Query | null = null;
    try {
      if (source && !this.disposed) query = compileQuery(loadedTreeSitter().Query, grammar.language, source);
    } catch (e) {
      this.logger.warn(`query ${cacheKey} does not compile: ${(e as Error).message}`);
    }
    this.queries.set(cacheKey, query);
    return query;
  }

  /** The definitions query of a language (grammars/<grammar>/definitions.scm). */
  getDefinitionQuery(grammar: LoadedGrammar): Query | null {
    return this.getQuery(grammar, "definitions");
  }

  /** A parser of its own, for a parse that runs in slices and must not be interrupted by other documents. */
  createParser(grammar: LoadedGrammar): Parser {
    const parser = new (loadedTreeSitter().Parser)();
    parser.setLanguage(grammar.language);
    return parser;
  }

  dispose(): void {
    this.disposed = true;
    for (const q of this.queries.values()) q?.delete();
    this.queries.clear();
    for (const g of this.loaded.values()) g.parser.delete();
    this.loaded.clear();
    this.pending.clear();
  }

  private async loadGrammar(entry: GrammarEntry): Promise<LoadedGrammar | null> {
    try {
      const [{ Language, Parser }, { spec, sources }] = await Promise.all([initParser(this.grammarsDir), loadLanguageQueries(this.grammarsDir, entry)]);
      const language = await Language.load(join(this.grammarsDir, entry.wasm));
      if (this.disposed) return null;
      const parser = new Parser();
      parser.setLanguage(language);
      const grammar: LoadedGrammar = { spec, language, parser, sources };
      this.loaded.set(entry.grammar, grammar);
      return grammar;
    } catch (e) {
      this.logger.warn(`grammar ${entry.grammar} failed to load: ${(e as Error).message}`);
      return null;
    }
  }
}
