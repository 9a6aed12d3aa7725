import * as assert from "node:assert/strict";
import { CompletionStreamFilter, postprocessCompletion } from "../../../../src/completion/postprocess/postprocess-completion";
import { findUnsafeCharacter } from "../../../../src/completion/postprocess/unsafe-characters";

const request = { prefix: "function f(items) {\n  ", suffix: "\n}\n", languageId: "typescript", multiline: true };
const complete = (completion: string): string | null => postprocessCompletion({ ...request, completion });

describe("unsafe characters in ghost text", () => {
  it("finds U+FFFD, the replacement character of broken UTF-8", () => {
    assert.equal(findUnsafeCharacter("ok \uFFFD"), 3);
  });

  it("finds every C0 control character but tab, line feed and carriage return", () => {
    for (let c = 0; c < 0x20; c++) {
      const allowed = c === 0x09 || c === 0x0a || c === 0x0d;
      assert.equal(findUnsafeCharacter(`a${String.fromCharCode(c)}`), allowed ? -1 : 1, `U+${c.toString(16).padStart(4, "0")}`);
    }
  });

  it("finds DEL and the C1 control characters", () => {
    for (const c of [0x7f, 0x80, 0x9b, 0x9f]) assert.equal(findUnsafeCharacter(String.fromCharCode(c)), 0);
  });

  it("finds the bidi controls that reorder a line without changing what a compiler reads", () => {
    for (const c of [0x061c, 0x200e, 0x200f, 0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069]) {
      assert.equal(findUnsafeCharacter(`x${String.fromCharCode(c)}`), 1, `U+${c.toString(16)}`);
    }
  });

  it("finds invisible characters that make two equal-looking names differ", () => {
    for (const c of ["\u00AD", "\u180E", "\u200B", "\u200C", "\u200D", "\u2060", "\u2064", "\uFEFF", "\u2028", "\u2029"]) {
      assert.equal(findUnsafeCharacter(`is${c}Done`), 2, JSON.stringify(c));
    }
  });

  it("finds tag characters, which can hide a message for another model", () => {
    assert.equal(findUnsafeCharacter("// \u{E0049}\u{E0047}"), 3);
  });

  it("finds half of a surrogate pair, high or low", () => {
    assert.equal(findUnsafeCharacter("a\uD83D"), 1);
    assert.equal(findUnsafeCharacter("a\uDE00b"), 1);
    assert.equal(findUnsafeCharacter("a\uD83Db"), 1);
  });

  it("accepts letters of every script, emoji and symbols", () => {
    assert.equal(findUnsafeCharacter("const café = \"日本語 😀 ∑ – ½ €\";\t// ok\r\n"), -1);
  });

  it("accepts an escape sequence written as source text", () => {
    assert.equal(complete('const rlo = "\\u202E", esc = "\\x1b[0m";'), 'const rlo = "\\u202E", esc = "\\x1b[0m";');
  });

  it("cuts a suggestion at the start of the line that holds an unsafe character", () => {
    assert.equal(complete("const a = 1;\n  const b = 2;\n  const c = \u0007;\n  return a;"), "const a = 1;\n  const b = 2;");
  });

  it("gives no suggestion when the first line holds an unsafe character", () => {
    assert.equal(complete("const a = \uFFFD;\n  return a;"), null);
  });

  it("cuts a single-line suggestion the same way", () => {
    assert.equal(postprocessCompletion({ ...request, multiline: false, completion: "items.len\u0000gth" }), null);
  });

  it("asks to stop generating as soon as an unsafe character arrives, in the middle of a line", () => {
    const filter = new CompletionStreamFilter(request);
    assert.equal(filter.push("const a = 1;\n  const b"), false);
    assert.equal(filter.push(" = \uFFFD"), true);
    assert.equal(filter.finish(), "const a = 1;");
    assert.equal(filter.stoppedBy, "unsafe-character");
  });

  it("waits for the second half of a surrogate pair that a chunk ends in", () => {
    const filter = new CompletionStreamFilter(request);
    assert.equal(filter.push('const smile = "\uD83D'), false);
    assert.equal(filter.push('\uDE00";\n'), false);
    assert.equal(filter.finish(), 'const smile = "😀";');
  });
});
