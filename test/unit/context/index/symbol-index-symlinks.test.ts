import assert from "node:assert/strict";
import { mkdir, symlink } from "node:fs/promises";
import { join } from "node:path";
import { silentLogger } from "../../../../src/common/logger";
import { InThreadSymbolIndex } from "../../../../src/context/index/symbol-index";
import { walkSourceFiles } from "../../../../src/context/index/workspace-files";
import { grammarsDir } from "../fixtures";
import { INSIDE_SOURCE as INSIDE, secretBesideWorkspace } from "../../helpers/outside-workspace";
import { tempWorkspaceEachTest } from "../../helpers/temp-workspace";

// A cloned repository's symlinks and imports may point at the user's own files, whose definitions would then go into
// completion prompts (to an inference server, where one is set).

describe("context/index: the symbol index and a hostile repository's links out of the workspace", function () {
  this.timeout(30_000);
  const ws = tempWorkspaceEachTest("hearth-index-links-");
  const indexes: InThreadSymbolIndex[] = [];
  const make = (): InThreadSymbolIndex => {
    const index = new InThreadSymbolIndex({ grammarsDir, logger: silentLogger });
    indexes.push(index);
    return index;
  };
  afterEach(() => {
    for (const index of indexes.splice(0)) index.dispose();
  });

  const outsideFile = () => secretBesideWorkspace(ws);

  it("never indexes a file that a symlink in the workspace points to outside it", async () => {
    const secret = await outsideFile();
    await ws.put("src/math.ts", INSIDE);
    await symlink(secret, join(ws.root, "src", "config.ts"));
    const index = make();
    await index.indexFolders([ws.root]);
    assert.equal(index.core.lookupName("addNumbers").length, 1);
    assert.deepEqual(index.core.lookupName("awsSecretAccessKey"), []);
  });

  it("never walks into a symlinked folder outside the workspace", async () => {
    await outsideFile();
    await ws.put("src/math.ts", INSIDE);
    await symlink(join(ws.base, "home"), join(ws.root, "src", "linked"));
    const walked: string[] = [];
    for await (const path of walkSourceFiles([ws.root], { maxFiles: 100 })) walked.push(path);
    assert.deepEqual(walked, [join(ws.root, "src", "math.ts")]);
    const index = make();
    await index.indexFolders([ws.root]);
    assert.deepEqual(index.core.lookupName("awsSecretAccessKey"), []);
  });

  it("never reads a file outside the workspace that an import names", async () => {
    await outsideFile();
    const app = await ws.put("src/app.ts", 'import { awsSecretAccessKey } from "../../home/credentials";\nconsole.log(awsSecretAccessKey);\n');
    const index = make();
    await index.indexFolders([ws.root]);
    const result = await index.query({ fromPath: app, languageId: "typescript", imports: [{ specifier: "../../home/credentials", names: ["awsSecretAccessKey"] }], names: ["awsSecretAccessKey"], maxPerName: 3 });
    assert.deepEqual(result?.definitions.map((d) => d.path), []);
    assert.deepEqual(index.core.lookupName("awsSecretAccessKey"), []);
  });

  it("refuses a saved file that has become a symlink to a file outside the workspace", async () => {
    const secret = await outsideFile();
    await ws.put("src/math.ts", INSIDE);
    const index = make();
    await index.indexFolders([ws.root]);
    const link = join(ws.root, "src", "config.ts");
    await symlink(secret, link);
    assert.equal(await index.core.indexFile(link), false);
    assert.deepEqual(index.core.lookupName("awsSecretAccessKey"), []);
  });

  it("still indexes a symlink to another file inside the workspace, and a linked folder inside it", async () => {
    const target = await ws.put("lib/math.ts", INSIDE);
    await symlink(target, join(ws.root, "alias.ts"));
    await mkdir(join(ws.root, "src"));
    await symlink(join(ws.root, "lib"), join(ws.root, "src", "shared"));
    const index = make();
    await index.indexFolders([ws.root]);
    const paths = index.core.lookupName("addNumbers").map((d) => d.path);
    assert.ok(paths.includes(join(ws.root, "alias.ts")), `found: ${paths.join(", ")}`);
  });
});
