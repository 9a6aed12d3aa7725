// The engine switch with the real local engine (the scripted model in the engine process) and a real server engine:
// which one answers, what the listeners hear, and the local fallback when the server cannot answer.
import { strict as assert } from "node:assert";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { EngineStatus } from "../../../src/engine/client-types";
import { EngineSwitch } from "../../../src/engine/engine-switch";
import { EngineError } from "../../../src/engine/protocol";
import { ServerEngine } from "../../../src/engine/server/server-engine";
import { DEFAULT_SCRIPT, ensureTestModel } from "../../fixtures/models/test-models";
import { MemoryLogger, createClient, testSettings } from "../helpers/engine";

const COUNT_DONE = { prefix: "export function countDone(items: Item[]): number {\n  ", suffix: "\n}\n", maxTokens: 64 };

/** A real HTTP server on 127.0.0.1 that counts what reaches it and answers nothing useful. */
async function countingServer(): Promise<{ url: string; hits: () => number; server: Server }> {
  let hits = 0;
  const server = createServer((_req, res) => {
    hits++;
    res.writeHead(503).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits: () => hits, server };
}

async function closedPortUrl(): Promise<string> {
  const { url, server } = await countingServer();
  await new Promise((resolve) => server.close(resolve));
  return url;
}

describe("the engine switch", function () {
  this.timeout(60_000);
  let scripted: string;
  let engine: EngineSwitch;
  let logger: MemoryLogger;
  const servers: Server[] = [];
  before(async () => {
    scripted = await ensureTestModel("scripted");
  });
  beforeEach(async () => {
    logger = new MemoryLogger();
    engine = new EngineSwitch(createClient(logger), { logger });
    await engine.configure(testSettings(scripted));
  });
  afterEach(async () => {
    await engine.dispose();
    for (const server of servers.splice(0)) server.close();
  });
  const serverEngine = (url: string) => new ServerEngine({ url, models: { completion: "", chat: "", embedding: "" }, timeoutMs: 5000, fimFormat: "auto", retryDelaysMs: [] }, logger);

  it("answers through the local engine until a server is chosen, and says so", async () => {
    assert.deepEqual(engine.target, { kind: "local" });
    assert.equal((await engine.infill(COUNT_DONE)).text, DEFAULT_SCRIPT.fim);
  });

  it("hands requests to the chosen server and tells the listeners its state at once", async () => {
    const url = await closedPortUrl();
    const seen: EngineStatus[] = [];
    engine.onDidChangeStatus((status) => seen.push(status));
    engine.use(serverEngine(url));
    assert.deepEqual(engine.target, { kind: "server", url });
    assert.equal(seen.at(-1)?.kind, "idle", "the server's own status, not the local model's");
    const error = await engine.infill(COUNT_DONE).catch((failure: unknown) => failure);
    assert.ok(error instanceof EngineError && error.code === "server-unreachable", String(error));
    assert.equal(seen.at(-1)?.kind, "error");
    assert.equal(engine.status.kind, "error");
  });

  it("answers from the local model when the server is down and the fallback is on, and logs why", async () => {
    engine.use(serverEngine(await closedPortUrl()), { fallbackToLocal: true });
    assert.equal((await engine.infill(COUNT_DONE)).text, DEFAULT_SCRIPT.fim);
    assert.ok(logger.lines.some((line) => /refused the connection.*the local model answers it \(hearth.server.fallbackToLocal\)/.test(line)), logger.lines.join("\n"));
  });

  it("tells its listeners each time another engine answers, and not when the same one is given again", async () => {
    const changes: unknown[] = [];
    engine.onDidChangeEngine((target) => changes.push(target));
    const url = await closedPortUrl();
    const server = serverEngine(url);
    engine.use(server);
    engine.use(server);
    engine.use(serverEngine(url));
    engine.use(undefined);
    assert.deepEqual(changes, [{ kind: "server", url }, { kind: "server", url }, { kind: "local" }]);
  });

  it("sends nothing to the server any more once the user goes back to the local engine", async () => {
    const counting = await countingServer();
    servers.push(counting.server);
    engine.use(serverEngine(counting.url));
    engine.use(undefined);
    assert.deepEqual(engine.target, { kind: "local" });
    assert.equal((await engine.infill(COUNT_DONE)).text, DEFAULT_SCRIPT.fim);
    assert.equal((await engine.chat({ messages: [{ role: "user", content: "Write an add function" }], maxTokens: 256 })).text, DEFAULT_SCRIPT.chat);
    assert.equal(counting.hits(), 0);
  });
});
