// Runs a corpus of hostile cases one at a time in a worker thread, with a deadline per case: a case that hangs (even in
// synchronous code, which no timer in its own thread could interrupt) is counted as hung, its worker terminated and a
// fresh one started for the next case; a case that kills its thread or runs it out of memory is counted as crashed.
// Processes a case starts (an engine) are reported by the worker and killed with it.
import { Worker, type ResourceLimits } from "node:worker_threads";
import { join } from "node:path";
import { describeError, type CaseResult, type Outcome } from "./outcomes";

/** What a corpus module's runner returns for one case (the pool adds the corpus, the name and the time). */
export interface CaseVerdict {
  outcome: Outcome;
  detail: string;
  stallMs?: number;
}

/**
 * A corpus module (compiled to .js next to this file) exports `openCases(init)`: it sets up once per worker (a DOM, a
 * store, ...) and returns the function that runs case `index` of the corpus.
 */
export type OpenCases = (init: unknown) => Promise<(index: number) => Promise<CaseVerdict>>;

export interface CasePoolOptions {
  corpus: string;
  /** The corpus module's file name in this folder, compiled (e.g. "markdown-cases.js"). */
  module: string;
  /** Names of the cases to run, by index; run in this order. */
  cases: readonly { index: number; name: string }[];
  timeoutMs: number;
  init?: unknown;
  /** How long a fresh worker may take to set up before the run is abandoned. */
  startTimeoutMs?: number;
  resourceLimits?: ResourceLimits;
  onResult?: (result: CaseResult) => void;
}

type FromWorker =
  | { type: "ready" }
  | { type: "result"; index: number; verdict: CaseVerdict }
  | { type: "child"; pid: number; alive: boolean }
  | { type: "fatal"; error: string };

const DEFAULT_LIMITS: ResourceLimits = { maxOldGenerationSizeMb: 1536, stackSizeMb: 4 };

export async function runCasePool(options: CasePoolOptions): Promise<CaseResult[]> {
  const results: CaseResult[] = [];
  let current: { worker: Worker; children: Set<number> } | undefined;
  const stop = async () => {
    if (!current) return;
    const { worker, children } = current;
    current = undefined;
    for (const pid of children) killQuietly(pid);
    await worker.terminate();
  };
  try {
    for (const { index, name } of options.cases) {
      current ??= await startWorker(options);
      const { worker, children } = current;
      const started = performance.now();
      const answer = await new Promise<{ verdict: CaseVerdict } | { lost: Outcome; detail: string }>((resolve) => {
        const timer = setTimeout(() => resolve({ lost: "hung", detail: `no answer within ${options.timeoutMs} ms` }), options.timeoutMs);
        const done = (value: { verdict: CaseVerdict } | { lost: Outcome; detail: string }) => {
          clearTimeout(timer);
          worker.off("message", onMessage);
          worker.off("error", onError);
          worker.off("exit", onExit);
          resolve(value);
        };
        const onMessage = (message: FromWorker) => {
          if (message.type === "child") {
            if (message.alive) children.add(message.pid);
            else children.delete(message.pid);
          } else if (message.type === "result" && message.index === index) done({ verdict: message.verdict });
        };
        const onError = (error: Error) => done({ lost: "crashed", detail: `its thread died: ${describeError(error)}` });
        const onExit = (code: number) => done({ lost: "crashed", detail: `its thread exited (${code})` });
        worker.on("message", onMessage);
        worker.on("error", onError);
        worker.on("exit", onExit);
        worker.postMessage({ index });
      });
      const ms = performance.now() - started;
      const result: CaseResult =
        "verdict" in answer
          ? { corpus: options.corpus, name, ms, ...answer.verdict }
          : { corpus: options.corpus, name, ms, outcome: answer.lost, detail: answer.detail };
      if (!("verdict" in answer)) await stop();
      results.push(result);
      options.onResult?.(result);
    }
  } finally {
    await stop();
  }
  return results;
}

async function startWorker(options: CasePoolOptions): Promise<{ worker: Worker; children: Set<number> }> {
  const worker = new Worker(join(__dirname, "case-worker.js"), {
    workerData: { module: join(__dirname, options.module), init: options.init },
    resourceLimits: options.resourceLimits ?? DEFAULT_LIMITS,
    stdout: false,
    stderr: false,
  });
  const children = new Set<number>();
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`the ${options.corpus} worker did not start within ${options.startTimeoutMs ?? 120_000} ms`)), options.startTimeoutMs ?? 120_000);
    const fail = (error: Error) => {
      clearTimeout(timer);
      void worker.terminate();
      reject(error);
    };
    worker.on("message", (message: FromWorker) => {
      if (message.type === "ready") {
        clearTimeout(timer);
        resolve();
      } else if (message.type === "fatal") fail(new Error(`the ${options.corpus} worker failed to start: ${message.error}`));
      else if (message.type === "child") children.add(message.pid);
    });
    worker.once("error", fail);
  });
  return { worker, children };
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    // already gone
  }
}
