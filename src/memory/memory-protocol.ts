import type { WorkerCancel, WorkerReply } from "../common/worker-host";
import type { ChunkHit } from "./chunk-store";
import type { EmbedRole } from "./embedder";
import type { IndexProgress, IndexSummary, MemoryHits } from "./memory-results";

/** Data the memory worker starts with (worker_threads `workerData`). */
export interface MemoryWorkerData {
  storeDir: string;
  grammarsDir: string;
  excludeGlobs: string[];
  maxFiles?: number;
  maxChunkChars?: number;
  /** Whether the host has an embedding model to answer `embed` messages with. */
  embeddings: boolean;
}

/** Requests from the extension host to the memory worker; each carries an id the reply repeats. */
export type MemoryRequest =
  | { type: "index-folders"; id: number; roots: string[] }
  | { type: "update-file"; id: number; path: string; text?: string }
  | { type: "remove-file"; id: number; path: string }
  | { type: "search"; id: number; question: string; limit: number }
  | { type: "chunks-at"; id: number; places: { path: string; line: number }[]; limit: number }
  | { type: "stats"; id: number }
  | WorkerCancel;

/** Messages without a reply: the editor's busy state, and the host's answers to the worker's `embed` requests. */
export type MemoryNotice =
  | { type: "busy"; busy: boolean }
  | { type: "embedded"; embedId: number; model: string; vectors: number[][] }
  | { type: "embed-failed"; embedId: number; message: string; noModel: boolean };

export type MemoryResult = IndexSummary | MemoryHits | ChunkHit[] | MemoryStats | boolean | null;

export interface MemoryStats {
  chunks: number;
  files: number;
  vectorsOff: string | null;
}

/** The worker's messages besides replies and log lines: a pass's progress, and its requests to embed texts. */
export type MemoryEvent =
  | { type: "progress"; id: number; progress: IndexProgress }
  | { type: "embed"; embedId: number; texts: string[]; role?: EmbedRole }
  | { type: "cancel-embed"; embedId: number };

export type MemoryMessage = WorkerReply<MemoryResult> | MemoryEvent;

export interface MemoryProtocol {
  request: MemoryRequest;
  notice: MemoryNotice;
  result: MemoryResult;
  event: MemoryEvent;
}
