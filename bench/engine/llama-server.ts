// llama-server for the engine bench: started on a free loopback port in its own process group, asked for `/infill`
// the way llama.vscode asks, and stopped by its process group on every exit path (never by name).
import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import { createServer } from "node:net";
import type { LlamaVscodeInfill } from "./typing";

export interface InfillTimings {
  prompt_n: number;
  prompt_ms: number;
  predicted_n: number;
  predicted_ms: number;
}

export interface InfillAnswer {
  content: string;
  timings: InfillTimings;
  tokens_cached?: number;
  /** The prompt's length in tokens (cached or evaluated). */
  tokens_evaluated?: number;
}

/** A chunk of another file as llama.vscode sends it in `input_extra`. */
export interface ExtraChunk {
  filename: string;
  text: string;
}

/**
 * llama.vscode's recommended llama-server flags for a CPU (its README, "No GPUs"): `-ub 1024 -b 1024 -dt 0.1
 * --ctx-size 0 --cache-reuse 256` (`-dt` is deprecated in this llama.cpp and left out), and one slot for one user.
 */
export const LLAMA_VSCODE_BATCH = 1024;
export const LLAMA_VSCODE_CPU_FLAGS = ["-ub", String(LLAMA_VSCODE_BATCH), "-b", String(LLAMA_VSCODE_BATCH), "--ctx-size", "0", "--cache-reuse", "256", "-np", "1"];

const running = new Set<ChildProcess>();
let exitHooked = false;

/** Kills every server this process started (their whole process groups), synchronously: safe in an exit handler. */
function killAll(signal: NodeJS.Signals): void {
  for (const child of running) {
    if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(-child.pid, signal);
      } catch {
        /* already gone */
      }
    }
  }
}

function hookExit(): void {
  if (exitHooked) return;
  exitHooked = true;
  process.on("exit", () => killAll("SIGKILL"));
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.once(signal, () => {
      killAll("SIGKILL");
      process.exit(130);
    });
  }
}

export async function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error("no free port"))));
    });
  });
}

/** Stops a process started with `detached: true` by its group: SIGTERM, then SIGKILL after 5 s; resolves once it exited. */
export async function stopProcessGroup(child: ChildProcess): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  try {
    process.kill(-child.pid, "SIGTERM");
  } catch {
    return;
  }
  const timer = setTimeout(() => {
    try {
      process.kill(-child.pid!, "SIGKILL");
    } catch {
      /* gone */
    }
  }, 5000);
  await exited;
  clearTimeout(timer);
}

export class LlamaServer {
  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
    readonly args: readonly string[],
  ) {}

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** `flags` are the server's settings besides the model, threads and address (e.g. LLAMA_VSCODE_CPU_FLAGS). */
  static async start(binary: string, modelPath: string, options: { threads: number; flags: readonly string[]; logFile: string }): Promise<LlamaServer> {
    hookExit();
    const port = await freeLoopbackPort();
    const args = ["-m", modelPath, "-t", String(options.threads), ...options.flags, "--host", "127.0.0.1", "--port", String(port)];
    const fd = openSync(options.logFile, "w");
    // detached: its own process group, so stopping it takes every thread and child with it.
    const child = spawn(binary, args, { stdio: ["ignore", fd, fd], detached: true });
    closeSync(fd);
    running.add(child);
    child.once("exit", () => running.delete(child));
    const server = new LlamaServer(child, `http://127.0.0.1:${port}`, args);
    try {
      await server.waitHealthy(120_000);
    } catch (error) {
      await server.stop();
      throw new Error(`llama-server did not become healthy (${error instanceof Error ? error.message : String(error)}); see ${options.logFile}`);
    }
    return server;
  }

  private async waitHealthy(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.child.exitCode !== null || this.child.signalCode !== null) throw new Error(`it exited (${this.child.signalCode ?? this.child.exitCode})`);
      try {
        const response = await fetch(`${this.url}/health`);
        if (response.ok) return;
      } catch {
        /* not listening yet */
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    throw new Error(`not healthy within ${timeoutMs} ms`);
  }

  /**
   * `/infill` as llama.vscode sends it (cache_prompt, top_k 40, top_p 0.99, its ring of other files' chunks), except that generation is
   * fixed at `nPredict` tokens: `ignore_eos`, no `t_max_predict_ms`/`n_indent` cut-offs, and llama.vscode's "infill"
   * sampler left out of its sampler chain (on random weights it ends every answer after one token, ignore_eos or not).
   */
  async infill(request: LlamaVscodeInfill, extra: readonly ExtraChunk[], nPredict: number): Promise<InfillAnswer> {
    const response = await fetch(`${this.url}/infill`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        ...request,
        input_extra: extra,
        n_predict: nPredict,
        top_k: 40,
        top_p: 0.99,
        samplers: ["top_k", "top_p"],
        stream: false,
        cache_prompt: true,
        ignore_eos: true,
      }),
    });
    if (!response.ok) throw new Error(`llama-server /infill answered ${response.status}: ${(await response.text()).slice(0, 300)}`);
    return (await response.json()) as InfillAnswer;
  }

  /**
   * `/completion` with a prompt of token ids, evaluated as given (the tokens Hearth's engine evaluates), the KV cache
   * kept between requests, greedy sampling as Hearth's (top-k 1, temperature 0), exactly `nPredict` tokens.
   */
  async complete(tokens: readonly number[], nPredict: number): Promise<InfillAnswer> {
    const response = await fetch(`${this.url}/completion`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ prompt: tokens, n_predict: nPredict, top_k: 1, temperature: 0, samplers: ["top_k", "temperature"], stream: false, cache_prompt: true, ignore_eos: true }),
    });
    if (!response.ok) throw new Error(`llama-server /completion answered ${response.status}: ${(await response.text()).slice(0, 300)}`);
    return (await response.json()) as InfillAnswer;
  }

  /** Stops the server's process group: SIGTERM, then SIGKILL after 5 s. */
  stop(): Promise<void> {
    return stopProcessGroup(this.child);
  }

}
