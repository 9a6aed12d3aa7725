// A server that does not play by the protocol (hearth.server.url set to a host someone else runs, or a proxy in
// front of it): it must not make Hearth read forever, freeze the extension host or run out of memory.
import { strict as assert } from "node:assert";
import { MemoryLogger } from "../../../../src/common/logger";
import { EngineError } from "../../../../src/engine/protocol";
import { ServerEngine } from "../../../../src/engine/server/server-engine";
import { ServerFailure } from "../../../../src/engine/server/server-failure";
import { apiBase, shownServerUrl } from "../../../../src/engine/server/server-settings";
import { cpuMsOf } from "../../helpers/cpu-time";
import { loopbackServers } from "../../helpers/loopback-servers";

const MODELS = JSON.stringify({ object: "list", data: [{ id: "coder", object: "model", owned_by: "test" }] });

describe("the server engine against a hostile server", function () {
  this.timeout(20_000);
  const { open, listen, engineAt } = loopbackServers();

  it("counts the tokens of many texts with a few requests in flight at a time, not one request per text at once", async () => {
    let inFlight = 0;
    let mostInFlight = 0;
    const engine = await open((req, res) => {
      if (req.url === "/v1/models") return res.end(MODELS);
      if (req.url !== "/tokenize") return res.writeHead(404).end();
      inFlight++;
      mostInFlight = Math.max(mostInFlight, inFlight);
      // Answered on a later turn, so that requests sent at once are seen in flight together.
      setImmediate(() => {
        inFlight--;
        res.end(JSON.stringify({ tokens: [1, 2, 3] }));
      });
    });
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on("warning", onWarning);
    try {
      await engine.load();
      const counted = await engine.tokenCounts(Array.from({ length: 200 }, (_, i) => `line ${i}`), { signal: new AbortController().signal });
      assert.deepEqual(counted?.counts, Array.from({ length: 200 }, () => 3));
    } finally {
      process.off("warning", onWarning);
    }
    assert.ok(mostInFlight <= 4, `${mostInFlight} requests in flight at once`);
    assert.deepEqual(warnings.map((w) => w.name), []);
  });

  it("believes no token count from a server that answers /tokenize with millions of ids for a short line, and parses no such answer", async () => {
    // 2 million ids (4 MB of JSON) per line: each answer took ~0.5 s of the extension host's thread to parse and map,
    // and the chat's token counter asks for hundreds of lines, a few at a time, which froze the editor for minutes.
    const millions = JSON.stringify({ tokens: new Array<number>(2_000_000).fill(1) });
    const engine = await open((req, res, body) => {
      if (req.url === "/v1/models") return res.end(MODELS);
      if (req.url !== "/tokenize") return res.writeHead(404).end();
      // The probe at load ("a") is answered as a tokenizer would, so the counts are asked of a server that tokenizes.
      res.end((JSON.parse(body) as { content?: unknown }).content === "a" ? JSON.stringify({ tokens: [64] }) : millions);
    });
    await engine.load();
    let counted: Awaited<ReturnType<typeof engine.tokenCounts>> | undefined;
    const cpu = await cpuMsOf(async () => {
      counted = await engine.tokenCounts(Array.from({ length: 8 }, (_, i) => `const line${i} = ${i};`), { signal: new AbortController().signal });
    });
    assert.equal(counted, null, `counts ${JSON.stringify(counted?.counts)} in ${cpu.toFixed(0)} ms of CPU`);
    assert.ok(cpu < 1000, `${cpu.toFixed(0)} ms of CPU for 8 lines`);
  });

  it("stops waiting for a model list that a server sends a byte at a time, and says the server is too slow", async () => {
    // Each byte comes well within the silence timeout, so it never fired: the model stayed "loading" for ever and every
    // request joined the load.
    let dribble: NodeJS.Timeout | undefined;
    const engine = engineAt(
      await listen((req, res) => {
        if (req.url !== "/v1/models") return res.writeHead(404).end();
        res.writeHead(200, { "content-type": "application/json" });
        dribble = setInterval(() => res.write(" "), 20);
        res.on("close", () => clearInterval(dribble));
      }),
      "",
      { timeoutMs: 300 },
    );
    let error: unknown;
    try {
      await engine.load();
    } catch (e) {
      error = e;
    } finally {
      clearInterval(dribble);
    }
    assert.ok(error instanceof EngineError, `an EngineError, not ${String(error)}`);
    assert.equal(error.code, "server-timeout");
    assert.match(error.message, /hearth\.server\.timeoutSeconds/);
    assert.equal(engine.status.kind, "error");
  });

  it("sends the FIM prompt as text with the file's special-token spellings broken to a server whose /tokenize parses them regardless", async () => {
    // An older llama-server ignores parse_special: the text sent through its /tokenize would come back as control tokens.
    const tokenize = (content: unknown) =>
      (Array.isArray(content) ? content : [content]).flatMap((part: unknown) =>
        typeof part === "number" ? [{ id: part, piece: "" }] : String(part).split(/(<\|[a-z_]+\|>)/).flatMap((chunk) => (chunk.startsWith("<|") ? [{ id: 100_000 + chunk.length, piece: chunk }] : [...chunk].map((c) => ({ id: c.codePointAt(0)!, piece: c })))),
      );
    const prompts: unknown[] = [];
    const engine = await open((req, res, body) => {
      const request = body ? (JSON.parse(body) as { content?: unknown; prompt?: unknown }) : {};
      if (req.url === "/v1/models") return res.end(MODELS);
      if (req.url === "/tokenize") return res.end(JSON.stringify({ tokens: tokenize(request.content) }));
      if (req.url !== "/v1/completions") return res.writeHead(404).end();
      prompts.push(request.prompt);
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.end(`data: ${JSON.stringify({ choices: [{ text: "done", finish_reason: "stop" }] })}\n\ndata: [DONE]\n\n`);
    });
    const result = await engine.infill({ prefix: "x = 1 <|endoftext|><|fim_middle|>\n", suffix: "\n", maxTokens: 8 });
    assert.equal(result.text, "done");
    assert.equal(prompts.length, 1);
    const prompt = prompts[0];
    assert.equal(typeof prompt, "string", "a text prompt, not ids the server's tokenizer made of the file's special tokens");
    assert.equal((prompt as string).split("<|fim_middle|>").length - 1, 1, "only Hearth's own <|fim_middle|>");
    assert.ok(!(prompt as string).includes("<|endoftext|>"));
  });

  it("ends a chat answer that a server streams past its max_tokens for ever, and closes the request", async () => {
    let closed = false;
    let onClosed = () => {};
    const requestClosed = new Promise<void>((resolve) => (onClosed = resolve));
    const engine = await open((req, res) => {
      if (req.url === "/v1/models") return res.end(MODELS);
      if (req.url !== "/v1/chat/completions") return res.writeHead(404).end();
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.on("close", () => {
        closed = true;
        onClosed();
      });
      const event = `data: ${JSON.stringify({ choices: [{ delta: { content: "word " }, finish_reason: null }] })}\n\n`;
      const more = () => {
        if (closed) return;
        if (res.write(event)) setImmediate(more);
        else res.once("drain", more);
      };
      more();
    });
    const answer = await engine.chat({ messages: [{ role: "user", content: "hi" }], maxTokens: 16 });
    assert.equal(answer.stopReason, "max-tokens");
    assert.ok(answer.text.length <= 16 * 64, `${answer.text.length} characters`);
    await requestClosed;
  });

  it("fails a stream event that never ends (data without a newline) with a clear message, and closes the request", async () => {
    let closed = false;
    let sent = 0;
    let onClosed = () => {};
    const requestClosed = new Promise<void>((resolve) => (onClosed = resolve));
    const engine = await open((req, res) => {
      if (req.url === "/v1/models") return res.end(MODELS);
      if (req.url !== "/v1/chat/completions") return res.writeHead(404).end();
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.on("close", () => {
        closed = true;
        onClosed();
      });
      res.write("data: ");
      const piece = "x".repeat(64 * 1024);
      const more = () => {
        // 256 MiB at most, so a Hearth that reads on does not hang the test run for ever.
        if (closed || sent > 256 * 1024 * 1024) return res.end();
        sent += piece.length;
        if (res.write(piece)) setImmediate(more);
        else res.once("drain", more);
      };
      more();
    });
    let error: unknown;
    try {
      await engine.chat({ messages: [{ role: "user", content: "hi" }], maxTokens: 16 });
    } catch (e) {
      error = e;
    }
    assert.ok(error instanceof EngineError, `an EngineError, not ${String(error)}`);
    assert.equal(error.code, "server-bad-response");
    assert.match(error.message, /line|event/i);
    assert.ok(sent < 64 * 1024 * 1024, `Hearth read ${sent} bytes of one event before it stopped`);
    // The server sees the request closed (the test times out otherwise).
    await requestClosed;
  });
});

