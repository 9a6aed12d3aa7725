import type { ActionCodebaseSearch } from "../actions/codebase-context";
import type { CodebaseMemoryHost } from "./codebase-memory";

/**
 * Codebase search for Fix and Generate Tests: the codebase host's hybrid search, ready once a pass over the workspace
 * has finished (before that the index holds only part of it, and a missing definition would look like none).
 */
export function actionCodebaseSearch(host: CodebaseMemoryHost): ActionCodebaseSearch {
  return {
    ready: () => host.memory !== null && host.summary !== null,
    search: async (query, budgetTokens, signal) => (await host.search(query, budgetTokens, signal))?.snippets ?? [],
  };
}
