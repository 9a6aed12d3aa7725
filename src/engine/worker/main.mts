/**
 * The engine process: forked by the extension host (or the CLI, or a test), it owns node-llama-cpp so that a native
 * fault or a multi-gigabyte load can never take the extension host down with it.
 */
import { EngineFailure, internal } from "./engine-failure.mjs";
import { PREFILL_HOLD_AFTER_COMPLETION_MS } from "./chat.mjs";
import { LlamaEngine } from "./llama-engine.mjs";
import { RequestLanes } from "./request-lanes.mjs";
import { scheduleSuffixRefresh } from "./suffix-refresh.mjs";
import { isHostToWorker } from "../protocol.js";
import type { EngineMethod, HostToWorker, ModelRole, WorkerToHost } from "../protocol.js";

if (!process.send) {
  process.stderr.write("The Hearth engine must be started with an IPC channel (child_process.fork).\n");
  process.exit(2);
}

function send(message: WorkerToHost): void {
  if (process.connected) process.send?.(message);
}

const engine = new LlamaEngine(
  (role, state) => send({ type: "state", role, state }),
  (level, message) => send({ type: "log", level, message }),
);
const lanes = new RequestLanes();

process.on("message", (raw: unknown) => {
  if (!isHostToWorker(raw)) {
    send({ type: "log", level: "warn", message: `ignored a malformed message: ${JSON.stringify(raw).slice(0, 200)}` });
    return;
  }
  handle(raw);
});

// The host going away (window closed, extension host crashed) must not leave an orphan holding gigabytes.
process.on("disconnect", () => void shutdown(0));
process.on("SIGTERM", () => void shutdown(0));

send({ type: "started", pid: process.pid });

function handle(message: HostToWorker): void {
  if (message.type === "ping") {
    // Answered from the main thread between whatever else runs: the host kills an engine that stops answering.
    send({ type: "pong", id: message.id });
    return;
  }
  if (message.type === "cancel") {
    lanes.cancel(message.id);
    return;
  }
  const { id, method } = message;
  const lane = laneOf(message);
  const answered = lanes.run(id, lane, { newestWins: method === "infill" || method === "nextEdit", givesWay: method === "prefillChat" || method === "prefillNextEdit" }, async (signal) => {
    const started = performance.now();
    let firstChunk: number | null = null;
    const callbacks = {
      signal,
      onChunk: (text: string) => {
        firstChunk ??= performance.now();
        send({ type: "chunk", id, text });
      },
      onProgress: () => send({ type: "progress", id }),
    };
    switch (message.method) {
      case "load":
        return engine.load(message.params, signal, callbacks.onProgress);
      case "unload":
        return { unloaded: await engine.unload(message.params.role) };
      case "memory":
        return engine.machineMemory(message.params);
      case "tokenCounts":
        return engine.tokenCounts(message.params);
      case "embed":
        // Indexing is background work: between texts it waits for every completion and chat to finish.
        return engine.embed(message.params, {
          signal,
          mayContinue: () => lanes.whenAllQuiet(EMBEDDING_YIELDS_TO, signal, callbacks.onProgress, PREFILL_HOLD_AFTER_COMPLETION_MS),
          // A chunk per text, holding the count done: the indexer's progress (and proof the request moves).
          onEmbedded: (done) => send({ type: "chunk", id, text: String(done) }),
        });
      case "prefillChat":
        // Work ahead of need never competes with a completion the user waits for: it pauses between its steps, and while
        // completions keep coming (the user types in an editor).
        return engine.prefillChat(message.params, {
          signal,
          mayContinue: () => lanes.whenQuiet("completion", signal, callbacks.onProgress, PREFILL_HOLD_AFTER_COMPLETION_MS),
          onProgress: callbacks.onProgress,
        });
      case "prefillNextEdit":
        // The lowest priority of all: only while no completion or chat request is queued or running, a small step at a
        // time; the request at the pause (same lane) stops it and goes on from what it evaluated.
        return engine.prefillNextEdit(message.params, {
          signal,
          mayContinue: () => lanes.whenAllQuiet(NEXT_EDIT_PREFILL_YIELDS_TO, signal, callbacks.onProgress),
          onProgress: callbacks.onProgress,
        });
      case "infill":
      case "chat":
      case "nextEdit": {
        // Inline completions first: a next edit starts only once none is queued or running.
        if (message.method === "nextEdit") await lanes.whenQuiet("completion", signal, callbacks.onProgress);
        const queuedMs = performance.now() - started;
        const result =
          message.method === "infill"
            ? await engine.infill(message.params, callbacks)
            : message.method === "chat"
              ? await engine.chat(message.params, callbacks)
              : await engine.nextEdit(message.params, callbacks);
        const end = performance.now();
        return {
          ...result,
          timings: {
            queuedMs: Math.round(queuedMs),
            firstChunkMs: firstChunk === null ? null : Math.round(firstChunk - started),
            totalMs: Math.round(end - started),
          },
        };
      }
    }
  }).then(
    (result) => send({ type: "result", id, result }),
    (error: unknown) => {
      const failure = error instanceof EngineFailure ? error : internal(error);
      send({ type: "error", id, error: failure.payload });
    },
  );
  // After a completion, the suffix reuse's out-of-order cells are evaluated in order again in idle time (suffix-refresh.mts).
  if (method === "infill") void answered.finally(refreshSuffixWhenIdle);
}

