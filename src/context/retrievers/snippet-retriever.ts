import type { RecentFiles } from "../recent-files";
import { findSimilarSnippets, identifierSet } from "../similar-snippets";
import { startOfLinesAbove } from "../text-lines";
import type { CountTokens } from "../token-estimate";
import type { RetrievalRequest, Retriever, ScoredItem } from "./retriever";

/** The code before the cursor that snippets are matched against: this many lines, at most this many characters. */
const QUERY_LINES = 20;
const QUERY_CHARS = 4000;
const MAX_SNIPPETS = 4;

/**
 * The neighbouring-tabs technique: the windows of the files visited lately that share the most identifiers with the
 * code just before the cursor (one per file).
 */
export class SnippetRetriever implements Retriever {
  readonly name = "snippets";

  constructor(
    private readonly recentFiles: RecentFiles,
    private readonly countTokens: CountTokens,
  ) {}

  retrieve(request: RetrievalRequest): ScoredItem[] {
    const sources = this.recentFiles.snippetSources(request.uri);
    if (!sources.length) return [];
    const start = startOfLinesAbove(request.text, request.offset, QUERY_LINES, QUERY_CHARS);
    const query = identifierSet(request.text.slice(start, request.offset));
    return findSimilarSnippets(query, sources, MAX_SNIPPETS).map((s) => snippetItem({ ...s, score: 0.5 * s.score }, this.countTokens));
  }
}

/** Lines of a recent file as a candidate. */
export function snippetItem(s: { path: string; startLine: number; endLine: number; text: string; score: number }, count: CountTokens): ScoredItem {
  return { kind: "snippet", source: "recent-file", path: s.path, startLine: s.startLine, endLine: s.endLine, text: s.text, tokens: count(s.text), score: s.score };
}
