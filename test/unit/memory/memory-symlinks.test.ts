import assert from "node:assert/strict";
import { symlink } from "node:fs/promises";
import { join } from "node:path";
import { MemoryLogger } from "../../../src/common/logger";
import { MemoryIndexer } from "../../../src/memory/memory-indexer";
import { grammarsDir } from "../context/fixtures";
import { INSIDE_SOURCE as INSIDE, secretBesideWorkspace } from "../helpers/outside-workspace";
import { tempWorkspaceEachTest } from "../helpers/temp-workspace";


describe("memory/memory-indexer with symlinks (a hostile repository)", function () {
  this.timeout(60_000);
  const ws = tempWorkspaceEachTest("hearth-memory-links-");
  const indexers: MemoryIndexer[] = [];
  const make = (): MemoryIndexer => {
    const indexer = new MemoryIndexer({ storeDir: join(ws.base, "store"), grammarsDir, logger: new MemoryLogger(), embedder: null });
    indexers.push(indexer);
    return indexer;
  };
  afterEach(() => {
    for (const i of indexers.splice(0)) i.dispose();
  });

  const outsideFile = () => secretBesideWorkspace(ws);

  it("never indexes a file that a symlink in the workspace points to outside it", async () => {
    const secret = await outsideFile();
    await ws.put("src/math.ts", INSIDE);
    await symlink(secret, join(ws.root, "src", "config.ts"));
    const indexer = make();
    await indexer.indexFolders([ws.root]);
    assert.deepEqual(await indexer.search("awsSecretAccessKey", 5).then((h) => h.text.map((hit) => hit.path)), []);
  });

  it("never indexes the files of a symlinked folder outside the workspace", async () => {
    await outsideFile();
    await ws.put("src/math.ts", INSIDE);
    await symlink(join(ws.base, "home"), join(ws.root, "src", "linked"));
    const indexer = make();
    await indexer.indexFolders([ws.root]);
    assert.deepEqual(await indexer.search("awsSecretAccessKey", 5).then((h) => h.text.map((hit) => hit.path)), []);
  });

  it("refuses a saved symlink to a file outside the workspace in updateFile", async () => {
    const secret = await outsideFile();
    await ws.put("src/math.ts", INSIDE);
    const indexer = make();
    await indexer.indexFolders([ws.root]);
    const link = join(ws.root, "src", "config.ts");
    await symlink(secret, link);
    assert.equal(await indexer.updateFile(link), false);
    assert.deepEqual(await indexer.search("awsSecretAccessKey", 5).then((h) => h.text.map((hit) => hit.path)), []);
  });

  it("still indexes a symlink to another file inside the workspace", async () => {
    const target = await ws.put("src/math.ts", INSIDE);
    await symlink(target, join(ws.root, "src", "alias.ts"));
    const indexer = make();
    await indexer.indexFolders([ws.root]);
    const paths = await indexer.search("addNumbers", 5).then((h) => h.text.map((hit) => hit.path));
    assert.ok(paths.includes(join(ws.root, "src", "alias.ts")), `found: ${paths.join(", ")}`);
  });
});
