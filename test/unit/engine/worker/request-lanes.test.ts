// The worker's request lanes: who waits for whom and who is aborted, without a model.
import { strict as assert } from "node:assert";

type Lanes = typeof import("../../../../src/engine/worker/request-lanes.mjs", { with: { "resolution-mode": "import" } });

/** Work that runs until the test ends it or its signal aborts. */
function controllable(): { work: (signal: AbortSignal) => Promise<string>; started: Promise<AbortSignal>; end: (value: string) => void } {
  let end!: (value: string) => void;
  let start!: (signal: AbortSignal) => void;
  const started = new Promise<AbortSignal>((resolve) => (start = resolve));
  const work = (signal: AbortSignal) =>
    new Promise<string>((resolve, reject) => {
      start(signal);
      end = resolve;
      signal.addEventListener("abort", () => reject(new Error("aborted")), { once: true });
    });
  return { work, started, end: (value) => end(value) };
}

describe("request lanes", () => {
  let lanes: Lanes;
  before(async () => (lanes = await import("../../../../src/engine/worker/request-lanes.mjs")));

  it("aborts a request that gives way when another request arrives on its lane", async () => {
    const l = new lanes.RequestLanes();
    const prefill = controllable();
    const first = l.run(1, "chat", { givesWay: true }, prefill.work);
    const signal = await prefill.started;
    const chat = l.run(2, "chat", {}, async () => "answer");
    assert.equal(signal.aborted, true);
    await assert.rejects(first, /aborted/);
    assert.equal(await chat, "answer");
  });

  it("leaves a request that gives way running when requests arrive on other lanes", async () => {
    const l = new lanes.RequestLanes();
    const prefill = controllable();
    const first = l.run(1, "chat", { givesWay: true }, prefill.work);
    const signal = await prefill.started;
    assert.equal(await l.run(2, "completion", { newestWins: true }, async () => "completion"), "completion");
    assert.equal(signal.aborted, false);
    prefill.end("prefilled");
    assert.equal(await first, "prefilled");
  });

  it("lets a request that does not give way finish before the next one on its lane starts", async () => {
    const l = new lanes.RequestLanes();
    const chat = controllable();
    const first = l.run(1, "chat", {}, chat.work);
    const signal = await chat.started;
    let secondStarted = false;
    const second = l.run(2, "chat", { givesWay: true }, async () => (secondStarted = true));
    assert.equal(signal.aborted, false);
    assert.equal(secondStarted, false);
    chat.end("answer");
    assert.equal(await first, "answer");
    assert.equal(await second, true);
  });

  it("resolves whenQuiet once every request of the lane has ended, reporting each end", async () => {
    const l = new lanes.RequestLanes();
    const a = controllable();
    const b = controllable();
    const first = l.run(1, "completion", {}, a.work);
    const second = l.run(2, "completion", {}, b.work);
    let quiet = false;
    let settled = 0;
    const waiting = l.whenQuiet("completion", new AbortController().signal, () => settled++).then(() => (quiet = true));
    await a.started;
    a.end("a");
    await first;
    await b.started;
    assert.equal(quiet, false, "one request of the lane still runs");
    assert.equal(l.busy("completion"), true);
    b.end("b");
    await second;
    await waiting;
    assert.equal(quiet, true);
    assert.equal(settled, 2);
    assert.equal(l.busy("completion"), false);
  });

  it("resolves whenQuiet at once for an idle lane and rejects it as cancelled when its signal aborts", async () => {
    const l = new lanes.RequestLanes();
    await l.whenQuiet("completion", new AbortController().signal);
    const running = controllable();
    const first = l.run(1, "completion", {}, running.work);
    await running.started;
    const controller = new AbortController();
    const waiting = l.whenQuiet("completion", controller.signal);
    controller.abort();
    await assert.rejects(waiting, (error: Error & { payload?: { code: string } }) => error.payload?.code === "cancelled");
    running.end("done");
    await first;
  });
  it("holds whenQuiet for holdMs after the lane's last request ended, and again after one that came meanwhile", async () => {
    const l = new lanes.RequestLanes();
    const holdMs = 200;
    const a = controllable();
    const first = l.run(1, "completion", {}, a.work);
    await a.started;
    let quiet = false;
    const waiting = l.whenQuiet("completion", new AbortController().signal, undefined, holdMs).then(() => (quiet = true));
    a.end("a");
    await first;
    const firstEnded = performance.now();
    // A completion inside the hold (the user still typing): the wait counts again from its end.
    const b = controllable();
    const second = l.run(2, "completion", {}, b.work);
    await b.started;
    assert.equal(quiet, false, "a completion runs");
    b.end("b");
    await second;
    const secondEnded = performance.now();
    assert.equal(quiet, false, "the lane has been quiet for less than holdMs");
    await waiting;
    assert.ok(performance.now() - secondEnded >= holdMs - 1, `resolved ${Math.round(performance.now() - secondEnded)} ms after the second end`);
    assert.ok(secondEnded > firstEnded);
  });

  it("resolves whenQuiet at once when the lane's last request ended longer than holdMs ago", async () => {
    const l = new lanes.RequestLanes();
    assert.equal(await l.run(1, "completion", {}, async () => "done"), "done");
    const holdMs = 20;
    await new Promise((resolve) => setTimeout(resolve, holdMs + 5));
    let quiet = false;
    const waiting = l.whenQuiet("completion", new AbortController().signal, undefined, holdMs).then(() => (quiet = true));
    await Promise.resolve();
    assert.equal(quiet, true);
    await waiting;
  });
});
