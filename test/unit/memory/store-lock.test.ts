// The codebase store's writer lock (src/memory/store-lock.ts): a process id alone does not prove the window that wrote
// the lock is still there, since the system hands a dead process's id to the next program that starts.
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { readFile, utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { LOCK, StoreLockedError, takeLock } from "../../../src/memory/store-lock";
import { tempWorkspaceEachTest } from "../helpers/temp-workspace";

describe("memory/store-lock", function () {
  const ws = tempWorkspaceEachTest("hearth-lock-");
  let child: ChildProcess | undefined;
  afterEach(() => {
    child?.kill();
    child = undefined;
  });

  /** A live process other than this one, started now. */
  async function liveProcess(): Promise<number> {
    child = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: ["ignore", "ignore", "ignore", "ipc"] });
    await new Promise<void>((resolve) => child!.once("spawn", () => resolve()));
    return child.pid!;
  }

  it("takes over a lock whose process id now belongs to a process started after the lock was written", async function () {
    if (!existsSync("/proc/self/stat")) this.skip();
    const lock = join(ws.base, LOCK);
    const pid = await liveProcess();
    await writeFile(lock, String(pid));
    // Written an hour ago by a window that has since gone; the id was then given to the process started just now.
    const hourAgo = new Date(Date.now() - 3_600_000);
    await utimes(lock, hourAgo, hourAgo);
    await takeLock(ws.base);
    assert.equal((await readFile(lock, "utf8")).trim(), String(process.pid));
  });

  it("refuses a lock written by a live process after it started, as a second window's is", async () => {
    const pid = await liveProcess();
    await writeFile(join(ws.base, LOCK), String(pid));
    await assert.rejects(takeLock(ws.base), (error: unknown) => error instanceof StoreLockedError && error.message.includes(`process ${pid}`));
  });
});
