import type { WorkerCancel, WorkerReply } from "../../common/worker-host";
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
  | WorkerCancel;

export type IndexResult = IndexStats | DefinitionQueryResult | boolean | null;

export type IndexMessage = WorkerReply<IndexResult>;

export interface IndexProtocol {
  request: IndexRequest;
  notice: never;
  result: IndexResult;
  event: never;
}
