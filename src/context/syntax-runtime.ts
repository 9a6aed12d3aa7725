import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { Language, Parser, Query } from "web-tree-sitter";
import type { Logger } from "../common/logger";
import { getLanguageSpec } from "./languages";
import type { LanguageSpec } from "./languages";

export interface LoadedGrammar {
  readonly spec: LanguageSpec;
  readonly language: Language;
  /** Shared by every document of the language: parse calls are synchronous, so they never interleave. */
  readonly parser: Parser;
  /** tags.scm definition patterns plus Hearth's extras; null when the language has none. */
  readonly definitionSource: string | null;
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
 * Owns the tree-sitter side of one thread: grammars loaded lazily on first use, one parser per language, compiled
 * queries. Everything it creates is deleted in dispose() (WASM memory is not garbage-collected).
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
    const spec = getLanguageSpec(languageId);
    if (!spec || this.disposed) return Promise.resolve(null);
    let p = this.pending.get(spec.grammar);
    if (!p) {
      p = this.loadGrammar(spec);
      this.pending.set(spec.grammar, p);
    }
    return p;
  }

  /** The grammar if it is already loaded (never waits). */
  getLoaded(languageId: string): LoadedGrammar | null {
    const spec = getLanguageSpec(languageId);
    return spec ? (this.loaded.get(spec.grammar) ?? null) : null;
  }

  /** A compiled query over a grammar, cached; null if the source does not compile for this grammar. */
  getQuery(grammar: LoadedGrammar, key: string, source: string): Query | null {
    const cacheKey = `${grammar.spec.grammar}:${key}`;
    if (this.queries.has(cacheKey)) return this.queries.get(cacheKey) ?? null;
    let query: Query | null = null;
    try {
      query = new (loadedTreeSitter().Query)(grammar.language, source);
    } catch (e) {
      this.logger.warn(`query ${cacheKey} does not compile: ${(e as Error).message}`);
    }
    this.queries.set(cacheKey, query);
    return query;
  }

  /** The definitions query of a language (tags.scm definitions + extras). */
  getDefinitionQuery(grammar: LoadedGrammar): Query | null {
    return grammar.definitionSource ? this.getQuery(grammar, "definitions", grammar.definitionSource) : null;
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

  private async loadGrammar(spec: LanguageSpec): Promise<LoadedGrammar | null> {
    try {
      const { Language, Parser } = await initParser(this.grammarsDir);
      const language = await Language.load(join(this.grammarsDir, spec.wasm));
      const sources = await Promise.all(spec.tagQueries.map((q) => readFile(join(this.grammarsDir, "queries", q), "utf8").catch(() => "")));
      const definitions = [...sources.map(selectDefinitionPatterns), spec.extraDefinitions].join("\n").trim();
      if (this.disposed) return null;
      const parser = new Parser();
      parser.setLanguage(language);
      const grammar: LoadedGrammar = { spec, language, parser, definitionSource: definitions || null };
      this.loaded.set(spec.grammar, grammar);
      return grammar;
    } catch (e) {
      this.logger.warn(`grammar ${spec.grammar} failed to load: ${(e as Error).message}`);
      return null;
    }
  }
}

/**
 * Keeps the top-level patterns of a tags.scm that capture a definition (`@definition.*`); the reference patterns are
 * the costly half of the query and the index never needs them.
 */
export function selectDefinitionPatterns(source: string): string {
  const patterns: string[] = [];
  let depth = 0;
  let start = -1;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === ";") {
      const end = source.indexOf("\n", i);
      i = end < 0 ? source.length : end;
      continue;
    }
    if (c === '"') {
      for (i++; i < source.length && source[i] !== '"'; i++) if (source[i] === "\\") i++;
      continue;
    }
    if (c === "(" || c === "[") {
      if (depth === 0) {
        if (start >= 0) patterns.push(source.slice(start, i));
        start = i;
      }
      depth++;
    } else if (c === ")" || c === "]") depth--;
  }
  if (start >= 0) patterns.push(source.slice(start));
  return patterns.filter((p) => p.includes("@definition.")).join("\n");
}
