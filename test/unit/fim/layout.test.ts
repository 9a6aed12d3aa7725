// The KV-cache-friendly FIM layout: line-anchored prefix windows, short suffix windows, and the prompt built from them.
import { strict as assert } from "node:assert";
import { codestralFormat, mellumFormat, qwenFormat } from "../../../src/fim/formats";
import { PSM_WINDOW, SPM_WINDOW, blockEnd, cutPrefixWindow, cutSuffixWindow, defaultFimWindow, promptToText, renderFimPrompt } from "../../../src/fim/layout";

describe("FIM windows", () => {
  const lines = Array.from({ length: 200 }, (_, i) => `line ${i}\n`);
  const prefixAt = (line: number, typed: string) => lines.slice(0, line).join("") + typed;
  const options = { maxPrefixLines: 20, prefixAnchorLines: 8, maxPrefixChars: 10_000 };

  it("starts the prefix window at a line start on a multiple of the anchor", () => {
    const window = cutPrefixWindow(prefixAt(70, "ret"), options);
    assert.equal(window.startLine, 56);
    assert.ok(window.text.startsWith("line 56\n"));
    assert.ok(window.text.endsWith("line 69\nret"));
  });

  it("does not move the window start while the user types on the cursor's line", () => {
    const before = cutPrefixWindow(prefixAt(70, "ret"), options);
    const after = cutPrefixWindow(prefixAt(70, "retu"), options);
    assert.equal(after.startLine, before.startLine);
    assert.ok(after.text.startsWith(before.text));
  });

  it("moves the window start only when the cursor crosses an anchor line", () => {
    const starts = [70, 71, 72, 73, 74, 75, 76, 77, 78].map((line) => cutPrefixWindow(prefixAt(line, ""), options).startLine);
    assert.deepEqual(starts, [56, 56, 56, 56, 56, 56, 56, 64, 64]);
  });

  it("counts anchors from the document's first line when the prefix starts further down", () => {
    const window = cutPrefixWindow(lines.slice(10, 70).join("") + "x", options, 10);
    assert.equal(window.startLine, 56);
    assert.ok(window.text.startsWith("line 56\n"));
  });

  it("moves the start down by whole anchor steps to stay within the character budget", () => {
    const window = cutPrefixWindow(prefixAt(70, "x"), { ...options, maxPrefixChars: 60 });
    assert.equal(window.startLine, 64);
    assert.equal(window.text, lines.slice(64, 70).join("") + "x");
  });

  it("cuts inside the cursor's line only when that line alone is over the budget", () => {
    const window = cutPrefixWindow(prefixAt(3, "y".repeat(50)), { ...options, maxPrefixChars: 10 });
    assert.equal(window.text, "y".repeat(10));
  });

  it("keeps the rest of the cursor's line and at most maxSuffixLines more lines of suffix", () => {
    assert.equal(cutSuffixWindow(") {\n  a();\n  b();\n  c();\n}\n", { maxSuffixLines: 2, maxSuffixChars: 1000 }), ") {\n  a();\n  b();\n");
  });

  it("drops whole suffix lines to stay within the character budget", () => {
    assert.equal(cutSuffixWindow(") {\n  a();\n  b();\n", { maxSuffixLines: 5, maxSuffixChars: 12 }), ") {\n  a();\n");
  });

  it("cuts a cursor line longer than the suffix budget at the budget", () => {
    assert.equal(cutSuffixWindow("abcdefghij\nk\n", { maxSuffixLines: 2, maxSuffixChars: 4 }), "abcd");
  });

  it("gives suffix-first formats a longer suffix, since it stays cached while the user types", () => {
    assert.equal(defaultFimWindow(qwenFormat()).maxSuffixLines, PSM_WINDOW.maxSuffixLines);
    assert.ok(defaultFimWindow(codestralFormat()).maxSuffixLines > PSM_WINDOW.maxSuffixLines);
    assert.ok(defaultFimWindow(mellumFormat()).maxSuffixChars > PSM_WINDOW.maxSuffixChars);
  });

  it("puts the windows, not the whole text, into the prompt", () => {
    const prompt = renderFimPrompt({ format: qwenFormat(), prefix: prefixAt(70, "ret"), suffix: "urn x\nA\nB\nC\nD\n", window: options });
    assert.equal(prompt.prefixStartLine, 56);
    assert.equal(prompt.suffix, "urn x\nA\nB\n");
    assert.equal(promptToText(prompt.pieces), `<|fim_prefix|>${prompt.prefix}<|fim_suffix|>urn x\nA\nB\n<|fim_middle|>`);
  });
});

