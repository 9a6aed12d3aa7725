import * as assert from "node:assert/strict";
import { splitContextBudget } from "../../../src/completion/context-budget";
import { completionContextRequest } from "../../../src/completion/generate-suggestion";

describe("splitContextBudget", () => {
  it("gives a completion's suffix at most 15% and other files' code up to half, the prefix the rest", () => {
    assert.deepEqual(splitContextBudget(1000), { suffixTokens: 150, extrasTokens: 500, minPrefixTokens: 350, suffixSentLines: 64 });
  });

  it("gives the suffix 32 tokens at least, and counts a budget below 64 tokens as 64", () => {
    assert.deepEqual(splitContextBudget(10), { suffixTokens: 32, extrasTokens: 32, minPrefixTokens: 0, suffixSentLines: 64 });
  });

  it("is what a completion's context request carries", () => {
    const req = completionContextRequest({ uri: "/p/a.ts", languageId: "typescript", text: "x", offset: 1 }, 1536);
    assert.deepEqual(req.split, splitContextBudget(1536));
    assert.equal(req.otherFilesOnly, true);
  });
});
