// The engine benches run sides under SCHED_FIFO only where no such thread can keep a CPU of this 2-core machine: the
// kernel's real-time throttling on, one llama.cpp thread per side. Otherwise the work runs under normal scheduling.
import { strict as assert } from "node:assert";
import { FifoWindows, fifoUnboundedReason } from "../../../../bench/engine/scheduling";

function proc(runtime: string, period = "1000000"): (path: string) => string {
  return (path) => (path.endsWith("sched_rt_runtime_us") ? runtime : period);
}

describe("bench scheduling", () => {
  it("takes SCHED_FIFO as bounded while real-time threads get at most part of each period", () => {
    assert.equal(fifoUnboundedReason(proc("950000\n")), null);
  });

  it("refuses SCHED_FIFO when the kernel's real-time throttling is off", () => {
    assert.match(fifoUnboundedReason(proc("-1\n")) ?? "", /throttling is off/);
  });

  it("refuses SCHED_FIFO when the kernel says nothing of its real-time throttling", () => {
    assert.match(
      fifoUnboundedReason(() => {
        throw new Error("ENOENT");
      }) ?? "",
      /unknown/,
    );
  });

  it("runs the work under normal scheduling, and says why, when llama.cpp runs more than one thread per side", async () => {
    const windows = new FifoWindows({ threads: 2, maxWindowMs: 60_000, includeSelf: true });
    const result = await windows.during(() => [process.pid], () => Promise.resolve(7));
    assert.deepEqual(result, { value: 7, fifo: false });
    assert.match(windows.refusedBecause ?? "", /2 llama\.cpp threads/);
  });
});
