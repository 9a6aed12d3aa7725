/**
 * What codebase memory needs of an embedding model: texts in, one vector per text out. The engine's embedding role
 * (EngineClient.embed) is the one in the product; `model` names the model the vectors came from, because vectors of
 * two models are not comparable and a change of model means the store is rebuilt.
 */
export interface Embedder {
  embed(texts: readonly string[], options: { signal?: AbortSignal }): Promise<EmbeddingBatch>;
}

export interface EmbeddingBatch {
  /** The model's identity (its file and size): the store's vectors are kept only while it stays the same. */
  model: string;
  vectors: number[][];
}

/** Thrown when there is no embedding model, or the one set cannot embed: full text and symbols still work without it. */
export class NoEmbeddingModelError extends Error {
  override readonly name = "NoEmbeddingModelError";
}
