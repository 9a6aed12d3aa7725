/**
 * How a context budget is shared between the text around the cursor and other context. Defaults are sized for
 * 0.5B–1.5B models: the prompt stays short enough for a CPU to process in a few hundred milliseconds.
 */
export const DEFAULT_CONTEXT_BUDGET_TOKENS = 1536;

export interface BudgetSplit {
  /** At most this much suffix: a long suffix costs prompt time and defeats KV-cache reuse. */
  suffixTokens: number;
  /** At most this much for snippets and definitions from elsewhere; what they leave goes to the prefix. */
  extrasTokens: number;
  /** The prefix gets the rest (at least this much). */
  minPrefixTokens: number;
}

export function splitContextBudget(totalTokens: number): BudgetSplit {
  const total = Math.max(64, Math.floor(totalTokens));
  const suffixTokens = Math.max(32, Math.floor(total * 0.15));
  const extrasTokens = Math.floor(total * 0.5);
  return { suffixTokens, extrasTokens, minPrefixTokens: total - suffixTokens - extrasTokens };
}
