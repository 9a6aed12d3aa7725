import { strict as assert } from "node:assert";
import { cleanActionOutput } from "../../../src/actions/clean-output";
import { OUTPUT_CASES } from "../../fixtures/actions/outputs";

describe("action output clean-up", () => {
  for (const c of OUTPUT_CASES) {
    it(c.name, () => {
      const result = cleanActionOutput({
        output: c.output,
        languageId: c.languageId,
        original: c.original,
        ...(c.before !== undefined ? { before: c.before } : {}),
        ...(c.after !== undefined ? { after: c.after } : {}),
        ...(c.indentUnit !== undefined ? { indentUnit: c.indentUnit } : {}),
      });
      assert.ok(result, "some code is left");
      assert.equal(result.code, c.expected);
    });
  }

  it("says when the fence is still open, and when the answer came without one", () => {
    assert.equal(cleanActionOutput({ output: "```ts\nconst a = 1;", languageId: "typescript", original: "const a = 0;" })?.open, true);
    const bare = cleanActionOutput({ output: "const a = 1;", languageId: "typescript", original: "const a = 0;" });
    assert.deepEqual(bare, { code: "const a = 1;", fenced: false, open: false });
  });

  it("returns null when the answer is only prose", () => {
    assert.equal(cleanActionOutput({ output: "I am sorry, I cannot help with that request.", languageId: "typescript", original: "const a = 0;" }), null);
    assert.equal(cleanActionOutput({ output: "```ts\n\n```", languageId: "typescript", original: "const a = 0;" }), null);
  });

  it("puts new code (tests) at column zero, whatever the model indented it with", () => {
    const result = cleanActionOutput({ output: "```ts\n    it('adds', () => {\n      assert.equal(add(1, 2), 3);\n    });\n```", languageId: "typescript", original: "", baseIndent: "" });
    assert.equal(result?.code, "it('adds', () => {\n  assert.equal(add(1, 2), 3);\n});");
  });
});
