import * as assert from "node:assert/strict";
import { FileWindows, findSimilarSnippets, identifierSet, MAX_WINDOW_CHARS, windowFile } from "../../../src/context/similar-snippets";

describe("similar snippets", () => {
  const file = Array.from({ length: 95 }, (_, i) => `const item${i} = load(store, "key${i}"); // ünïcode ${i}`).join("\n");

  it("finds identifiers as the Unicode regex did: letters, digits after the first, _ and $, two characters or more", () => {
    assert.deepEqual([...identifierSet("a1 _x $y 9z ünïcode x 𝑥𝑦 日本語 \ud800q")], ["a1", "_x", "$y", "ünïcode", "𝑥𝑦", "日本語"]);
  });

  it("cuts the same windows a bounded amount at a time as all at once", () => {
    const windows = new FileWindows(file);
    let turns = 0;
    while (!windows.done) {
      windows.extend(500);
      turns++;
    }
    assert.ok(turns > 5);
    assert.deepEqual(windows.windows, windowFile(file));
    assert.deepEqual(windowFile(file).map((w) => [w.startLine, w.endLine]).slice(-2), [[70, 89], [80, 94]]);
  });

  it("gives each window its lines' text, and at most MAX_WINDOW_CHARS of a minified line", () => {
    const snippet = findSimilarSnippets(identifierSet("item41 load store"), [{ path: "a.ts", text: file, windows: windowFile(file) }], 1)[0];
    assert.equal(snippet?.text, file.split("\n").slice(snippet.startLine, snippet.endLine + 1).join("\n"));
    const minified = "var a=b(c);".repeat(100_000);
    const windows = windowFile(minified);
    assert.equal(windows.length, 1);
    assert.equal(windows[0].end - windows[0].start, MAX_WINDOW_CHARS);
  });
});
