import type { OpenAiApi } from "./openai-api";

/** /tokenize requests in flight at once when counting many texts. */
const TOKENIZE_REQUESTS_AT_ONCE = 4;

/**
 * Each text's token count from llama-server's /tokenize, or null when the server does not tokenize. A few requests at
 * a time: one request per text at once sent a shared server hundreds in a burst, all on one signal.
 */
export async function countTokensOnServer(api: OpenAiApi, texts: readonly string[], signal?: AbortSignal): Promise<number[] | null> {
  const counts: (number | null)[] = new Array<number | null>(texts.length).fill(null);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < texts.length; i = next++) {
      counts[i] = (await api.tokenize(texts[i]!, signal ? { signal } : {}))?.length ?? null;
      if (counts[i] === null) return;
    }
  };
  await Promise.all(Array.from({ length: Math.min(TOKENIZE_REQUESTS_AT_ONCE, texts.length) }, worker));
  return counts.some((count) => count === null) ? null : (counts as number[]);
}
