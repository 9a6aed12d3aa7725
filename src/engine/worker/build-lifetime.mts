// The engine build's process ends with the window that started it. The build runs detached in a process group of its
// own (so that a cancel stops npm, cmake and the compilers together), which also means nothing stops it when the
// extension host exits: a closed window or a reload would leave the compilers on every core for many minutes, and the
// next build would start beside them. The host holds an IPC channel to it (engine/engine-build.ts); its end, however
// the host ended, stops the whole group.
import { spawnSync } from "node:child_process";

/** Watches the channel; the channel keeps the process alive, so the build ends with process.exit (build-main.mts). */
export function endWithParent(): void {
  if (!process.connected) return;
  process.once("disconnect", () => {
    try {
      if (process.platform === "win32") spawnSync("taskkill", ["/pid", String(process.pid), "/T", "/F"], { windowsHide: true });
      // Its own group (it was started detached): npm, cmake, the compilers and this process.
      else process.kill(-process.pid, "SIGTERM");
    } finally {
      process.exit(1);
    }
  });
}
