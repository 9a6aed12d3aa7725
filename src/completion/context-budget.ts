import { splitBudget } from "../context/budget";
import type { BudgetShares, BudgetSplit } from "../context/budget";

/**
 * How a completion's FIM prompt shares its context budget. Sized for 0.5B–1.5B models: the prompt stays short enough
 * for a CPU to process in a few hundred milliseconds. A long suffix costs prompt time and defeats KV-cache reuse, so it
 * gets 15% at most; other files' code gets up to half, and the prefix the rest.
 */
const FIM_SHARES: BudgetShares = { suffix: 0.15, minSuffixTokens: 32, items: 0.5 };

export function splitContextBudget(totalTokens: number): BudgetSplit {
  return splitBudget(totalTokens, FIM_SHARES);
}
