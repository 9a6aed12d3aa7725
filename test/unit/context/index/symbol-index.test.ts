import * as assert from "node:assert/strict";
import { mkdirSync, symlinkSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { silentLogger } from "../../../../src/common/logger";
import { InThreadSymbolIndex, WorkerSymbolIndex } from "../../../../src/context/index/symbol-index";
import { copyFixtures, grammarsDir, removeDir } from "../fixtures";

describe("workspace symbol index", function () {
  this.timeout(30_000);
  let dir: string;

  before(() => {
    dir = copyFixtures();
    const bad = join(dir, "bad");
    mkdirSync(bad);
    // A symlink loop, a binary file with a source extension, invalid UTF-8, a 10 MB minified file.
    symlinkSync(dir, join(bad, "loop"));
    writeFileSync(join(bad, "image.ts"), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0x0d, 0x0a]));
    writeFileSync(join(bad, "latin1.py"), Buffer.concat([Buffer.from("def caf"), Buffer.from([0xe9, 0xff]), Buffer.from("():\n    pass\n\ndef ok():\n    pass\n")]));
    writeFileSync(join(bad, "bundle.min.js"), "var a=function(){return 1};".repeat(400_000));
  });
  after(() => removeDir(dir));

  it("indexes every language's definitions in a worker thread, off the caller's thread", async () => {
    const index = new WorkerSymbolIndex({ grammarsDir, logger: silentLogger });
    try {
      const stats = await index.indexFolders([dir]);
      assert.ok(stats && stats.files >= 9, `indexed ${stats?.files}`);
      const result = await index.query({ fromPath: join(dir, "ts-app/src/service.ts"), languageId: "typescript", imports: [{ specifier: "./models/user", names: ["User"] }], names: ["User", "formatDate", "Inventory", "Store", "Config", "Cart"], maxPerName: 1 }, 5000);
      assert.ok(result);
      const found = new Map(result.definitions.map((d) => [d.name, d]));
      for (const name of ["User", "formatDate", "Inventory", "Store", "Config", "Cart"]) assert.ok(found.has(name), name);
      assert.equal(found.get("User")?.source, "imported-file");
      assert.equal(result.resolvedImports["./models/user"], join(dir, "ts-app/src/models/user.ts"));
    } finally {
      index.dispose();
    }
  });

  it("keeps a definition whose signature runs for hundreds of kilobytes as a bounded header", async () => {
    const index = new InThreadSymbolIndex({ grammarsDir, logger: silentLogger });
    try {
      const path = join(dir, "huge-signature.ts");
      const text = `export function huge(${Array.from({ length: 40_000 }, (_, i) => `p${i}: number`).join(", ")}): void {\n  return;\n}\n`;
      await index.core.indexFile(path, text, "typescript");
      const def = index.core.definitionsIn(path).find((d) => d.name === "huge");
      assert.ok(def);
      assert.ok(def.header.length <= 1000 && def.text.length <= 1100, `header ${def.header.length}, text ${def.text.length} characters`);
    } finally {
      index.dispose();
    }
  });

  it("parses a sound file to the end on a machine so loaded that the wall clock passes the parse's deadline", async () => {
    // A parse gives up on a pathological file after 1.5 s; a sound one waiting for a core is not pathological. Here
    // every look at the wall clock finds another second gone, as on a machine at a load of 15.
    const index = new InThreadSymbolIndex({ grammarsDir, logger: silentLogger });
    const realNow = performance.now.bind(performance);
    try {
      const text = Array.from({ length: 400 }, (_, i) => `export function f${i}(a: number): number {\n  return a + ${i};\n}\n`).join("");
      let skew = 0;
      performance.now = () => realNow() + (skew += 1000);
      const indexed = await index.core.indexFile(join(dir, "loaded-machine.ts"), text, "typescript");
      performance.now = realNow;
      assert.equal(indexed, true, "the file was indexed");
      assert.equal(index.core.lookupName("f399").length, 1);
    } finally {
      performance.now = realNow;
      index.dispose();
    }
  });

  it("survives a symlink loop, a binary file, invalid UTF-8 and a 10 MB minified file", async () => {
    const index = new InThreadSymbolIndex({ grammarsDir, logger: silentLogger });
    try {
      const stats = await index.indexFolders([dir]);
      assert.ok(stats);
      assert.equal(index.core.lookupName("ok").length, 1, "the rest of the invalid UTF-8 file is indexed");
      assert.ok(stats.skippedFiles >= 2, "the binary and the oversized file are skipped");
      // The loop is walked once: no definition is indexed twice.
      assert.equal(index.core.lookupName("UserRepository").length, 1);
    } finally {
      index.dispose();
    }
  });

  it("forgets a file deleted while being indexed, without throwing", async () => {
    const index = new InThreadSymbolIndex({ grammarsDir, logger: silentLogger });
    const doomed = join(dir, "doomed.ts");
    writeFileSync(doomed, "export function doomed() {}\n");
    try {
      assert.equal(await index.core.indexFile(doomed), true);
      unlinkSync(doomed);
      assert.equal(await index.core.indexFile(doomed), false);
      assert.equal(index.core.lookupName("doomed").length, 0);
    } finally {
      index.dispose();
    }
  });

  it("indexes an unsaved buffer's text instead of the file on disk", async () => {
    const index = new InThreadSymbolIndex({ grammarsDir, logger: silentLogger });
    try {
      await index.core.indexFile(join(dir, "ts-app/src/util/format.ts"), "export function freshlyTyped(x: number) { return x; }\n");
      assert.equal(index.core.lookupName("freshlyTyped").length, 1);
      assert.equal(index.core.lookupName("slugify").length, 0);
    } finally {
      index.dispose();
    }
  });

  it("answers null instead of waiting when the index is too slow", async () => {
    const index = new WorkerSymbolIndex({ grammarsDir, logger: silentLogger, workerPath: join(dir, "missing-worker.js") });
    try {
      const result = await index.query({ fromPath: null, languageId: "typescript", imports: [], names: ["x"], maxPerName: 1 }, 50);
      assert.equal(result, null);
    } finally {
      index.dispose();
    }
  });
});
