import type { RetrievalRequest, Retriever, RetrieverName, ScoredItem } from "./retriever";

/**
 * Asks every retriever at once: each one's synchronous part runs now, in order, while the request's tree is still the
 * document store's; the slow ones (the workspace index) are then awaited together. Each one's time goes to `phases`
 * under its name. The answers come in the retrievers' order.
 */
export async function retrieveAll(
  retrievers: readonly Retriever[],
  request: RetrievalRequest,
  budgetTokens: number,
  signal: AbortSignal | undefined,
  phases: Record<string, number>,
): Promise<{ name: RetrieverName; items: ScoredItem[] | null }[]> {
  const pending = retrievers.map((r) => {
    const t0 = performance.now();
    const out = r.retrieve(request, budgetTokens, signal);
    phases[r.name] = performance.now() - t0;
    return { name: r.name, out };
  });
  const waitStarted = performance.now();
  return Promise.all(
    pending.map(async ({ name, out }) => {
      if (!(out instanceof Promise)) return { name, items: out };
      const items = await out;
      phases[name] += performance.now() - waitStarted;
      return { name, items };
    }),
  );
}
