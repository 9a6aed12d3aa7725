// Child processes for the real-VS-Code layers: every one starts in its own process group and is stopped by that group,
// on every way out of the runner (normal end, exception, SIGINT/SIGTERM, a hung test hitting its layer timeout).
import { spawn, type ChildProcess, type SpawnOptions } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ManagedProcess {
  readonly name: string;
  readonly pid: number;
  readonly child: ChildProcess;
  /** Resolves when the process exits (never rejects). */
  readonly exited: Promise<ExitInfo>;
  /** True once the process has exited. */
  hasExited(): boolean;
  /** The last output lines (stdout and stderr together), for error messages. */
  recentOutput(): string;
  /** SIGTERM to the whole group, SIGKILL after graceMs; resolves when the leader has exited or the kill was sent. */
  stop(graceMs?: number): Promise<void>;
}

export interface SpawnManagedOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Called with each complete line the process writes to stdout/stderr. */
  onLine?: (line: string, stream: "stdout" | "stderr") => void;
}

/** Process groups this runner started and has not seen exit yet: the safety net kills these. */
const liveGroups = new Map<number, string>();

/** Registers a process group started elsewhere (e.g. Playwright's chromium) so the safety net kills it too. */
export function trackProcessGroup(pid: number, name: string): () => void {
  liveGroups.set(pid, name);
  return () => liveGroups.delete(pid);
}

function killGroup(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false;
  }
}

/** Markers (scratch folders) whose stray processes the safety net also kills; see killStraysMentioning. */
const strayMarkers = new Set<string>();

export function trackStrayMarker(marker: string): () => void {
  strayMarkers.add(marker);
  return () => strayMarkers.delete(marker);
}

/** Kills every live group at once, then strays of tracked markers (synchronous: safe inside process.on('exit')). */
export function killAllGroups(signal: NodeJS.Signals = "SIGKILL"): void {
  for (const [pid] of liveGroups) killGroup(pid, signal);
  liveGroups.clear();
  for (const marker of strayMarkers) killStraysMentioning(marker);
  strayMarkers.clear();
}

/** Synchronous clean-ups (e.g. removing scratch folders) run after the groups are killed when the runner exits. */
const exitCleanups = new Set<() => void>();

export function onExitCleanup(fn: () => void): () => void {
  exitCleanups.add(fn);
  return () => exitCleanups.delete(fn);
}

function runExitCleanups(): void {
  for (const fn of exitCleanups) {
    try {
      fn();
    } catch {
      /* best effort */
    }
  }
  exitCleanups.clear();
}

let handlersInstalled = false;

/**
 * Makes sure no child group outlives the runner: on exit, uncaught errors and SIGINT/SIGTERM/SIGHUP every tracked
 * group gets SIGKILL. Idempotent.
 */
export function installCleanupHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on("exit", () => {
    killAllGroups("SIGKILL");
    runExitCleanups();
  });
  const onSignal = (signal: NodeJS.Signals, code: number) => {
    process.stderr.write(`\nharness: ${signal}: stopping ${liveGroups.size} process group(s)\n`);
    killAllGroups("SIGKILL");
    process.exit(code);
  };
  process.on("SIGINT", () => onSignal("SIGINT", 130));
  process.on("SIGTERM", () => onSignal("SIGTERM", 143));
  process.on("SIGHUP", () => onSignal("SIGHUP", 129));
  process.on("uncaughtException", (err) => {
    process.stderr.write(`harness: uncaught exception: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    killAllGroups("SIGKILL");
    process.exit(1);
  });
  process.on("unhandledRejection", (err) => {
    process.stderr.write(`harness: unhandled rejection: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    killAllGroups("SIGKILL");
    process.exit(1);
  });
}

/** Spawns `command` as the leader of a new process group, tracked until it exits. */
export function spawnManaged(name: string, command: string, args: string[], opts: SpawnManagedOptions = {}): ManagedProcess {
  installCleanupHandlers();
  const spawnOpts: SpawnOptions = { cwd: opts.cwd, env: opts.env, detached: true, stdio: ["ignore", "pipe", "pipe"] };
  const child = spawn(command, args, spawnOpts);
  if (child.pid === undefined) throw new Error(`${name}: failed to start ${command}`);
  const pid = child.pid;
  liveGroups.set(pid, name);
  const tail: string[] = [];
  let done = false;
  const exited = new Promise<ExitInfo>((resolve) => {
    child.once("exit", (code, signal) => {
      done = true;
      resolve({ code, signal });
    });
    child.once("error", () => {
      done = true;
      resolve({ code: null, signal: null });
    });
  });
  for (const stream of ["stdout", "stderr"] as const) {
    let partial = "";
    child[stream]?.setEncoding("utf8");
    child[stream]?.on("data", (chunk: string) => {
      const lines = (partial + chunk).split("\n");
      partial = lines.pop() ?? "";
      for (const line of lines) {
        tail.push(line);
        if (tail.length > 200) tail.shift();
        opts.onLine?.(line, stream);
      }
    });
  }
  const stop = async (graceMs = 3000): Promise<void> => {
    // First the leader alone, so it can stop and reap its own children; then the whole group (the leader may be gone
    // while orphans of its group live on), SIGTERM and finally SIGKILL.
    if (!done) {
      try {
        process.kill(pid, "SIGTERM");
      } catch {
        /* gone */
      }
      await Promise.race([exited, sleep(graceMs)]);
    }
    killGroup(pid, "SIGTERM");
    await sleep(100);
    killGroup(pid, "SIGKILL");
    liveGroups.delete(pid);
    await Promise.race([exited, sleep(1000)]);
  };
  return {
    name,
    pid,
    child,
    exited,
    hasExited: () => done,
    recentOutput: () => tail.join("\n"),
    stop,
  };
}

/** A wait that keeps the process alive: a caller awaiting it (a poll for code-server's health) is real work. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export class TimeoutError extends Error {
  constructor(what: string, ms: number) {
    super(`timed out after ${ms} ms: ${what}`);
    this.name = "TimeoutError";
  }
}

/** Rejects with a TimeoutError when `promise` takes longer than `ms`. */
export async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new TimeoutError(what, ms)), ms);
      }),
    ]);
  } finally {
    if (timer) clearTimeout(timer);
  }
}

/** Polls `check` until it returns a value other than undefined/false, or throws a TimeoutError. */
export async function waitFor<T>(
  check: () => Promise<T | undefined | false> | T | undefined | false,
  opts: { timeoutMs: number; intervalMs?: number; what: string },
): Promise<T> {
  const deadline = Date.now() + opts.timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() >= deadline) throw new TimeoutError(opts.what, opts.timeoutMs);
    await sleep(opts.intervalMs ?? 200);
  }
}

/**
 * Kills (SIGKILL, by PID) processes outside our groups whose command line mentions `marker` (a scratch folder of this
 * run): helpers that left their group on purpose, such as chromium's crashpad handler (it calls setsid).
 */
export function killStraysMentioning(marker: string): number {
  let killed = 0;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    let cmdline: string;
    try {
      cmdline = readFileSync(`/proc/${entry}/cmdline`, "utf8");
    } catch {
      continue;
    }
    if (!cmdline.includes(marker)) continue;
    try {
      process.kill(Number(entry), "SIGKILL");
      killed++;
    } catch {
      /* gone */
    }
  }
  return killed;
}
