// The suffix window per engine: a prefix-first prompt carries the enclosing block up to 64 lines only where the engine
// moves the suffix's cache across keystrokes (the local engine's suffix reuse); elsewhere it stays cut at 16 lines.
import { strict as assert } from "node:assert";
import { codestralFormat, qwenFormat } from "../../../src/fim/formats";
import { PSM_REUSE_WINDOW, PSM_WINDOW, SPM_WINDOW, defaultFimWindow, renderFimPrompt } from "../../../src/fim/layout";

describe("FIM suffix window with and without suffix reuse", () => {
  const block = Array.from({ length: 40 }, (_, i) => `    step${i}();\n`).join("");
  const input = { format: qwenFormat(), prefix: "function run() {\n  if (ready) {\n    go(", suffix: `);\n${block}  }\n}\n` };

  it("sends a prefix-first model the whole enclosing block when the engine reuses the suffix's cache", () => {
    const prompt = renderFimPrompt({ ...input, suffixReuse: true });
    assert.ok(prompt.suffix.endsWith("  }\n"), JSON.stringify(prompt.suffix.slice(-30)));
    assert.equal(prompt.suffix.split("\n").length - 1, 42);
  });

  it("keeps a prefix-first model's suffix at 16 lines on an engine without the reuse", () => {
    const prompt = renderFimPrompt(input);
    assert.equal(prompt.suffix.split("\n").length - 1, PSM_WINDOW.maxSuffixLines + 1);
  });

  it("cuts the reused suffix at the block's end, and at 64 lines as a suffix-first one", () => {
    assert.equal(defaultFimWindow(qwenFormat(), { suffixReuse: true }).suffixToBlockEnd, true);
    assert.equal(PSM_REUSE_WINDOW.maxSuffixLines, SPM_WINDOW.maxSuffixLines);
    assert.deepEqual(defaultFimWindow(codestralFormat(), { suffixReuse: true }), defaultFimWindow(codestralFormat()));
  });
});
