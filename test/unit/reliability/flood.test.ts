// The reliability bench's flood (bench/reliability/flood.ts), smaller: completion requests fired far faster than the
// engine answers, through the real EngineClient and RequestManager.
import { strict as assert } from "node:assert";
import { join } from "node:path";
import { runFlood } from "../../../bench/reliability/flood";
import { ensureTestModel } from "../../fixtures/models/test-models";
import { REPO_ROOT, clientsDisposedAfterEach, testSettings } from "../helpers/engine";

describe("reliability: a flood of completion requests", function () {
  this.timeout(90_000);
  const open = clientsDisposedAfterEach();

  it("computes only the newest, keeps at most one model call waiting in the request manager and answers every request", async () => {
    const client = open();
    await client.configure(testSettings(await ensureTestModel("tiny")));
    const bursts = await runFlood(client, { requests: 200, grammarsDir: join(REPO_ROOT, "grammars"), deadlineMs: 30_000 });
    for (const burst of bursts) {
      const what = JSON.stringify(burst);
      assert.equal(burst.unanswered, 0, what);
      assert.ok(burst.newestAnswered, `the newest request was computed: ${what}`);
      // Requests reach the engine in a few batches; at most the last of each batch starts.
      assert.ok(burst.generationsStarted <= 10, what);
    }
    const [, typing, invoked] = bursts;
    assert.equal(typing!.maxPending, 1);
    assert.equal(invoked!.maxPending, 1);
  });
});
