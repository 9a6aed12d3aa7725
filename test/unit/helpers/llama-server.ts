// A real llama-server for the server engine's tests: built once from node-llama-cpp's bundled llama.cpp source by the
// engine bench's build (bench/engine/llama-server-build.ts, cached under bench/.work/ by the bundle's hash, so only the
// first run on a machine builds: about 5 minutes on 2 cores; `npm run llama-server` builds it ahead), started on a free
// 127.0.0.1 port in its own process group, and stopped by that group (never by name).
import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freeLoopbackPort, stopProcessGroup } from "../../../bench/engine/llama-server";
import { ensureLlamaCppBuild } from "../../../bench/engine/llama-server-build";

/** How long a test suite may wait for the first build on a machine (2 shared cores). */
export const LLAMA_SERVER_BUILD_TIMEOUT_MS = 40 * 60_000;

let binary: Promise<string> | undefined;

/** The llama-server binary: HEARTH_LLAMA_SERVER names one, else the cached build (built on first need). */
export function llamaServerBinary(): Promise<string> {
  binary ??= process.env.HEARTH_LLAMA_SERVER ? Promise.resolve(process.env.HEARTH_LLAMA_SERVER) : ensureLlamaCppBuild(() => {}).then((build) => build.server);
  return binary;
}

export interface StartOptions {
  port?: number;
  /** Parallel slots (-np); each gets contextSize / parallel. */
  parallel?: number;
  contextSize?: number;
  extraArgs?: string[];
}

export class TestLlamaServer {
  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
    private readonly logFile: string,
  ) {}

  get pid(): number | undefined {
    return this.child.pid;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get log(): string {
    return readFileSync(this.logFile, "utf8");
  }

  /** Tasks (completions, chats, embeddings) the server has started on a slot so far, as its log says. */
  get tasksStarted(): number {
    return this.log.split("launch_slot_").length - 1;
  }

  static async start(modelPath: string, options: StartOptions = {}): Promise<TestLlamaServer> {
    const server = await llamaServerBinary();
    const port = options.port ?? (await freeLoopbackPort());
    const parallel = options.parallel ?? 2;
    const args = ["-m", modelPath, "-t", "1", "-c", String((options.contextSize ?? 1024) * parallel), "-np", String(parallel), "--host", "127.0.0.1", "--port", String(port), ...(options.extraArgs ?? [])];
    const logFile = join(mkdtempSync(join(tmpdir(), "hearth-llama-server-")), "server.log");
    const fd = openSync(logFile, "w");
    const child = spawn(server, args, { stdio: ["ignore", fd, fd], detached: true });
    closeSync(fd);
    const started = new TestLlamaServer(child, port, logFile);
    try {
      await started.waitHealthy(120_000);
    } catch (error) {
      await started.stop();
      throw new Error(`llama-server did not start (${(error as Error).message}):\n${started.log.slice(-2000)}`);
    }
    return started;
  }

  private async waitHealthy(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.child.exitCode !== null || this.child.signalCode !== null) throw new Error(`it exited (${this.child.signalCode ?? this.child.exitCode})`);
      const ok = await fetch(`${this.url}/health`).then(
        (response) => response.ok,
        () => false,
      );
      if (ok) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`not healthy within ${timeoutMs} ms`);
  }

  /** Stops the server's process group: SIGTERM, then SIGKILL after 5 s. */
  stop(): Promise<void> {
    return stopProcessGroup(this.child);
  }

}
