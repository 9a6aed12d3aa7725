// Completion requests fired far faster than the engine can answer, through the real parts: only the newest may be
// computed, and nothing may pile up. Three bursts of the same size:
// - engine: EngineClient.infill called N times in one go, none cancelled by the caller (the engine's "newest wins");
// - typing: RequestManager.provide for N keystrokes in one go, each cancelling the one before as VS Code does (the
//   automatic trigger's pause, then one model call);
// - invoked: RequestManager.provide N times with the invoked trigger (no pause) and no cancelling: each new request
//   aborts the model call before it.
// A generation "started" when the engine began evaluating it (its reply carries a result; one it skipped replies
// "cancelled" without one). Pending = model calls the engine has not answered yet, sampled at every call and reply.
import type { ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { silentLogger } from "../../src/common/logger";
import type { CompletionEngine, DocumentSnapshot } from "../../src/completion/completion-types";
import { RequestManager } from "../../src/completion/request-manager";
import { ContextEngine } from "../../src/context/context-engine";
import type { EngineClient } from "../../src/engine/client";
import { EngineError, type GenerationResult, type InfillParams } from "../../src/engine/protocol";
import { isAbortError } from "../../src/common/abort";

export interface FloodBurst {
  name: "engine" | "typing" | "invoked";
  requests: number;
  /** Model calls that reached the engine (the request manager answers some without one). */
  modelCalls: number;
  generationsStarted: number;
  maxPending: number;
  /** From the first request to the last reply. */
  drainMs: number;
  /** The newest model call was computed to its end (not cancelled, not failed). */
  newestAnswered: boolean;
  /** Requests that neither answered nor failed by the deadline. */
  unanswered: number;
  /** Engine resident memory before and after, in MiB (Linux /proc). */
  engineRssBeforeMiB: number | null;
  engineRssAfterMiB: number | null;
}

/** Counts the model calls between the request manager (or the bench) and the real client, and those not answered yet. */
class CountingEngine implements CompletionEngine {
  calls = 0;
  pending = 0;
  maxPending = 0;
  /** How the most recent call ended: the newest request must be the one that gets computed. */
  newest: "pending" | "answered" | "cancelled" | "failed" = "pending";
  constructor(private readonly client: EngineClient) {}

  async infill(params: InfillParams, options: { signal?: AbortSignal; onChunk?: (text: string) => void }): Promise<GenerationResult> {
    const call = ++this.calls;
    this.pending++;
    this.maxPending = Math.max(this.maxPending, this.pending);
    const end = (how: CountingEngine["newest"]) => {
      if (call === this.calls) this.newest = how;
    };
    // The post-processor stops a generation once it has cut the suggestion (unsafe characters, repeats): that call was
    // computed and its text shown, although the engine call ends as an abort. Nothing supersedes the newest call, so a
    // newest call that streamed text and then ended cancelled was stopped that way.
    let chunks = 0;
    const onChunk = (text: string): void => {
      chunks++;
      options.onChunk?.(text);
    };
    try {
      const result = await this.client.infill(params, { ...options, onChunk });
      end(result.stopReason === "cancelled" ? "cancelled" : "answered");
      return result;
    } catch (error) {
      const cancelled = isAbortError(error) || (error instanceof EngineError && error.code === "cancelled");
      end(cancelled ? (chunks > 0 ? "answered" : "cancelled") : "failed");
      throw error;
    } finally {
      this.pending--;
    }
  }
}

/**
 * The engine's own replies, read from its process: a reply with a result is a generation it started (cut short or
 * not), a "cancelled" error one it skipped. The client answers a caller who cancels at once and drops the engine's late
 * reply, so only the process's messages tell whether the engine had started.
 */
function listenToReplies(client: EngineClient): { started: () => number; replies: () => number; stop: () => void } {
  let started = 0;
  let replies = 0;
  const child = engineChildProcess(client);
  const onMessage = (message: { type?: string; result?: { promptTokens?: unknown; generatedTokens?: unknown }; error?: { code?: string } }) => {
    if (message.type === "result" && typeof message.result?.promptTokens === "number" && typeof message.result.generatedTokens === "number") {
      replies++;
      if (message.result.promptTokens + message.result.generatedTokens > 0) started++;
    } else if (message.type === "error") replies++;
  };
  child?.on("message", onMessage);
  return { started: () => started, replies: () => replies, stop: () => child?.off("message", onMessage) };
}

/**
 * The engine's ChildProcess, held by the client's connection inside its process supervisor (src/engine/engine-connection.ts,
 * engine-process.ts); undefined before the process starts. Bench instrumentation only: it throws once that shape changes.
 */
export function engineChildProcess(client: EngineClient): ChildProcess | undefined {
  return (client as unknown as { connection: { child?: { child: ChildProcess } } }).connection.child?.child;
}

const DOCUMENT = `import type { ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";

export interface Item {
  name: string;
  price: number;
}

export async function loadItems(path: string): Promise<Item[]> {
  const text = await readFile(path, "utf8");
  return JSON.parse(text) as Item[];
}

export function total(items: Item[]): number {
  let sum = 0;
  for (const item of items) {
    `;
const AFTER = `
  }
  return sum;
}
`;

export async function runFlood(client: EngineClient, options: { requests: number; grammarsDir: string; deadlineMs: number; log?: (line: string) => void }): Promise<FloodBurst[]> {
  const log = options.log ?? (() => undefined);
  await client.load();
  const bursts: FloodBurst[] = [];
  bursts.push(await engineBurst(client, options.requests, options.deadlineMs));
  const context = new ContextEngine({ grammarsDir: options.grammarsDir, logger: silentLogger, readFile: (path) => readFile(path, "utf8").catch(() => null) });
  try {
    const uri = "file:///flood/src/items.ts";
    context.openDocument(uri, "typescript", DOCUMENT + AFTER, 1);
    await context.whenParsed(uri, 10_000);
    bursts.push(await managerBurst(client, context, "typing", options.requests, options.deadlineMs));
    bursts.push(await managerBurst(client, context, "invoked", options.requests, options.deadlineMs));
  } finally {
    context.dispose();
  }
  for (const burst of bursts) {
    log(
      `${burst.name}: ${burst.requests} requests, ${burst.modelCalls} model calls, ${burst.generationsStarted} generations started, at most ${burst.maxPending} pending, ` +
        `drained in ${burst.drainMs} ms, newest answered: ${burst.newestAnswered}, unanswered ${burst.unanswered}`,
    );
  }
  return bursts;
}

/** N infill calls in one go; a call the engine skipped fails "cancelled", one it started answers with its result. */
async function engineBurst(client: EngineClient, requests: number, deadlineMs: number): Promise<FloodBurst> {
  const engine = new CountingEngine(client);
  const replies = listenToReplies(client);
  const rssBefore = engineRss(client.pid);
  const started = performance.now();
  const calls = Array.from({ length: requests }, (_, i) =>
    engine.infill({ prefix: `${DOCUMENT}// request ${i}\n    `, suffix: AFTER, maxTokens: 32 }, {}).then(
      (result) => result,
      () => null,
    ),
  );
  const settled = await allWithin(calls, deadlineMs);
  const drainMs = Math.round(performance.now() - started);
  replies.stop();
  return {
    name: "engine",
    requests,
    modelCalls: engine.calls,
    generationsStarted: replies.started(),
    maxPending: engine.maxPending,
    drainMs,
    newestAnswered: engine.newest === "answered",
    unanswered: settled.unanswered,
    engineRssBeforeMiB: rssBefore,
    engineRssAfterMiB: engineRss(client.pid),
  };
}

/** N keystrokes' requests through the request manager in one go. */
async function managerBurst(client: EngineClient, context: ContextEngine, name: "typing" | "invoked", requests: number, deadlineMs: number): Promise<FloodBurst> {
  const engine = new CountingEngine(client);
  const replies = listenToReplies(client);
  const manager = new RequestManager({ engine, context, logger: silentLogger }, { features: { cache: false, typedThrough: false } });
  const rssBefore = engineRss(client.pid);
  const started = performance.now();
  let previous: AbortController | undefined;
  const calls: Promise<unknown>[] = [];
  for (let i = 0; i < requests; i++) {
    // Every request is for another document (the text after the cursor changes), so none can wait on another's call.
    const text = `${DOCUMENT}${AFTER}// revision ${i}\n`;
    const snapshot: DocumentSnapshot = { uri: "file:///flood/src/items.ts", languageId: "typescript", text, offset: DOCUMENT.length };
    if (name === "typing") previous?.abort();
    const controller = new AbortController();
    previous = controller;
    calls.push(manager.provide({ snapshot, triggerKind: name === "typing" ? "automatic" : "invoked", signal: controller.signal }));
  }
  const settled = await allWithin(calls, deadlineMs);
  // The manager answers a superseded request at once; wait for the engine to answer every model call it was sent.
  for (let waited = 0; replies.replies() < engine.calls && waited < deadlineMs; waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
  replies.stop();
  const drainMs = Math.round(performance.now() - started);
  manager.dispose();
  return {
    name,
    requests,
    modelCalls: engine.calls,
    generationsStarted: replies.started(),
    maxPending: engine.maxPending,
    drainMs,
    newestAnswered: engine.newest === "answered",
    unanswered: settled.unanswered + Math.max(0, engine.calls - replies.replies()),
    engineRssBeforeMiB: rssBefore,
    engineRssAfterMiB: engineRss(client.pid),
  };
}

async function allWithin<T>(promises: Promise<T>[], ms: number): Promise<{ values: (T | undefined)[]; unanswered: number }> {
  const values: (T | undefined)[] = new Array<T | undefined>(promises.length);
  let answered = 0;
  const all = Promise.all(promises.map((p, i) => p.then((v) => ((values[i] = v), answered++))));
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([all, new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
  return { values, unanswered: promises.length - answered };
}

/** A process's resident memory in MiB (Linux), or null. */
export function engineRss(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]);
    return Number.isFinite(kb) ? Math.round((kb / 1024) * 10) / 10 : null;
  } catch {
    return null;
  }
}