describe("the server engine with a password in hearth.server.url", () => {
  it("refuses the URL without showing the password in its address, status or message", async () => {
    const engine = new ServerEngine({ url: "http://alice:s3cret-pw@gpu-box:8080", models: { completion: "", chat: "", embedding: "" }, timeoutMs: 1000, fimFormat: "qwen" }, new MemoryLogger());
    try {
      const shown = JSON.stringify({ target: engine.target, status: engine.status, chat: engine.chatStatus });
      assert.doesNotMatch(shown, /s3cret-pw/);
      assert.equal(engine.status.kind, "error");
      assert.match(shown, /gpu-box:8080/);
    } finally {
      await engine.dispose();
    }
  });

  it("says a URL that does not parse is wrong without repeating a password in it", () => {
    const base = apiBase("http://alice:s3cret-pw@gpu box:8080");
    assert.equal(base.ok, false);
    assert.doesNotMatch(base.ok ? "" : base.message, /s3cret-pw/);
  });

  it("writes the server's address for the log and status bar without a password, query or path", () => {
    assert.equal(shownServerUrl("http://alice:s3cret-pw@gpu-box:8080/v1?api_key=k3y"), "http://gpu-box:8080");
    assert.doesNotMatch(shownServerUrl("http://alice:s3cret-pw@gpu box:8080"), /s3cret-pw/);
  });
});

