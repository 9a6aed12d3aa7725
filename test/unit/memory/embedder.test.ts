import assert from "node:assert/strict";
import { join } from "node:path";
import { MemoryLogger } from "../../../src/common/logger";
import type { EngineClient } from "../../../src/engine/client";
import { engineEmbedder, prefixedEmbedder } from "../../../src/memory/embedder";
import type { Embedder } from "../../../src/memory/embedder";
import { MemoryIndexer } from "../../../src/memory/memory-indexer";
import { loadCatalog } from "../../../src/models/catalog";
import { catalogEmbeddingFacts } from "../../../src/models/embedding-prefixes";
import { ensureTestModel } from "../../fixtures/models/test-models";
import { grammarsDir } from "../context/fixtures";
import { clientsDisposedAfterEach, testSettings } from "../helpers/engine";
import { tempWorkspaceEachTest } from "../helpers/temp-workspace";

/** The engine's embedding role, with every text it is given kept in `seen`. */
function watchedEmbedder(client: EngineClient, seen: string[]): Embedder {
  const inner = engineEmbedder(client);
  return {
    embed: (texts, options) => {
      seen.push(...texts);
      return inner.embed(texts, options);
    },
  };
}

describe("memory/embedder: the model's own query and document prefixes", function () {
  this.timeout(180_000);
  const ws = tempWorkspaceEachTest("hearth-memory-prefixes-");
  const open = clientsDisposedAfterEach();
  let hashed: string;
  let tiny: string;
  let indexer: MemoryIndexer | null = null;
  before(async function () {
    this.timeout(300_000);
    [hashed, tiny] = await Promise.all([ensureTestModel("embed-hashed"), ensureTestModel("tiny")]);
  });
  afterEach(() => indexer?.dispose());

  it("puts the document prefix before each indexed chunk and the query prefix before the question, through the real engine", async () => {
    await ws.put("src/cart.ts", "export function cartTotal(items: { price: number }[]): number {\n  return items.reduce((s, i) => s + i.price, 0);\n}\n");
    const client = open();
    await client.configure(testSettings(tiny, { embeddingModelPath: hashed }));
    const seen: string[] = [];
    const embedder = prefixedEmbedder(watchedEmbedder(client, seen), () => ({ queryPrefix: "search_query: ", documentPrefix: "search_document: " }));
    indexer = new MemoryIndexer({ storeDir: join(ws.base, "store"), grammarsDir, logger: new MemoryLogger(), embedder });
    await indexer.indexFolders([ws.root]);
    assert.ok(seen.length > 0 && seen.every((t) => t.startsWith("search_document: ")), JSON.stringify(seen));
    seen.length = 0;
    const hits = await indexer.search("total price of the cart items", 5);
    assert.deepEqual(seen, ["search_query: total price of the cart items"]);
    assert.match(hits.vector[0]?.path ?? "", /cart\.ts$/);
  });

  it("names the document prefix in the model's identity, so a store built without it is rebuilt", async () => {
    const client = open();
    await client.configure(testSettings(tiny, { embeddingModelPath: hashed }));
    const plain = await watchedEmbedder(client, []).embed(["x"], {});
    const prefixed = await prefixedEmbedder(watchedEmbedder(client, []), () => ({ documentPrefix: "search_document: " })).embed(["x"], {});
    const unknown = await prefixedEmbedder(watchedEmbedder(client, []), () => undefined).embed(["x"], { role: "query" });
    assert.notEqual(prefixed.model, plain.model);
    assert.match(prefixed.model, /search_document: /);
    assert.equal(unknown.model, plain.model);
  });

  it("finds the catalog's prefixes by the model's file name: nomic's query and document prefixes, bge's query instruction", () => {
    const models = loadCatalog().models.filter((m) => m.roles.includes("embedding"));
    const nomic = models.find((m) => m.embedding?.documentPrefix);
    assert.ok(nomic, "the catalog has a model with a document prefix");
    assert.deepEqual(catalogEmbeddingFacts(join("/models", nomic.fileName), models), nomic.embedding);
    const bge = models.find((m) => m.embedding?.queryPrefix && !m.embedding.documentPrefix);
    assert.ok(bge);
    assert.equal(catalogEmbeddingFacts(`/x/${bge.fileName}`, models)?.queryPrefix, bge.embedding?.queryPrefix);
    assert.equal(catalogEmbeddingFacts("/models/my-own-model.gguf", models), undefined);
    assert.equal(catalogEmbeddingFacts("", models), undefined);
  });
});
