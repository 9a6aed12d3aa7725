// The decode steps an always-right model takes with and without speculative drafts, for benches that price drafts on
// an oracle answer (random weights never write real code, so acceptance is measured against the true text).
import type { Token, TokenPredictor } from "node-llama-cpp" with { "resolution-mode": "import" };

export interface DraftSteps {
  /** The drafts verified at each step (0 without a predictor). */
  list: number[];
  written: number;
  accepted: number;
  refuted: number;
  stopped: boolean;
}

/**
 * The decode steps a greedy model whose answer is `answer` takes: without a predictor one per token; with one, each
 * step verifies the predictor's drafts in one batch and keeps those the answer confirms, plus the token the model
 * writes after them. `stop` sees each step's tokens and ends the answer when it returns true.
 */
export function decodeSteps(predictor: TokenPredictor | undefined, prompt: Token[], answer: Token[], stop: (tokens: Token[]) => boolean = () => false): DraftSteps {
  const list: number[] = [];
  let written = 0;
  let accepted = 0;
  let refuted = 0;
  predictor?.updateInputTokens?.(prompt.slice());
  void predictor?.reset({ stateTokens: prompt.slice() } as Parameters<TokenPredictor["reset"]>[0]);
  while (written < answer.length) {
    const drafts = (predictor?.predictTokens() as Token[] | undefined) ?? [];
    let kept = 0;
    while (kept < drafts.length && written + kept < answer.length && drafts[kept] === answer[written + kept]) kept++;
    accepted += kept;
    refuted += drafts.length - kept;
    list.push(drafts.length);
    const step = answer.slice(written, Math.min(answer.length, written + kept + 1));
    written += step.length;
    predictor?.pushTokens(step);
    if (stop(step)) return { list, written, accepted, refuted, stopped: true };
  }
  return { list, written, accepted, refuted, stopped: false };
}
