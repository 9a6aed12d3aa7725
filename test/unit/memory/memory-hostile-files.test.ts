import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { MemoryLogger } from "../../../src/common/logger";
import { readFileSource } from "../../../src/memory/file-source";
import { MemoryIndexer } from "../../../src/memory/memory-indexer";
import { grammarsDir } from "../context/fixtures";
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
});
