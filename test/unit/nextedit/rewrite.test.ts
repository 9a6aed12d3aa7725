// Post-processing of a next-edit model's rewritten window.
import { strict as assert } from "node:assert";
import { interpretRewrite, type RewriteInput } from "../../../src/nextedit/rewrite";

const apply = (text: string, edit: { start: number; end: number; text: string }) => text.slice(0, edit.start) + edit.text + text.slice(edit.end);

function outcome(input: Partial<RewriteInput> & { current: string; output: string }) {
  return interpretRewrite({ original: input.current, cursor: 0, stopStrings: ["<|file_sep|>"], ...input });
}

describe("interpretRewrite", () => {
  const current = "function area(width: number, h: number) {\n  return w * h;\n}";

  it("turns a rename the model finished into the smallest change: the rest of the name, inserted", () => {
    const result = outcome({ current, output: "function area(width: number, h: number) {\n  return width * h;\n}\n<|file_sep|>", cursor: 20 });
    assert.equal(result.kind, "edit");
    if (result.kind !== "edit") return;
    assert.deepEqual(result.edit, { start: current.indexOf("w *") + 1, end: current.indexOf("w *") + 1, text: "idth" });
  });

  it("turns an added line into an insertion of that line", () => {
    const cur = "class P {\n  x: number;\n  y: number;\n  constructor(x: number) {\n    this.x = x;\n  }\n}";
    const out = "class P {\n  x: number;\n  y: number;\n  constructor(x: number, y: number) {\n    this.x = x;\n    this.y = y;\n  }\n}";
    const result = outcome({ current: cur, output: out, cursor: cur.indexOf("y: number;") + 10 });
    assert.equal(result.kind, "edit");
    if (result.kind !== "edit") return;
    // The nearer change to the cursor (line 2) is the constructor's parameter on line 3.
    assert.equal(apply(cur, result.edit), cur.replace("(x: number)", "(x: number, y: number)"));
  });

  it("suggests the change nearest the cursor first when the rewrite has several", () => {
    const cur = Array.from({ length: 21 }, (_, i) => `line ${i}`).join("\n");
    const out = cur.replace("line 2", "line two").replace("line 18", "line eighteen");
    const result = outcome({ current: cur, output: out, cursor: cur.indexOf("line 17") });
    assert.equal(result.kind === "edit" && apply(cur, result.edit), cur.replace("line 18", "line eighteen"));
  });

  it("drops an empty answer", () => {
    assert.deepEqual(outcome({ current, output: "  \n<|file_sep|>" }), { kind: "dropped", reason: "empty" });
  });

  it("drops an answer that leaves the window as it is", () => {
    assert.deepEqual(outcome({ current, output: `${current}\n` }), { kind: "dropped", reason: "unchanged" });
  });

  it("drops an answer that undoes the user's last edit", () => {
    const original = current.replace("width", "w");
    assert.deepEqual(outcome({ current, original, output: original }), { kind: "dropped", reason: "undo" });
  });

  it("drops a rewrite that changes more lines than the bound", () => {
    const cur = Array.from({ length: 21 }, (_, i) => `line ${i}`).join("\n");
    const out = cur.replace(/line/g, "row");
    assert.deepEqual(outcome({ current: cur, output: out, maxChangedLines: 12 }), { kind: "dropped", reason: "too-large" });
  });

  it("never reaches outside the window: offsets stay within its text", () => {
    const cur = "a\nb\nc";
    for (const out of ["x\na\nb\nc", "a\nb\nc\nd", "b\nc", "a\nb", "a\nB\nc"]) {
      const result = outcome({ current: cur, output: out });
      assert.equal(result.kind, "edit", out);
      if (result.kind !== "edit") continue;
      assert.ok(result.edit.start >= 0 && result.edit.end <= cur.length && result.edit.start <= result.edit.end, out);
      assert.equal(apply(cur, result.edit), out, out);
    }
  });
});
