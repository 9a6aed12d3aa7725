// How the generation benches take the CPU from other sessions' work on a shared machine, for a round or a request, so
// that a side's wall time measures its own work and not its wait for a CPU (Linux, root or CAP_SYS_NICE):
//   - nice: the side's session (autogroup) at nice −19, so that other sessions' work seldom takes the CPU from it;
//   - fifo: every thread of the side's processes under SCHED_FIFO, so that a thread woken to run takes a CPU at once.
// SCHED_FIFO on a 2-core machine is safe only while no such thread can keep a CPU for long, so FifoWindows refuses it
// (the bench then runs under normal scheduling and says why) unless the kernel's real-time throttling is on (real-time
// threads get at most sched_rt_runtime_us of each sched_rt_period_us: 95% by default, the rest stays for everyone
// else) and llama.cpp runs one thread (with more, ggml's and OpenMP's thread barriers spin while they wait); a window
// ends by a timer after `maxWindowMs` whatever happens, and the process's exit puts every raised process back.
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";

export type Priority = "nice" | "fifo";

/** SCHED_FIFO priority of the sides' threads; the bench's own process, their client, runs one above (see FifoWindows). */
export const SIDE_FIFO_PRIORITY = 10;

export type PriorityResult = { ok: true } | { ok: false; reason: string };

/**
 * Raises `pid` (on) or puts it back to normal scheduling (off). fifo: chrt -a, every thread the process has now;
 * threads it starts later inherit their creator's policy, and putting it back covers them too.
 */
export function setPriority(mode: Priority, pid: number, on: boolean, fifoPriority = SIDE_FIFO_PRIORITY): PriorityResult {
  if (mode === "nice") return setSessionNice(pid, on ? -19 : 0) ? { ok: true } : { ok: false, reason: `could not set the autogroup nice of ${pid}` };
  const result = spawnSync("chrt", on ? ["-f", "-a", "-p", String(fifoPriority), String(pid)] : ["-o", "-a", "-p", "0", String(pid)], { encoding: "utf8" });
  if (result.status === 0) return { ok: true };
  const said = `${result.error?.message ?? ""} ${result.stderr ?? ""}`.trim();
  return { ok: false, reason: /not permitted|EPERM/i.test(said) ? `SCHED_FIFO is not permitted here (EPERM): ${said}` : `chrt failed for ${pid}: ${said || `exit ${String(result.status)}`}` };
}

/**
 * Sets the nice value of the autogroup (the session) `pid` belongs to. With autogroups on, Linux shares the CPU between
 * sessions first, so this is what gives a side the CPU before other sessions' work. False where it is not allowed.
 */
export function setSessionNice(pid: number, nice: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/autogroup`, String(nice));
    return readFileSync(`/proc/${pid}/autogroup`, "utf8").trim().endsWith(`nice ${nice}`);
  } catch {
    return false;
  }
}

/** Why SCHED_FIFO would not be bounded here, or null: real-time throttling must leave other threads a share of each CPU. */
export function fifoUnboundedReason(read: (path: string) => string = (path) => readFileSync(path, "utf8")): string | null {
  let runtime: number;
  let period: number;
  try {
    runtime = Number(read("/proc/sys/kernel/sched_rt_runtime_us").trim());
    period = Number(read("/proc/sys/kernel/sched_rt_period_us").trim());
  } catch {
    return "the kernel's real-time throttling is unknown (no /proc/sys/kernel/sched_rt_runtime_us)";
  }
  if (!Number.isFinite(runtime) || !Number.isFinite(period) || runtime < 0 || runtime >= period) {
    return `the kernel's real-time throttling is off (sched_rt_runtime_us ${runtime} of ${period}): a SCHED_FIFO thread could keep a CPU`;
  }
  return null;
}

export interface FifoWindowsOptions {
  /** llama.cpp threads per side: more than one spins in thread barriers, so FIFO is refused. */
  threads: number;
  /** A window longer than this is ended by a timer, and FIFO is off for the rest of the run. */
  maxWindowMs: number;
  /** Raise the bench's own process too (one priority above the sides), as the client every side answers. */
  includeSelf: boolean;
  log?: (line: string) => void;
}

/**
 * Windows of time during which every given process runs under SCHED_FIFO, all raised together and all put back
 * together, with normal scheduling between them.
 */
