import type { ChunkHit } from "./chunk-store";

// What the indexer answers, as the worker protocol and the host see it.

export interface IndexProgress {
  done: number;
  total: number;
}

export interface IndexSummary {
  files: number;
  indexed: number;
  removed: number;
  unchanged: number;
  skipped: number;
  chunks: number;
  /** Files of the workspace beyond `maxFiles`, not indexed. */
  overLimit: boolean;
  /** Why vectors are off, when they are. */
  vectorsOff: string | null;
  ms: number;
}

export interface MemoryHits {
  vector: ChunkHit[];
  text: ChunkHit[];
  /** Why the vector side gave nothing, when it could not run. */
  vectorsOff: string | null;
}
