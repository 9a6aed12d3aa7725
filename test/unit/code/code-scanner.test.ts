import * as assert from "node:assert/strict";
import { scanCode } from "../../../src/code/code-scanner";
import { getCodeSyntax } from "../../../src/code/code-syntax";

const scan = (text: string, languageId = "typescript") => scanCode(text, getCodeSyntax(languageId));

describe("scanCode", () => {
  it("counts only the brackets of code, not those in strings and comments", () => {
    const result = scan('f("(", /* [ */ x) {\n  // {\n  const s = `{`;');
    assert.deepEqual(result.end.stack, ["{"]);
    assert.equal(result.endDepth, 1);
  });

  it("ends in a string or a comment when the text stops inside one", () => {
    assert.equal(scan('const s = "abc').end.mode, "string");
    assert.equal(scan("x = 1 /* note").end.mode, "block-comment");
    assert.equal(scan("x = 1 # note", "python").end.mode, "line-comment");
  });

  it("lets a Python triple-quoted string span lines, and a plain string end at the line", () => {
    assert.equal(scan('s = """first\nsecond', "python").end.mode, "string");
    assert.equal(scan('s = "first\nsecond', "python").end.mode, "code");
  });

  it("reports the first closer that closes nothing opened in the text", () => {
    const text = "  return 1;\n}\nfunction g() {}";
    assert.deepEqual(scan(text).unmatchedCloser, { index: text.indexOf("}"), char: "}" });
  });

  it("gives each line's depth and whether it starts in code", () => {
    const lines = scan("a {\n  `x\ny`\n}").lines;
    assert.deepEqual(
      lines.map((l) => [l.depth, l.startsInCode]),
      [
        [0, true],
        [1, true],
        [1, false],
        [1, true],
      ],
    );
  });
});

describe("getCodeSyntax", () => {
  it("gives a language it does not know the C-like rules", () => {
    assert.deepEqual(getCodeSyntax("no-such-language"), getCodeSyntax("java"));
  });
});
