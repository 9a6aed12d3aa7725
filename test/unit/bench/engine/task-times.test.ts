// The generation benches read each side's CPU time and its wait for a CPU from Linux's per-thread statistics, the
// process's main thread (node-llama-cpp's JavaScript) apart from its other threads (llama.cpp's work).
import { strict as assert } from "node:assert";
import { platform } from "node:os";
import { readTaskTimes, taskUse, type TaskTimes } from "../../../../bench/engine/task-times";

function times(entries: Record<string, [number, number]>): TaskTimes {
  return { threads: new Map(Object.entries(entries)) };
}

describe("bench task times", () => {
  it("counts the main thread's CPU apart from the other threads', and every thread's wait", () => {
    const before = times({ "100": [1_000_000, 0], "101": [5_000_000, 1_000_000] });
    const after = times({ "100": [3_000_000, 500_000], "101": [25_000_000, 2_000_000] });
    assert.deepEqual(taskUse(before, after, "100"), { workersMs: 20, mainMs: 2, waitedMs: 1.5 });
  });

  it("counts a thread started during the burst from zero", () => {
    const before = times({ "100": [1_000_000, 0] });
    const after = times({ "100": [1_000_000, 0], "102": [7_000_000, 3_000_000] });
    assert.deepEqual(taskUse(before, after, "100"), { workersMs: 7, mainMs: 0, waitedMs: 3 });
  });

  it("reads this process's main thread's CPU time as it computes", function () {
    if (platform() !== "linux") this.skip();
    const before = readTaskTimes("self");
    // Until the process has had 60 ms of CPU, however long a loaded machine takes to give it.
    const start = process.cpuUsage();
    let spin = 0;
    while (process.cpuUsage(start).user < 60_000) spin++;
    const after = readTaskTimes("self");
    assert.ok(before && after && spin > 0);
    const use = taskUse(before, after, String(process.pid));
    assert.ok(use.mainMs >= 40, `main thread CPU ${use.mainMs} ms over a 60 ms spin`);
  });

  it("answers null for a process that does not exist", () => {
    assert.equal(readTaskTimes(2 ** 22 + 1), null);
  });
});
