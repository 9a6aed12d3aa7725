import { strict as assert } from "node:assert";
import { copyFileSync, mkdtempSync, openSync, closeSync, ftruncateSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isAbortError } from "../../../src/common/abort";
import { EngineError } from "../../../src/engine/protocol";
import { EngineClient, type EngineStatus } from "../../../src/engine/client";
import { DEFAULT_SCRIPT, ensureTestModel, extractBundledVocab } from "../../fixtures/models/test-models";
import { clientsDisposedAfterEach, MemoryLogger, testSettings, waitForStatus, WORKER_PATH } from "../helpers/engine";

describe("EngineClient with the engine process", function () {
  this.timeout(60_000);
  let scripted: string;
  let tiny: string;
  let scratch: string;
  const open = clientsDisposedAfterEach();

  before(async () => {
    scripted = await ensureTestModel("scripted");
    tiny = await ensureTestModel("tiny");
    scratch = mkdtempSync(join(tmpdir(), "hearth-engine-"));
  });
  after(() => rmSync(scratch, { recursive: true, force: true }));

  it("reports idle for a valid model until the first request loads it", async () => {
    const client = open();
    const status = await client.configure(testSettings(scripted));
    assert.equal(status.kind, "idle");
    assert.equal(client.pid, undefined, "no engine process before it is needed");
  });

  it("infills exactly the scripted completion through the real llama.cpp path", async () => {
    const client = open();
    await client.configure(testSettings(scripted));
    const chunks: string[] = [];
    const result = await client.infill(
      { prefix: "export function countDone(items: Item[]): number {\n  ", suffix: "\n}\n", maxTokens: 64 },
      { onChunk: (text) => chunks.push(text) },
    );
    assert.equal(result.text, DEFAULT_SCRIPT.fim);
    assert.equal(chunks.join(""), DEFAULT_SCRIPT.fim);
    assert.equal(result.stopReason, "end-token");
    assert.ok(result.promptTokens > 0, "reports the prompt tokens it evaluated");
    assert.ok(result.generatedTokens > 0, "reports the tokens it generated");
  });

  it("answers a chat with exactly the scripted answer", async () => {
    const client = open();
    await client.configure(testSettings(scripted));
    const result = await client.chat({ messages: [{ role: "user", content: "Write an add function" }], maxTokens: 256 });
    assert.equal(result.text, DEFAULT_SCRIPT.chat);
    assert.equal(result.stopReason, "end-token");
  });

  it("keeps loading the model when the request that started the load is cancelled", async () => {
    const client = open();
    await client.configure(testSettings(scripted));
    const controller = new AbortController();
    const pending = client.infill({ prefix: "let a = ", suffix: "", maxTokens: 8 }, { signal: controller.signal });
    controller.abort();
    await assert.rejects(pending, (error: unknown) => isAbortError(error));
    await waitForStatus(client, "ready", 30_000);
  });

  it("goes through loading to ready and names the model", async () => {
    const client = open();
    await client.configure(testSettings(scripted));
    const seen: EngineStatus["kind"][] = [];
    client.onDidChangeStatus((status) => seen.push(status.kind));
    const model = await client.load();
    assert.equal(client.status.kind, "ready");
    assert.ok(seen.includes("loading"));
    assert.equal(model.fimSupported, true);
    assert.equal(model.threads, 1);
  });

  it("reuses the KV cache when the same completion is asked again", async () => {
    const client = open();
    await client.configure(testSettings(scripted));
    const request = { prefix: "const total = items.length;\n", suffix: "", maxTokens: 64 };
    const first = await client.infill(request);
    const second = await client.infill(request);
    assert.ok(second.promptTokens < first.promptTokens, `second request evaluated ${second.promptTokens} of ${first.promptTokens} tokens`);
  });

  it("stops after the configured number of lines", async () => {
    const script = { fim: "first();\n  second();\n  third();", chat: DEFAULT_SCRIPT.chat };
    const model = await ensureTestModel("scripted", { script });
    const client = open();
    await client.configure(testSettings(model));
    const result = await client.infill({ prefix: "function run() {\n  ", suffix: "\n}", maxTokens: 64, maxLines: 2 });
    assert.equal(result.text, "first();\n  second();");
    assert.equal(result.stopReason, "max-lines");
  });

  it("rejects a cancelled request at once and serves the next one", async () => {
    const client = open();
    await client.configure(testSettings(tiny, { contextSize: 2048 }));
    await client.load();
    const controller = new AbortController();
    const pending = client.infill({ prefix: "let x = ", suffix: "", maxTokens: 4000 }, { signal: controller.signal, onChunk: () => controller.abort() });
    await assert.rejects(pending, (error: unknown) => isAbortError(error));
    const next = await client.infill({ prefix: "let y = ", suffix: "", maxTokens: 4 });
    assert.equal(next.generatedTokens, 4);
  });

  it("aborts an older completion when a newer one arrives", async () => {
    const client = open();
    await client.configure(testSettings(tiny, { contextSize: 2048 }));
    await client.load();
    const older = client.infill({ prefix: "function a() {", suffix: "", maxTokens: 4000 });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const newer = await client.infill({ prefix: "function b() {", suffix: "", maxTokens: 3 });
    const olderResult = await older;
    assert.equal(olderResult.stopReason, "cancelled");
    assert.ok(olderResult.generatedTokens < 4000);
    assert.equal(newer.generatedTokens, 3);
  });

  it("fails the request in flight cleanly when the engine process is killed, then restarts for the next", async () => {
    const logger = new MemoryLogger();
    const client = open(logger);
    await client.configure(testSettings(tiny, { contextSize: 2048 }));
    await client.load();
    const crashes: number[] = [];
    client.onDidCrash((crash) => crashes.push(crash.consecutive));
    const inFlight = client.infill({ prefix: "while (true) {", suffix: "", maxTokens: 4000 }, {
      onChunk: () => {
        if (client.pid) process.kill(client.pid, "SIGKILL");
      },
    });
    await assert.rejects(inFlight, (error: unknown) => error instanceof EngineError && error.code === "engine-crashed");
    assert.equal(client.status.kind, "error");
    assert.deepEqual(crashes, [1]);
    const next = await client.infill({ prefix: "let z = ", suffix: "", maxTokens: 2 });
    assert.equal(next.generatedTokens, 2);
    assert.equal(client.status.kind, "ready");
  });

  it("says plainly that a file that is not GGUF is not a model, without starting the engine", async () => {
    const client = open();
    const status = await client.configure(testSettings(__filename));
    assert.equal(status.kind, "no-model");
    await assert.rejects(client.infill({ prefix: "", suffix: "", maxTokens: 1 }), /not a GGUF model file/);
    assert.equal(client.pid, undefined);
  });

  it("reports a truncated model as truncated instead of crashing, without starting the engine", async () => {
    const cut = join(scratch, "truncated.gguf");
    copyFileSync(scripted, cut);
    const fd = openSync(cut, "r+");
    ftruncateSync(fd, Math.floor(statSync(cut).size / 3));
    closeSync(fd);
    const client = open();
    await client.configure(testSettings(cut));
    await assert.rejects(client.load(), (error: unknown) => error instanceof EngineError && error.code === "model-invalid" && /truncated/.test(error.message));
    assert.equal(client.status.kind === "no-model" && client.status.problem.code, "truncated");
    assert.equal(client.pid, undefined);
  });

  it("refuses a tokenizer-only GGUF with a clear message", async () => {
    const vocab = await extractBundledVocab("qwen2");
    const client = open();
    await client.configure(testSettings(vocab));
    await assert.rejects(client.load(), /only a tokenizer/);
  });

  it("refuses a model that does not fit in memory before loading it, with the numbers", async () => {
    const client = open();
    await client.configure(testSettings(scripted, { memoryBudgetBytes: 1024 }));
    await assert.rejects(client.load(), (error: unknown) => error instanceof EngineError && error.code === "model-too-large" && /needs about .* GiB.*only .* GiB is free/.test(error.message));
  });

  it("weighs a refused completion model with the completion's own context, and names the setting that sizes it", async () => {
    const asked: number[] = [];
    const client = new EngineClient({
      workerPath: WORKER_PATH,
      logger: new MemoryLogger(),
      restartBackoffMs: [20],
      adviseOnRefusal: (refusal) => {
        asked.push(refusal.contextSize);
        return { sentence: "" };
      },
    });
    try {
      await client.configure(testSettings(scripted, { contextSize: 2048, completionContextSize: 1024, memoryBudgetBytes: 1024 }));
      await assert.rejects(client.load(), (error: unknown) => error instanceof EngineError && /lower hearth\.completion\.contextTokens or hearth\.engine\.contextSize/.test(error.message));
      assert.ok(asked.length > 0 && asked.every((size) => size === 1024), `advice asked for ${asked.join(", ")}-token contexts`);
    } finally {
      await client.dispose();
    }
  });

  it("names the FIM format it detected from the model's metadata", async () => {
    const client = open();
    await client.configure(testSettings(scripted));
    const model = await client.load();
    assert.match(model.fimFormat ?? "", /^Qwen2\.5-Coder/);
  });

  it("still completes exactly when other files' snippets come first in the repository layout", async () => {
    const client = open();
    await client.configure(testSettings(scripted));
    const result = await client.infill({
      prefix: "export function countDone(items: Item[]): number {\n  ",
      suffix: "\n}\n",
      snippets: [{ path: "src/item.ts", content: "export interface Item { done: boolean }\n" }],
      filePath: "src/count.ts",
      repoName: "todo",
      languageId: "typescript",
      maxTokens: 64,
    });
    assert.equal(result.text, DEFAULT_SCRIPT.fim);
  });

  it("tells plainly that a model without FIM tokens cannot complete inline, and still chats with it", async () => {
    const client = open();
    await client.configure(testSettings(await ensureTestModel("scripted", { variant: "no-fim" })));
    const model = await client.load();
    assert.equal(model.fimSupported, false);
    await assert.rejects(
      client.infill({ prefix: "let a = ", suffix: "", maxTokens: 8 }),
      (error: unknown) => error instanceof EngineError && error.code === "no-fim" && /no fill-in-the-middle tokens/.test(error.message),
    );
    const answer = await client.chat({ messages: [{ role: "user", content: "hi" }], maxTokens: 256 });
    assert.equal(answer.text, DEFAULT_SCRIPT.chat);
  });

  it("refuses an architecture llama.cpp does not know, naming it", async () => {
    const client = open();
    await client.configure(testSettings(await ensureTestModel("scripted", { variant: "unknown-architecture" })));
    await assert.rejects(client.load(), (error: unknown) => error instanceof EngineError && error.code === "model-unsupported" && /"hearthnet"/.test(error.message));
    assert.equal(client.status.kind, "error");
  });

  it("queues requests that arrive while the model is loading and answers each", async () => {
    const client = open();
    await client.configure(testSettings(scripted));
    const [completion, first, second] = await Promise.all([
      client.infill({ prefix: "function f() {\n  ", suffix: "\n}", maxTokens: 64 }),
      client.chat({ messages: [{ role: "user", content: "one" }], maxTokens: 256 }),
      client.chat({ messages: [{ role: "user", content: "two" }], maxTokens: 256 }),
    ]);
    assert.equal(completion.text, DEFAULT_SCRIPT.fim);
    assert.equal(first.text, DEFAULT_SCRIPT.chat);
    assert.equal(second.text, DEFAULT_SCRIPT.chat);
  });

  it("unloads the model after the idle time and loads it again on the next request", async () => {
    const client = open();
    await client.configure(testSettings(scripted, { idleUnloadMs: 300 }));
    await client.infill({ prefix: "let a = ", suffix: "", maxTokens: 64 });
    await waitForStatus(client, "idle", 5_000);
    const again = await client.infill({ prefix: "function f() {\n  ", suffix: "\n}", maxTokens: 64 });
    assert.equal(again.text, DEFAULT_SCRIPT.fim);
  });

  it("serves only the newest of a flood of completions, aborting the rest, with flat memory", async () => {
    const client = open();
    await client.configure(testSettings(tiny, { contextSize: 2048 }));
    await client.load();
    await client.infill({ prefix: "warm up", suffix: "", maxTokens: 8 });
    const rssBefore = residentBytes(client.pid!);
    // A superseded request ends cancelled: with its partial result if it had started, with an AbortError if not.
    const flood = Array.from({ length: 40 }, (_, i) =>
      client.infill({ prefix: `const value${i} = `, suffix: ";\n", maxTokens: 200 }).catch((error: unknown) => {
        if (isAbortError(error)) return null;
        throw error;
      }),
    );
    const results = await Promise.all(flood);
    const last = results.at(-1);
    assert.equal(last?.stopReason, "max-tokens");
    const cancelled = results.slice(0, -1).filter((result) => result === null || result.stopReason === "cancelled").length;
    assert.ok(cancelled >= 35, `only ${cancelled} of 39 older requests were aborted`);
    const growth = residentBytes(client.pid!) - rssBefore;
    assert.ok(growth < 64 * 2 ** 20, `the engine grew by ${(growth / 2 ** 20).toFixed(1)} MiB`);
  });
});

function residentBytes(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return match ? Number(match[1]) * 1024 : 0;
}