export class FifoWindows {
  private off: string | null;
  private readonly raised = new Set<number>();
  private windowTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: FifoWindowsOptions) {
    this.off = options.threads > 1 ? `${options.threads} llama.cpp threads per side spin in their barriers under SCHED_FIFO on a shared machine` : fifoUnboundedReason();
    process.on("exit", () => this.restoreAll());
  }

  /** Why the windows run under normal scheduling, or null while SCHED_FIFO is in use. */
  get refusedBecause(): string | null {
    return this.off;
  }

  /**
   * Runs `work` with every process of `pids()` (and this one, if asked) under SCHED_FIFO, then puts them all back; when
   * FIFO is refused or fails, runs it under normal scheduling. Resolves to the work's value and whether it ran in FIFO.
   * `pids` is asked again at the end: a process started meanwhile by a raised one (an engine process restarted by this
   * one) inherited its policy and is put back too.
   */
  async during<T>(pids: () => readonly (number | undefined)[], work: () => Promise<T>): Promise<{ value: T; fifo: boolean }> {
    const fifo = this.raiseAll(pids());
    if (fifo) {
      this.windowTimer = setTimeout(() => {
        this.stopUsing(`a SCHED_FIFO window ran past ${this.options.maxWindowMs / 1000} s and was ended`);
      }, this.options.maxWindowMs);
      this.windowTimer.unref();
    }
    try {
      const value = await work();
      // A window the timer ended did not run in FIFO to the end.
      return { value, fifo: fifo && this.off === null };
    } finally {
      clearTimeout(this.windowTimer);
      if (fifo) for (const pid of pids()) if (pid !== undefined && !this.raised.has(pid)) setPriority("fifo", pid, false);
      this.restoreAll();
    }
  }

  private raiseAll(pids: readonly (number | undefined)[]): boolean {
    if (this.off !== null) return false;
    const targets = pids.filter((pid): pid is number => pid !== undefined);
    for (const pid of targets) {
      const result = setPriority("fifo", pid, true);
      if (!result.ok) return this.stopUsing(result.reason);
      this.raised.add(pid);
    }
    if (this.options.includeSelf) {
      // One above the sides: the client wakes at once, and its timer can always end the window.
      const result = setPriority("fifo", process.pid, true, SIDE_FIFO_PRIORITY + 1);
      if (!result.ok) return this.stopUsing(result.reason);
      this.raised.add(process.pid);
    }
    return true;
  }

  private stopUsing(reason: string): false {
    this.off = reason;
    this.options.log?.(`${reason}; normal scheduling from here on`);
    this.restoreAll();
    return false;
  }

  private restoreAll(): void {
    for (const pid of [...this.raised]) {
      // A process gone meanwhile has nothing to put back.
      setPriority("fifo", pid, false);
      this.raised.delete(pid);
    }
  }
}

/** One thing a replay step does, in its order. */
export type StepAction<S extends string> =
  /** `side`'s processes, stopped since its last answer, go on (SIGCONT) for its gap and answer. */
  | { kind: "continue"; side: S }
  /** The typist's gap before `side`'s answer, in which nothing is timed. */
  | { kind: "idle"; side: S; ms: number }
  | { kind: "answer"; side: S }
  /** `side`'s processes stop (SIGSTOP) until its next gap: its idle-time work runs there and nowhere else. */
  | { kind: "stop"; side: S };

export interface StepPlan<S extends string> {
  /** All of it inside the request's scheduling window (SCHED_FIFO on the odd requests). */
  actions: StepAction<S>[];
  /** The gaps' share of the window's length, which counts toward its cap. */
  idleMs: number;
}

/**
 * One request of a typing replay, every side in `order`: the machine idles `gapMs` (a typist's gap, the same for every
 * side), then the side answers, and so on. A side in `idleWorkers` (one that works in idle time: Hearth's engine,
 * refreshing its suffix cache) is stopped at its answer's end and continued at its next gap's start, so its idle-time
 * work gets a typist's gap before each of its requests and never runs while another side is timed. The gap comes
 * before the answer, not after it: a stopped process's clock runs on, so at its continuing it has idled longer than
 * any hold of its own (the engine's refresh waits for a pause longer than a typist's gap) and starts that work at once,
 * which then has the gap to run in rather than the request's wait. Each gap is in the window of the answer it
 * precedes, under its regime.
 */
export function typistStepPlan<S extends string>(order: readonly S[], gapMs: number, idleWorkers: readonly S[] = []): StepPlan<S> {
  const actions = order.flatMap((side): StepAction<S>[] => {
    const works = idleWorkers.includes(side);
    return [
      ...(works ? [{ kind: "continue", side } as const] : []),
      { kind: "idle", side, ms: gapMs },
      { kind: "answer", side },
      ...(works ? [{ kind: "stop", side } as const] : []),
    ];
  });
  return { actions, idleMs: gapMs * order.length };
}

/**
 * Stops processes (SIGSTOP) and continues them (SIGCONT): a side's engine from its answer's end to its next gap. Anything
 * stopped is continued when this process exits, as FifoWindows puts back what it raised.
 */
export class IdleStops {
  private readonly stopped = new Set<number>();

  constructor() {
    process.on("exit", () => this.continueAll());
  }

  stop(pid: number | undefined): void {
    if (pid === undefined) return;
    try {
      process.kill(pid, "SIGSTOP");
      this.stopped.add(pid);
    } catch {
      // Gone: nothing to stop.
    }
  }

  continueAll(): void {
    for (const pid of [...this.stopped]) {
      try {
        process.kill(pid, "SIGCONT");
      } catch {
        // Gone meanwhile.
      }
      this.stopped.delete(pid);
    }
  }
}
