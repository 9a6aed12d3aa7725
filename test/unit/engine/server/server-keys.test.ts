// A team may run its embedding server (hearth.server.embeddingUrl) apart from its code model's, with a key of its own
// or none: each server is sent only the key set for it, recorded here by real HTTP servers on 127.0.0.1.
import { strict as assert } from "node:assert";
import type { IncomingMessage, ServerResponse } from "node:http";
import { bindKey, keyForServer } from "../../../../src/engine/server/server-keys";
import { apiBase } from "../../../../src/engine/server/server-settings";
import { loopbackServers } from "../../helpers/loopback-servers";

const modelList = (...ids: string[]) => JSON.stringify({ object: "list", data: ids.map((id) => ({ id, object: "model", owned_by: "test" })) });

describe("the server engine's API keys and model lists, with an embedding server apart", function () {
  this.timeout(20_000);
  const { listen, engineAt } = loopbackServers();
  let seen: { server: string; path: string; authorization: string | undefined }[] = [];
  beforeEach(() => (seen = []));

  /** A server that lists `models`, embeds every input as [1, 0] and records each request's Authorization header. */
  const recording = (server: string, ...models: string[]) =>
    listen((req: IncomingMessage, res: ServerResponse, body: string) => {
      seen.push({ server, path: req.url ?? "", authorization: req.headers.authorization });
      if (req.url === "/v1/embeddings") {
        const input = (JSON.parse(body) as { input: string[] }).input;
        res.end(JSON.stringify({ object: "list", data: input.map((_, index) => ({ object: "embedding", index, embedding: [1, 0] })) }));
      } else res.end(modelList(...models));
    });
  const keysAt = (server: string) => [...new Set(seen.filter((s) => s.server === server).map((s) => s.authorization ?? "none"))];

  it("sends the main server its key and the embedding server the key set for it, never the other's", async () => {
    const engine = engineAt(await recording("main", "coder"), "", { apiKey: "main-key", embeddingUrl: await recording("embedder", "bge"), embeddingApiKey: "embed-key" });
    await engine.load();
    await engine.embed(["const a = 1;"]);
    await engine.listModels(undefined, "embedding");
    assert.deepEqual(keysAt("main"), ["Bearer main-key"]);
    assert.deepEqual(keysAt("embedder"), ["Bearer embed-key"]);
  });

  it("sends the embedding server no key at all when none is set for it, though the main server has one", async () => {
    const engine = engineAt(await recording("main", "coder"), "", { apiKey: "main-key", embeddingUrl: await recording("embedder", "bge") });
    await engine.load();
    await engine.embed(["const a = 1;"]);
    assert.deepEqual(keysAt("main"), ["Bearer main-key"]);
    assert.deepEqual(keysAt("embedder"), ["none"]);
  });

  it("sends embeddings with the main server's key when they go to the main server (no embedding server set)", async () => {
    const engine = engineAt(await recording("main", "coder"), "", { apiKey: "main-key", embeddingApiKey: "embed-key" });
    await engine.embed(["const a = 1;"]);
    assert.ok(seen.some((s) => s.path === "/v1/embeddings"));
    assert.deepEqual(keysAt("main"), ["Bearer main-key"]);
  });

  it("asks for the embedding server's own key when that server refuses the key it was sent", async () => {
    const refusing = await listen((_req, res) => res.writeHead(401).end(JSON.stringify({ error: { message: "Invalid API Key" } })));
    const engine = engineAt(await recording("main", "coder"), "", { apiKey: "main-key", embeddingUrl: refusing });
    await assert.rejects(engine.embed(["const a = 1;"]), (error: Error) => {
      assert.match(error.message, /refused Hearth's API key \(401\): set the right one with "Hearth: Set Embedding Server API Key"/);
      return true;
    });
  });

  it("lists the embedding server's models for the embedding role, and the main server's for the others", async () => {
    const engine = engineAt(await recording("main", "coder", "chatter"), "", { embeddingUrl: await recording("embedder", "bge-small", "nomic-embed") });
    assert.deepEqual((await engine.listModels(undefined, "embedding")).map((m) => m.id), ["bge-small", "nomic-embed"]);
    assert.deepEqual((await engine.listModels(undefined, "chat")).map((m) => m.id), ["coder", "chatter"]);
    assert.deepEqual((await engine.listModels()).map((m) => m.id), ["coder", "chatter"]);
  });

  it("lists the main server's models for the embedding role when embeddings go to it", async () => {
    const engine = engineAt(await recording("main", "coder", "nomic-embed"));
    assert.deepEqual((await engine.listModels(undefined, "embedding")).map((m) => m.id), ["coder", "nomic-embed"]);
  });
});

describe("a stored API key and the server it was set for", () => {
  const SETTING = "hearth.server.url";
  const COMMAND = "Hearth: Set Server API Key";
  const stored = (url: string, key: string): string => {
    const bound = bindKey(url, key, SETTING);
    assert.ok(bound.ok);
    return bound.stored;
  };
  const keyAt = (kept: string | undefined, url: string) => keyForServer(kept, url, SETTING, COMMAND);

  it("gives the key to the server it was set for, whatever path its URL has", () => {
    const kept = stored("https://gpu-box:8443", "sk-team");
    assert.deepEqual(keyAt(kept, "https://gpu-box:8443"), { key: "sk-team" });
    assert.deepEqual(keyAt(kept, "https://gpu-box:8443/v1/"), { key: "sk-team" });
  });

  it("withholds the key from another host, another port, or http where it was set for https, and says how to set one", () => {
    const kept = stored("https://gpu-box:8443", "sk-team");
    for (const url of ["https://other-box:8443", "https://gpu-box:9000", "http://gpu-box:8443", "", "not a url"]) {
      const answer = keyAt(kept, url);
      assert.equal(answer.key, undefined, url);
      assert.match(answer.withheld ?? "", /set for https:\/\/gpu-box:8443.*hearth\.server\.url.*Hearth: Set Server API Key/, url);
      assert.doesNotMatch(answer.withheld ?? "", /sk-team/);
    }
  });

  it("binds a key kept before keys were bound to the server the setting names now", () => {
    const answer = keyAt("sk-old", "http://gpu-box:8080");
    assert.equal(answer.key, "sk-old");
    assert.deepEqual(keyAt(answer.rebound, "http://gpu-box:8080"), { key: "sk-old" });
    assert.equal(keyAt(answer.rebound, "http://elsewhere:8080").key, undefined);
  });

  it("says to set the embedding server's own key, not the main one's, when its URL holds a password", () => {
    const base = apiBase("http://team:secret@gpu-box:8081", "hearth.server.embeddingUrl");
    assert.ok(!base.ok);
    assert.match(base.message, /setting hearth\.server\.embeddingUrl\) must not hold a user name or password; set the API key with Hearth: Set Embedding Server API Key\./);
    assert.doesNotMatch(base.message, /secret/);
  });

  it("keeps no key while no server is set, and says which setting to set", () => {
    const answer = bindKey("", "sk-team", "hearth.server.embeddingUrl");
    assert.ok(!answer.ok);
    assert.match(answer.message, /Set hearth\.server\.embeddingUrl first/);
    assert.equal(bindKey("gpu-box:8080", "sk-team", SETTING).ok, false);
  });

  describe("against real servers", () => {
    const { listen, engineAt } = loopbackServers();

    it("sends a server another server's key never, after the URL setting changed to it", async () => {
      const headers: (string | undefined)[] = [];
      const record = (req: IncomingMessage, res: ServerResponse) => (headers.push(req.headers.authorization), res.end(modelList("coder")));
      const teamServer = await listen(() => assert.fail("the team server is not asked here"));
      const kept = stored(teamServer, "sk-team");
      const otherServer = await listen(record);
      await engineAt(otherServer, "", { apiKey: keyAt(kept, otherServer).key }).load();
      assert.ok(headers.length > 0);
      assert.deepEqual([...new Set(headers)], [undefined]);
    });
  });
});