function refreshSuffixWhenIdle(): void {
  scheduleSuffixRefresh(lanes, (callbacks) => engine.refreshSuffix(callbacks)).catch((error: unknown) => {
    if (error instanceof EngineFailure && error.payload.code === "cancelled") return;
    send({ type: "log", level: "warn", message: `the suffix refresh failed: ${error instanceof Error ? error.message : String(error)}` });
  });
}

/**
 * Loading the completion model blocks everything; completion and chat run on separate sequences, so they only queue
 * behind their own kind. A separate chat model loads and unloads on the chat lane: completions go on meanwhile. A chat
 * prefill runs on the chat lane too: any later request there stops it, and it pauses while a completion waits or runs.
 * The embedding model loads and embeds on the embedding lane, pausing between texts while a completion or chat runs.
 */
function laneOf(message: Extract<HostToWorker, { type: "request" }>): string {
  const method: EngineMethod = message.method;
  // An embedding model loads and embeds on its own lane, so neither holds up a completion.
  if (method === "embed") return "embedding";
  if (method === "nextEdit" || method === "prefillNextEdit") return "nextEdit";
  if (message.method === "load" && message.params.role && message.params.role !== "completion" && !engine.replacesLlama(message.params)) return laneOfRole(message.params.role);
  if (message.method === "unload" && message.params.role && message.params.role !== "completion") return laneOfRole(message.params.role);
  // Reading the machine's memory needs no model: its own lane, so it never queues behind a generation.
  // Counting tokens is a quick call on the loaded model: it must not wait behind a generation either.
  return method === "infill" ? "completion" : method === "chat" || method === "prefillChat" ? "chat" : method === "memory" || method === "tokenCounts" ? method : "model";
}

/** The lane where each secondary model loads and unloads: the lane of its own requests. */
const ROLE_LANES: Readonly<Record<Exclude<ModelRole, "completion">, string>> = { chat: "chat", embedding: "embedding", nextEdit: "nextEdit" };

function laneOfRole(role: Exclude<ModelRole, "completion">): string {
  return ROLE_LANES[role];
}

/** The lanes whose requests the user waits for: embedding pauses while any of them has work. */
const EMBEDDING_YIELDS_TO = ["completion", "chat", "nextEdit"] as const;
/** A next-edit prefill is work ahead of need: what the user waits for (a completion, a chat answer) always goes first. */
const NEXT_EDIT_PREFILL_YIELDS_TO = ["completion", "chat"] as const;

let shuttingDown = false;
async function shutdown(code: number): Promise<void> {
  if (shuttingDown) return;
  shuttingDown = true;
  lanes.cancelAll();
  const timer = setTimeout(() => process.exit(code), 3000);
  timer.unref();
  await engine.dispose().catch(() => undefined);
  process.exit(code);
}