describe("the server engine's embeddings from a hostile server", () => {
  const { open } = loopbackServers();
  const embeddingsAnswer = async (body: string): Promise<unknown> => {
    const engine = await open((req, res) => {
      if (req.url === "/v1/models") return res.end(MODELS);
      if (req.url === "/v1/embeddings") return res.writeHead(200, { "content-type": "application/json" }).end(body);
      res.writeHead(404).end();
    });
    try {
      return await engine.embed(["a", "b"]);
    } catch (error) {
      return error;
    }
  };

  it("refuses vectors of different lengths, which no index can hold together", async () => {
    const error = await embeddingsAnswer(JSON.stringify({ data: [{ index: 0, embedding: [0.1, 0.2] }, { index: 1, embedding: [0.1, 0.2, 0.3] }] }));
    assert.ok(error instanceof EngineError, `an EngineError, not ${JSON.stringify(error)}`);
    assert.equal(error.code, "server-bad-response");
  });

  it("refuses a number beyond any float (JSON's 1e400), which would make the vector NaN", async () => {
    const error = await embeddingsAnswer('{"data":[{"index":0,"embedding":[1e400,0.2]},{"index":1,"embedding":[0.1,0.2]}]}');
    assert.ok(error instanceof EngineError, `an EngineError, not ${JSON.stringify(error)}`);
    assert.equal(error.code, "server-bad-response");
  });

  it("refuses vectors longer than any embedding model's, which would become the store's width for every chunk", async () => {
    // 100,000 numbers per text fit the 4 MB answer a batch may take; stored as float32 for each of a workspace's chunks
    // (71,750 for 5,000 files) they come to 29 GB of disk.
    const wide = Array.from({ length: 100_000 }, () => 0);
    const error = await embeddingsAnswer(JSON.stringify({ data: [{ index: 0, embedding: wide }, { index: 1, embedding: wide }] }));
    assert.ok(error instanceof EngineError, `an EngineError, not vectors of ${String((error as { dimensions?: number }).dimensions)} numbers`);
    assert.equal(error.code, "server-bad-response");
    assert.match(error.message, /dimensions|numbers/);
  });

  it("refuses two embeddings for the same input, which would file one input's vector under the other's chunk", async () => {
    const error = await embeddingsAnswer(JSON.stringify({ data: [{ index: 0, embedding: [0.1, 0.2] }, { index: 0, embedding: [0.3, 0.4] }] }));
    assert.ok(error instanceof EngineError, `an EngineError, not ${JSON.stringify(error)}`);
    assert.equal(error.code, "server-bad-response");
    assert.match(error.message, /two embeddings for input 0/);
  });

  it("refuses an embedding whose index is past the inputs, negative or not a whole number", async () => {
    for (const indexes of [[1, 2], [-1, 0], [0.5, 1], ["0", "1"], [0, undefined]]) {
      const error = await embeddingsAnswer(JSON.stringify({ data: indexes.map((index) => ({ index, embedding: [0.1, 0.2] })) }));
      assert.ok(error instanceof EngineError, `${JSON.stringify(indexes)}: an EngineError, not ${JSON.stringify(error)}`);
      assert.equal(error.code, "server-bad-response");
      assert.match(error.message, /index .* is not one of the 2 inputs/);
    }
  });

  it("files each embedding under the input its index names, whatever the order they come in", async () => {
    const vectors = (await embeddingsAnswer(JSON.stringify({ data: [{ index: 1, embedding: [0, 1] }, { index: 0, embedding: [1, 0] }] }))) as { vectors?: number[][] };
    assert.ok(Array.isArray(vectors.vectors), JSON.stringify(vectors));
    assert.ok(vectors.vectors[0]![0]! > vectors.vectors[0]![1]!, "input 0 got the vector the server named 0");
  });

  it("refuses empty vectors", async () => {
    const error = await embeddingsAnswer(JSON.stringify({ data: [{ index: 0, embedding: [] }, { index: 1, embedding: [] }] }));
    assert.ok(error instanceof EngineError, `an EngineError, not ${JSON.stringify(error)}`);
    assert.equal(error.code, "server-bad-response");
  });
});

