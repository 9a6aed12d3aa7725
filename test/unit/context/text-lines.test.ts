import * as assert from "node:assert/strict";
import { lineEndAt, lineStartAt } from "../../../src/context/text-lines";

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
});
