import { isAbortError } from "../common/abort";
import { errorMessage } from "../common/errors";
import type { Logger } from "../common/logger";
import type { CountTokens } from "../context/token-estimate";
import type { ChunkHit } from "./chunk-store";
import { fitToBudget, fuseRankings, SOURCE_WEIGHTS, symbolNamesIn } from "./hybrid-search";
import type { CodebaseSnippet } from "./hybrid-search";
import type { MemoryHits } from "./memory-results";

/** What search needs of the memory: the indexer itself (in-thread) or its worker client. */
export interface MemorySearcher {
  search(question: string, limit: number, signal?: AbortSignal): Promise<MemoryHits | null>;
  chunksAt(places: readonly { path: string; line: number }[], limit: number, signal?: AbortSignal): Promise<ChunkHit[] | null>;
}

/** Where the workspace symbol index defines these names (src/context/index), best first. */
export type SymbolLookup = (names: readonly string[], signal?: AbortSignal) => Promise<{ path: string; line: number }[]>;

export interface CodebaseSearchOptions {
  budgetTokens: number;
  /** Hits asked of each source before fusion. */
  perSource?: number;
  maxSnippets?: number;
  symbols?: SymbolLookup;
  countTokens?: CountTokens;
  signal?: AbortSignal;
  logger?: Logger;
}

export interface CodebaseSearchResult {
  snippets: CodebaseSnippet[];
  /** Why vector search did not take part, when it did not (no embedding model, the model is not one). */
  vectorsOff: string | null;
  /** Snippets found before the budget cut. */
  found: number;
}

/**
 * Hybrid codebase search: the memory's vector and full-text hits and the symbol index's definitions of the names the
 * question mentions, fused by reciprocal rank, de-duplicated and fitted to a token budget.
 */
export async function searchCodebase(memory: MemorySearcher, question: string, opts: CodebaseSearchOptions): Promise<CodebaseSearchResult> {
  const perSource = opts.perSource ?? 20;
  const [hits, symbolHits] = await Promise.all([memory.search(question, perSource, opts.signal), symbolChunks(memory, question, perSource, opts)]);
  const fused = fuseRankings([
    { source: "vector", hits: hits?.vector ?? [], weight: SOURCE_WEIGHTS.vector },
    { source: "text", hits: hits?.text ?? [], weight: SOURCE_WEIGHTS.text },
    { source: "symbol", hits: symbolHits, weight: SOURCE_WEIGHTS.symbol },
  ]);
  return { snippets: fitToBudget(fused, opts.budgetTokens, opts.countTokens, opts.maxSnippets), vectorsOff: hits ? hits.vectorsOff : "the codebase index is not available", found: fused.length };
}

async function symbolChunks(memory: MemorySearcher, question: string, limit: number, opts: CodebaseSearchOptions): Promise<ChunkHit[]> {
  const names = symbolNamesIn(question);
  if (!opts.symbols || !names.length) return [];
  try {
    const places = await opts.symbols(names, opts.signal);
    return places.length ? ((await memory.chunksAt(places, limit, opts.signal)) ?? []) : [];
  } catch (e) {
    if (isAbortError(e)) throw e;
    opts.logger?.debug(`codebase search: the symbol index did not answer: ${errorMessage(e)}`);
    return [];
  }
}
