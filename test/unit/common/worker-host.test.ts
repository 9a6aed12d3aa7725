import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { isAbortError } from "../../../src/common/abort";
import { MemoryLogger } from "../../../src/common/logger";
import { MAX_WORKER_CRASHES, WorkerHost } from "../../../src/common/worker-host";
import type { WorkerCancel } from "../../../src/common/worker-host";

// A real worker thread that obeys its requests: "echo" answers, "crash" exits the thread, "hang" never answers (until
// cancelled: then it fails as aborted), "fail" fails, "count" says how many times this script has started (a file).
const SCRIPT = `
const { parentPort, workerData } = require("node:worker_threads");
const fs = require("node:fs");
fs.appendFileSync(workerData.starts, "x");
const hanging = new Map();
parentPort.on("message", (m) => {
  if (m.type === "note") return parentPort.postMessage({ type: "noted", value: m.value });
  if (m.type === "echo") {
    parentPort.postMessage({ type: "step", id: m.id, value: m.value });
    parentPort.postMessage({ type: "log", level: "info", message: "echoing " + m.value });
    return parentPort.postMessage({ type: "reply", id: m.id, result: m.value });
  }
  if (m.type === "crash") process.exit(7);
  if (m.type === "fail") return parentPort.postMessage({ type: "failed", id: m.id, message: "it broke" });
  if (m.type === "hang") return hanging.set(m.id, true);
  if (m.type === "cancel" && hanging.delete(m.target)) return parentPort.postMessage({ type: "failed", id: m.target, message: "aborted", aborted: true });
});
`;

interface TestProtocol {
  request: { type: "echo"; id: number; value: string } | { type: "crash" | "hang" | "fail"; id: number } | WorkerCancel;
  notice: { type: "note"; value: string };
  result: string;
  event: { type: "step"; id: number; value: string } | { type: "noted"; value: string };
}

describe("common/worker-host (a real worker thread)", function () {
  this.timeout(30_000);
  let dir = "";
  let script = "";
  let host: WorkerHost<TestProtocol> | null = null;
  let logger = new MemoryLogger();
  const events: string[] = [];

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "hearth-worker-host-"));
    script = path.join(dir, "worker.js");
    await writeFile(script, SCRIPT);
    logger = new MemoryLogger();
    events.length = 0;
  });
  afterEach(async () => {
    host?.dispose();
    host = null;
    await rm(dir, { recursive: true, force: true });
  });

  const open = (scriptPath: string | null = script): WorkerHost<TestProtocol> => {
    host = new WorkerHost<TestProtocol>({
      name: "test",
      logger,
      scriptPath: () => scriptPath,
      offWithout: "the test feature is off",
      workerData: () => ({ starts: path.join(dir, "starts") }),
      maxOldGenerationSizeMb: 64,
      onEvent: (e) => events.push(e.type === "noted" ? `noted ${e.value}` : e.type),
    });
    return host;
  };
  const starts = async (): Promise<number> => (await readFile(path.join(dir, "starts"), "utf8")).length;

  it("answers each request with its own reply, its updates to it and the worker's log lines to the log", async () => {
    const h = open();
    const steps: string[] = [];
    const [a, b] = await Promise.all([
      h.request({ type: "echo", value: "a" }, { onUpdate: (e) => steps.push(e.type === "step" ? e.value : "?") }),
      h.request({ type: "echo", value: "b" }),
    ]);
    assert.deepEqual([a, b, steps], ["a", "b", ["a"]]);
    assert.ok(logger.lines.some((l) => l.includes("[test] echoing b")), logger.lines.join("\n"));
  });

  it("answers null to every request waiting when the worker crashes, and starts a fresh worker on the next request", async () => {
    const h = open();
    const waiting = h.request({ type: "hang" });
    assert.equal(await h.request({ type: "crash" }), null);
    assert.equal(await waiting, null);
    assert.equal(await h.request({ type: "echo", value: "again" }), "again");
    assert.equal(await starts(), 2);
    assert.ok(logger.lines.some((l) => l.includes("test: the worker exited (code 7)")), logger.lines.join("\n"));
  });

  it(`stays off after ${MAX_WORKER_CRASHES} crashes and says what is off`, async () => {
    const h = open();
    for (let i = 0; i < MAX_WORKER_CRASHES; i++) assert.equal(await h.request({ type: "crash" }), null);
    assert.equal(await h.request({ type: "echo", value: "no" }), null);
    assert.equal(await starts(), MAX_WORKER_CRASHES);
    assert.match(logger.lines.at(-1) ?? "", /the test feature is off/);
  });

  it("answers null at once when the worker script is missing, and logs it once", async () => {
    const h = open(null);
    assert.equal(await h.request({ type: "echo", value: "x" }), null);
    assert.equal(await h.request({ type: "echo", value: "y" }), null);
    assert.equal(logger.lines.filter((l) => l.includes("the worker script was not found; the test feature is off")).length, 1);
  });

  it("rejects a request the worker failed with its message", async () => {
    await assert.rejects(open().request({ type: "fail" }), /it broke/);
  });

  it("sends the worker a cancel when the cancel signal aborts, and rejects as aborted when the worker says so", async () => {
    const controller = new AbortController();
    const reply = open().request({ type: "hang" }, { cancelWith: controller.signal });
    controller.abort();
    await assert.rejects(reply, (e) => isAbortError(e));
  });

  it("gives up waiting at the time-out or the give-up signal, answering null", async () => {
    const h = open();
    assert.equal(await h.request({ type: "hang" }, { timeoutMs: 20 }), null);
    const controller = new AbortController();
    const reply = h.request({ type: "hang" }, { giveUpWith: controller.signal });
    controller.abort();
    assert.equal(await reply, null);
    assert.equal(await h.request({ type: "hang" }, { giveUpWith: controller.signal }), null);
  });

  it("passes notices only to a running worker, and its events to onEvent", async () => {
    const h = open();
    h.notify({ type: "note", value: "dropped" });
    assert.equal(h.running, false);
    await h.request({ type: "echo", value: "start" });
    h.notify({ type: "note", value: "kept" });
    await h.request({ type: "echo", value: "after" });
    assert.deepEqual(events, ["noted kept"]);
  });

  it("answers null to what waits when disposed, and starts nothing after", async () => {
    const h = open();
    await h.request({ type: "echo", value: "start" });
    const waiting = h.request({ type: "hang" });
    h.dispose();
    assert.equal(await waiting, null);
    assert.equal(await h.request({ type: "echo", value: "late" }), null);
    assert.equal(await starts(), 1);
  });
});
