import * as assert from "node:assert/strict";
import { ImportRetriever } from "../../../../src/context/retrievers/import-retriever";
import { retrievalRequestFor } from "./retrieval-request";

const SOURCE = 'import { a } from "./a";\nimport { b } from "./b";\nimport { c } from "./c";\n\nexport function f() {\n  █\n}\n';
const count = (text: string): number => text.length;

describe("ImportRetriever", () => {
  it("gives the file's import statements as one item, with the lines they span", async () => {
    const { request, done } = await retrievalRequestFor("/p/f.ts", "typescript", SOURCE);
    try {
      const items = new ImportRetriever(count).retrieve(request, 1000);
      assert.equal(items.length, 1);
      assert.equal(items[0].text, 'import { a } from "./a";\nimport { b } from "./b";\nimport { c } from "./c";');
      assert.deepEqual([items[0].kind, items[0].startLine, items[0].endLine], ["imports", 0, 2]);
    } finally {
      done();
    }
  });

  it("keeps the first statements that fit in 30% of the budget", async () => {
    const { request, done } = await retrievalRequestFor("/p/f.ts", "typescript", SOURCE);
    try {
      // 30% of 170 is 51: two statements of 25 characters with their line breaks.
      const [item] = new ImportRetriever(count).retrieve(request, 170);
      assert.equal(item.text, 'import { a } from "./a";\nimport { b } from "./b";');
      assert.equal(item.tokens, 50);
      assert.deepEqual(new ImportRetriever(count).retrieve(request, 60), []);
    } finally {
      done();
    }
  });

  it("gives nothing when the prompt shows only other files", async () => {
    const { request, done } = await retrievalRequestFor("/p/f.ts", "typescript", SOURCE, { otherFilesOnly: true });
    try {
      assert.deepEqual(new ImportRetriever(count).retrieve(request, 1000), []);
    } finally {
      done();
    }
  });
});
