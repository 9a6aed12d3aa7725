import assert from "node:assert/strict";
import { join } from "node:path";
import { isAbortError } from "../../../src/common/abort";
import { MemoryLogger } from "../../../src/common/logger";
import { WorkerCodebaseMemory } from "../../../src/memory/worker-memory";
import { grammarsDir } from "../context/fixtures";
import { tempWorkspaceEachTest } from "../helpers/temp-workspace";

describe("memory/worker-memory (the worker thread, real LanceDB)", function () {
  this.timeout(60_000);
  const ws = tempWorkspaceEachTest("hearth-memory-worker-");
  let memory: WorkerCodebaseMemory | null = null;
  afterEach(() => memory?.dispose());

  const open = (): WorkerCodebaseMemory => {
    memory = new WorkerCodebaseMemory({ storeDir: join(ws.base, "store"), grammarsDir, excludeGlobs: [], logger: new MemoryLogger(), embedder: null });
    return memory;
  };

  it("indexes in the worker thread, reports progress, and answers searches", async () => {
    await ws.put("src/queue.ts", "export function drainPendingJobs(queue: string[]): number {\n  return queue.splice(0).length;\n}\n");
    const m = open();
    const progress: number[] = [];
    const summary = await m.indexFolders([ws.root], undefined, (p) => progress.push(p.done));
    assert.equal(summary?.indexed, 1);
    assert.deepEqual(progress.at(-1), 1);
    const hits = await m.search("drain pending jobs", 5);
    assert.match(hits?.text[0]?.text ?? "", /drainPendingJobs/);
  });

  it("waits between files while the editor is busy, and goes on when it is not", async () => {
    await ws.put("a.ts", "export const a = 1;\n");
    await ws.put("b.ts", "export const b = 2;\n");
    const m = open();
    m.setBusy(true);
    let finished = false;
    const run = m.indexFolders([ws.root]).then((s) => ((finished = true), s));
    const during = await m.stats();
    assert.equal(during?.files, 0);
    assert.equal(finished, false);
    m.setBusy(false);
    assert.equal((await run)?.indexed, 2);
  });

  it("gives up asking for the chunks at the symbol index's places when its signal aborts, while the store cannot open", async () => {
    await ws.put("src/rates.ts", "export function shippingRate(zone: string): number {\n  return zone.length;\n}\n");
    // An embedding model that never answers (an engine busy or hung): opening the store waits on it.
    const m = new WorkerCodebaseMemory({
      storeDir: join(ws.base, "store"),
      grammarsDir,
      excludeGlobs: [],
      logger: new MemoryLogger(),
      embedder: { embed: () => new Promise(() => {}) },
    });
    memory = m;
    const controller = new AbortController();
    const asked = m.chunksAt([{ path: join(ws.root, "src/rates.ts"), line: 0 }], 5, controller.signal);
    controller.abort();
    assert.equal(await asked, null);
  });

  it("stops indexing when its signal aborts, as an abort", async () => {
    for (let i = 0; i < 20; i++) await ws.put(`f${i}.ts`, `export const v${i} = ${i};\n`);
    const m = open();
    m.setBusy(true);
    const controller = new AbortController();
    const run = m.indexFolders([ws.root], controller.signal);
    await m.stats();
    controller.abort();
    m.setBusy(false);
    await assert.rejects(run, (e) => isAbortError(e));
  });
});
