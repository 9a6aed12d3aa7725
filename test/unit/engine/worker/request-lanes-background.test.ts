// The worker's request lanes: background work the engine starts itself (the suffix refresh), without a model.
import { strict as assert } from "node:assert";

type Lanes = typeof import("../../../../src/engine/worker/request-lanes.mjs", { with: { "resolution-mode": "import" } });

/** Work that runs until its signal aborts. */
function untilAborted(): { work: (signal: AbortSignal) => Promise<void>; started: Promise<AbortSignal> } {
  let start!: (signal: AbortSignal) => void;
  const started = new Promise<AbortSignal>((resolve) => (start = resolve));
  const work = (signal: AbortSignal) =>
    new Promise<void>((_, reject) => {
      start(signal);
      signal.addEventListener("abort", () => reject(new Error("aborted")), { once: true });
    });
  return { work, started };
}

describe("request lanes: background work", () => {
  let lanes: Lanes;
  before(async () => (lanes = await import("../../../../src/engine/worker/request-lanes.mjs")));

  it("does not count background work when others wait for its lane to be quiet", async () => {
    const l = new lanes.RequestLanes();
    const refresh = untilAborted();
    const running = l.run(-1, "completion", { background: true }, refresh.work);
    const signal = await refresh.started;
    assert.equal(l.busy("completion"), false);
    await l.whenQuiet("completion", new AbortController().signal);
    assert.equal(signal.aborted, false);
    l.cancelAll();
    await assert.rejects(running, /aborted/);
  });

  it("stops background work for the next request on its lane, and for a load or unload", async () => {
    const l = new lanes.RequestLanes();
    for (const [lane, policy] of [["completion", { newestWins: true }], ["completion", {}], ["model", {}]] as const) {
      const refresh = untilAborted();
      const running = l.run(-1, "completion", { background: true }, refresh.work);
      const signal = await refresh.started;
      const next = l.run(1, lane, policy, async () => "next");
      assert.equal(signal.aborted, true, `stopped by a request on the ${lane} lane`);
      await assert.rejects(running, /aborted/);
      assert.equal(await next, "next");
    }
  });

  it("leaves background work running when a chat request comes", async () => {
    const l = new lanes.RequestLanes();
    const refresh = untilAborted();
    const running = l.run(-1, "completion", { background: true }, refresh.work);
    const signal = await refresh.started;
    assert.equal(await l.run(1, "chat", {}, async () => "chat"), "chat");
    assert.equal(signal.aborted, false);
    l.cancelAll();
    await assert.rejects(running, /aborted/);
  });
});
