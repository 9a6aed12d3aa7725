// The decode steps the draft benches count for an always-right model: one token per step without drafts; with them,
// each step keeps the drafts the answer confirms, up to the first wrong one, plus the token the model writes after.
import { strict as assert } from "node:assert";
import type { Token, TokenPredictor } from "node-llama-cpp" with { "resolution-mode": "import" };
import { decodeSteps } from "../../../../bench/engine/draft-steps";

/** Drafts the next `n` tokens of `guess` after what was pushed so far. */
function predictorFrom(guess: number[], n: number): TokenPredictor {
  let at = 0;
  return {
    updateInputTokens: () => undefined,
    reset: () => undefined,
    predictTokens: () => guess.slice(at, at + n) as Token[],
    pushTokens: (tokens: Token[]) => {
      at += tokens.length;
    },
  } as unknown as TokenPredictor;
}

const answer = [1, 2, 3, 4, 5, 6] as Token[];

describe("decodeSteps", () => {
  it("takes one step per answer token without a predictor", () => {
    const steps = decodeSteps(undefined, [], answer);
    assert.deepEqual(steps.list, [0, 0, 0, 0, 0, 0]);
    assert.equal(steps.written, 6);
  });

  it("keeps the drafts up to the first wrong one, then the token the model writes there", () => {
    const steps = decodeSteps(predictorFrom([1, 9, 3, 4, 5, 6], 2), [], answer);
    // [1, 9]: 1 kept, the model writes 2; [3, 4]: both kept, it writes 5; [6]: kept, the answer is complete.
    assert.deepEqual(steps.list, [2, 2, 1]);
    assert.equal(steps.accepted, 4);
    assert.equal(steps.refuted, 1);
    assert.equal(steps.written, 6);
  });

  it("counts every draft of a right guess as accepted", () => {
    const steps = decodeSteps(predictorFrom([1, 2, 3, 4, 5, 6], 2), [], answer);
    assert.deepEqual(steps.list, [2, 2]);
    assert.equal(steps.accepted, 4);
    assert.equal(steps.refuted, 0);
  });

  it("stops when the caller says the answer is complete", () => {
    const steps = decodeSteps(undefined, [], answer, (tokens) => tokens.includes(3 as Token));
    assert.equal(steps.written, 3);
    assert.ok(steps.stopped);
  });
});
