import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { MemoryLogger } from "../../../src/common/logger";
import { ChunkStore } from "../../../src/memory/chunk-store";
import { MemoryIndexer } from "../../../src/memory/memory-indexer";
import type { MemoryIndexerOptions } from "../../../src/memory/memory-indexer";
import { WorkerCodebaseMemory } from "../../../src/memory/worker-memory";
import { grammarsDir } from "../context/fixtures";
import { tempWorkspaceEachTest } from "../helpers/temp-workspace";

const execFileAsync = promisify(execFile);
const UPLOAD = `export async function retryFailedUpload(path: string): Promise<void> {\n  for (let i = 0; i < 3; i++) await send(path);\n}\n`;

/** A gate the indexer's whenIdle waits on, counting how often it was asked. */
function gate(): { whenIdle: () => Promise<void>; close(): void; open(): void; asked: number } {
  let closed = false;
  let waiters: (() => void)[] = [];
  const g = {
    asked: 0,
    whenIdle: () => {
      g.asked++;
      return closed ? new Promise<void>((r) => waiters.push(r)) : Promise.resolve();
    },
    close: () => void (closed = true),
    open: () => {
      closed = false;
      for (const w of waiters.splice(0)) w();
      waiters = [];
    },
  };
  return g;
}

describe("memory: what indexing costs the editor", function () {
  this.timeout(120_000);
  const ws = tempWorkspaceEachTest("hearth-memory-cost-");
  const indexers: MemoryIndexer[] = [];
  const make = (extra: Partial<MemoryIndexerOptions> = {}): MemoryIndexer => {
    const indexer = new MemoryIndexer({ storeDir: join(ws.base, "store"), grammarsDir, logger: new MemoryLogger(), embedder: null, ...extra });
    indexers.push(indexer);
    return indexer;
  };
  let memory: WorkerCodebaseMemory | null = null;
  afterEach(() => {
    for (const i of indexers.splice(0)) i.dispose();
    memory?.dispose();
    memory = null;
  });

  it("holds a prepared file's write while the editor is busy, not only the next file's chunking", async () => {
    await ws.put("src/upload.ts", UPLOAD);
    const g = gate();
    const indexer = make({ whenIdle: g.whenIdle });
    // The first ask (before the file is chunked) passes; the editor turns busy right after it.
    const firstAsk = g.whenIdle;
    g.whenIdle = () => {
      const r = firstAsk();
      g.close();
      return r;
    };
    const run = indexer.indexFolders([ws.root]);
    while (g.asked < 2) await new Promise((r) => setImmediate(r));
    assert.equal((await indexer.stats()).files, 0, "nothing is written while the editor is busy");
    g.open();
    assert.equal((await run).indexed, 1);
  });

  it("pauses indexing for the quiet time after the user's activity, then goes on by itself", async () => {
    await ws.put("a.ts", "export const a = 1;\n");
    memory = new WorkerCodebaseMemory({ storeDir: join(ws.base, "store"), grammarsDir, excludeGlobs: [], logger: new MemoryLogger(), embedder: null });
    memory.noteActivity(60_000);
    const run = memory.indexFolders([ws.root]);
    assert.equal((await memory.stats())?.files, 0);
    // Another keystroke with a short quiet time replaces the long one.
    memory.noteActivity(50);
    assert.equal((await run)?.indexed, 1);
  });

  it("keeps indexing waiting for the quiet time after a completion ends, as after a keystroke", async () => {
    await ws.put("a.ts", "export const a = 1;\n");
    memory = new WorkerCodebaseMemory({ storeDir: join(ws.base, "store"), grammarsDir, excludeGlobs: [], logger: new MemoryLogger(), embedder: null, quietMs: 600_000 });
    memory.setBusy(true);
    const run = memory.indexFolders([ws.root]);
    memory.setBusy(false);
    assert.equal((await memory.stats())?.files, 0, "the completion has ended, but the quiet time has not");
    memory.noteActivity(1);
    assert.equal((await run)?.indexed, 1);
  });

  (process.platform === "linux" ? it : it.skip)("runs the memory worker and LanceDB's threads below normal CPU priority, and the host's at its own", async () => {
    await ws.put("src/upload.ts", UPLOAD);
    // A fresh process: LanceDB's thread pools are the process's, made by whichever thread first opens a store.
    const script = `
      const { readdirSync, readFileSync } = require("node:fs");
      const { WorkerCodebaseMemory } = require(${JSON.stringify(join(__dirname, "../../../src/memory/worker-memory.js"))});
      const { MemoryLogger } = require(${JSON.stringify(join(__dirname, "../../../src/common/logger.js"))});
      const nice = (tid) => { const s = readFileSync("/proc/self/task/" + tid + "/stat", "utf8"); return Number(s.slice(s.lastIndexOf(")") + 2).split(" ")[16]); };
      const comm = (tid) => readFileSync("/proc/self/task/" + tid + "/comm", "utf8").trim();
      const before = new Set(readdirSync("/proc/self/task"));
      const m = new WorkerCodebaseMemory({ storeDir: ${JSON.stringify(join(ws.base, "store"))}, grammarsDir: ${JSON.stringify(grammarsDir)}, excludeGlobs: [], logger: new MemoryLogger(), embedder: null });
      m.indexFolders([${JSON.stringify(ws.root)}]).then((s) => {
        const threads = readdirSync("/proc/self/task").map((tid) => ({ tid, name: comm(tid), nice: nice(tid), started: !before.has(tid) }));
        console.log(JSON.stringify({ indexed: s && s.indexed, main: nice(String(process.pid)), threads }));
        m.dispose();
        process.exit(0);
      });`;
    const { stdout } = await execFileAsync(process.execPath, ["-e", script], { timeout: 110_000 });
    const report = JSON.parse(stdout.trim().split("\n").pop() ?? "{}") as { indexed: number; main: number; threads: { name: string; nice: number; started: boolean }[] };
    assert.equal(report.indexed, 1);
    assert.equal(report.main, 0, "the host's main thread keeps its priority");
    const database = report.threads.filter((t) => t.started && /^(lance|tokio)/.test(t.name));
    assert.ok(database.length > 0, `LanceDB started no threads: ${JSON.stringify(report.threads)}`);
    assert.deepEqual(database.filter((t) => t.nice !== 10), [], "every LanceDB thread runs at nice 10");
    assert.ok(report.threads.some((t) => t.started && t.nice === 10 && t.name === "node"), "the worker thread runs at nice 10");
  });

  it("builds a vector index past its row threshold and still finds rows added after it, before and after compaction", async () => {
    const store = await ChunkStore.open(join(ws.base, "vectors"), "axes-8", 8);
    try {
      const axis = (d: number, tilt = 0): number[] => Array.from({ length: 8 }, (_, i) => (i === d ? 1 : i === (d + 1) % 8 ? tilt : 0));
      const file = (n: number, d: number, tilt: number) => ({ path: `/w/f${n}.ts`, hash: `h${n}`, chunks: [{ path: `/w/f${n}.ts`, startLine: 0, endLine: 0, header: "", text: `chunk ${n}` }], searchTexts: [`chunk ${n}`], vectors: [axis(d, tilt)] });
      await store.replaceFiles(Array.from({ length: 40 }, (_, n) => file(n, n % 8, 0.2 + n / 100)));
      assert.equal(await store.refreshVectorIndex(41), false, "below the threshold nothing is built");
      assert.equal(await store.refreshVectorIndex(40), true);
      await store.replaceFiles([file(99, 3, 0)]);
      assert.equal((await store.vectorSearch(axis(3), 1))[0]?.path, "/w/f99.ts", "a row added after the build is searched unindexed");
      await store.compact();
      assert.equal((await store.vectorSearch(axis(3), 1))[0]?.path, "/w/f99.ts", "and after compaction takes it in");
    } finally {
      store.close();
    }
  });

  it("searches by the symbol index alone, with the reason, where LanceDB does not load", async () => {
    await ws.put("src/upload.ts", UPLOAD);
    const missing = (): Promise<never> => Promise.reject(new Error("Cannot find native binding. npm has a bug related to optional dependencies"));
    const indexer = make({ loadDatabase: missing });
    await assert.rejects(indexer.indexFolders([ws.root]), /LanceDB\) does not load on this platform .*symbol index only/);
    const hits = await indexer.search("retry failed upload", 5);
    assert.deepEqual([hits.vector, hits.text], [[], []]);
    assert.match(hits.vectorsOff ?? "", /does not load on this platform/);
    const chunks = await indexer.chunksAt([{ path: join(ws.root, "src/upload.ts"), line: 1 }], 5);
    assert.equal(chunks.length, 1);
    assert.match(chunks[0].text, /retryFailedUpload/);
  });
});