describe("FIM suffix windows per order", () => {
  const js = "function f(a) {\n  if (a) {\n    ";
  const jsSuffix = "go(a);\n    stop();\n\n    done();\n  }\n  return a;\n}\n\nfunction g() {}\n";

  it("ends a prefix-first suffix with the enclosing block: its deeper lines and the line that closes it", () => {
    const prompt = renderFimPrompt({ format: qwenFormat(), prefix: js, suffix: jsSuffix });
    assert.equal(prompt.suffix, "go(a);\n    stop();\n\n    done();\n  }\n");
  });

  it("ends a Python block before the first line indented less than the cursor's", () => {
    const prefix = "def f(a):\n    while a:\n        ";
    const suffix = "a = step(a)\n        log(a)\n    return a\n\n\ndef g():\n    pass\n";
    assert.equal(suffix.slice(0, blockEnd(prefix, suffix, 0)), "a = step(a)\n        log(a)\n");
    assert.equal(renderFimPrompt({ format: qwenFormat(), prefix, suffix }).suffix, "a = step(a)\n        log(a)\n    return a\n");
  });

  it("takes a blank cursor line's block from the lines around it, so typing the line's indentation keeps the suffix", () => {
    const above = "function f(a) {\n  go(a);\n";
    const suffix = "\n  stop();\n  done();\n}\n\nfunction g() {}\nfunction h() {}\n";
    const blank = renderFimPrompt({ format: qwenFormat(), prefix: above, suffix }).suffix;
    const indented = renderFimPrompt({ format: qwenFormat(), prefix: `${above}  `, suffix }).suffix;
    assert.equal(blank, "\n  stop();\n  done();\n}\n");
    assert.equal(indented, blank);
  });

  it("keeps a blank line between top-level definitions to the window's few lines", () => {
    const prompt = renderFimPrompt({ format: qwenFormat(), prefix: "function f() {}\n", suffix: "\nfunction g() {\n  x();\n  y();\n}\n" });
    assert.equal(prompt.suffix, "\nfunction g() {\n  x();\n");
  });

  it("keeps at least the rest of the line and two lines when the block ends at the cursor's line", () => {
    const prompt = renderFimPrompt({ format: qwenFormat(), prefix: "  if (a) {\n    ", suffix: "x();\n  }\n  y();\n  z();\n" });
    assert.equal(prompt.suffix, "x();\n  }\n  y();\n");
  });

  it("cuts a long block at the prefix-first window's lines", () => {
    const body = Array.from({ length: 40 }, (_, i) => `    s${i}();\n`).join("");
    const prompt = renderFimPrompt({ format: qwenFormat(), prefix: "  run() {\n    ", suffix: `a();\n${body}  }\n` });
    assert.equal(prompt.suffix.split("\n").length - 1, PSM_WINDOW.maxSuffixLines + 1);
  });

  it("gives a suffix-first format 64 lines of suffix whatever the block", () => {
    const suffix = Array.from({ length: 100 }, (_, i) => `s${i}();\n`).join("");
    assert.equal(SPM_WINDOW.maxSuffixLines, 64);
    assert.equal(renderFimPrompt({ format: codestralFormat(), prefix: "  x", suffix }).suffix.split("\n").length - 1, 65);
  });
});
