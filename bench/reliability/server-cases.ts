// Hostile inference servers (hearth.server.url set to a host someone else runs, a proxy, a broken gateway) through the
// real ServerEngine, each case a small HTTP server on 127.0.0.1 in the case's own thread:
// - refused: the request fails with a message a user can act on (an EngineError naming the server and what to change);
// - accepted: answered, and what came back is bounded and well-formed (a count not believed, a stream cut at its limit);
// - unsafe: Hearth believed or passed on what it should not have (millions of tokens counted, an endless answer, a
//   request followed to another host, a control character in a model name);
// - hung: no answer in time, or the thread held for over three seconds at a stretch (the extension host's thread: the
//   editor froze); unclear / crashed: a raw error, or a throw where it should answer.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { MemoryLogger } from "../../src/common/logger";
import { EngineError } from "../../src/engine/protocol";
import { ServerEngine } from "../../src/engine/server/server-engine";
import type { CaseVerdict } from "./case-pool";
import { describeError, hasControlCharacter, isClearMessage } from "./outcomes";
import { StallMonitor } from "./stall-monitor";

type Handler = (req: IncomingMessage, res: ServerResponse, body: string, elsewhere: string) => void;

/** What the case asks of the engine; its answer is judged by `check` (null: sound). */
type Ask = (engine: ServerEngine) => Promise<unknown>;

interface ServerCase {
  name: string;
  /** Builds the large bodies the server sends, before the thread is watched: the server's own work is not Hearth's. */
  prepare?: () => void;
  handler: Handler;
  ask: Ask;
  expect: "refused" | ((answer: unknown, elsewhereHits: number) => string | null);
}

/** The engine's silence timeout in these cases: short, so a case that waits it out stays quick. */
const TIMEOUT_MS = 2000;
/**
 * A stretch of the thread longer than this is a frozen editor. Wall time, so a loaded machine adds to it: the cases'
 * answers, not this, are what tell a fixed Hearth from a broken one (a believed count, a hang).
 */
const FREEZE_MS = 3000;

const MODELS = JSON.stringify({ object: "list", data: [{ id: "coder", object: "model", owned_by: "test" }] });
const sse = (res: ServerResponse) => res.writeHead(200, { "content-type": "text/event-stream" });
const delta = (content: string, finish: string | null = null) => `data: ${JSON.stringify({ choices: [{ delta: { content }, finish_reason: finish }] })}\n\n`;

/** Answers /v1/models and /tokenize("a") as llama-server would, and hands the rest to `rest`. */
const served =
  (rest: Handler): Handler =>
  (req, res, body, elsewhere) => {
    if (req.url === "/v1/models") return res.end(MODELS);
    if (req.url === "/props") return res.end(JSON.stringify({ default_generation_settings: { n_ctx: 4096 } }));
    if (req.url === "/tokenize" && (JSON.parse(body || "{}") as { content?: unknown }).content === "a") return res.end(JSON.stringify({ tokens: [64] }));
    rest(req, res, body, elsewhere);
  };

/** A body built once, by the case's `prepare`, so that building it does not count as Hearth holding the thread. */
function prepared(build: () => string): { prepare: () => void; body: () => string } {
  let body: string | undefined;
  return { prepare: () => void (body ??= build()), body: () => (body ??= build()) };
}

const bigModelList = prepared(() => JSON.stringify({ data: Array.from({ length: 120_000 }, (_, i) => ({ id: `model-${i}-${"x".repeat(30)}` })) }));
const bigErrorPage = prepared(() => JSON.stringify({ error: { message: "\u001b[31mfatal\n\u202eeno\u0007".repeat(70_000) } }));
const millionsOfIds = prepared(() => JSON.stringify({ tokens: new Array<number>(2_000_000).fill(1) }));
const wideEmbeddings = prepared(() => {
  const wide = new Array<number>(100_000).fill(0);
  return JSON.stringify({ data: [{ index: 0, embedding: wide }, { index: 1, embedding: wide }] });
});
const oneMegabyteCompletion = prepared(() => JSON.stringify({ choices: [{ text: "x".repeat(1_000_000) }] }));

