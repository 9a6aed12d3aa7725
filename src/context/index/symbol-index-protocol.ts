import type { DefinitionQuery, DefinitionQueryResult, IndexLimits, IndexStats } from "../symbol-types";

/** Data the index worker starts with (worker_threads `workerData`). */
export interface IndexWorkerData {
  grammarsDir: string;
  limits: Partial<IndexLimits>;
}

/** Requests from the extension host to the index worker; each carries an id the reply repeats. */
export type IndexRequest =
  | { type: "index-folders"; id: number; roots: string[] }
  | { type: "update-file"; id: number; path: string; text?: string; languageId?: string }
  | { type: "remove-file"; id: number; path: string }
  | { type: "query"; id: number; query: DefinitionQuery }
  | { type: "stats"; id: number }
  | { type: "cancel"; id: number; target: number };

export type IndexResult = IndexStats | DefinitionQueryResult | boolean | null;

export type IndexMessage =
  | { type: "reply"; id: number; result: IndexResult }
  | { type: "failed"; id: number; message: string }
  | { type: "log"; level: "debug" | "info" | "warn" | "error"; message: string };
