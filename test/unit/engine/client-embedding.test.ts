import { strict as assert } from "node:assert";
import { EngineError } from "../../../src/engine/protocol";
import { HASHED_EMBEDDING } from "../../fixtures/models/embedding-models";
import { ensureTestModel } from "../../fixtures/models/test-models";
import { clientsDisposedAfterEach, testSettings } from "../helpers/engine";

const dot = (a: readonly number[], b: readonly number[]) => a.reduce((sum, x, i) => sum + x * b[i], 0);

describe("EngineClient.embed (the embedding model, hearth.embedding.modelPath)", function () {
  this.timeout(120_000);
  let hashed: string;
  let benchShape: string;
  let tiny: string;
  const open = clientsDisposedAfterEach();

  before(async () => {
    this.timeout(300_000);
    [hashed, benchShape, tiny] = await Promise.all([ensureTestModel("embed-hashed"), ensureTestModel("embed-bge-small"), ensureTestModel("tiny")]);
  });

  it("returns one unit-length vector per text, of the model's dimensions, and names the model in its status", async () => {
    const client = open();
    await client.configure(testSettings(tiny, { embeddingModelPath: hashed }));
    const result = await client.embed(["export function retryUpload(file: File) {}", "class ShoppingCart { total(): number {} }"]);
    assert.equal(result.dimensions, HASHED_EMBEDDING.shape.embd);
    assert.equal(result.vectors.length, 2);
    for (const vector of result.vectors) {
      assert.equal(vector.length, HASHED_EMBEDDING.shape.embd);
      assert.ok(Math.abs(dot(vector, vector) - 1) < 1e-4, `norm² ${dot(vector, vector)}`);
    }
    assert.equal(result.modelPath, hashed);
    assert.ok(result.tokens.every((count) => count > 2), `tokens ${result.tokens.join(", ")}`);
    const status = client.embeddingStatus;
    assert.equal(status.kind, "ready");
    assert.equal(status.kind === "ready" && status.model.embeddingDimensions, HASHED_EMBEDDING.shape.embd);
    assert.equal(client.status.kind, "idle", "the completion model was not loaded for it");
  });

  it("ranks code by the words it shares with a question, through the real llama.cpp path", async () => {
    const client = open();
    await client.configure(testSettings(tiny, { embeddingModelPath: hashed }));
    const chunks = [
      "def parse_config(path):\n    with open(path) as f:\n        return yaml.safe_load(f)",
      "async function uploadWithRetry(file, attempts) {\n  for (let attempt = 0; attempt < attempts; attempt++) {\n    try { return await upload(file); } catch (error) { await backoff(attempt); }\n  }\n}",
      "class ShoppingCart {\n  total() { return this.items.reduce((sum, item) => sum + item.price, 0); }\n}",
      "function renderButton(label) {\n  return `<button>${label}</button>`;\n}",
    ];
    const { vectors } = await client.embed(chunks);
    // The question shares "attempt" and "load" (WordPiece reads "upload" as up + load) with the upload code; parse_config
    // shares "load" only. A word shared with no chunk ("retry": the code's "uploadwithretry" is pieces) only adds noise.
    const [question] = (await client.embed(["where do we upload again after a failed attempt?"])).vectors;
    const ranked = vectors.map((vector, index) => ({ index, score: dot(question, vector) })).sort((a, b) => b.score - a.score);
    assert.equal(ranked[0].index, 1, `ranking ${JSON.stringify(ranked)}`);
    const [cart] = (await client.embed(["sum of the prices of the items in the cart"])).vectors;
    assert.equal(vectors.map((vector) => dot(cart, vector)).reduce((best, score, i, all) => (score > all[best] ? i : best), 0), 2);
  });

  it("embeds a text longer than the model's window from its beginning, and an empty text as zeros", async () => {
    const client = open();
    await client.configure(testSettings(tiny, { embeddingModelPath: benchShape }));
    const long = "upload ".repeat(600);
    const result = await client.embed(["short text", long, ""]);
    assert.deepEqual(result.truncated, [1]);
    assert.equal(result.tokens[1], 512 - 1, "the window minus the one token llama.cpp keeps free");
    assert.deepEqual(result.vectors[2], new Array(384).fill(0));
    assert.equal(result.tokens[2], 0);
  });

  it("stops between texts when its signal aborts, and the next request is answered", async () => {
    const client = open();
    await client.configure(testSettings(tiny, { embeddingModelPath: benchShape }));
    await client.embed(["warm up"]);
    const controller = new AbortController();
    const texts = Array.from({ length: 64 }, (_, i) => `chunk ${i} `.repeat(60));
    const running = client.embed(texts, { signal: controller.signal });
    controller.abort();
    await assert.rejects(running, (error: unknown) => (error as Error).name === "AbortError");
    const after = await client.embed(["still answering"]);
    assert.equal(after.vectors.length, 1);
  });

  it("gives way to a completion: the completion is answered while a long embedding waits for it", async () => {
    const client = open();
    await client.configure(testSettings(tiny, { embeddingModelPath: benchShape }));
    await Promise.all([client.embed(["warm up"]), client.load()]);
    const texts = Array.from({ length: 16 }, (_, i) => `function handler${i}(request, response) { return response.send(request.body); } `.repeat(8));
    const order: string[] = [];
    const embedding = client.embed(texts).then((result) => {
      order.push("embedding");
      return result;
    });
    const infill = client.infill({ prefix: "export function countDone(items) {\n  ", suffix: "\n}\n", maxTokens: 24 }).then((result) => {
      order.push("infill");
      return result;
    });
    const [embedded, completion] = await Promise.all([embedding, infill]);
    assert.deepEqual(order, ["infill", "embedding"]);
    assert.ok(completion.generatedTokens > 0);
    assert.ok(embedded.waitedMs > 0, "the embedding paused while the completion ran");
    assert.equal(embedded.vectors.length, texts.length);
  });

  it("never makes a completion wait for the text being embedded: the embedding has a thread of its own", async () => {
    const client = open();
    await client.configure(testSettings(tiny, { embeddingModelPath: benchShape }));
    await Promise.all([client.embed(["warm up"]), client.load()]);
    const long = "function handler(request, response) { return response.send(request.body); } ".repeat(40);
    const progress: number[] = [];
    let firstDone!: () => void;
    const first = new Promise<void>((resolve) => (firstDone = resolve));
    const embedding = client.embed([long, long, long], {
      onEmbedded: (done) => {
        progress.push(done);
        if (done === 1) firstDone();
      },
    });
    // The second text is being embedded now: the completion arrives in the middle of it.
    await first;
    const infill = await client.infill({ prefix: "export function countDone(items) {\n  ", suffix: "\n}\n", maxTokens: 2 });
    const embedded = await embedding;
    const perText = (embedded.totalMs - embedded.waitedMs) / 3;
    assert.deepEqual(progress, [1, 2, 3]);
    // With one thread shared by both models, the completion waited for the text under way (about perText).
    assert.ok(infill.timings.totalMs < perText / 2, `the completion took ${infill.timings.totalMs} ms beside texts of ${Math.round(perText)} ms each`);
  });

  it("refuses a completion model set as the embedding model with a message that says so, and completion keeps working", async () => {
    const client = open();
    await client.configure(testSettings(tiny, { embeddingModelPath: tiny }));
    await assert.rejects(client.embed(["anything"]), (error: unknown) => {
      assert.ok(error instanceof EngineError);
      assert.equal(error.code, "model-unsupported");
      assert.match(error.message, /is a code completion model \(llama architecture, no pooling type in its GGUF\), not an embedding model/);
      assert.match(error.message, /hearth\.embedding\.modelPath/);
      assert.match(error.message, /full text and symbols/);
      return true;
    });
    assert.equal(client.embeddingStatus.kind, "error");
    const infill = await client.infill({ prefix: "let x = ", suffix: "", maxTokens: 4 });
    assert.ok(infill.generatedTokens > 0);
  });

  it("says no embedding model is configured, naming the setting, when hearth.embedding.modelPath is empty", async () => {
    const client = open();
    await client.configure(testSettings(tiny));
    assert.equal(client.embeddingStatus.kind, "no-model");
    await assert.rejects(client.embed(["anything"]), /No embedding model is configured \(setting hearth\.embedding\.modelPath\)/);
  });

  it("unloads the embedding model when its setting is cleared, leaving the completion model loaded", async () => {
    const client = open();
    await client.configure(testSettings(tiny, { embeddingModelPath: hashed }));
    await Promise.all([client.load(), client.embed(["load it"])]);
    const statuses: string[] = [];
    client.onDidChangeEmbeddingStatus((status) => statuses.push(status.kind));
    await client.configure(testSettings(tiny));
    assert.equal(client.embeddingStatus.kind, "no-model");
    assert.equal(client.status.kind, "ready");
    assert.ok(statuses.includes("no-model"), `embedding statuses: ${statuses.join(", ")}`);
  });
});
