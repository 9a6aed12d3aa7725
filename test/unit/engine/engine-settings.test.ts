// The completion model's own context (engine-settings.ts completionContextSize): sized for the largest completion prompt
// the budgets make, not for hearth.engine.contextSize, which users raise for chat and which every cache move of the
// suffix reuse would rotate whole.
import { strict as assert } from "node:assert";
import { DEFAULT_GENERATION } from "../../../src/completion/generate-suggestion";
import type { EngineSettings } from "../../../src/engine/client-types";
import { COMPLETION_ANSWER_TOKENS, completionContextSize } from "../../../src/engine/engine-settings";
import { loadParams } from "../../../src/engine/model-loading";

describe("engine settings: the completion model's context", () => {
  it("is 4,096 tokens for the default completion budget, however large the chat's context", () => {
    assert.equal(completionContextSize(16384, 1024), 4096);
    assert.equal(completionContextSize(131072, 1024), 4096);
  });

  it("is never larger than hearth.engine.contextSize", () => {
    assert.equal(completionContextSize(2048, 1024), 2048);
  });

  it("grows with hearth.completion.contextTokens, in steps of 1,024, to hold the prefix's growth, a 64-line suffix and the answer", () => {
    const size = completionContextSize(131072, 8192);
    assert.equal(size % 1024, 0);
    assert.ok(size >= 8192 * 1.5 + 1536 + COMPLETION_ANSWER_TOKENS, `${size}`);
    assert.ok(size < 8192 * 1.5 + 1536 + COMPLETION_ANSWER_TOKENS + 2048, `${size}`);
  });

  it("leaves room for the longest answer a suggestion asks for", () => {
    assert.equal(COMPLETION_ANSWER_TOKENS, DEFAULT_GENERATION.maxTokensMultiLine);
  });

  it("goes to the engine with the completion model's load only", () => {
    const settings: EngineSettings = { modelPath: "/m.gguf", threads: 1, contextSize: 16384, completionContextSize: 4096, gpu: "off", idleUnloadMs: 0 };
    assert.equal(loadParams("completion", "/m.gguf", settings).completionContextSize, 4096);
    assert.equal(loadParams("chat", "/c.gguf", settings).completionContextSize, undefined);
    assert.equal(loadParams("chat", "/c.gguf", settings).contextSize, 16384);
  });
});
