import { fork, type ChildProcess } from "node:child_process";
import type { Logger } from "../common/logger";
import { ENGINE_EXEC_ARGV, engineEnvironment } from "./engine-env";
import type { EngineErrorPayload, HostToWorker, WorkerToHost } from "./protocol";

/**
 * How a busy engine is watched. Two clocks run while any request waits: the time since the engine last said anything
 * (it answers a ping from its main thread at once, between tokens, so a stopped or frozen process goes quiet) and the
 * time since the work last moved (a chunk, a progress tick, a load's progress, an answer), for an engine that still
 * answers pings while its native side is stuck. A request queued behind another waits as long as that one moves.
 */
export interface SupervisionSettings {
  /** How often a busy engine is pinged. */
  heartbeatIntervalMs: number;
  /** Killed when it has answered nothing for this long while a request waits (a load gets its own deadline). */
  unresponsiveMs: number;
  /** Killed when no request (other than a load) has moved for this long, although it answers pings. */
  requestInactivityMs: number;
  /** A load may go this long without progress: baseMs, plus the file's size read at bytesPerSecond (a slow disk). */
  loadDeadline: { baseMs: number; bytesPerSecond: number };
}

/**
 * The worker's event loop answers within milliseconds during loads, completions and chats (measured on the test
 * models; llama.cpp evaluates on its own threads), so 10 s of silence is a stopped or wedged process, not a busy one.
 * A load is judged by its own deadline: 60 s plus the file at 25 MB/s, counted from its last progress (a 4.7 GB model:
 * about four minutes of no progress at all).
 */
export const DEFAULT_SUPERVISION: SupervisionSettings = {
  heartbeatIntervalMs: 1000,
  unresponsiveMs: 10_000,
  requestInactivityMs: 300_000,
  loadDeadline: { baseMs: 60_000, bytesPerSecond: 25_000_000 },
};

export function loadDeadlineMs(sizeBytes: number, settings: SupervisionSettings): number {
  return Math.round(settings.loadDeadline.baseMs + (sizeBytes / settings.loadDeadline.bytesPerSecond) * 1000);
}

export interface EngineExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Why the supervisor killed it (engine-unresponsive), or why it never started; absent for a crash or a chosen exit. */
  reason?: EngineErrorPayload;
}

export interface EngineProcessOptions {
  workerPath: string;
  execPath?: string;
  /** Added to the allow-listed environment (and filtered by the same list). */
  env?: NodeJS.ProcessEnv;
  logger: Logger;
  supervision: SupervisionSettings;
  onMessage(message: WorkerToHost): void;
  onExit(exit: EngineExit): void;
}

interface Watched {
  limitMs: number;
  /** Names the work in a message: "Loading tiny.gguf", "A chat answer". */
  what: string;
  /**
   * A load or a GPU probe may keep the worker's thread for a while (reading the file, starting a GPU backend): while one
   * runs, only its own deadline judges the engine, not the heartbeat.
   */
  holdsThread: boolean;
}

/** One engine process: started with an allow-listed environment, pinged while busy, killed when it hangs. */
export class EngineProcess {
  private readonly child: ChildProcess;
  private readonly watched = new Map<number, Watched>();
  private lastHeard = 0;
  private lastProgress = 0;
  private timer: NodeJS.Timeout | undefined;
  private pings = 0;
  private reason: EngineErrorPayload | undefined;
  private exited = false;
  private readonly exit: Promise<void>;