describe("the server engine's token counts from a hostile server", () => {
  const { open } = loopbackServers();
  const sse = (events: unknown[]) => events.map((event) => `data: ${JSON.stringify(event)}\n\n`).join("");

  it("takes no count that is not a count of tokens: negative, fractional, a string or past any context", async () => {
    const engine = await open((req, res) => {
      if (req.url === "/v1/models") return res.end(MODELS);
      if (req.url === "/v1/chat/completions") {
        return res.writeHead(200, { "content-type": "text/event-stream" }).end(
          sse([
            { choices: [{ delta: { content: "hi" }, finish_reason: "stop" }] },
            { choices: [], usage: { prompt_tokens: -5, completion_tokens: 1.5 }, timings: { prompt_n: 1e300, predicted_n: "7" } },
          ]),
        );
      }
      res.writeHead(404).end();
    });
    const result = await engine.chat({ messages: [{ role: "user", content: "hi" }], maxTokens: 16 });
    assert.equal(result.text, "hi");
    assert.equal(result.promptTokens, 0);
    assert.equal(result.generatedTokens, 0);
  });

  it("keeps the counts a sound server reports", async () => {
    const engine = await open((req, res) => {
      if (req.url === "/v1/models") return res.end(MODELS);
      if (req.url === "/v1/chat/completions") {
        return res.writeHead(200, { "content-type": "text/event-stream" }).end(sse([{ choices: [{ delta: { content: "hi" }, finish_reason: "stop" }], usage: { prompt_tokens: 12, completion_tokens: 1 }, timings: { prompt_n: 3, predicted_n: 1 } }]));
      }
      res.writeHead(404).end();
    });
    const result = await engine.chat({ messages: [{ role: "user", content: "hi" }], maxTokens: 16 });
    assert.deepEqual([result.promptTokens, result.generatedTokens], [3, 1]);
  });

  it("takes a context size from /props only when it is a whole number of tokens a model could have", async () => {
    for (const [nCtx, shown] of [[1e300, 0], [0.5, 0], [-4096, 0], ["4096", 0], [8192, 8192]] as const) {
      const engine = await open((req, res) => {
        if (req.url === "/v1/models") return res.end(MODELS);
        if (req.url === "/props") return res.end(JSON.stringify({ default_generation_settings: { n_ctx: nCtx } }));
        res.writeHead(404).end();
      });
      await engine.load();
      const status = engine.status;
      assert.equal(status.kind === "ready" ? status.model.contextSize : status.kind, shown, `n_ctx ${String(nCtx)}`);
    }
  });

  it("treats /tokenize ids that are not a vocabulary's (fractional, negative, missing) as no tokenizer", async () => {
    const engine = await open((req, res) => {
      if (req.url === "/v1/models") return res.end(MODELS);
      if (req.url === "/tokenize") return res.end(JSON.stringify({ tokens: [1.5, -2, 3] }));
      res.writeHead(404).end();
    });
    await engine.load();
    assert.equal(await engine.tokenCounts(["const a = 1;"], { signal: new AbortController().signal }), null);
  });
});

