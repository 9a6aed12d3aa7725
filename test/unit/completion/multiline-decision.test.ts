import * as assert from "node:assert/strict";
import { decideMultiline } from "../../../src/completion/multiline-decision";

const at = (languageId: string, linePrefix: string, lineSuffix = "", extra: Partial<Parameters<typeof decideMultiline>[0]> = {}) =>
  decideMultiline({ languageId, linePrefix, lineSuffix, previousLine: "", ...extra });

describe("decideMultiline", () => {
  it("is multi-line after a block opener", () => assert.equal(at("typescript", "function f() {"), true));
  it("is multi-line in an empty block whose brace was auto-closed", () => assert.equal(at("java", "  void run() {", "}"), true));
  it("is multi-line after a Python header", () => assert.equal(at("python", "    for item in items:"), true));
  it("is multi-line on a blank line", () => assert.equal(at("go", "\t"), true));
  it("is single-line in the middle of a statement", () => assert.equal(at("typescript", "const total = comp"), false));
  it("is single-line inside a condition whose parenthesis was auto-closed", () => assert.equal(at("cpp", "    if (", ")"), false));
  it("is single-line inside a string", () => assert.equal(at("typescript", "const s = \"{", "\"", { inString: true }), false));
  it("is single-line inside a comment", () => assert.equal(at("rust", "    // TODO {", "", { inComment: true }), false));
  it("is single-line before text that cannot start a statement", () => assert.equal(at("cpp", "    ", ";"), false));
  it("is multi-line in an empty block found by the parser", () => assert.equal(at("python", "    x = 1", "", { inEmptyBlock: true }), true));
});
