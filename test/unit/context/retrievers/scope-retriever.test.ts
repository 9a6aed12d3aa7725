import * as assert from "node:assert/strict";
import { ScopeRetriever } from "../../../../src/context/retrievers/scope-retriever";
import { retrievalRequestFor } from "./retrieval-request";

const SOURCE = "export class Orders {\n  total(items: Item[]): number {\n    let sum = 0;\n    █\n  }\n}\n";
const count = (text: string): number => text.length;

describe("ScopeRetriever", () => {
  it("gives the headers of the scopes around the cursor that start above the prefix window, outermost first", async () => {
    const { request, done } = await retrievalRequestFor("/p/orders.ts", "typescript", SOURCE, { prefixFloor: SOURCE.indexOf("let sum") });
    try {
      const items = new ScopeRetriever(count).retrieve(request);
      assert.equal(items.length, 1);
      assert.equal(items[0].text, "export class Orders\n  total(items: Item[]): number");
      assert.deepEqual([items[0].kind, items[0].source, items[0].startLine], ["scope", "same-file", 0]);
      assert.equal(items[0].tokens, items[0].text.length);
    } finally {
      done();
    }
  });

  it("gives nothing for scopes whose headers the prefix window shows", async () => {
    const { request, done } = await retrievalRequestFor("/p/orders.ts", "typescript", SOURCE, { prefixFloor: 0 });
    try {
      assert.deepEqual(new ScopeRetriever(count).retrieve(request), []);
    } finally {
      done();
    }
  });

  it("gives nothing without a tree, or when the prompt shows only other files", async () => {
    for (const options of [{ parse: false, prefixFloor: 40 }, { otherFilesOnly: true, prefixFloor: 40 }]) {
      const { request, done } = await retrievalRequestFor("/p/orders.ts", "typescript", SOURCE, options);
      try {
        assert.deepEqual(new ScopeRetriever(count).retrieve(request), []);
      } finally {
        done();
      }
    }
  });
});
