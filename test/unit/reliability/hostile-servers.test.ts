// The reliability bench's hostile inference servers (bench/reliability/server-cases.ts), all of them, each in the case
// pool's thread with a deadline: refused with a clear message, or answered within bounds; none hangs or freezes its thread.
import { strict as assert } from "node:assert";
import { runCasePool } from "../../../bench/reliability/case-pool";
import { failures } from "../../../bench/reliability/outcomes";
import { SERVER_CORPUS } from "../../../bench/reliability/server-cases";

describe("reliability: hostile inference servers through the server engine", function () {
  this.timeout(180_000);

  it("refuses or safely answers every hostile server, without a hang, a frozen thread or a request to another host", async () => {
    const results = await runCasePool({ corpus: "servers", module: "server-cases.js", cases: SERVER_CORPUS, timeoutMs: 30_000 });
    assert.deepEqual(failures(results).map((r) => `${r.name}: ${r.outcome} (${r.detail})`), []);
    assert.equal(results.length, SERVER_CORPUS.length);
  });
});
