// The engine bench asks llama-server what llama.vscode would ask: its windows and its ring of other files' chunks.
import { strict as assert } from "node:assert";
import { changedCount } from "../../../../bench/engine/run-engine";
import { llamaVscodeInfill, llamaVscodeRing, typingSteps } from "../../../../bench/engine/typing";

const lines = (n: number, tag: string) => Array.from({ length: n }, (_, i) => `${tag} line ${i}`).join("\n");

describe("bench: llama.vscode's requests", () => {
  it("sends a short file whole as one ring chunk", () => {
    const ring = llamaVscodeRing([{ relativePath: "a.js", text: lines(10, "a") }]);
    assert.deepEqual(ring, [{ filename: "a.js", text: `${lines(10, "a")}\n` }]);
  });

  it("sends a 32-line window of a long file, the same one on every run", () => {
    const tab = { relativePath: "lib/long.py", text: lines(500, "x") };
    const [chunk] = llamaVscodeRing([tab]);
    assert.equal(chunk!.text.split("\n").length - 1, 32);
    assert.ok(tab.text.includes(chunk!.text.slice(0, -1)));
    assert.deepEqual(llamaVscodeRing([tab]), [chunk]);
  });

  it("keeps at most 16 chunks, the most recent tabs", () => {
    const tabs = Array.from({ length: 20 }, (_, i) => ({ relativePath: `f${i}.js`, text: "x\n" }));
    const ring = llamaVscodeRing(tabs);
    assert.equal(ring.length, 16);
    assert.equal(ring[0]!.filename, "f4.js");
  });

  it("cuts 256 lines before the cursor's line and 64 after it, the line so far as the prompt", () => {
    const text = `${lines(300, "p")}\n    const x = 1;\n${lines(100, "s")}`;
    const [, step] = typingSteps(text, 301, 301);
    const request = llamaVscodeInfill(step!);
    assert.equal(request.input_prefix.split("\n").length - 1, 256);
    assert.ok(request.input_prefix.startsWith("p line 44\n"));
    assert.equal(request.prompt, "");
    assert.equal(request.input_suffix.split("\n").length - 1, 65);
  });
});

describe("bench: the floor's changed tokens", () => {
  it("counts the tokens outside the common prefix and suffix of two tokenisations", () => {
    assert.equal(changedCount([1, 2, 3, 4], [1, 2, 9, 9, 4]), 2);
    assert.equal(changedCount([1, 2, 3], [1, 2, 3]), 0);
    assert.equal(changedCount([], [5, 6]), 2);
  });
});