/** Writes `piece` until the client closes or `limit` bytes went out, minding back-pressure. */
function flood(res: ServerResponse, piece: string, limit: number): void {
  let sent = 0;
  let closed = false;
  res.on("close", () => (closed = true));
  const more = () => {
    if (closed) return;
    if (sent > limit) return void res.end();
    sent += piece.length;
    if (res.write(piece)) setImmediate(more);
    else res.once("drain", more);
  };
  more();
}

/** Writes `piece` every `everyMs` until the client closes. */
function dribble(res: ServerResponse, piece: string, everyMs: number): void {
  const timer = setInterval(() => res.write(piece), everyMs);
  res.on("close", () => clearInterval(timer));
}

const chat: Ask = (engine) => engine.chat({ messages: [{ role: "user", content: "hi" }], maxTokens: 16 });
const load: Ask = (engine) => engine.load();
const lines = Array.from({ length: 8 }, (_, i) => `const line${i} = ${i};`);

const CASES: ServerCase[] = [
  {
    name: "a server that accepts the connection and never answers",
    handler: () => {},
    ask: load,
    expect: "refused",
  },
  {
    name: "a model list sent a byte at a time, each within the silence timeout",
    handler: (_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      dribble(res, " ", 20);
    },
    ask: load,
    expect: "refused",
  },
  {
    name: "a model list of 6 MB",
    prepare: bigModelList.prepare,
    handler: (_req, res) => res.end(bigModelList.body()),
    ask: load,
    expect: "refused",
  },
  {
    name: "an HTML page where the API should be",
    handler: (_req, res) => res.writeHead(200, { "content-type": "text/html" }).end("<html><body>Welcome to nginx!</body></html>"),
    ask: load,
    expect: "refused",
  },
  {
    name: "a 500 with a 1 MB error page of control characters",
    prepare: bigErrorPage.prepare,
    handler: (_req, res) => res.writeHead(500).end(bigErrorPage.body()),
    ask: load,
    expect: "refused",
  },
  {
    name: "a redirect to another host",
    handler: (req, res, _body, elsewhere) => res.writeHead(307, { location: `${elsewhere}${req.url ?? ""}` }).end(),
    ask: load,
    expect: "refused",
  },
  {
    name: "a connection reset at every request",
    handler: (req) => req.socket.destroy(),
    ask: load,
    expect: "refused",
  },
  {
    name: "model names with control, line-break and bidi characters, and 5,000 of them",
    handler: (_req, res) =>
      res.end(JSON.stringify({ data: [{ id: "evil\u001b[2J" }, { id: "line\nbreak" }, { id: "\u202egnp.exe" }, ...Array.from({ length: 5000 }, (_, i) => ({ id: `m${i}` }))] })),
    ask: (engine) => engine.listModels(),
    expect: (answer) => {
      const names = (answer as { id: string }[]).map((model) => model.id);
      return names.some((name) => hasControlCharacter(name) || /[\u202a-\u202e\u2066-\u2069]/.test(name)) ? "a model name with control or bidi characters was listed" : null;
    },
  },
  {
    name: "/tokenize answering every short line with two million ids",
    prepare: millionsOfIds.prepare,
    handler: served((req, res) => (req.url === "/tokenize" ? res.end(millionsOfIds.body()) : res.writeHead(404).end())),
    ask: async (engine) => {
      await engine.load();
      return engine.tokenCounts(lines, { signal: new AbortController().signal });
    },
    expect: (answer) => (answer === null ? null : `counted ${JSON.stringify((answer as { counts: number[] }).counts.slice(0, 3))}… tokens for lines of ~20 characters`),
  },
  {
    name: "a chat stream that ignores max_tokens and never ends",
    handler: served((_req, res) => {
      sse(res);
      flood(res, delta("word "), 256 * 1024 * 1024);
    }),
    ask: chat,
    expect: (answer) => {
      const { text, stopReason } = answer as { text: string; stopReason: string };
      return text.length <= 16 * 64 && stopReason === "max-tokens" ? null : `${text.length} characters, ended as ${stopReason}`;
    },
  },
  {
    name: "a stream line that never ends (data without a newline)",
    handler: served((_req, res) => {
      sse(res);
      res.write("data: ");
      flood(res, "x".repeat(64 * 1024), 256 * 1024 * 1024);
    }),
    ask: chat,
    expect: "refused",
  },
  {
    name: "a stream event that is not JSON",
    handler: served((_req, res) => {
      sse(res);
      res.end("data: {not json\n\n");
    }),
    ask: chat,
    expect: "refused",
  },
  {
    name: "a stream that stops without a finish reason",
    handler: served((_req, res) => {
      sse(res);
      res.write(delta("half an ans"));
      setTimeout(() => res.socket?.destroy(), 10);
    }),
    ask: chat,
    expect: "refused",
  },
  {
    name: "a stream of bytes that are not UTF-8",
    handler: served((_req, res) => {
      sse(res);
      res.write(Buffer.concat([Buffer.from('data: {"choices":[{"delta":{"content":"a'), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('b"},"finish_reason":null}]}\n\n')]));
      res.end(delta("", "stop"));
    }),
    ask: chat,
    expect: (answer) => ((answer as { text: string }).text.startsWith("a") ? null : "the text before the bad bytes was lost"),
  },
  {
    name: "100,000 empty events and comments before the answer",
    handler: served((_req, res) => {
      sse(res);
      res.write(": keep-alive\n\ndata: {\"choices\":[{\"delta\":{}}]}\n\n".repeat(100_000));
      res.end(delta("done", "stop"));
    }),
    ask: chat,
    expect: (answer) => ((answer as { text: string }).text === "done" ? null : "the answer was lost"),
  },
  {
    name: "a completion answered as one JSON body instead of a stream",
    prepare: oneMegabyteCompletion.prepare,
    handler: served((_req, res) => res.writeHead(200, { "content-type": "application/json" }).end(oneMegabyteCompletion.body())),
    ask: (engine) => engine.infill({ prefix: "const a = ", suffix: "\n", maxTokens: 16 }),
    expect: "refused",
  },
  {
    name: "embeddings holding a number beyond any float (1e400)",
    handler: served((_req, res) => res.end('{"data":[{"index":0,"embedding":[1e400,0.5]}]}')),
    ask: (engine) => engine.embed(["one text"]),
    expect: "refused",
  },
  {
    name: "embeddings 100,000 numbers wide, within one answer's 4 MB",
    prepare: wideEmbeddings.prepare,
    handler: served((_req, res) => res.end(wideEmbeddings.body())),
    ask: (engine) => engine.embed(["one", "two"]),
    expect: "refused",
  },
  {
    name: "embeddings of different lengths in one answer",
    handler: served((_req, res) => res.end(JSON.stringify({ data: [{ index: 0, embedding: [0.1, 0.2] }, { index: 1, embedding: [0.1, 0.2, 0.3] }] }))),
    ask: (engine) => engine.embed(["one", "two"]),
    expect: "refused",
  },
  {
    name: "embeddings with one index twice (one input's vector would be filed under the other's chunk)",
    handler: served((_req, res) => res.end(JSON.stringify({ data: [{ index: 0, embedding: [0.1, 0.2] }, { index: 0, embedding: [0.3, 0.4] }] }))),
    ask: (engine) => engine.embed(["one", "two"]),
    expect: "refused",
  },
  {
    name: "embeddings whose indexes are past the inputs",
    handler: served((_req, res) => res.end(JSON.stringify({ data: [{ index: 7, embedding: [0.1, 0.2] }, { index: 9, embedding: [0.3, 0.4] }] }))),
    ask: (engine) => engine.embed(["one", "two"]),
    expect: "refused",
  },
  {
    name: "a stream whose usage counts are negative, fractional, a string and 1e300",
    handler: served((_req, res) => {
      sse(res);
      res.write(delta("hi", "stop"));
      res.end(`data: ${JSON.stringify({ choices: [], usage: { prompt_tokens: -5, completion_tokens: 1.5 }, timings: { prompt_n: 1e300, predicted_n: "7" } })}\n\n`);
    }),
    ask: chat,
    expect: (answer) => {
      const { promptTokens, generatedTokens } = answer as { promptTokens: number; generatedTokens: number };
      return [promptTokens, generatedTokens].every((n) => Number.isSafeInteger(n) && n >= 0 && n <= 1 << 24) ? null : `counted ${promptTokens} prompt and ${generatedTokens} generated tokens`;
    },
  },
  {
    name: "/props saying the context holds 1e300 tokens (it would become a chat's answer budget)",
    handler: (req, res) => {
      if (req.url === "/v1/models") return res.end(MODELS);
      if (req.url === "/props") return res.end(JSON.stringify({ default_generation_settings: { n_ctx: 1e300 } }));
      res.writeHead(404).end();
    },
    ask: async (engine) => {
      await engine.load();
      return engine.status;
    },
    expect: (answer) => {
      const status = answer as { kind: string; model?: { contextSize: number } };
      const size = status.model?.contextSize ?? 0;
      return size <= 1 << 24 ? null : `took a context of ${size} tokens`;
    },
  },
];

