import * as assert from "node:assert/strict";
import { UNENDED_MAX_LINES } from "../../../../src/completion/postprocess/final-transforms";
import { CompletionStreamFilter, postprocessCompletion } from "../../../../src/completion/postprocess/postprocess-completion";

const request = { prefix: "function f(items) {\n  let total = 0;\n  ", suffix: "\n}\n", languageId: "typescript", multiline: true };
const lines = (n: number): string => Array.from({ length: n }, (_, i) => `total += items[${i}];`).join("\n  ");

describe("the line cap of a suggestion with no end", () => {
  it("keeps eight lines of a suggestion the engine stopped at its token limit", () => {
    assert.equal(UNENDED_MAX_LINES, 8);
    assert.equal(postprocessCompletion({ ...request, completion: lines(30), tokenLimit: true }), lines(8));
  });

  it("does not cap a suggestion the model ended itself", () => {
    assert.equal(postprocessCompletion({ ...request, completion: lines(12) }), lines(12));
  });

  it("does not cap a suggestion that ends at a block end", () => {
    const completion = `${lines(12)}\n  return total;\n}\n\nfunction g() {`;
    assert.equal(postprocessCompletion({ ...request, completion, tokenLimit: true }), `${lines(12)}\n  return total;`);
  });

  it("does not cap a single-line suggestion", () => {
    assert.equal(postprocessCompletion({ ...request, multiline: false, completion: "items.length;", tokenLimit: true }), "items.length;");
  });

  it("falls back to the last balanced line when the cap falls inside a block", () => {
    const completion = `${lines(5)}\n  for (const item of items) {\n    total += item;\n    total -= 1;\n    total *= 2;\n    total /= 2;`;
    assert.equal(postprocessCompletion({ ...request, completion, tokenLimit: true }), lines(5));
  });

  it("applies to a streamed suggestion when the filter is told of the token limit", () => {
    const filter = new CompletionStreamFilter(request);
    for (const chunk of lines(20).split(/(?<=\n)/)) assert.equal(filter.push(chunk), false);
    assert.equal(filter.finish({ tokenLimit: true }), lines(8));
  });
});
