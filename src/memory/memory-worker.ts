// Entry of the codebase memory worker (a worker_threads Worker): parsing, hashing and the LanceDB store never run on
// the extension host's thread. Bundled as dist/memory-worker.js; tests run out/src/memory/memory-worker.js.
import { readlinkSync } from "node:fs";
import { constants, setPriority } from "node:os";
import { parentPort, workerData } from "node:worker_threads";
import { AbortedError } from "../common/abort";
import { errorMessage } from "../common/errors";
import { postingLogger } from "../common/logger";
import { servingRequests } from "../common/worker-requests";
import { NoEmbeddingModelError } from "./embedder";
import type { Embedder, EmbeddingBatch } from "./embedder";
import { MemoryIndexer } from "./memory-indexer";
import type { MemoryMessage, MemoryNotice, MemoryRequest, MemoryResult, MemoryWorkerData } from "./memory-protocol";

const port = parentPort;
if (port) {
  const post = (m: MemoryMessage): void => port.postMessage(m);
  const logger = postingLogger(post);
  const data = workerData as MemoryWorkerData;
  const lowered = lowerThreadPriority();
  if (lowered) logger.debug(`codebase memory: ${lowered}`);

  // Embedding happens in the engine process, which the host talks to: ask the host, wait for its answer.
  let nextEmbedId = 1;
  const embeds = new Map<number, { resolve(b: EmbeddingBatch): void; reject(e: Error): void }>();
  const embedder: Embedder = {
    embed(texts, { signal, role }) {
      return new Promise((resolve, reject) => {
        if (signal?.aborted) return reject(new AbortedError());
        const embedId = nextEmbedId++;
        const onAbort = (): void => {
          embeds.delete(embedId);
          post({ type: "cancel-embed", embedId });
          reject(new AbortedError());
        };
        signal?.addEventListener("abort", onAbort, { once: true });
        const done = (): void => signal?.removeEventListener("abort", onAbort);
        embeds.set(embedId, { resolve: (b) => (done(), resolve(b)), reject: (e) => (done(), reject(e)) });
        post({ type: "embed", embedId, texts: [...texts], role });
      });
    },
  };

  // While the editor is busy (typing, a completion running) indexing waits between files.
  let busy = false;
  let idleWaiters: (() => void)[] = [];
  const whenIdle = (): Promise<void> => (busy ? new Promise((r) => idleWaiters.push(r)) : Promise.resolve());

  const indexer = new MemoryIndexer({
    storeDir: data.storeDir,
    grammarsDir: data.grammarsDir,
    logger,
    embedder: data.embeddings ? embedder : null,
    excludeGlobs: data.excludeGlobs,
    maxFiles: data.maxFiles,
    maxChunkChars: data.maxChunkChars,
    whenIdle,
  });
  const serve = servingRequests<MemoryRequest, MemoryResult>(post, async (req, signal) => {
    switch (req.type) {
      case "index-folders":
        return indexer.indexFolders(req.roots, signal, (progress) => post({ type: "progress", id: req.id, progress }));
      case "update-file":
        return indexer.updateFile(req.path, req.text);
      case "remove-file":
        await indexer.removeFile(req.path);
        return true;
      case "search":
        return indexer.search(req.question, req.limit);
      case "chunks-at":
        return indexer.chunksAt(req.places, req.limit);
      case "stats":
        return indexer.stats();
    }
  });

  port.on("message", (m: MemoryRequest | MemoryNotice) => {
    if (m.type === "busy") {
      busy = m.busy;
      if (!busy) {
        const waiters = idleWaiters;
        idleWaiters = [];
        for (const w of waiters) w();
      }
      return;
    }
    if (m.type === "embedded" || m.type === "embed-failed") {
      const waiter = embeds.get(m.embedId);
      embeds.delete(m.embedId);
      if (m.type === "embedded") waiter?.resolve({ model: m.model, vectors: m.vectors });
      else waiter?.reject(m.noModel ? new NoEmbeddingModelError(m.message) : new Error(m.message));
      return;
    }
    serve(m);
  });
}

/**
 * Puts this thread, and the threads it starts (LanceDB's compute and I/O pools are created by the first store this
 * thread opens, and a new thread takes its creator's priority), below normal CPU priority: where indexing and a
 * completion want the same core, the completion gets about nine tenths of it. Not the lowest: on a machine kept busy
 * by other work, indexing at the lowest priority hardly ran at all (one file took 3 minutes at load 24 on 2 cores),
 * and a codebase search runs on this thread too. Linux sets priorities per thread, through the thread's id
 * (/proc/thread-self); elsewhere a priority is the whole process's, the extension host's, and is left alone.
 * Returns what was done, for the log.
 */
export function lowerThreadPriority(): string | null {
  if (process.platform !== "linux") return null;
  try {
    const tid = Number(readlinkSync("/proc/thread-self").split("/").pop());
    if (!Number.isInteger(tid) || tid <= 0 || tid === process.pid) return null;
    setPriority(tid, constants.priority.PRIORITY_BELOW_NORMAL);
    return `worker thread ${tid} at below-normal CPU priority`;
  } catch (e) {
    return `the worker thread's priority was not lowered: ${errorMessage(e)}`;
  }
}