  constructor(private readonly options: EngineProcessOptions) {
    const logger = options.logger;
    this.child = fork(options.workerPath, [], {
      execPath: options.execPath ?? process.execPath,
      execArgv: [...ENGINE_EXEC_ARGV],
      env: engineEnvironment(process.env, options.env),
      stdio: ["ignore", "pipe", "pipe", "ipc"],
      serialization: "json",
      // A session of its own (POSIX), as a llama-server started from a terminal has: Linux's autogroup scheduler shares
      // the CPU between sessions first, and in the extension host's session the engine shared one share with the editor
      // and its tools. It still exits with the host: it ends when the IPC channel closes (worker/main.mts).
      detached: process.platform !== "win32",
    });
    logger.info(`engine process started (pid ${this.child.pid ?? "?"})`);
    this.child.stdout?.on("data", (data: Buffer) => logger.debug(`engine stdout: ${data.toString().trimEnd()}`));
    this.child.stderr?.on("data", (data: Buffer) => logger.warn(`engine stderr: ${data.toString().trimEnd()}`));
    this.child.on("message", (message: WorkerToHost) => this.onMessage(message));
    this.exit = new Promise((resolve) => {
      const exited = (code: number | null, signal: NodeJS.Signals | null) => {
        if (this.exited) return;
        this.exited = true;
        this.stopTimer();
        this.watched.clear();
        resolve();
        options.onExit({ code, signal, ...(this.reason ? { reason: this.reason } : {}) });
      };
      this.child.on("exit", exited);
      this.child.on("error", (error) => {
        logger.error(`engine process error: ${error.message}`);
        // A process that never started fires no "exit": the requests waiting on it must still end.
        if (this.child.pid === undefined) {
          this.reason ??= { code: "engine-crashed", message: `The engine could not be started (${error.message}).` };
          exited(null, null);
        }
      });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  send(message: HostToWorker): void {
    if (!this.exited && this.child.connected) this.child.send(message);
  }

  /** Watches request `id` until unwatch(): it must move within `limitMs`, and the engine keep answering its pings. */
  watch(id: number, watched: Watched): void {
    if (this.exited) return;
    if (this.watched.size === 0) {
      // Nothing was asked of an idle engine: its clocks start now.
      this.lastHeard = this.lastProgress = Date.now();
      this.timer = setInterval(() => this.tick(), this.options.supervision.heartbeatIntervalMs);
      this.timer.unref();
    }
    this.watched.set(id, watched);
  }

  unwatch(id: number): void {
    this.watched.delete(id);
    if (this.watched.size === 0) this.stopTimer();
  }

  /** Kills the process at once (SIGKILL works on a stopped one too); `reason` is what the exit reports. */
  kill(reason: EngineErrorPayload): void {
    if (this.exited || this.reason) return;
    this.reason = reason;
    this.stopTimer();
    this.options.logger.error(`${reason.message} (pid ${this.child.pid ?? "?"})`);
    this.child.kill("SIGKILL");
  }

  /** Asks the engine to exit (it unloads its models), and kills it after `graceMs`; resolves once it is gone. */
  async stop(graceMs = 2000): Promise<void> {
    this.stopTimer();
    if (this.exited || this.child.exitCode !== null || this.child.signalCode !== null) return;
    if (graceMs <= 0) this.child.kill("SIGKILL");
    else if (this.child.connected) this.child.disconnect();
    const timer = setTimeout(() => this.child.kill("SIGKILL"), Math.max(0, graceMs));
    await this.exit;
    clearTimeout(timer);
  }

  private onMessage(message: WorkerToHost): void {
    const now = Date.now();
    this.lastHeard = now;
    switch (message.type) {
      case "pong":
        return;
      case "progress":
        this.lastProgress = now;
        return;
      case "chunk":
      case "result":
      case "error":
      case "state":
        this.lastProgress = now;
        break;
      case "log":
      case "started":
        break;
    }
    this.options.onMessage(message);
  }

  private tick(): void {
    if (this.watched.size === 0 || this.exited) return this.stopTimer();
    const { unresponsiveMs } = this.options.supervision;
    let limit = 0;
    let what = "";
    let holdsThread = false;
    for (const watched of this.watched.values()) {
      if (watched.limitMs > limit) ({ limitMs: limit, what } = watched);
      holdsThread ||= watched.holdsThread;
    }
    const now = Date.now();
    const silentFor = now - this.lastHeard;
    const stillFor = now - this.lastProgress;
    if (stillFor > limit) {
      return this.kill({
        code: "engine-unresponsive",
        message: `${what} made no progress for ${seconds(stillFor)}, so Hearth stopped the engine. It restarts on the next request.`,
      });
    }
    if (!holdsThread && silentFor > unresponsiveMs) {
      return this.kill({
        code: "engine-unresponsive",
        message: `The engine stopped responding (no answer for ${seconds(silentFor)}), so Hearth stopped it. It restarts on the next request.`,
      });
    }
    this.send({ type: "ping", id: ++this.pings });
  }

  private stopTimer(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
}