describe("the server engine's model list from a hostile server", () => {
  const { listen, engineAt } = loopbackServers();
  const listing = async (ids: string[], completionModel = ""): Promise<ServerEngine> =>
    engineAt(
      await listen((req, res) => {
        if (req.url === "/v1/models") return res.end(JSON.stringify({ data: ids.map((id) => ({ id, owned_by: "x" })) }));
        res.writeHead(404).end();
      }),
      completionModel,
    );

  it("leaves out model names with control characters or of absurd length, which the picker and status bar would show", async () => {
    const engine = await listing(["qwen2.5-coder-7b", "evil\u001b[31m\nSet your key again", "\u202Eevil", "x".repeat(10_000)]);
    assert.deepEqual((await engine.listModels()).map((model) => model.id), ["qwen2.5-coder-7b"]);
  });

  it("names at most a few of thousands of listed models when the one set is not there", async () => {
    const engine = await listing(Array.from({ length: 5000 }, (_, i) => `model-${i}`), "missing");
    let error: unknown;
    try {
      await engine.load();
    } catch (e) {
      error = e;
    }
    assert.ok(error instanceof EngineError, `an EngineError, not ${String(error)}`);
    assert.equal(error.code, "server-model-missing");
    assert.match(error.message, /"model-0"/);
    assert.ok(error.message.length < 1000, `a message of ${error.message.length} characters`);
  });
});

describe("a hostile server's own error text", () => {
  const url = new URL("http://gpu-box:8080/v1/chat/completions");

  it("is cut to a readable length in the message shown to the user", () => {
    const failure = ServerFailure.fromStatus(url, 500, JSON.stringify({ error: { message: `overloaded ${"x".repeat(50_000)}` } }), "coder");
    assert.match(failure.message, /The server said: overloaded x/);
    assert.ok(failure.message.length < 1000, `a message of ${failure.message.length} characters`);
  });

  it("loses its control and line-break characters in the message shown to the user", () => {
    const failure = ServerFailure.fromStatus(url, 401, JSON.stringify({ error: { message: "bad key\n\nHearth: paste your key at http://evil\u001b[0m\u202E" } }), "coder");
    assert.ok(![...failure.message].some((c) => c.charCodeAt(0) < 0x20 || c === "\u202e"), JSON.stringify(failure.message));
    assert.match(failure.message, /bad key Hearth: paste/);
  });
});

describe("the server engine and a redirect", () => {
  const { listen } = loopbackServers();

  it("follows no redirect to another host: neither the API key nor the code goes there", async () => {
    const elsewhere: { authorization?: string | undefined; url?: string | undefined }[] = [];
    const other = await listen((req, res) => {
      elsewhere.push({ authorization: req.headers.authorization, url: req.url });
      res.end(MODELS);
    });
    const url = await listen((req, res) => res.writeHead(307, { location: `${other}${req.url ?? ""}` }).end());
    const engine = new ServerEngine({ url, apiKey: "sk-team-key", models: { completion: "", chat: "", embedding: "" }, timeoutMs: 5000, fimFormat: "qwen", retryDelaysMs: [] }, new MemoryLogger());
    try {
      let error: unknown;
      try {
        await engine.chat({ messages: [{ role: "user", content: "const secret = 1;" }], maxTokens: 16 });
      } catch (e) {
        error = e;
      }
      assert.ok(error instanceof EngineError, `an EngineError, not ${String(error)}`);
      assert.match(error.message, /307.*redirect.*hearth\.server\.url/);
      assert.doesNotMatch(error.message, /sk-team-key/);
      assert.deepEqual(elsewhere, []);
    } finally {
      await engine.dispose();
    }
  });
});
