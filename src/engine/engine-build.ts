// Runs the engine build for this CPU (dist/engine-build.mjs, engine/worker/build-main.mts) in a process of its own at
// low priority, its whole output in a log file, and tells its progress as it goes: the steps Hearth names and the
// compiler's "[n/N]" count. The engine loads the result when it next starts (engine/worker/llama-binding.mts).
import { spawn } from "node:child_process";
import { createWriteStream } from "node:fs";
import { mkdir } from "node:fs/promises";
import { setPriority } from "node:os";
import { dirname } from "node:path";
import { AbortedError } from "../common/abort";
import { engineEnvironment } from "./engine-env";
import { readBuildLine } from "./engine-build-lines";

export interface EngineBuildProgress {
  /** What the build does now, in words. */
  step: string;
  /** 0 to 1 while compiling, else null. */
  fraction: number | null;
}

export interface EngineBuildRun {
  /** dist/engine-build.mjs. */
  scriptPath: string;
  /** The folder to build in (Hearth's own storage). */
  dir: string;
  logFile: string;
  /** The Node to run it with: desktop VS Code's Electron runs as Node (ELECTRON_RUN_AS_NODE). */
  execPath?: string;
  signal: AbortSignal;
  onProgress(progress: EngineBuildProgress): void;
}

export interface EngineBuildResult {
  seconds: number;
}

/** Resolves once the build is done and loadable; rejects with the build's own last words and the log's path. */
export async function runEngineBuild({ scriptPath, dir, logFile, execPath, signal, onProgress }: EngineBuildRun): Promise<EngineBuildResult> {
  signal.throwIfAborted();
  await mkdir(dirname(logFile), { recursive: true });
  const log = createWriteStream(logFile, { flags: "w" });
  // The compiler needs the user's whole toolchain environment (PATH, CC, CXX, CMAKE_*): unlike the engine, the build
  // runs the user's own tools on the user's request.
  const env = { ...process.env, ...engineEnvironment({}) };
  // Its own process group (POSIX), so that a cancel stops npm, cmake and the compilers with it.
  const group = process.platform !== "win32";
  // The IPC channel is how the build learns that this process ended, a closed window included (worker/build-lifetime.mts).
  const child = spawn(execPath ?? process.execPath, [scriptPath, dir], { env, stdio: ["ignore", "pipe", "pipe", "ipc"], windowsHide: true, detached: group });
  if (child.pid !== undefined) {
    try {
      // The build takes every core for many minutes: the editor and the engine come first.
      setPriority(child.pid, 10);
    } catch {
      /* not allowed here: it runs at normal priority */
    }
  }
  let step = "starting";
  let failure: string | null = null;
  let finished = false;
  let pending = "";
  const onData = (data: Buffer) => {
    log.write(data);
    pending += data.toString();
    const lines = pending.split(/\r?\n|\r/);
    pending = lines.pop() ?? "";
    for (const line of lines) {
      const read = readBuildLine(line);
      if (read.kind === "step") {
        step = read.step;
        onProgress({ step, fraction: null });
      } else if (read.kind === "compiled") onProgress({ step: `compiling (${read.done}/${read.total})`, fraction: read.done / read.total });
      else if (read.kind === "error") failure = read.message;
      else if (read.kind === "done") finished = true;
    }
  };
  child.stdout?.on("data", onData);
  child.stderr?.on("data", (data: Buffer) => log.write(data));
  const started = performance.now();
  const onAbort = () => {
    try {
      if (group && child.pid !== undefined) process.kill(-child.pid, "SIGTERM");
      else child.kill();
    } catch {
      /* already gone */
    }
  };
  signal.addEventListener("abort", onAbort, { once: true });
  try {
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once("error", reject);
      child.once("close", (exitCode) => resolve(exitCode));
    });
    if (signal.aborted) throw new AbortedError();
    if (code !== 0 || !finished) {
      throw new Error(`The engine build failed${failure ? `: ${failure}` : ` (exit ${String(code)}, last step: ${step})`}. The whole output is in ${logFile}.`);
    }
    return { seconds: Math.round((performance.now() - started) / 1000) };
  } finally {
    signal.removeEventListener("abort", onAbort);
    await new Promise<void>((resolve) => log.end(resolve));
  }
}
