import { strict as assert } from "node:assert";
import { rebaseRange } from "../../../src/actions/rebase";

const doc = "import x;\n\nfunction target() {\n  return 1;\n}\n\nconst after = 2;\n";
const start = doc.indexOf("function");
const end = doc.indexOf("}\n") + 1;
const range = { start, end };

describe("rebasing a proposal on a changed document", () => {
  it("keeps the range when nothing changed or the change is after the target", () => {
    assert.deepEqual(rebaseRange(doc, doc, range), range);
    assert.deepEqual(rebaseRange(doc, doc.replace("const after = 2;", "const after = 3;"), range), range);
  });

  it("moves the range by the edits before the target", () => {
    const current = doc.replace("import x;\n", "import x;\nimport y;\n");
    const moved = rebaseRange(doc, current, range);
    assert.deepEqual(moved, { start: start + 10, end: end + 10 });
    assert.equal(current.slice(moved!.start, moved!.end), doc.slice(start, end));
  });

  it("refuses when an edit touched the target", () => {
    assert.equal(rebaseRange(doc, doc.replace("return 1", "return 2"), range), null);
    // Typing at the start of the target's first line, or joining its last line with the next, changes it too.
    assert.equal(rebaseRange(doc, doc.slice(0, start) + "export " + doc.slice(start), range), null);
    assert.equal(rebaseRange(doc, doc.slice(0, end) + " // done" + doc.slice(end), range), null);
  });

  it("accepts whole lines added right before or after the target", () => {
    const before = doc.slice(0, start) + "// new\n" + doc.slice(start);
    assert.deepEqual(rebaseRange(doc, before, range), { start: start + 7, end: end + 7 });
    const after = doc.slice(0, end) + "\n// new" + doc.slice(end);
    assert.deepEqual(rebaseRange(doc, after, range), range);
  });

  it("finds an untouched target between edits on both sides", () => {
    const current = doc.replace("import x;", "import xy;").replace("const after = 2;", "const later = 2;");
    const moved = rebaseRange(doc, current, range);
    assert.equal(current.slice(moved!.start, moved!.end), doc.slice(start, end));
  });
});
