import { splitBudget } from "../context/budget";
import type { BudgetShares, BudgetSplit } from "../context/budget";

/**
 * How a completion's FIM prompt shares its context budget. Sized for 0.5B–1.5B models: the prompt stays short enough
 * for a CPU to process in a few hundred milliseconds. In a prefix-first prompt the suffix is evaluated again on every
 * keystroke, so the budget counts at most 15% for it (the rest of the enclosing block fits it nearly always); other
 * files' code gets up to half, and the prefix the rest.
 */
const FIM_SHARES: BudgetShares = { suffix: 0.15, minSuffixTokens: 32, items: 0.5 };

/**
 * Lines of suffix sent in all: a suffix-first prompt (Codestral, Mellum) keeps its suffix in the KV cache while the
 * user types, so it shows this many (llama.vscode's window); the engine cuts a prefix-first prompt's suffix to the rest
 * of the enclosing block (fim/layout.ts), so those lines cost such a model nothing.
 */
export const SUFFIX_SENT_LINES = 64;

export function splitContextBudget(totalTokens: number): BudgetSplit {
  return { ...splitBudget(totalTokens, FIM_SHARES), suffixSentLines: SUFFIX_SENT_LINES };
}