export const SERVER_CORPUS = CASES.map((c, index) => ({ index, name: c.name }));

async function listen(handler: (req: IncomingMessage, res: ServerResponse, body: string) => void): Promise<{ url: string; server: Server; hits: () => number }> {
  let hits = 0;
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString()));
    req.on("end", () => {
      hits++;
      handler(req, res, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, hits: () => hits };
}

export function openCases(): Promise<(index: number) => Promise<CaseVerdict>> {
  return Promise.resolve(async (index: number) => {
    const spec = CASES[index];
    if (!spec) throw new Error(`no server case ${index}`);
    // Another host, where a redirect would lead: it must never be asked anything.
    const elsewhere = await listen((_req, res) => res.end(MODELS));
    const target = await listen((req, res, body) => spec.handler(req, res, body, elsewhere.url));
    spec.prepare?.();
    const engine = new ServerEngine({ url: target.url, models: { completion: "", chat: "", embedding: "" }, timeoutMs: TIMEOUT_MS, fimFormat: "qwen", retryDelaysMs: [] }, new MemoryLogger());
    const stalls = new StallMonitor(10);
    let stallMs = 0;
    try {
      let answer: unknown;
      try {
        answer = await spec.ask(engine);
      } catch (error) {
        stallMs = stalls.stop().maxMs;
        const message = describeError(error);
        if (stallMs > FREEZE_MS) return { outcome: "hung", detail: `held the thread ${stallMs.toFixed(0)} ms at a stretch; then: ${message}`, stallMs };
        if (!(error instanceof EngineError)) return { outcome: "crashed", detail: `threw: ${message}`, stallMs };
        if (elsewhere.hits() > 0) return { outcome: "unsafe", detail: `the other host was asked ${elsewhere.hits()} time(s)`, stallMs };
        if (spec.expect !== "refused") return { outcome: "unclear", detail: `refused where an answer was due: ${message}`, stallMs };
        const clear = isClearMessage(error.message) && error.message.length <= 600 && !hasControlCharacter(error.message);
        return { outcome: clear ? "refused" : "unclear", detail: error.message, stallMs };
      }
      stallMs = stalls.stop().maxMs;
      if (stallMs > FREEZE_MS) return { outcome: "hung", detail: `held the thread ${stallMs.toFixed(0)} ms at a stretch`, stallMs };
      if (elsewhere.hits() > 0) return { outcome: "unsafe", detail: `the other host was asked ${elsewhere.hits()} time(s)`, stallMs };
      if (spec.expect === "refused") return { outcome: "unsafe", detail: `answered ${JSON.stringify(answer)?.slice(0, 120)} where it should have refused`, stallMs };
      const problem = spec.expect(answer, elsewhere.hits());
      return problem ? { outcome: "unsafe", detail: problem, stallMs } : { outcome: "accepted", detail: JSON.stringify(answer)?.slice(0, 120) ?? "nothing", stallMs };
    } finally {
      stalls.stop();
      await engine.dispose();
      for (const { server } of [target, elsewhere]) {
        server.closeAllConnections();
        server.close();
      }
    }
  });
}
