/** One definition found by the tags queries, with the text that goes into a prompt. */
export interface SymbolDefinition {
  name: string;
  /** function, method, class, interface, type, enum, constant, module, macro … (from `@definition.<kind>`). */
  kind: string;
  path: string;
  /** 0-based, inclusive. */
  startLine: number;
  endLine: number;
  /** The definition itself, or an outline of it when it is long (members' first lines, a function's signature). */
  text: string;
  /** Its first line(s) up to the body: what to show when the budget is tight. */
  header: string;
  /** A member of a class, interface, impl … rather than of the file itself (what `module.name` cannot reach). */
  member?: boolean;
}

export interface IndexLimits {
  /** Files kept in the index; least recently used files are evicted beyond it. */
  maxFiles: number;
  maxSymbols: number;
  /** Approximate bytes of definition text held. */
  maxBytes: number;
  /** Files larger than this are not indexed. */
  maxFileBytes: number;
  /** Definitions kept per file (a generated file can define thousands). */
  maxSymbolsPerFile: number;
}

export const DEFAULT_INDEX_LIMITS: IndexLimits = {
  maxFiles: 10_000,
  maxSymbols: 200_000,
  maxBytes: 32 * 1024 * 1024,
  maxFileBytes: 1024 * 1024,
  maxSymbolsPerFile: 500,
};

export interface IndexStats {
  files: number;
  symbols: number;
  bytes: number;
  evictedFiles: number;
  skippedFiles: number;
  /** The index thread's memory (process.memoryUsage() in the worker: heap of its isolate, WASM in arrayBuffers). */
  memory?: { heapUsed: number; external: number; arrayBuffers: number; rss: number };
}

/** What the context engine asks the index for one completion. */
export interface DefinitionQuery {
  /** The file being edited (its own definitions count as "same-file"). */
  fromPath: string | null;
  languageId: string;
  /**
   * The current file's imports: resolved to files, whose definitions rank first. `namespace` stands for the whole
   * module (`import * as m`), `defaultName` for its default export or `module.exports` (`import m from`, `require()`).
   */
  imports: { specifier: string; names: string[]; namespace?: string; defaultName?: string }[];
  /** Names to look up, most wanted first. */
  names: string[];
  /** Definitions returned per name. */
  maxPerName: number;
}

export type DefinitionSource = "same-file" | "imported-file" | "workspace";

export interface FoundDefinition extends SymbolDefinition {
  source: DefinitionSource;
  /** How many definitions of this name the index holds (ambiguity). */
  candidates: number;
  /**
   * How likely this is what the code wants of the name, when less than its other definitions (1 when absent): a
   * class's outline of what its name is followed by weighs the share of its members reached that way.
   */
  weight?: number;
}

export interface DefinitionQueryResult {
  definitions: FoundDefinition[];
  /** specifier → resolved file (null when it could not be resolved, e.g. a package). */
  resolvedImports: Record<string, string | null>;
}
