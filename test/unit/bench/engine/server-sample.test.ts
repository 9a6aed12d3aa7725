// The engine bench reads llama-server's answer as a sample comparable with Hearth's.
import { strict as assert } from "node:assert";
import type { Sample } from "../../../../bench/engine/engine-report";
import { serverSample } from "../../../../bench/engine/run-engine";

describe("bench: llama-server's sample", () => {
  const shape = { totalTokens: 100 } as Sample["shape"];

  it("takes generation ms/token per decode step, as Hearth's is: the first token comes with the prompt, so predicted_ms covers predicted_n − 1 steps", () => {
    const sample = serverSample({ content: "", timings: { prompt_n: 10, prompt_ms: 100, predicted_n: 24, predicted_ms: 230 } }, 400, shape, null);
    assert.equal(sample.genMsPerToken, 10);
  });

  it("has no generation rate for an answer of one token (no decode step)", () => {
    const sample = serverSample({ content: "", timings: { prompt_n: 10, prompt_ms: 100, predicted_n: 1, predicted_ms: 0.001 } }, 120, shape, null);
    assert.equal(sample.genMsPerToken, null);
  });
});
