import type { EmbedResult, ModelInfo } from "./protocol";

/** Texts per request: small enough that a cancel or a model change is seen soon, large enough that IPC costs nothing. */
export const EMBED_BATCH_TEXTS = 16;
/** Characters per request: a few chunks of a minified file must not become one huge message. */
export const EMBED_BATCH_CHARS = 64_000;

/**
 * Sends `texts` to the engine in batches, in order, and joins the answers into one result. An empty list asks nothing
 * (its dimensions are the loaded model's).
 */
export async function embedInBatches(texts: readonly string[], model: ModelInfo, call: (batch: string[], before: number) => Promise<EmbedResult>): Promise<EmbedResult> {
  const joined: EmbedResult = { vectors: [], dimensions: model.embeddingDimensions ?? 0, modelPath: model.path, tokens: [], truncated: [], waitedMs: 0, totalMs: 0 };
  for (const batch of batchesOf(texts)) {
    const result = await call(batch.texts, batch.start);
    if (result.vectors.length !== batch.texts.length) throw new Error(`the engine returned ${result.vectors.length} vectors for ${batch.texts.length} texts`);
    joined.vectors.push(...result.vectors);
    joined.tokens.push(...result.tokens);
    joined.truncated.push(...result.truncated.map((index) => index + batch.start));
    joined.dimensions = result.dimensions;
    joined.modelPath = result.modelPath;
    joined.waitedMs += result.waitedMs;
    joined.totalMs += result.totalMs;
  }
  return joined;
}

/** Consecutive runs of at most EMBED_BATCH_TEXTS texts and EMBED_BATCH_CHARS characters (a longer text goes alone). */
export function batchesOf(texts: readonly string[]): Array<{ start: number; texts: string[] }> {
  const batches: Array<{ start: number; texts: string[] }> = [];
  let current: { start: number; texts: string[] } | undefined;
  let chars = 0;
  texts.forEach((text, index) => {
    if (!current || current.texts.length >= EMBED_BATCH_TEXTS || (chars + text.length > EMBED_BATCH_CHARS && current.texts.length > 0)) {
      current = { start: index, texts: [] };
      batches.push(current);
      chars = 0;
    }
    current.texts.push(text);
    chars += text.length;
  });
  return batches;
}
