import * as assert from "node:assert/strict";
import { countNewlines, endOfLinesBelow, keepPairs, lineEndAt, lineEndWithin, LineNumbers, lineStartAt, lineStartWithin, pointAt, pointFrom, startOfLinesAbove } from "../../../src/context/text-lines";

describe("text lines", () => {
  it("puts the first line's start at 0 when the text starts with a line break", () => {
    assert.equal(lineStartAt("\nx = 1\n", 0), 0);
    assert.equal(lineStartAt("\nx = 1\n", 1), 1);
  });

  it("finds the start and end of the line an offset is on", () => {
    const text = "a = 1\nb = 2\n";
    assert.equal(lineStartAt(text, 8), 6);
    assert.equal(lineEndAt(text, 8), 11);
  });

  it("stops looking for a line's ends after the given number of characters", () => {
    const text = "x".repeat(10_000);
    assert.equal(lineStartWithin(text, 5000, 100), 4900);
    assert.equal(lineEndWithin(text, 5000, 100), 5100);
    assert.equal(lineStartWithin("ab\ncd", 4, 100), 3);
    assert.equal(lineEndWithin("ab\ncd", 1, 100), 2);
  });

  it("takes whole lines above and below within a character limit", () => {
    const text = "l0\nl1\nl2\nl3\nl4\n";
    assert.equal(startOfLinesAbove(text, 13, 2, 100), text.indexOf("l2"));
    assert.equal(endOfLinesBelow(text, 1, 2, 100), text.indexOf("\nl3"));
    assert.equal(startOfLinesAbove(text, 13, 10, 4), 9);
  });

  it("never cuts between the two halves of a surrogate pair", () => {
    const text = "a😀b";
    assert.equal(keepPairs(text, 2, 1), 3);
    assert.equal(keepPairs(text, 2, -1), 1);
    assert.equal(keepPairs("a\ud800b", 2, 1), 2);
    assert.equal(lineStartWithin("😀😀😀", 6, 3), 4);
  });

  it("counts lines from a known point to the same answer as from the top", () => {
    const text = Array.from({ length: 200 }, (_, i) => `line ${i}`).join("\n");
    const lines = LineNumbers.at(text, text.indexOf("line 150"), 150);
    for (const n of [0, 3, 149, 150, 151, 199]) assert.equal(lines.lineOf(text.indexOf(`line ${n}`)), n);
    const anchor = { offset: text.indexOf("line 120"), point: pointAt(text, text.indexOf("line 120")) };
    for (const offset of [0, 5, 700, 900, text.length]) assert.deepEqual(pointFrom(text, offset, anchor), pointAt(text, offset));
    assert.equal(countNewlines(text, 0, text.length), 199);
  });
});
