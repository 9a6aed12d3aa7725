import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { truncateSync } from "node:fs";
import { join } from "node:path";
import { MemoryLogger } from "../../../src/common/logger";
import { FileFilter } from "../../../src/memory/file-filter";
import { readFileSource } from "../../../src/memory/file-source";
import { MemoryIndexer } from "../../../src/memory/memory-indexer";
import { grammarsDir } from "../context/fixtures";
import { cpuMs } from "../helpers/cpu-time";
import { tempWorkspaceEachTest } from "../helpers/temp-workspace";

// Files on disk that are not what their names say: reading one must not hang codebase memory.
describe("memory: special files in the workspace", function () {
  this.timeout(30_000);
  const ws = tempWorkspaceEachTest("hearth-memory-special-");

  it("leaves out a named pipe with a source file's name instead of waiting for a writer for ever", async function () {
    if (process.platform === "win32") this.skip();
    await ws.put("src/math.ts", "export const one = 1;\n");
    const fifo = join(ws.root, "src", "pipe.ts");
    execFileSync("mkfifo", [fifo]);
    assert.equal(await readFileSource(fifo), null);
    const indexer = new MemoryIndexer({ storeDir: join(ws.base, "store"), grammarsDir, logger: new MemoryLogger(), embedder: null });
    try {
      await indexer.indexFolders([ws.root]);
      assert.equal(await indexer.updateFile(fifo), false);
    } finally {
      indexer.dispose();
    }
  });

  it("answers at once for a .gitignore pattern whose wildcards would backtrack for hours, and keeps the file's other rules", async () => {
    // The ignore package turns each `*` into [^/]*: with a dozen of them a 60-character name takes hours to refuse.
    await ws.put(".gitignore", "a*a*a*a*a*a*a*a*a*a*a*a*b\nsecret.ts\n*.tmp.ts\n");
    const name = join(ws.root, "src", `${"a".repeat(60)}.ts`);
    await ws.put(`src/${"a".repeat(60)}.ts`, "export const one = 1;\n");
    const filter = new FileFilter([ws.root]);
    const started = performance.now();
    assert.equal(filter.ignores(name), false);
    assert.ok(performance.now() - started < 2000, `took ${Math.round(performance.now() - started)} ms`);
    assert.equal(filter.ignores(join(ws.root, "src", "secret.ts")), true);
    assert.equal(filter.ignores(join(ws.root, "src", "scratch.tmp.ts")), true);
  });

  it("keeps the first rules of a .gitignore too large to read whole, reading only its head", async () => {
    // 600 MB on disk (sparse here; a few hundred KB in git): read whole, it is more than a string can hold, and every
    // rule was lost; below that size it was held in the worker's memory for as long as the filter lives.
    const file = await ws.put(".gitignore", "secret.ts\n*.tmp.ts\n");
    truncateSync(file, 600 * 1024 * 1024);
    const filter = new FileFilter([ws.root]);
    assert.equal(filter.ignores(join(ws.root, "src", "secret.ts")), true);
    assert.equal(filter.ignores(join(ws.root, "src", "scratch.tmp.ts")), true);
    assert.equal(filter.ignores(join(ws.root, "src", "math.ts")), false);
  });

  it("stays quick when every folder holds the same huge .gitignore (one blob in git)", async function () {
    this.timeout(120_000);
    // 25,000 tame patterns in each of 200 folders: all compiled, they took 40 s and half a gigabyte of the memory
    // worker's 1 GB heap before the first file was checked, and 50 ms for every file after.
    const rules = `secret.ts\n${Array.from({ length: 25_000 }, (_, i) => `build-${i}-*.log`).join("\n")}\n`;
    await ws.put(".gitignore", rules);
    for (let d = 0; d < 200; d++) await ws.put(`pkg${d}/.gitignore`, rules);
    const filter = new FileFilter([ws.root]);
    // CPU time, not the wall clock: on a loaded machine the wall clock measures the other processes.
    const ms = cpuMs(() => {
      for (let d = 0; d < 200; d++) filter.ignores(join(ws.root, `pkg${d}`, "index.ts"));
      for (let i = 0; i < 1000; i++) filter.ignores(join(ws.root, `pkg${i % 200}`, `file${i}.ts`));
    });
    assert.ok(ms < 20_000, `checking 1,200 files took ${Math.round(ms)} ms of CPU`);
    assert.equal(filter.ignores(join(ws.root, "pkg3", "secret.ts")), true, "the root .gitignore's first rules still apply");
  });

  it("answers at once for a files.exclude glob whose wildcards would backtrack for hours", () => {
    const filter = new FileFilter([ws.root], ["a*a*a*a*a*a*a*a*a*a*a*a*b", "**/*.gen.ts"]);
    const started = performance.now();
    assert.equal(filter.ignores(join(ws.root, `${"a".repeat(60)}.ts`)), false);
    assert.ok(performance.now() - started < 2000, `took ${Math.round(performance.now() - started)} ms`);
    assert.equal(filter.ignores(join(ws.root, "src", "api.gen.ts")), true);
  });

  it("stays quick when the workspace's settings exclude fifty thousand globs", () => {
    // files.exclude and search.exclude come from the cloned repository's .vscode/settings.json, each glob a regular
    // expression tested against every file.
    const globs = ["**/*.gen.ts", ...Array.from({ length: 50_000 }, (_, i) => `**/build-${i}/**`)];
    let filter: FileFilter | undefined;
    const ms = cpuMs(() => {
      filter = new FileFilter([ws.root], globs);
      for (let i = 0; i < 500; i++) filter.ignores(join(ws.root, "src", `file${i}.ts`));
    });
    assert.ok(ms < 5000, `checking 500 files took ${Math.round(ms)} ms of CPU`);
    assert.equal(filter!.ignores(join(ws.root, "src", "api.gen.ts")), true, "the first globs still apply");
  });

  it("leaves a saved or created file in node_modules or a dot folder out, as the full pass does", async () => {
    await ws.put("src/math.ts", "export const one = 1;\n");
    const indexer = new MemoryIndexer({ storeDir: join(ws.base, "store"), grammarsDir, logger: new MemoryLogger(), embedder: null });
    try {
      await indexer.indexFolders([ws.root]);
      const dependency = await ws.put("node_modules/left-pad/index.ts", "export function leftPadDependency() {}\n");
      const hidden = await ws.put(".secrets/deploy.py", "AWS_KEY_FROM_DOT_FOLDER = 'x'\n");
      assert.equal(await indexer.updateFile(dependency), false);
      assert.equal(await indexer.updateFile(hidden), false);
      assert.deepEqual(await indexer.search("leftPadDependency AWS_KEY_FROM_DOT_FOLDER", 5).then((h) => h.text.map((hit) => hit.path)), []);
    } finally {
      indexer.dispose();
    }
  });
});
