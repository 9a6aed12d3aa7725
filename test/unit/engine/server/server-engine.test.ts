// The server engine against a real llama-server (built from node-llama-cpp's bundled llama.cpp source, see
// helpers/llama-server.ts) serving the generated test models on 127.0.0.1: the scripted model's exact completion and
// chat answer through the OpenAI-compatible API, cancellation, and the failures llama-server itself produces.
import { strict as assert } from "node:assert";
import { isAbortError } from "../../../../src/common/abort";
import { MemoryLogger } from "../../../../src/common/logger";
import type { EngineStatus } from "../../../../src/engine/client-types";
import { EngineError } from "../../../../src/engine/protocol";
import { ServerEngine } from "../../../../src/engine/server/server-engine";
import type { ServerSettings } from "../../../../src/engine/server/server-settings";
import { HASHED_EMBEDDING } from "../../../fixtures/models/embedding-models";
import { DEFAULT_SCRIPT, ensureTestModel } from "../../../fixtures/models/test-models";
import { LLAMA_SERVER_BUILD_TIMEOUT_MS, TestLlamaServer, llamaServerBinary } from "../../helpers/llama-server";

const COUNT_DONE = { prefix: "export function countDone(items: Item[]): number {\n  ", suffix: "\n}\n", maxTokens: 64 };

function settings(url: string, overrides: Partial<ServerSettings> = {}): ServerSettings {
  return { url, models: { completion: "", chat: "", embedding: "" }, timeoutMs: 30_000, fimFormat: "auto", ...overrides };
}

async function failure(promise: Promise<unknown>): Promise<EngineError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof EngineError, `an EngineError, not ${String(error)}`);
    return error;
  }
  assert.fail("the request succeeded");
}

