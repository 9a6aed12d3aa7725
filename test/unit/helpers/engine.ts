import { join } from "node:path";
import { EngineClient, type EngineSettings, type EngineStatus } from "../../../src/engine/client";
import { MemoryLogger } from "../../../src/common/logger";
import { adviseSmallerModel } from "../../../src/models/smaller-model-advice";

export const REPO_ROOT = join(__dirname, "..", "..", "..", "..");

/** The transpiled worker (out/), so unit tests run the same code as the bundle without bundling it. */
export const WORKER_PATH = join(REPO_ROOT, "out", "src", "engine", "worker", "main.mjs");

/** Collects log lines, so a failing test can show what the engine said. */
export { MemoryLogger };

export function testSettings(modelPath: string, overrides: Partial<EngineSettings> = {}): EngineSettings {
  // One thread: more than that on these 2-core machines collapses llama.cpp's throughput.
  return { modelPath, threads: 1, contextSize: 1024, gpu: "off", idleUnloadMs: 0, ...overrides };
}

export function createClient(logger = new MemoryLogger(), backoff: number[] = [20]): EngineClient {
  return new EngineClient({ workerPath: WORKER_PATH, logger, restartBackoffMs: backoff, adviseOnRefusal: adviseSmallerModel });
}

/**
 * `open()` for a suite's tests: each call starts a client, and every client a test opened is disposed after it
 * (registers the suite's afterEach). When the test failed, what the engines wrote to stderr is printed: an engine that
 * stopped unexpectedly says why only there.
 */
export function clientsDisposedAfterEach(): (logger?: MemoryLogger) => EngineClient {
  const clients: EngineClient[] = [];
  const loggers: MemoryLogger[] = [];
  afterEach(async function () {
    const said = loggers.splice(0).flatMap((logger) => logger.lines.filter((line) => line.includes("engine stderr")));
    if (this.currentTest?.state === "failed" && said.length > 0) process.stderr.write(`${said.join("\n")}\n`);
    await Promise.all(clients.splice(0).map((client) => client.dispose()));
  });
  return (logger = new MemoryLogger()) => {
    const client = createClient(logger);
    clients.push(client);
    loggers.push(logger);
    return client;
  };
}

export function waitForStatus(client: EngineClient, kind: EngineStatus["kind"], timeoutMs = 10_000): Promise<EngineStatus> {
  if (client.status.kind === kind) return Promise.resolve(client.status);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      sub.dispose();
      reject(new Error(`status did not become ${kind} within ${timeoutMs} ms (it is ${client.status.kind})`));
    }, timeoutMs);
    const sub = client.onDidChangeStatus((status) => {
      if (status.kind !== kind) return;
      clearTimeout(timer);
      sub.dispose();
      resolve(status);
    });
  });
}
