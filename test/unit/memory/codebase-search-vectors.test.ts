import assert from "node:assert/strict";
import { copyFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { MemoryLogger } from "../../../src/common/logger";
import type { EngineClient } from "../../../src/engine/client";
import { searchCodebase } from "../../../src/memory/codebase-search";
import { engineEmbedder, type Embedder } from "../../../src/memory/embedder";
import { MemoryIndexer } from "../../../src/memory/memory-indexer";
import { ensureTestModel } from "../../fixtures/models/test-models";
import { grammarsDir } from "../context/fixtures";
import { clientsDisposedAfterEach, testSettings } from "../helpers/engine";
import { tempWorkspaceEachTest } from "../helpers/temp-workspace";

const FILES: Record<string, string> = {
  "src/net/transfer.ts": "export async function sendWithBackoff(file: Blob, attempts: number): Promise<void> {\n  for (let attempt = 0; attempt < attempts; attempt++) {\n    try { return await put(file); } catch { await sleep(2 ** attempt * 100); }\n  }\n}\n",
  "src/cart/cart.ts": "export class ShoppingCart {\n  items: { price: number }[] = [];\n  total(): number {\n    return this.items.reduce((sum, item) => sum + item.price, 0);\n  }\n}\n",
  "src/ui/button.ts": "export function renderButton(label: string): string {\n  return `<button>${label}</button>`;\n}\n",
  "src/config/load.py": "import yaml\n\ndef parse_config(path):\n    with open(path) as f:\n        return yaml.safe_load(f)\n",
};

/** The engine's embedding role as codebase memory sees it (ide/codebase-setup.ts does the same). */
function embedderOf(client: EngineClient): Embedder {
  return engineEmbedder(client);
}

describe("codebase search with the generated embedding model (real llama.cpp, real LanceDB)", function () {
  this.timeout(180_000);
  const ws = tempWorkspaceEachTest("hearth-memory-vectors-");
  const open = clientsDisposedAfterEach();
  let hashed: string;
  let tiny: string;
  let indexer: MemoryIndexer | null = null;
  before(async function () {
    this.timeout(300_000);
    [hashed, tiny] = await Promise.all([ensureTestModel("embed-hashed"), ensureTestModel("tiny")]);
  });
  afterEach(() => indexer?.dispose());

  it("finds by meaning a function whose words the question shares only with its body, and ranks it first in hybrid search", async () => {
    for (const [path, text] of Object.entries(FILES)) await ws.put(path, text);
    const client = open();
    await client.configure(testSettings(tiny, { embeddingModelPath: hashed }));
    indexer = new MemoryIndexer({ storeDir: join(ws.base, "store"), grammarsDir, logger: new MemoryLogger(), embedder: embedderOf(client) });
    const summary = await indexer.indexFolders([ws.root]);
    assert.equal(summary.vectorsOff, null);
    assert.equal(summary.indexed, 4);
    const hits = await indexer.search("sum of the item prices in the cart", 5);
    assert.equal(hits.vector[0]?.path, join(ws.root, "src/cart/cart.ts"), JSON.stringify(hits.vector.map((h) => h.path)));
    const result = await searchCodebase(indexer, "where do we retry a failed put with backoff?", { budgetTokens: 2000 });
    assert.equal(result.snippets[0]?.path, join(ws.root, "src/net/transfer.ts"));
    assert.deepEqual(new Set(result.snippets[0].sources), new Set(["vector", "text"]));
  });

  it("rebuilds the store when the embedding model changes, and searches by full text meanwhile without one", async () => {
    for (const [path, text] of Object.entries(FILES)) await ws.put(path, text);
    const client = open();
    await client.configure(testSettings(tiny));
    indexer = new MemoryIndexer({ storeDir: join(ws.base, "store"), grammarsDir, logger: new MemoryLogger(), embedder: embedderOf(client) });
    const without = await indexer.indexFolders([ws.root]);
    assert.match(without.vectorsOff ?? "", /embedding/i);
    assert.match((await indexer.search("render button label", 5)).text[0]?.path ?? "", /button\.ts$/);
    await client.configure(testSettings(tiny, { embeddingModelPath: hashed }));
    const withModel = await indexer.indexFolders([ws.root]);
    assert.equal(withModel.vectorsOff, null);
    assert.equal(withModel.indexed, 4, "every file is embedded for the new model");
    assert.ok((await indexer.search("render button label", 5)).vector.length > 0);
  });

  it("starts its pass again with the new model when another engine answers during it (the server chosen mid-pass)", async () => {
    for (const [path, text] of Object.entries(FILES)) await ws.put(path, text);
    // The other engine's embedding model: the same weights under another name, as a server's model is another one.
    const other = join(ws.base, "server-embedding.gguf");
    await copyFile(hashed, other);
    const client = open();
    await client.configure(testSettings(tiny, { embeddingModelPath: hashed }));
    const real = embedderOf(client);
    let switched = false;
    const embedder: Embedder = {
      embed: async (texts, options) => {
        // The user picks the server while the pass embeds the second file: from then on the other model answers.
        if (!switched && texts.some((t) => t.includes("ShoppingCart") || t.includes("renderButton"))) {
          switched = true;
          await client.configure(testSettings(tiny, { embeddingModelPath: other }));
        }
        return real.embed(texts, options);
      },
    };
    indexer = new MemoryIndexer({ storeDir: join(ws.base, "store"), grammarsDir, logger: new MemoryLogger(), embedder });
    const summary = await indexer.indexFolders([ws.root]);
    assert.ok(switched);
    assert.equal(summary.vectorsOff, null);
    assert.equal(summary.indexed, 4, "every file is embedded by the model that answers now");
    assert.equal((await indexer.search("sum of the item prices in the cart", 5)).vector[0]?.path, join(ws.root, "src/cart/cart.ts"));
  });

  it("turns vectors off with the model's own message when the embedding model is a completion model", async () => {
    await ws.put("a.ts", FILES["src/ui/button.ts"]);
    const client = open();
    await client.configure(testSettings(tiny, { embeddingModelPath: tiny }));
    const logger = new MemoryLogger();
    indexer = new MemoryIndexer({ storeDir: join(ws.base, "store"), grammarsDir, logger, embedder: embedderOf(client) });
    const summary = await indexer.indexFolders([ws.root]);
    assert.ok(summary.vectorsOff, "vectors are off");
    assert.equal(summary.indexed, 1, "full text still indexes");
    assert.ok(logger.lines.some((l) => l.includes("no vectors, full text and symbols only")), logger.lines.join("\n"));
  });

  it("indexes a file that changed while it was being embedded at its new content, not the old one", async () => {
    const file = await ws.put("src/ledger.ts", "export function closeQuarterlyLedger(): void {}\n");
    const client = open();
    await client.configure(testSettings(tiny, { embeddingModelPath: hashed }));
    const real = embedderOf(client);
    let saved = false;
    // The user saves the file while its chunks are with the model: the real embedding, and a write in the middle.
    const embedder: Embedder = {
      embed: async (texts, options) => {
        const result = await real.embed(texts, options);
        if (!saved && texts.some((t) => t.includes("closeQuarterlyLedger"))) {
          saved = true;
          await writeFile(file, "export function reopenAnnualBudget(): void {}\n");
        }
        return result;
      },
    };
    indexer = new MemoryIndexer({ storeDir: join(ws.base, "store"), grammarsDir, logger: new MemoryLogger(), embedder });
    const summary = await indexer.indexFolders([ws.root]);
    assert.ok(saved);
    assert.equal(summary.indexed, 1);
    assert.match((await indexer.search("reopen annual budget", 5)).text[0]?.text ?? "", /reopenAnnualBudget/);
    assert.deepEqual((await indexer.search("close quarterly ledger", 5)).text.filter((h) => h.text.includes("closeQuarterlyLedger")), []);
  });
});