describe("the server engine against a real llama-server", function () {
  this.timeout(120_000);
  let scripted: string;
  const engines: ServerEngine[] = [];
  const servers: TestLlamaServer[] = [];
  const open = (url: string, overrides: Partial<ServerSettings> = {}, logger = new MemoryLogger()) => {
    const engine = new ServerEngine(settings(url, overrides), logger);
    engines.push(engine);
    return engine;
  };
  const start = async (modelPath: string, options: Parameters<typeof TestLlamaServer.start>[1] = {}) => {
    const server = await TestLlamaServer.start(modelPath, options);
    servers.push(server);
    return server;
  };

  before(async function () {
    // The first run on a machine builds llama-server (cached afterwards, keyed by node-llama-cpp's llama.cpp bundle).
    this.timeout(LLAMA_SERVER_BUILD_TIMEOUT_MS);
    await llamaServerBinary();
    scripted = await ensureTestModel("scripted");
  });
  afterEach(async () => {
    await Promise.all(engines.splice(0).map((engine) => engine.dispose()));
  });
  after(async () => {
    await Promise.all(servers.splice(0).map((server) => server.stop()));
  });

  describe("serving the scripted model", () => {
    let server: TestLlamaServer;
    before(async () => {
      server = await start(scripted);
    });

    it("is ready with the model the server lists, its context, and the FIM format the server's tokenizer shows", async () => {
      const engine = open(server.url);
      const model = await engine.load();
      assert.equal(model.name, scripted, "llama-server names its model by its path");
      assert.equal(model.contextSize, 1024);
      assert.match(model.fimFormat ?? "", /Qwen2\.5-Coder/);
      assert.equal(engine.status.kind, "ready");
      assert.deepEqual(engine.target, { kind: "server", url: server.url });
    });

    it("completes exactly the scripted completion, streamed, from Hearth's own FIM prompt sent to /v1/completions", async () => {
      const engine = open(server.url);
      const chunks: string[] = [];
      const result = await engine.infill(COUNT_DONE, { onChunk: (text) => chunks.push(text) });
      assert.equal(result.text, DEFAULT_SCRIPT.fim);
      assert.ok(chunks.length > 1, "streamed in several parts");
      assert.equal(chunks.join(""), DEFAULT_SCRIPT.fim);
      assert.equal(result.stopReason, "end-token");
      assert.ok(result.promptTokens > 0 && result.generatedTokens > 0, JSON.stringify(result));
    });

    it("evaluates only what changed when the next keystroke's prompt shares the last one's start (cache_prompt)", async () => {
      const engine = open(server.url);
      const first = await engine.infill(COUNT_DONE);
      const again = await engine.infill({ ...COUNT_DONE, prefix: `${COUNT_DONE.prefix}` });
      assert.ok(again.promptTokens < first.promptTokens || again.promptTokens <= 2, `${again.promptTokens} evaluated again of ${first.promptTokens}`);
    });

    it("stops after the asked number of lines, as the local engine does", async () => {
      const engine = open(server.url);
      const result = await engine.infill({ ...COUNT_DONE, maxLines: 1 });
      assert.equal(result.text, DEFAULT_SCRIPT.fim.split("\n")[0]);
      assert.equal(result.stopReason, "max-lines");
    });

    it("closes nothing with an error when the line limit comes after the whole answer arrived (its socket is back in the pool)", async () => {
      // The scripted answer is one small read: the limit is reached while its last events are handled, after the
      // response ended. Destroying the request then errored the pooled socket, which no one listens to (uncaught).
      const engine = open(server.url);
      for (let i = 0; i < 20; i++) assert.equal((await engine.infill({ ...COUNT_DONE, maxLines: 1 })).stopReason, "max-lines");
    });

    it("answers a chat with exactly the scripted answer, streamed from /v1/chat/completions", async () => {
      const engine = open(server.url);
      const chunks: string[] = [];
      const result = await engine.chat({ messages: [{ role: "user", content: "Write an add function" }], maxTokens: 256 }, { onChunk: (text) => chunks.push(text) });
      assert.equal(result.text, DEFAULT_SCRIPT.chat);
      assert.equal(chunks.join(""), DEFAULT_SCRIPT.chat);
      assert.equal(engine.chatStatus.kind, "ready");
    });

    it("counts tokens with the server's tokenizer once the model is ready", async () => {
      const engine = open(server.url);
      assert.equal(await engine.tokenCounts(["const a = 1;"]), null, "nothing before the model is ready");
      await engine.load();
      const counts = await engine.tokenCounts(["const a = 1;", ""]);
      assert.ok(counts && counts.counts[0]! > 2 && counts.counts[1] === 0, JSON.stringify(counts));
    });

    it("asks a second server for embeddings when hearth.server.embeddingUrl names one, and the first for the rest", async () => {
      const embedder = await start(await ensureTestModel("embed-hashed"), { parallel: 1, extraArgs: ["--embeddings", "--alias", "team-embed"] });
      const engine = open(server.url, { embeddingUrl: embedder.url });
      const before = { code: server.tasksStarted, vectors: embedder.tasksStarted };
      const embedded = await engine.embed(["shipping rate for a zone", "refund a parcel"]);
      assert.equal(embedded.vectors.length, 2);
      assert.equal(embedded.dimensions, HASHED_EMBEDDING.shape.embd);
      assert.equal(embedded.modelPath, `the server's model on ${embedder.url}`);
      assert.equal(engine.embeddingStatus.kind, "ready");
      assert.equal((await engine.infill(COUNT_DONE)).text, DEFAULT_SCRIPT.fim);
      assert.equal(embedder.tasksStarted - before.vectors, 2, "each text went to the embedding server");
      assert.equal(server.tasksStarted - before.code, 1, "the completion went to the code model's server");
    });

    it("says hearth.server.embeddingUrl is no URL, and completes all the same", async () => {
      const engine = open(server.url, { embeddingUrl: "gpu-box:8081" });
      const error = await failure(engine.embed(["a"]));
      assert.match(error.message, /hearth\.server\.embeddingUrl/);
      assert.equal(engine.embeddingStatus.kind, "error");
      assert.equal((await engine.infill(COUNT_DONE)).text, DEFAULT_SCRIPT.fim);
    });

    it("says which model the server serves when the one set is not there", async () => {
      const engine = open(server.url, { models: { completion: "qwen-32b", chat: "", embedding: "" } });
      const error = await failure(engine.infill(COUNT_DONE));
      assert.equal(error.code, "server-model-missing");
      assert.ok(error.message.includes(`does not serve "qwen-32b" (setting hearth.server.completionModel); it serves "${scripted}"`), error.message);
      assert.equal(engine.status.kind, "error");
    });

    it("says the URL is not the server's base address when its path is wrong", async () => {
      const engine = open(`${server.url}/llama`);
      const error = await failure(engine.load());
      assert.equal(error.code, "server-bad-response");
      assert.match(error.message, /has no \/llama\/v1\/models \(404\): is hearth.server.url the server's base address\?/);
    });
  });

  it("stops the generation on the server when the request is cancelled", async function () {
    this.timeout(300_000);
    // Random weights: it writes until max_tokens, far longer than this test waits for the slot to free.
    const server = await start(await ensureTestModel("bench-0.5b"), { parallel: 1, contextSize: 4096 });
    const engine = open(server.url);
    await engine.load();
    const controller = new AbortController();
    let chunks = 0;
    const pending = engine.infill({ prefix: "function f() {\n", suffix: "", maxTokens: 3000 }, {
      signal: controller.signal,
      onChunk: () => {
        if (++chunks === 3) controller.abort();
      },
    });
    const outcome = await pending.then(
      (result) => result.stopReason,
      (error: unknown) => (isAbortError(error) ? "aborted" : String(error)),
    );
    assert.ok(outcome === "cancelled" || outcome === "aborted", outcome);
    const idleSince = performance.now();
    for (;;) {
      const slots = (await (await fetch(`${server.url}/slots`)).json()) as { is_processing: boolean; next_token?: { n_decoded?: number }[] }[];
      if (slots.every((slot) => !slot.is_processing)) break;
      assert.ok(performance.now() - idleSince < 30_000, `the slot still generates: ${JSON.stringify(slots)}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await server.stop();
  });

  it("refuses without the server's API key, and works with it", async () => {
    const server = await start(scripted, { extraArgs: ["--api-key", "team-secret"] });
    const error = await failure(open(server.url).load());
    assert.equal(error.code, "server-auth");
    assert.match(error.message, /refused Hearth's API key \(401\): set the right one with "Hearth: Set Server API Key"/);
    const result = await open(server.url, { apiKey: "team-secret" }).infill(COUNT_DONE);
    assert.equal(result.text, DEFAULT_SCRIPT.fim);
    await server.stop();
  });

  it("shows a stopped server as unreachable, a frozen one as too slow, and answers again once it is back", async () => {
    let server = await start(scripted);
    const port = server.port;
    const engine = open(server.url, { timeoutMs: 1500 });
    assert.equal((await engine.infill(COUNT_DONE)).text, DEFAULT_SCRIPT.fim);

    // Frozen (SIGSTOP): it accepts the connection but answers nothing.
    process.kill(server.pid!, "SIGSTOP");
    try {
      const slow = await failure(engine.infill(COUNT_DONE));
      assert.equal(slow.code, "server-timeout");
      assert.equal((engine.status as Extract<EngineStatus, { kind: "error" }>).error.code, "server-timeout");
    } finally {
      process.kill(server.pid!, "SIGCONT");
    }

    await server.stop();
    const down = await failure(engine.infill(COUNT_DONE));
    assert.equal(down.code, "server-unreachable");
    assert.match(down.message, /refused the connection: is it running, and is hearth.server.url right\?/);
    assert.equal(engine.status.kind, "error");

    server = await start(scripted, { port });
    assert.equal((await engine.infill(COUNT_DONE)).text, DEFAULT_SCRIPT.fim);
    assert.equal(engine.status.kind, "ready");
  });
});
