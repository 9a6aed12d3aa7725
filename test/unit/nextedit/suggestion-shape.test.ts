// How a next-edit suggestion is shown: ghost text only for an insertion at the cursor, new text on one line.
import { strict as assert } from "node:assert";
import { inlineText, isInsertionAt } from "../../../src/nextedit/suggestion-shape";

describe("isInsertionAt", () => {
  it("is true for text inserted right at the cursor", () => {
    assert.equal(isInsertionAt({ start: 10, end: 10, text: "idth" }, 10), true);
  });

  it("is false for an insertion elsewhere, a replacement, or one that starts a new line", () => {
    assert.equal(isInsertionAt({ start: 12, end: 12, text: "idth" }, 10), false);
    assert.equal(isInsertionAt({ start: 10, end: 11, text: "width" }, 10), false);
    assert.equal(isInsertionAt({ start: 10, end: 10, text: "\n  z: number;" }, 10), false);
  });
});

describe("inlineText", () => {
  it("shows a whole inserted line without its indentation or final line break", () => {
    assert.equal(inlineText("    this.z = z;\n"), "    this.z = z;");
  });

  it("marks the line breaks of several lines", () => {
    assert.equal(inlineText("a,\n    b,\n    c"), "a, ⏎ b, ⏎ c");
  });

  it("cuts long text with an ellipsis", () => {
    assert.equal(inlineText("x".repeat(200), 10), `${"x".repeat(9)}…`);
  });
});
