import { readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { OwnFileRefused, readOwnFileSync } from "../common/own-file";

/** A lock holds a process id. */
const MAX_LOCK_BYTES = 64;

/** Another window (another process) has the store open for writing. */
export class StoreLockedError extends Error {
  override readonly name = "StoreLockedError";
}

export const LOCK = "writer.lock";

/**
 * One writer per store: a second VS Code window on the same workspace would index the same files twice and race the
 * first one's writes. A lock left by a process that is gone (a crash) is taken over, and so is one whose process id now
 * belongs to a process that started after the lock was written: after a crash and a reboot (or a long uptime) the id
 * is handed to some other program, which being alive said nothing about the index, and indexing waited for ever.
 */
export async function takeLock(dir: string): Promise<void> {
  const file = join(dir, LOCK);
  try {
    writeFileSync(file, String(process.pid), { flag: "wx" });
    return;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
  }
  let owner = Number.NaN;
  try {
    owner = Number(readOwnFileSync(file, MAX_LOCK_BYTES).trim());
  } catch (e) {
    // Not a lock any window wrote (a named pipe, a folder, something huge): no owner. A pipe is removed rather than
    // written over, since writing to a pipe waits for a reader.
    if (!(e instanceof OwnFileRefused)) throw e;
    rmSync(file, { recursive: true, force: true });
  }
  if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && isAlive(owner) && !startedAfter(owner, file)) {
    throw new StoreLockedError(`the codebase index is in use by another window (process ${owner}); codebase search in this window starts when that window closes`);
  }
  writeFileSync(file, String(process.pid));
}

export function releaseLock(dir: string): void {
  try {
    if (readOwnFileSync(join(dir, LOCK), MAX_LOCK_BYTES).trim() === String(process.pid)) rmSync(join(dir, LOCK), { force: true });
  } catch {
    // Already gone.
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Clock ticks per second in /proc/<pid>/stat's start time: USER_HZ, 100 on every Linux architecture Node runs on (the
 * kernel's ABI, whatever its internal HZ).
 */
const USER_HZ = 100;
/** Slack for the boot time's whole seconds and the file system's timestamp granularity. */
const START_SLACK_MS = 2000;

/**
 * Whether `pid`'s process started after `lockFile` was last written, so it cannot be the window that wrote it (its id
 * was reused). Linux only (/proc); elsewhere false, and a live id keeps the lock as before. The lock keeps its old text
 * (the id alone), so a window of an older version still reads it.
 */
function startedAfter(pid: number, lockFile: string): boolean {
  try {
    const written = statSync(lockFile).mtimeMs;
    const started = processStartMs(pid);
    return started !== null && started > written + START_SLACK_MS;
  } catch {
    return false;
  }
}

/** When `pid` started, in ms since the epoch, from /proc; null where the system has no /proc or says nothing usable. */
function processStartMs(pid: number): number | null {
  const bootLine = /^btime (\d+)$/m.exec(readFileSync("/proc/stat", "utf8"));
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // The command name (field 2) is in parentheses and may hold spaces or ")"; the fields after the last ")" start at the
  // state (field 3), so the start time (field 22) is the 20th of them.
  const ticks = Number(stat.slice(stat.lastIndexOf(")") + 1).trim().split(/\s+/)[19]);
  if (!bootLine || !Number.isSafeInteger(ticks)) return null;
  return Number(bootLine[1]) * 1000 + (ticks / USER_HZ) * 1000;
}
