import * as assert from "node:assert/strict";
import { SnippetRetriever } from "../../../../src/context/retrievers/snippet-retriever";
import { recentFilesOver } from "./recent-files-retrievers";
import { retrievalRequestFor } from "./retrieval-request";

const count = (text: string): number => text.length;
const lines = (prefix: string, n: number): string => Array.from({ length: n }, (_, i) => `const ${prefix}${i} = ${prefix}Value(${i});`).join("\n");
const CART = `${lines("filler", 30)}\nexport function addToCart(cart: Cart, product: Product, quantity: number) {\n  cart.items.push({ product, quantity });\n}\n${lines("tail", 30)}`;
const EDITING = "function checkout(cart: Cart) {\n  addToCart(cart, product, █\n}\n";

describe("SnippetRetriever", () => {
  it("gives the window of a recently visited file that shares the most identifiers with the code before the cursor", async () => {
    const { recentFiles, dispose } = recentFilesOver({ "/p/cart.ts": CART, "/p/checkout.ts": EDITING.replace("█", "") });
    const { request, done } = await retrievalRequestFor("/p/checkout.ts", "typescript", EDITING, { parse: false });
    try {
      recentFiles.visited("/p/cart.ts");
      recentFiles.visited("/p/checkout.ts");
      assert.equal(await recentFiles.whenReady(), true);
      const items = new SnippetRetriever(recentFiles, count).retrieve(request);
      assert.equal(items.length, 1);
      assert.deepEqual([items[0].kind, items[0].source, items[0].path], ["snippet", "recent-file", "/p/cart.ts"]);
      assert.match(items[0].text, /export function addToCart\(cart: Cart, product: Product, quantity: number\)/);
      assert.ok(items[0].score > 0 && items[0].score <= 0.5);
    } finally {
      done();
      dispose();
    }
  });

  it("gives nothing from the file being edited itself, nor from files with nothing in common", async () => {
    const { recentFiles, dispose } = recentFilesOver({ "/p/other.ts": "let unrelated = 1;\n", "/p/checkout.ts": EDITING.replace("█", "") });
    const { request, done } = await retrievalRequestFor("/p/checkout.ts", "typescript", EDITING, { parse: false });
    try {
      recentFiles.visited("/p/other.ts");
      recentFiles.visited("/p/checkout.ts");
      assert.equal(await recentFiles.whenReady(), true);
      assert.deepEqual(new SnippetRetriever(recentFiles, count).retrieve(request), []);
    } finally {
      done();
      dispose();
    }
  });
});
