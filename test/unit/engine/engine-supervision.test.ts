// Issue 12, defects 2 and 4: a stopped, hung or crash-looping engine is noticed, killed and restarted; waiting
// requests fail with a clear error instead of waiting forever, and a busy engine that still answers is left alone.
import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import { EngineClient, type EngineClientOptions, type EngineCrash, type EngineStatus } from "../../../src/engine/client";
import { EngineError, retriesOnNextRequest } from "../../../src/engine/protocol";
import { ensureTestModel } from "../../fixtures/models/test-models";
import { MemoryLogger, WORKER_PATH, testSettings, waitForStatus } from "../helpers/engine";

/** Short enough for a test, long enough that a live engine on a loaded 2-core machine always answers in time. */
const FAST: EngineClientOptions["supervision"] = { heartbeatIntervalMs: 200, unresponsiveMs: 2500, requestInactivityMs: 30_000 };

describe("engine supervision", function () {
  this.timeout(90_000);
  let tiny: string;
  const clients: EngineClient[] = [];
  const open = (options: Partial<EngineClientOptions> = {}) => {
    const client = new EngineClient({ workerPath: WORKER_PATH, logger: new MemoryLogger(), restartBackoffMs: [20], supervision: FAST, ...options });
    clients.push(client);
    return client;
  };
  before(async () => (tiny = await ensureTestModel("tiny")));
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.dispose()));
  });

  /** The crashes a client reports, in order. */
  const crashesOf = (client: EngineClient) => {
    const crashes: EngineCrash[] = [];
    client.onDidCrash((crash) => crashes.push(crash));
    return crashes;
  };

  const isUnresponsive = (error: unknown) => error instanceof EngineError && error.code === "engine-unresponsive" && /stopped responding/.test(error.message);

  it("fails a completion with a clear error when the engine stops mid-answer, kills it, and serves the next", async () => {
    const client = open();
    await client.configure(testSettings(tiny, { contextSize: 2048 }));
    await client.load();
    const crashes = crashesOf(client);
    let stoppedAt = 0;
    const pending = client.infill({ prefix: "function f() {", suffix: "", maxTokens: 4000 }, {
      onChunk: () => {
        if (stoppedAt || !client.pid) return;
        stoppedAt = Date.now();
        process.kill(client.pid, "SIGSTOP");
      },
    });
    await assert.rejects(pending, isUnresponsive);
    const waited = Date.now() - stoppedAt;
    // Room for a loaded machine's delays, still short of the product's 10 s: it is the shortened deadline that acted.
    assert.ok(waited < 2500 + 6000, `the completion failed ${waited} ms after the engine stopped`);
    assert.equal(client.status.kind, "error", "the status no longer says ready and busy");
    assert.match(client.status.kind === "error" ? client.status.error.message : "", /stopped responding/);
    assert.deepEqual(crashes.map((crash) => [crash.signal, crash.reason]), [["SIGKILL", "unresponsive"]]);
    const next = await client.infill({ prefix: "let a = ", suffix: "", maxTokens: 3 });
    assert.equal(next.generatedTokens, 3);
    assert.equal(client.status.kind, "ready");
  });

  it("fails a chat with a clear error when the engine stops mid-answer, and answers the next", async () => {
    const client = open();
    await client.configure(testSettings(tiny, { contextSize: 2048 }));
    await client.load();
    const chunks: string[] = [];
    const pending = client.chat({ messages: [{ role: "user", content: "Tell me everything" }], maxTokens: 4000 }, {
      onChunk: (text) => {
        chunks.push(text);
        if (chunks.length === 3 && client.pid) process.kill(client.pid, "SIGSTOP");
      },
    });
    await assert.rejects(pending, isUnresponsive);
    // Chunks the engine had sent before the signal stopped it may still be in the pipe when the host stops it (the
    // engine runs in a session of its own and can be ahead of the host); none may come once the request failed.
    const atFailure = chunks.length;
    assert.ok(atFailure >= 3);
    const next = await client.chat({ messages: [{ role: "user", content: "hi" }], maxTokens: 3 });
    assert.equal(next.generatedTokens, 3);
    assert.equal(chunks.length, atFailure, "nothing arrives for the failed request from the stopped engine");
  });

  it("gives up counting tokens on a stopped engine within the deadline (the caller estimates), and restarts it", async () => {
    const client = open();
    await client.configure(testSettings(tiny));
    await client.load();
    const crashes = crashesOf(client);
    process.kill(client.pid!, "SIGSTOP");
    const started = Date.now();
    const counts = await client.tokenCounts(["const a = 1;"]);
    assert.equal(counts, null);
    assert.ok(Date.now() - started < 2500 + 6000, `token counts answered after ${Date.now() - started} ms`);
    assert.deepEqual(crashes.map((crash) => crash.reason), ["unresponsive"]);
    await client.load();
    assert.equal((await client.tokenCounts(["const a = 1;"]))?.counts.length, 1);
  });

  it("fails the waiting request with a clear error when the engine process cannot be started at all", async () => {
    const client = open({ execPath: "/nonexistent/hearth-node" });
    await client.configure(testSettings(tiny));
    const crashes = crashesOf(client);
    await assert.rejects(client.load(), (error: unknown) => error instanceof EngineError && /^The engine could not be started \(.*ENOENT.*\)\.$/.test(error.message));
    assert.equal(client.status.kind, "error");
    assert.equal(crashes.length, 1);
  });

  it("leaves a busy engine alone while it answers its heartbeat", async () => {
    const client = open({ supervision: { ...FAST, unresponsiveMs: 1000, requestInactivityMs: 1500 } });
    await client.configure(testSettings(tiny, { contextSize: 4096 }));
    await client.load();
    const crashes = crashesOf(client);
    const long = await client.chat({ messages: [{ role: "user", content: "Write a long story" }], maxTokens: 3500 });
    assert.equal(long.generatedTokens, 3500);
    assert.ok(long.timings.totalMs > 3000, `the generation took ${long.timings.totalMs} ms, longer than the deadlines`);
    assert.deepEqual(crashes, []);
  });

  it("kills a load that makes no progress within its deadline, says so in the status, and the next load works", async () => {
    const client = open({ supervision: { ...FAST, loadDeadline: { baseMs: 10_000, bytesPerSecond: 1e12 } } });
    await client.configure(testSettings(tiny));
    const statuses: EngineStatus[] = [];
    client.onDidChangeStatus((status) => {
      statuses.push(status);
      if (status.kind === "loading" && statuses.filter((s) => s.kind === "loading").length === 1 && client.pid) process.kill(client.pid, "SIGSTOP");
    });
    await assert.rejects(client.load(), (error: unknown) => error instanceof EngineError && error.code === "engine-unresponsive" && /^Loading tiny-.*\.gguf made no progress for \d+(\.\d)? s/.test(error.message));
    assert.equal(client.status.kind, "error");
    assert.match(client.status.kind === "error" ? client.status.error.message : "", /Loading tiny-.*made no progress/);
    const model = await client.load();
    assert.equal(client.status.kind, "ready");
    assert.match(model.name, /tiny/i);
  });

  it("stops loading a model that crashes the engine on every load, says so, and tries again after Restart Engine", async () => {
    const client = open();
    await client.configure(testSettings(tiny));
    client.onDidChangeStatus((status) => {
      if (status.kind === "loading" && client.pid) process.kill(client.pid, "SIGKILL");
    });
    for (let attempt = 1; attempt <= 3; attempt++) {
      await assert.rejects(client.load(), (error: unknown) => error instanceof EngineError && error.code === "engine-crashed", `attempt ${attempt}`);
    }
    await assert.rejects(client.load(), (error: unknown) => error instanceof EngineError && error.code === "model-crash-loop" && /stopped the engine on each of its last 3 loads/.test(error.message));
    assert.equal(client.pid, undefined, "no fourth engine was started for it");
    assert.equal(client.status.kind === "error" && client.status.error.code, "model-crash-loop");
    // Settings that are read again unchanged keep it refused.
    await client.configure(testSettings(tiny));
    assert.equal(client.status.kind === "error" && client.status.error.code, "model-crash-loop");
    await client.restart();
    assert.equal(client.status.kind, "idle");
    assert.ok(client.pid, "Restart Engine starts a fresh engine");
    const crashing = client.load();
    await assert.rejects(crashing, (error: unknown) => error instanceof EngineError && error.code === "engine-crashed", "it is tried again");
  });

  it("tries a crash-looping model again once its settings change", async () => {
    const client = open({ maxLoadCrashes: 1 });
    await client.configure(testSettings(tiny));
    const sub = client.onDidChangeStatus((status) => {
      if (status.kind === "loading" && client.pid) process.kill(client.pid, "SIGKILL");
    });
    await assert.rejects(client.load(), (error: unknown) => error instanceof EngineError && error.code === "engine-crashed");
    await assert.rejects(client.load(), (error: unknown) => error instanceof EngineError && error.code === "model-crash-loop");
    sub.dispose();
    await client.configure(testSettings(tiny, { contextSize: 512 }));
    assert.equal(client.status.kind, "idle");
    const model = await client.load();
    assert.equal(model.contextSize, 512);
  });

  it("ends a request that waits while the user restarts the engine, and is ready again after", async () => {
    const client = open();
    await client.configure(testSettings(tiny, { contextSize: 2048 }));
    await client.load();
    const pending = client.infill({ prefix: "function f() {", suffix: "", maxTokens: 4000 }, { onChunk: () => client.pid && process.kill(client.pid, "SIGSTOP") });
    const stoppedPid = await new Promise<number>((resolve) => {
      const check = setInterval(() => {
        const pid = client.pid;
        if (pid && stateOf(pid) === "T") {
          clearInterval(check);
          resolve(pid);
        }
      }, 20);
    });
    const ended = assert.rejects(pending, (error: unknown) => error instanceof Error && /restarted/.test(error.message));
    await client.restart();
    await ended;
    assert.notEqual(client.pid, stoppedPid);
    assert.equal(stateOf(stoppedPid), undefined, "the stopped engine is gone");
    await client.load();
    await waitForStatus(client, "ready");
  });
});

/** A process's state letter from /proc (T: stopped), or undefined once it is gone. */
function stateOf(pid: number): string | undefined {
  try {
    return /\) (\w) /.exec(readFileSync(`/proc/${pid}/stat`, "utf8"))?.[1];
  } catch {
    return undefined;
  }
}

describe("which engine failures the next request retries", () => {
  it("retries after a crash or a hung engine that was stopped, never after a refused or crash-looping model", () => {
    assert.equal(retriesOnNextRequest({ code: "engine-crashed" }), true);
    assert.equal(retriesOnNextRequest({ code: "engine-unresponsive" }), true);
    for (const code of ["model-crash-loop", "model-invalid", "model-too-large", "model-unsupported"] as const) assert.equal(retriesOnNextRequest({ code }), false, code);
  });
});
