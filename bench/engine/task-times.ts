// What a process's threads did during a burst, from Linux's per-thread scheduler statistics
// (/proc/PID/task/TID/schedstat: nanoseconds on the CPU, nanoseconds waiting for one): the generation benches read CPU
// time beside wall time because the machine is shared, and a side that waited for the CPU did not compute more.
import { readdirSync, readFileSync } from "node:fs";

export interface TaskTimes {
  /** Per thread id: [ns on the CPU, ns runnable but waiting]. */
  readonly threads: ReadonlyMap<string, readonly [number, number]>;
}

export interface TaskUse {
  /** ms on the CPU, the process's main thread left out (node-llama-cpp: llama.cpp's and the addon's worker threads). */
  workersMs: number;
  /** ms on the CPU of the main thread (node-llama-cpp: JavaScript; llama-server: its decode loop). */
  mainMs: number;
  /** ms its threads were runnable but waited for a CPU. */
  waitedMs: number;
}

/** Null where the system has no such statistics (not Linux, or the process is gone). */
export function readTaskTimes(pid: number | "self"): TaskTimes | null {
  const dir = `/proc/${pid}/task`;
  const threads = new Map<string, readonly [number, number]>();
  try {
    for (const tid of readdirSync(dir)) {
      try {
        const [run, wait] = readFileSync(`${dir}/${tid}/schedstat`, "utf8").split(" ").map(Number);
        if (Number.isFinite(run) && Number.isFinite(wait)) threads.set(tid, [run!, wait!]);
      } catch {
        /* the thread ended meanwhile */
      }
    }
  } catch {
    return null;
  }
  return { threads };
}

/** What happened between two readings of the same process; `mainTid` is the process id. */
export function taskUse(before: TaskTimes, after: TaskTimes, mainTid: string): TaskUse {
  let workers = 0;
  let main = 0;
  let waited = 0;
  for (const [tid, [run, wait]] of after.threads) {
    const [run0, wait0] = before.threads.get(tid) ?? [0, 0];
    if (tid === mainTid) main += run - run0;
    else workers += run - run0;
    waited += wait - wait0;
  }
  return { workersMs: workers / 1e6, mainMs: main / 1e6, waitedMs: waited / 1e6 };
}
