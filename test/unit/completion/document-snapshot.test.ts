import * as assert from "node:assert/strict";
import { takeSnapshot, WHOLE_SNAPSHOT_MAX_CHARS, type DocumentSource } from "../../../src/completion/document-snapshot";

/** A document held as a string, read the way the editor's is: by ranges, with line numbers from a table of line starts. */
function source(text: string, version = 7): DocumentSource & { copied: number } {
  const starts = [0];
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) starts.push(i + 1);
  const doc = {
    uri: "file:///w/big.ts",
    languageId: "typescript",
    version,
    copied: 0,
    length: () => text.length,
    text: (start: number, end: number) => {
      doc.copied += end - start;
      return text.slice(start, end);
    },
    lineAt: (offset: number) => {
      let lo = 0;
      let hi = starts.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (starts[mid] <= offset) lo = mid;
        else hi = mid - 1;
      }
      return lo;
    },
  };
  return doc;
}

describe("takeSnapshot", () => {
  it("takes a small document whole, with its version and the cursor's line", () => {
    const text = "const a = 1;\nconst b = a + 1;\n";
    const snapshot = takeSnapshot(source(text), text.indexOf("a + 1"));
    assert.equal(snapshot.text, text);
    assert.equal(snapshot.offset, text.indexOf("a + 1"));
    assert.equal(snapshot.version, 7);
    assert.equal(snapshot.cursorLine, 1);
    assert.equal(snapshot.window, undefined);
  });

  it("copies only a window around the cursor of a document too large to copy, starting at a line start, and its head", () => {
    const text = Array.from({ length: 60_000 }, (_, i) => `export const value${i} = compute(${i});`).join("\n");
    assert.ok(text.length > WHOLE_SNAPSHOT_MAX_CHARS * 3);
    const doc = source(text);
    const offset = text.indexOf("value40000 =");
    const snapshot = takeSnapshot(doc, offset);
    assert.ok(doc.copied < 200_000 + 64 * 1024, `${doc.copied} characters copied`);
    assert.ok(snapshot.window);
    assert.equal(text.slice(snapshot.window.start, snapshot.window.start + snapshot.text.length), snapshot.text);
    assert.equal(text[snapshot.window.start - 1], "\n");
    assert.equal(snapshot.window.start + snapshot.offset, offset);
    assert.equal(snapshot.window.documentLength, text.length);
    assert.equal(snapshot.window.head, text.slice(0, 64 * 1024), "the document's first lines, where its imports are");
    assert.equal(snapshot.cursorLine, 40_000);
  });

  it("splices a selected suggestion in as if typed, and then claims no version of the document", () => {
    const text = "const total = items.le\n";
    const at = text.indexOf("le\n");
    const snapshot = takeSnapshot(source(text), at + 2, { start: at, end: at + 2, text: "length" });
    assert.equal(snapshot.text, "const total = items.length\n");
    assert.equal(snapshot.offset, at + 6);
    assert.equal(snapshot.version, undefined);
  });

  it("never starts a window between the halves of a surrogate pair", () => {
    const text = "😀".repeat(400_000);
    const snapshot = takeSnapshot(source(text), 500_001 * 2 - 2);
    assert.ok(snapshot.window);
    assert.equal(snapshot.window.start % 2, 0);
    assert.equal(snapshot.text.length % 2, 0);
  });
});
