import * as assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { MemoizedSymbolIndex } from "../../../../src/context/index/memoized-index";
import { DefinitionRetriever } from "../../../../src/context/retrievers/definition-retriever";
import type { DefinitionQuery } from "../../../../src/context/symbol-types";
import { copyFixtures, indexedFolderForSuite, sharedIndex } from "../fixtures";
import { retrievalRequestFor } from "./retrieval-request";

const ANCHOR = "async rename(user: User, name: string): Promise<void> {\n    ";

describe("DefinitionRetriever", function () {
  this.timeout(20_000);
  const folder = indexedFolderForSuite(copyFixtures);
  let queries: DefinitionQuery[];
  let retriever: DefinitionRetriever;

  beforeEach(() => {
    queries = [];
    const index = new MemoizedSymbolIndex(sharedIndex(folder.index, (q) => queries.push(q)));
    retriever = new DefinitionRetriever({ index, countTokens: (t) => t.length, currentText: () => null, timeoutMs: 5000 });
  });
  afterEach(() => retriever.dispose());

  async function serviceRequest(options: { otherFilesOnly?: boolean } = {}) {
    const path = join(folder.dir, "ts-app/src/service.ts");
    const original = readFileSync(path, "utf8");
    const at = original.indexOf(ANCHOR) + ANCHOR.length;
    return retrievalRequestFor(path, "typescript", original.slice(0, at) + "█" + original.slice(at), options);
  }

  it("gives the definitions of the names near the cursor, an imported file's scored above its other uses", async () => {
    const { request, done } = await serviceRequest();
    try {
      const items = (await retriever.retrieve(request, 1000)) ?? [];
      const user = items.find((i) => i.symbol === "User");
      assert.ok(user, "the imported interface");
      assert.equal(user.source, "imported-file");
      assert.equal(user.path, join(folder.dir, "ts-app/src/models/user.ts"));
      assert.match(user.text, /export interface User \{/);
      assert.ok(user.score > 0);
      const own = items.find((i) => i.source === "same-file");
      assert.ok(!own || own.score < user.score);
    } finally {
      done();
    }
  });

  it("asks the index once for a position prepare() already asked about", async () => {
    const { request, done } = await serviceRequest();
    try {
      retriever.prepare(request);
      await retriever.retrieve(request, 1000);
      assert.equal(queries.length, 1);
    } finally {
      done();
    }
  });

  it("leaves out the file's own definitions when the prompt shows only other files", async () => {
    const { request, done } = await serviceRequest({ otherFilesOnly: true });
    try {
      const items = (await retriever.retrieve(request, 1000)) ?? [];
      assert.ok(items.length > 0);
      assert.ok(items.every((i) => i.source !== "same-file"));
    } finally {
      done();
    }
  });

  it("has no answer for a language the index does not read", async () => {
    const { request, done } = await retrievalRequestFor("/p/query.sql", "sql", "SELECT name FROM users WHERE █");
    try {
      assert.equal(await retriever.retrieve(request, 1000), null);
      assert.equal(queries.length, 0);
    } finally {
      done();
    }
  });

  it("rejects with an abort error when the request is cancelled while it waits", async () => {
    const { request, done } = await serviceRequest();
    try {
      const controller = new AbortController();
      controller.abort();
      await assert.rejects(Promise.resolve(retriever.retrieve(request, 1000, controller.signal)), { name: "AbortError" });
    } finally {
      done();
    }
  });
});
