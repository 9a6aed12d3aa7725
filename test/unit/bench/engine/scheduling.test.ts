// The engine benches run sides under SCHED_FIFO only where no such thread can keep a CPU of this 2-core machine: the
// kernel's real-time throttling on, one llama.cpp thread per side. Otherwise the work runs under normal scheduling.
import { strict as assert } from "node:assert";
import { FifoWindows, fifoUnboundedReason, typistStepPlan, type StepAction } from "../../../../bench/engine/scheduling";

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

describe("bench scheduling: a typist's gap before every answer", () => {
  type Side = "hearth" | "same" | "vscode";
  const words = (actions: readonly StepAction<Side>[]) => actions.map((a) => (a.kind === "idle" ? `idle ${a.side} ${a.ms}` : `${a.kind} ${a.side}`));

  it("precedes each side's answer with the same gap, in the order given, all in the request's window", () => {
    const plan = typistStepPlan<Side>(["vscode", "hearth", "same"], 600);
    assert.deepEqual(words(plan.actions), ["idle vscode 600", "answer vscode", "idle hearth 600", "answer hearth", "idle same 600", "answer same"]);
    assert.equal(plan.idleMs, 1800);
  });

  it("runs a side that works in idle time only for its own gap and answer, whatever its place", () => {
    for (const order of [["hearth", "same", "vscode"], ["vscode", "hearth", "same"], ["hearth", "vscode", "same"]] as Side[][]) {
      const all = words(typistStepPlan(order, 600, ["hearth"]).actions);
      const from = all.indexOf("continue hearth");
      assert.deepEqual(all.slice(from, all.indexOf("stop hearth") + 1), ["continue hearth", "idle hearth 600", "answer hearth", "stop hearth"], order.join(","));
    }
  });

  it("stops and continues no side that does not work in idle time", () => {
    const plan = typistStepPlan<Side>(["hearth", "same", "vscode"], 600);
    assert.ok(plan.actions.every((a) => a.kind === "idle" || a.kind === "answer"));
  });
});
