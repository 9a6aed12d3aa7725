// The embedding lane's wait between texts: until neither completions nor chat have work, all at once.
import { strict as assert } from "node:assert";

type Lanes = typeof import("../../../../src/engine/worker/request-lanes.mjs", { with: { "resolution-mode": "import" } });

function gate(): { promise: Promise<string>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<string>((resolve) => (open = () => resolve("done")));
  return { promise, open };
}

describe("request lanes: waiting for several lanes at once (the embedding lane)", () => {
  let lanes: Lanes;
  before(async () => (lanes = await import("../../../../src/engine/worker/request-lanes.mjs")));

  it("resolves only when the completion and the chat lanes are both quiet", async () => {
    const l = new lanes.RequestLanes();
    const completion = gate();
    const chat = gate();
    const running = [l.run(1, "completion", {}, () => completion.promise), l.run(2, "chat", {}, () => chat.promise)];
    let quiet = false;
    const waiting = l.whenAllQuiet(["completion", "chat"], new AbortController().signal).then(() => (quiet = true));
    completion.open();
    await running[0];
    // A new chat arrives while the first still runs: still not quiet.
    const second = gate();
    running.push(l.run(3, "chat", {}, () => second.promise));
    chat.open();
    await running[1];
    assert.equal(quiet, false);
    second.open();
    await running[2];
    await waiting;
    assert.equal(quiet, true);
  });

  it("rejects as cancelled when its signal aborts while it waits", async () => {
    const l = new lanes.RequestLanes();
    const completion = gate();
    const running = l.run(1, "completion", {}, () => completion.promise);
    const controller = new AbortController();
    const waiting = l.whenAllQuiet(["completion", "chat"], controller.signal);
    controller.abort();
    await assert.rejects(waiting, /cancelled/);
    completion.open();
    await running;
  });
});
