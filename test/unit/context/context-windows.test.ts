import * as assert from "node:assert/strict";
import { prefixWindow, suffixWindow } from "../../../src/context/context-windows";
import { LineNumbers } from "../../../src/context/text-lines";

/** One token per line: what the windows count is then their line count. */
const perLine = (text: string): number => text.split("\n").length - 1 || (text === "" ? 0 : 1);

describe("context windows", () => {
  const doc = Array.from({ length: 200 }, (_, i) => `line ${i}`).join("\n");
  const offsetOfLine = (line: number): number => doc.split("\n").slice(0, line).join("\n").length + (line > 0 ? 1 : 0);

  it("sends whole lines of suffix beyond its budget, uncounted, up to the lines asked for", () => {
    const at = offsetOfLine(100) + 2;
    const counted = suffixWindow(doc, at, 3, perLine);
    const long = suffixWindow(doc, at, 3, perLine, 64);
    assert.equal(long.tokens, counted.tokens);
    assert.equal(doc.slice(at, long.end).split("\n").length, 64);
    assert.ok(doc.slice(at, long.end).startsWith(doc.slice(at, counted.end)));
  });

  it("starts an anchored prefix window on an anchor line and keeps it there while the cursor moves down", () => {
    const starts = [150, 151, 152, 153, 154, 155].map((line) => {
      const at = offsetOfLine(line) + 3;
      const lines = LineNumbers.at(doc, at, line);
      const window = prefixWindow(doc, at, 80, null, null, perLine, { lines: 16, lineOf: (o) => lines.lineOf(o) });
      return lines.lineOf(window.start);
    });
    assert.ok(starts.every((s) => s % 16 === 0), `starts ${starts.join(", ")}`);
    assert.equal(new Set(starts).size, 1, `starts ${starts.join(", ")}`);
  });

  it("gives up at most a quarter of a short window's lines for the anchor", () => {
    const at = offsetOfLine(150) + 3;
    const lines = LineNumbers.at(doc, at, 150);
    const plain = prefixWindow(doc, at, 12, null, null, perLine);
    const anchored = prefixWindow(doc, at, 12, null, null, perLine, { lines: 16, lineOf: (o) => lines.lineOf(o) });
    const kept = 150 - lines.lineOf(anchored.start);
    const full = 150 - lines.lineOf(plain.start);
    assert.ok(kept >= full * 0.75 && kept <= full, `${kept} of ${full} lines`);
  });
});
