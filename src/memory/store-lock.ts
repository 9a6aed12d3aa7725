import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

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
  const owner = Number(readFileSync(file, "utf8").trim());
  if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && isAlive(owner)) {
    throw new StoreLockedError(`the codebase index is in use by another window (process ${owner}); codebase search in this window starts when that window closes`);
  }
  writeFileSync(file, String(process.pid));
}

export function releaseLock(dir: string): void {
  try {
    if (readFileSync(join(dir, LOCK), "utf8").trim() === String(process.pid)) rmSync(join(dir, LOCK), { force: true });
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
