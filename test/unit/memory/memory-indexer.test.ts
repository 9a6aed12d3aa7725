import assert from "node:assert/strict";
import { mkdir, readdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { MemoryLogger } from "../../../src/common/logger";
import { MemoryIndexer } from "../../../src/memory/memory-indexer";
import type { MemoryIndexerOptions } from "../../../src/memory/memory-indexer";
import { grammarsDir } from "../context/fixtures";
import { tempWorkspaceEachTest } from "../helpers/temp-workspace";

const UPLOAD = `/** Sends a file, trying again when the upload fails. */
export async function retryFailedUpload(path: string): Promise<void> {
  for (let i = 0; i < 3; i++) if (await send(path)) return;
}
async function send(path: string): Promise<boolean> {
  return path.length > 0;
}
`;
const MATH = `export function addNumbers(a: number, b: number): number {\n  return a + b;\n}\n`;

describe("memory/memory-indexer (real LanceDB, full text only)", function () {
  this.timeout(60_000);
  const ws = tempWorkspaceEachTest("hearth-memory-");
  const indexers: MemoryIndexer[] = [];
  const make = (extra: Partial<MemoryIndexerOptions> = {}): { indexer: MemoryIndexer; logger: MemoryLogger } => {
    const logger = new MemoryLogger();
    const indexer = new MemoryIndexer({ storeDir: join(ws.base, "store"), grammarsDir, logger, embedder: null, ...extra });
    indexers.push(indexer);
    return { indexer, logger };
  };
  afterEach(() => {
    for (const i of indexers.splice(0)) i.dispose();
  });

  it("indexes the workspace's source files and finds a function by the words of its name", async () => {
    await ws.put("src/upload.ts", UPLOAD);
    await ws.put("src/math.ts", MATH);
    const { indexer } = make();
    const summary = await indexer.indexFolders([ws.root]);
    assert.equal(summary.files, 2);
    assert.equal(summary.indexed, 2);
    assert.match(summary.vectorsOff ?? "", /no embedding model/);
    const hits = await indexer.search("where do we retry failed uploads?", 5);
    assert.equal(hits.text[0]?.path, join(ws.root, "src/upload.ts"));
    assert.match(hits.text[0].text, /retryFailedUpload/);
    assert.deepEqual(hits.vector, []);
  });

  it("indexes again only the files whose content changed, and forgets deleted ones, after a reopen", async () => {
    await ws.put("src/upload.ts", UPLOAD);
    const math = await ws.put("src/math.ts", MATH);
    const first = make().indexer;
    await first.indexFolders([ws.root]);
    first.dispose();
    await ws.put("src/upload.ts", UPLOAD.replace("3;", "5;"));
    await rm(math);
    await ws.put("src/new.ts", "export const answer = 42;\n");
    const { indexer } = make();
    const summary = await indexer.indexFolders([ws.root]);
    assert.deepEqual({ indexed: summary.indexed, removed: summary.removed, unchanged: summary.unchanged }, { indexed: 2, removed: 1, unchanged: 0 });
    const again = await indexer.indexFolders([ws.root]);
    assert.deepEqual({ indexed: again.indexed, removed: again.removed, unchanged: again.unchanged }, { indexed: 0, removed: 0, unchanged: 2 });
    assert.deepEqual(await indexer.search("addNumbers", 5).then((h) => h.text), []);
  });

  it("makes a saved change searchable through updateFile", async () => {
    const file = await ws.put("src/math.ts", MATH);
    const { indexer } = make();
    await indexer.indexFolders([ws.root]);
    await writeFile(file, `${MATH}export function multiplyMatrices(a: number[], b: number[]): number[] {\n  return a.map((x, i) => x * b[i]);\n}\n`);
    assert.equal(await indexer.updateFile(file), true);
    const hits = await indexer.search("multiply matrices", 5);
    assert.match(hits.text[0]?.text ?? "", /multiplyMatrices/);
  });

  it("leaves out what .gitignore and files.exclude name, and generated and binary files", async () => {
    await ws.put(".gitignore", "generated/\n*.tmp.ts\n");
    await ws.put("src/keep.ts", MATH);
    await ws.put("generated/api.ts", MATH);
    await ws.put("src/scratch.tmp.ts", MATH);
    await ws.put("src/excluded/x.ts", MATH);
    await ws.put("src/app.min.js", "var a=1;");
    await ws.put("src/blob.ts", Buffer.from([0x65, 0x00, 0x66, 0x0a]));
    await ws.put("src/minified.js", `var x=${"1+".repeat(5000)}1;\n`);
    const { indexer } = make({ excludeGlobs: ["**/excluded"] });
    const summary = await indexer.indexFolders([ws.root]);
    assert.equal(summary.files, 3, "keep.ts, blob.ts and minified.js are listed");
    assert.equal(summary.indexed, 1);
    assert.equal(summary.skipped, 2, "binary and minified files are read and skipped");
    assert.deepEqual((await indexer.stats()).files, 1);
  });

  it("indexes the files nearest the top up to maxFiles and says the workspace is larger", async () => {
    for (let i = 0; i < 5; i++) await ws.put(`f${i}.ts`, `export const v${i} = ${i};\n`);
    await ws.put("deep/deeper/late.ts", MATH);
    const { indexer } = make({ maxFiles: 5 });
    const summary = await indexer.indexFolders([ws.root]);
    assert.equal(summary.files, 5);
    assert.equal(summary.overLimit, true);
  });

  it("rebuilds a store folder that does not open, keeping the broken one aside", async () => {
    await ws.put("src/math.ts", MATH);
    const first = make().indexer;
    await first.indexFolders([ws.root]);
    first.dispose();
    const store = join(ws.base, "store");
    for (const name of await readdir(join(store, "chunks.lance"))) {
      if (name === "_versions") for (const v of await readdir(join(store, "chunks.lance", name))) await writeFile(join(store, "chunks.lance", name, v), "not a manifest");
    }
    const { indexer, logger } = make();
    const summary = await indexer.indexFolders([ws.root]);
    assert.equal(summary.indexed, 1);
    assert.ok(logger.lines.some((l) => /rebuilt from scratch: the store could not be read/.test(l)), logger.lines.join("\n"));
    assert.ok((await readdir(ws.base)).includes("store.unreadable"));
    assert.match((await indexer.search("add numbers", 5)).text[0]?.text ?? "", /addNumbers/);
  });

  it("refuses a store another live process writes to, with a message naming it, and takes over a dead one's lock", async () => {
    await ws.put("src/math.ts", MATH);
    const store = join(ws.base, "store");
    await mkdir(store, { recursive: true });
    // PID 1 is alive on every Unix machine and is never this process.
    await writeFile(join(store, "writer.lock"), "1");
    const { indexer } = make();
    await assert.rejects(indexer.indexFolders([ws.root]), /in use by another window \(process 1\)/);
    await writeFile(join(store, "writer.lock"), "999999999");
    const second = make().indexer;
    assert.equal((await second.indexFolders([ws.root])).indexed, 1);
  });

  it("forgets every file under a deleted folder from the folder's one event", async () => {
    await ws.put("src/feature/a.ts", MATH);
    await ws.put("src/feature/deep/b.ts", UPLOAD);
    await ws.put("src/feature-two.ts", "export const kept = 1;\n");
    const { indexer } = make();
    await indexer.indexFolders([ws.root]);
    await rm(join(ws.root, "src/feature"), { recursive: true });
    await indexer.removeFile(join(ws.root, "src/feature"));
    assert.equal((await indexer.stats()).files, 1, "feature-two.ts, beside the folder, stays");
  });
});
