// Failures a real llama-server cannot be made to produce on demand (an overloaded gateway, a page that is not the API,
// a connection cut mid-stream, a server that never answers), each from a tiny real HTTP server on 127.0.0.1. The
// failures llama-server itself produces (down, 401, unknown model) are in server-engine.test.ts against the real one.
import { strict as assert } from "node:assert";
import type { ServerResponse } from "node:http";
import type { EngineStatus } from "../../../../src/engine/client-types";
import type { ServerSettings } from "../../../../src/engine/server/server-settings";
import { EngineError, retriesOnNextRequest } from "../../../../src/engine/protocol";
import { loopbackServers, type Handler } from "../../helpers/loopback-servers";

const MODELS = JSON.stringify({ object: "list", data: [{ id: "coder", object: "model", owned_by: "test" }] });

/** Short time-outs and retries: these servers fail on purpose. */
const FAILING: Partial<ServerSettings> = { timeoutMs: 2000, retryDelaysMs: [10, 20] };

function sse(res: ServerResponse, events: unknown[], end = true): void {
  res.writeHead(200, { "content-type": "text/event-stream" });
  for (const event of events) res.write(`data: ${JSON.stringify(event)}\n\n`);
  if (end) res.end("data: [DONE]\n\n");
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

const INFILL = { prefix: "function add(a, b) {\n  ", suffix: "\n}\n", maxTokens: 16 };

describe("the server engine against a failing server", () => {
  const { serve, engineAt } = loopbackServers();
  const open = async (handler: Handler, overrides: Partial<ServerSettings> = {}) => {
    const served = await serve(handler);
    return { ...served, engine: engineAt(served.url, "", { ...FAILING, ...overrides }) };
  };

  it("says the server refused the connection when nothing listens at the URL, and shows it in the status", async () => {
    const { url, close } = await serve(() => {});
    close();
    const engine = engineAt(url, "", FAILING);
    const error = await failure(engine.infill(INFILL));
    assert.equal(error.code, "server-unreachable");
    assert.match(error.message, new RegExp(`${url.replace(/\./g, "\\.")} refused the connection: is it running, and is hearth.server.url right\\?`));
    const status = engine.status as Extract<EngineStatus, { kind: "error" }>;
    assert.equal(status.kind, "error");
    assert.equal(status.error.code, "server-unreachable");
  });

  it("names hearth.server.embeddingUrl, not hearth.server.url, when the embedding server is down or is no API", async () => {
    const { url: down, close } = await serve(() => {});
    close();
    const page = await serve((_req, res) => {
      res.writeHead(404, { "content-type": "text/html" });
      res.end("<html>Not Found</html>");
    });
    for (const embeddingUrl of [down, page.url]) {
      const { engine } = await open((_req, res) => res.end(MODELS), { embeddingUrl });
      const error = await failure(engine.embed(["a"]));
      assert.match(error.message, /hearth\.server\.embeddingUrl/, error.message);
      assert.doesNotMatch(error.message, /hearth\.server\.url/, error.message);
      const status = engine.embeddingStatus as Extract<EngineStatus, { kind: "error" }>;
      assert.equal(status.error.message, error.message);
    }
  });

  it("tries a 429 again after a back-off and answers once the server has room", async () => {
    let completions = 0;
    const { engine, hits } = await open((req, res) => {
      if (req.url === "/v1/models") return res.end(MODELS);
      if (req.url !== "/v1/completions") return res.writeHead(404).end();
      if (++completions <= 2) return res.writeHead(429, { "retry-after": "0" }).end(JSON.stringify({ error: { message: "too many requests" } }));
      sse(res, [{ choices: [{ text: "return a + b;", finish_reason: null }] }, { choices: [{ text: "", finish_reason: "stop" }] }]);
    });
    const result = await engine.infill(INFILL);
    assert.equal(result.text, "return a + b;");
    assert.equal(hits.get("/v1/completions"), 3);
    assert.equal(engine.status.kind, "ready");
  });

  it("gives up on a server that stays overloaded (503) after its retries, saying so", async () => {
    const { engine, hits } = await open((req, res) => {
      if (req.url === "/v1/models") return res.end(MODELS);
      if (req.url !== "/v1/completions") return res.writeHead(404).end();
      res.writeHead(503).end(JSON.stringify({ error: { message: "Loading model" } }));
    });
    const error = await failure(engine.infill(INFILL));
    assert.equal(error.code, "server-busy");
    assert.match(error.message, /is overloaded \(503\); Hearth tried again and gave up for now\. The server said: Loading model/);
    assert.equal(hits.get("/v1/completions"), 3, "the first try and two retries");
  });

  it("does not try a refused key again", async () => {
    const { engine, hits } = await open((_req, res) => res.writeHead(401).end(JSON.stringify({ error: { message: "Invalid API Key" } })));
    const error = await failure(engine.load());
    assert.equal(error.code, "server-auth");
    assert.match(error.message, /refused Hearth's API key \(401\): set the right one with "Hearth: Set Server API Key"/);
    assert.equal(hits.get("/v1/models"), 1);
  });

  it("names a web page that is not the API as such, with what it sent", async () => {
    const { engine } = await open((_req, res) => res.writeHead(200, { "content-type": "text/html" }).end("<html><body>Welcome to nginx!</body></html>"));
    const error = await failure(engine.load());
    assert.equal(error.code, "server-bad-response");
    assert.match(error.message, /does not answer as an OpenAI-compatible server \(not JSON from \/v1\/models\)/);
    assert.match(error.detail ?? "", /Welcome to nginx/);
  });

  it("fails a stream of garbage events clearly", async () => {
    const { engine } = await open((req, res) => {
      if (req.url === "/v1/models") return res.end(MODELS);
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.end("data: {not json\n\n");
    });
    const error = await failure(engine.infill(INFILL));
    assert.equal(error.code, "server-bad-response");
    assert.match(error.message, /a stream event that is not JSON/);
  });

  it("reports a stream cut in the middle as a broken answer, not as a complete one", async () => {
    const { engine } = await open((req, res) => {
      if (req.url === "/v1/models") return res.end(MODELS);
      sse(res, [{ choices: [{ text: "return a", finish_reason: null }] }], false);
      setTimeout(() => res.socket?.destroy(), 20);
    });
    const chunks: string[] = [];
    const error = await failure(engine.infill(INFILL, { onChunk: (text) => chunks.push(text) }));
    assert.equal(error.code, "server-bad-response");
    assert.match(error.message, /stopped in the middle of its answer/);
    assert.deepEqual(chunks, ["return a"]);
    assert.equal(engine.status.kind, "error");
  });

  it("stops waiting for a server that does not answer within the timeout, and says which setting sets it", async () => {
    const { engine } = await open((req, res) => {
      if (req.url === "/v1/models") return res.end(MODELS);
      // Never answers the completion.
    }, { timeoutMs: 300 });
    const started = performance.now();
    const error = await failure(engine.infill(INFILL));
    assert.equal(error.code, "server-timeout");
    assert.match(error.message, /sent nothing for 0 s, so Hearth stopped waiting \(setting hearth.server.timeoutSeconds\)/);
    assert.ok(performance.now() - started < 5000);
  });

  it("clears the error once the server answers again", async () => {
    let down = true;
    const { engine } = await open((req, res) => {
      if (down) return res.writeHead(500).end("boom");
      if (req.url === "/v1/models") return res.end(MODELS);
      sse(res, [{ choices: [{ text: "x", finish_reason: "stop" }] }]);
    });
    await failure(engine.infill(INFILL));
    assert.equal(engine.status.kind, "error");
    down = false;
    assert.equal((await engine.infill(INFILL)).text, "x");
    assert.equal(engine.status.kind, "ready");
  });

  it("refuses a URL that is not http(s) without sending anything", async () => {
    const engine = engineAt("ftp://example.com", "", FAILING);
    const status = engine.status as Extract<EngineStatus, { kind: "error" }>;
    assert.equal(status.kind, "error");
    assert.match(status.error.message, /must start with http:\/\/ or https:\/\//);
    assert.equal((await failure(engine.load())).code, "server-unreachable");
  });
});

describe("what a server failure leaves for the next request", () => {
  it("asks the server again on the next request after it was down, overloaded, slow or cut a stream", () => {
    for (const code of ["server-unreachable", "server-busy", "server-timeout", "server-bad-response"] as const) assert.ok(retriesOnNextRequest({ code }), code);
  });

  it("waits for the user after a refused key or a model the server does not serve", () => {
    for (const code of ["server-auth", "server-model-missing"] as const) assert.ok(!retriesOnNextRequest({ code }), code);
  });
});
