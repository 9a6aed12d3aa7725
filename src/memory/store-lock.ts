import { rmSync, writeFileSync } from "node:fs";
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
 * first one's writes. A lock left by a process that is gone (a crash) is taken over.
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
  if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && isAlive(owner)) {
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
