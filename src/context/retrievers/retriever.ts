import type { Tree } from "web-tree-sitter";
import type { ContextItem } from "../context-types";
import type { ImportStatement } from "../imports";
import type { LanguageSpec } from "../languages";
import type { LineNumbers } from "../text-lines";

/** A candidate for the context, with the short form it may fall back to when the budget is tight (a signature). */
export type ScoredItem = ContextItem & { header?: string };

/**
 * What every retriever is asked: the text around the cursor as the engine sees it (the document's, or a window of it),
 * with what the engine already knows about it. Plain data, valid for the current turn of the event loop only: the tree
 * belongs to the document store, which may replace it at the next parse.
 */
export interface RetrievalRequest {
  readonly uri: string;
  /** The document's file path; null for untitled buffers and other schemes. */
  readonly path: string | null;
  /** What items of this document name as their path: its file path, or its URI. */
  readonly displayPath: string;
  readonly languageId: string;
  /** The document's text, or a window of it (see AssembleRequest.window). */
  readonly text: string;
  /** The cursor, in `text`. */
  readonly offset: number;
  /** Null without a grammar, for a file too large to parse, or before the first parse. */
  readonly tree: Tree | null;
  readonly spec: LanguageSpec | null;
  readonly lines: LineNumbers;
  /** The document's import statements, at offsets of `text` (a window's lie before it: negative). */
  readonly imports: readonly ImportStatement[];
  /** Where the smallest prefix window the prompt will show starts: what it shows need not be retrieved. */
  readonly prefixFloor: number;
  /** The prompt shows this document through its windows only: items from it would be budget the model never sees. */
  readonly otherFilesOnly: boolean;
}

/**
 * One source of context. `retrieve` returns scored candidates (the mixer ranks them all together, de-duplicates them
 * and fits them to the budget), or null when the source has no answer for this request: it could not be asked, or did
 * not answer in time. Whatever work it does synchronously must be bounded by the window around the cursor, not by the
 * size of the file or the workspace; slow sources answer asynchronously and stop waiting when `signal` aborts.
 */
export interface Retriever {
  /** The source's name: its switch in the engine's options, its phase in AssembledContext.phases. */
  readonly name: RetrieverName;
  /** `budgetTokens` is what all items together may take: a source may cap its own share of it. */
  retrieve(request: RetrievalRequest, budgetTokens: number, signal?: AbortSignal): ScoredItem[] | null | Promise<ScoredItem[] | null>;
  /** A request for this position will come after a pause (the typing debounce): start slow lookups now. */
  prepare?(request: RetrievalRequest): void;
  /** The document was closed: drop what is kept for it. */
  forget?(uri: string): void;
  dispose?(): void;
}

export type RetrieverName = "scopes" | "imports" | "definitions" | "snippets" | "edits";
