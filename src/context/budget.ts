/** How a request's tokens are shared out: the suffix and the items each up to a cap, the prefix what they leave. */
export interface BudgetSplit {
  /** At most this much suffix. */
  suffixTokens: number;
  /** At most this much for items from elsewhere (definitions, snippets, imports, scopes); what they leave goes to the prefix. */
  extrasTokens: number;
  /** The prefix gets the rest (at least this much). */
  minPrefixTokens: number;
  /** Whole lines of suffix sent in all, beyond `suffixTokens` uncounted (see context-windows suffixWindow); 0 or absent: none beyond. */
  suffixSentLines?: number;
}

/** Fractions of a budget: the suffix's (with a floor in tokens) and the items'. */
export interface BudgetShares {
  suffix: number;
  minSuffixTokens: number;
  items: number;
}

/**
 * The shares of a request that brings no split of its own (an action's, a bench of the context alone): those of a
 * completion's prompt (completion/context-budget), so that what such a caller measures is what a completion gets.
 */
export const DEFAULT_SHARES: BudgetShares = { suffix: 0.15, minSuffixTokens: 32, items: 0.5 };

export function splitBudget(totalTokens: number, shares: BudgetShares): BudgetSplit {
  const total = Math.max(64, Math.floor(totalTokens));
  const suffixTokens = Math.max(shares.minSuffixTokens, Math.floor(total * shares.suffix));
  const extrasTokens = Math.floor(total * shares.items);
  return { suffixTokens, extrasTokens, minPrefixTokens: total - suffixTokens - extrasTokens };
}
