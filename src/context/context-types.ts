import type { BudgetSplit } from "./budget";

/** One piece of context from outside the prefix/suffix windows. */
export interface ContextItem {
  /** An outline is a module's top-level members, one line each (what `module.` can be followed by). */
  kind: "definition" | "outline" | "snippet" | "imports" | "scope";
  source: "same-file" | "imported-file" | "workspace" | "recent-file";
  /** File path (or the document's URI when it has no path). */
  path: string;
  /** The symbol a definition defines. */
  symbol?: string;
  /** 0-based lines the text comes from (inclusive). */
  startLine: number;
  endLine: number;
  text: string;
  tokens: number;
  /** Why it was chosen over others (higher is better); for logs and benches. */
  score: number;
}

/** What the prompt builder needs, ordered so that what changes least comes first (keeps the KV cache warm). */
export interface AssembledContext {
  languageId: string;
  /** Text before the cursor, cut at a line (and, with a tree, a statement) boundary. */
  prefix: string;
  /** Text after the cursor, cut at a line boundary. */
  suffix: string;
  /** Context from elsewhere: other files' definitions and snippets first, then this file's imports, definitions, scopes. */
  items: ContextItem[];
  /** What surrounds the cursor: the completion decides from it whether to suggest one line or several. */
  surroundings: CursorSurroundings;
  /** Offsets in the document where the prefix starts and the suffix ends. */
  prefixStart: number;
  suffixEnd: number;
  /** 0-based line of the document on which the prefix starts. */
  prefixStartLine: number;
  tokens: { prefix: number; suffix: number; items: number; budget: number };
  /** Whether a syntax tree informed this context (false: a language without a grammar, a huge file, first parse pending). */
  parsed: boolean;
  /** Whether the workspace index answered in time. */
  indexAnswered: boolean;
  elapsedMs: number;
  /** Milliseconds per phase (parse, windows, each retriever by name, mix+prefix), for logs and benches. */
  phases: Record<string, number>;
  /** For a completion with the context hold on: why other files' context is what it is (see ContextHold). */
  hold?: HoldChoice;
}

/**
 * What ContextHold did with a completion's other-file context: kept the held items as they were, added a new
 * definition at their end, made room for one after a pause (dropping the last held items the mixer no longer chose),
 * or chose afresh (the first time, in another scope or another document, after the user brought another file to the
 * front).
 */
export type HoldChoice = "kept" | "added" | "first" | "pause" | "scope" | "document" | "visit";

/** The cursor's surroundings, plain data: from a tree-sitter tree when there is one, else from the text alone. */
export interface CursorSurroundings {
  languageId: string;
  /** The cursor's line before the cursor, and after it. */
  linePrefix: string;
  lineSuffix: string;
  /** The nearest non-blank line above the cursor's line ("" at the top of the file). */
  previousLine: string;
  /** From the syntax tree, when there is one (else lexically, for strings and comments). */
  inComment?: boolean;
  inString?: boolean;
  /** The cursor sits in a block with no statements yet (`{}`, a Python header with nothing under it). */
  inEmptyBlock?: boolean;
}

/** Where a window of a document lies in it; `head` is the document's first characters, where its imports are. */
export interface DocumentWindow {
  start: number;
  documentLength: number;
  head?: string;
}

export interface AssembleRequest {
  uri: string;
  languageId: string;
  /** The document's text, or only a window of it around the cursor (see `window`). */
  text: string;
  /** The cursor, in `text`. */
  offset: number;
  /** Tokens for the prefix, the suffix and the items together. */
  budgetTokens: number;
  /** How they are shared (a completion lays out its prompt so); without it, as DEFAULT_SHARES say. */
  split?: BudgetSplit;
  /** The editor's version of the document: with it, the engine may answer from its own copy of the same version. */
  version?: number;
  /** 0-based line of the cursor in the document, when the caller knows it: saves counting the lines above it. */
  cursorLine?: number;
  /**
   * Set when `text` is a window of a document too large to copy per keystroke: where the window starts in the
   * document, and the document's length.
   */
  window?: DocumentWindow;
  /**
   * The prompt shows this file only through its prefix and suffix windows (a completion's FIM prompt), so items from
   * this file (its imports, enclosing scopes, its own definitions) would spend budget on text the model never sees.
   */
  otherFilesOnly?: boolean;
  signal?: AbortSignal;
}
