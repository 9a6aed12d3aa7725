/** What a text is embedded as: a search question, or a piece of the codebase to find. */
export type EmbedRole = "query" | "document";

/**
 * What codebase memory needs of an embedding model: texts in, one vector per text out. The engine's embedding role
 * (EngineClient.embed) is the one in the product; `model` names the model the vectors came from, because vectors of
 * two models are not comparable and a change of model means the store is rebuilt.
 */
export interface Embedder {
  /** `role` tells a model that wants it which prefix to put before the texts (default: document). */
  embed(texts: readonly string[], options: { signal?: AbortSignal; role?: EmbedRole }): Promise<EmbeddingBatch>;
}

export interface EmbeddingBatch {
  /** The model's identity (its file and size): the store's vectors are kept only while it stays the same. */
  model: string;
  vectors: number[][];
}

/** What an engine's embedding role answers, as far as codebase memory reads it (EngineClient.embed, ServerEngine.embed). */
export interface EmbeddingEngine {
  embed(texts: string[], options: { signal?: AbortSignal }): Promise<{ modelPath: string; vectors: number[][] }>;
}

/** The engine's embedding role as codebase memory asks it: the model's path names the vectors' model. */
export function engineEmbedder(engine: EmbeddingEngine): Embedder {
  return {
    embed: async (texts, { signal }) => {
      const result = await engine.embed([...texts], signal ? { signal } : {});
      return { model: result.modelPath, vectors: result.vectors };
    },
  };
}

/** Thrown when there is no embedding model, or the one set cannot embed: full text and symbols still work without it. */
export class NoEmbeddingModelError extends Error {
  override readonly name = "NoEmbeddingModelError";
}

/** What a model's authors put before a text (the catalog's EmbeddingFacts carry them). */
export interface EmbeddingPrefixes {
  queryPrefix?: string;
  documentPrefix?: string;
}

/**
 * An embedder that puts the model's own prefixes before the texts (nomic-embed-text's `search_query: ` and
 * `search_document: `, bge's query instruction): those models were trained with them, and rank worse without. `facts`
 * is asked at each call (the model can change). A document prefix is part of the model's identity, so a store built
 * without it is rebuilt rather than searched with vectors of another kind.
 */
export function prefixedEmbedder(inner: Embedder, facts: () => EmbeddingPrefixes | undefined): Embedder {
  return {
    async embed(texts, options) {
      const known = facts();
      const role = options.role ?? "document";
      const prefix = (role === "query" ? known?.queryPrefix : known?.documentPrefix) ?? "";
      const batch = await inner.embed(prefix ? texts.map((t) => prefix + t) : texts, options);
      return known?.documentPrefix ? { ...batch, model: `${batch.model} (documents: ${JSON.stringify(known.documentPrefix)})` } : batch;
    },
  };
}
