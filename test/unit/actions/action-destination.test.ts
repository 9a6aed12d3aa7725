// Where Generate Tests writes, in a cloned repository whose test files or folders are symlinks: a test path that leads
// out of the workspace (to ~/.bashrc, to ~/.ssh/authorized_keys, to a file not there yet that a shell would read) is
// refused before the model runs, so Accept can never append to or create a file outside the workspace.
import { strict as assert } from "node:assert";
import { mkdir, readFile, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { planTests } from "../../../src/actions/action-destination";
import { leadsOutside } from "../../../src/actions/project-path";
import { tempWorkspaceEachTest } from "../helpers/temp-workspace";
import { MemoryEditor } from "./memory-editor";

const SHAPES = "export function square(side: number): number {\n  return side * side;\n}\n";
const SHELL_RC = "alias ll='ls -l'\n";

describe("actions: where Generate Tests may write", () => {
  const ws = tempWorkspaceEachTest("hearth-test-destination-");

  /** A mocha project with a test/unit tree, so src/shapes.ts's tests go to test/unit/shapes.test.ts. */
  const project = async (): Promise<MemoryEditor> => {
    await ws.put("package.json", JSON.stringify({ devDependencies: { mocha: "^10.0.0" } }));
    await ws.put("src/shapes.ts", SHAPES);
    await ws.put("test/unit/geometry.test.ts", 'it("works", () => {});\n');
    return new MemoryEditor(ws.root);
  };
  const home = async (): Promise<string> => {
    const dir = join(ws.base, "home");
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, ".bashrc"), SHELL_RC);
    return dir;
  };
  const refused = async (editor: MemoryEditor): Promise<Error> => {
    const error = await planTests(editor, await editor.open("src/shapes.ts")).then(
      () => assert.fail("the test file should have been refused"),
      (e: unknown) => e,
    );
    assert.ok(error instanceof Error);
    assert.match(error.message, /test\/unit\/shapes\.test\.ts.*outside the workspace/);
    return error;
  };

  it("refuses to append tests to a test file that is a symlink to a file outside the workspace", async () => {
    const editor = await project();
    await symlink(join(await home(), ".bashrc"), join(ws.root, "test", "unit", "shapes.test.ts"));
    await refused(editor);
    assert.equal(await readFile(join(ws.base, "home", ".bashrc"), "utf8"), SHELL_RC);
  });

  it("refuses a test file that is a dangling symlink, which creating the file would follow out of the workspace", async () => {
    const editor = await project();
    await symlink(join(await home(), ".bash_aliases"), join(ws.root, "test", "unit", "shapes.test.ts"));
    await refused(editor);
  });

  it("refuses a new test file in a test folder that is a symlink to a folder outside the workspace", async () => {
    await ws.put("package.json", JSON.stringify({ devDependencies: { mocha: "^10.0.0" } }));
    await ws.put("src/shapes.ts", SHAPES);
    const outside = join(await home(), "tests");
    await mkdir(join(outside, "unit"), { recursive: true });
    await writeFile(join(outside, "unit", "geometry.test.ts"), 'it("works", () => {});\n');
    await symlink(outside, join(ws.root, "test"));
    const editor = new MemoryEditor(ws.root);
    // The editor lists the linked folder's files as the workspace's, as VS Code's file search does.
    const listed = await editor.projectOf();
    await refused(Object.assign(editor, { projectOf: async () => ({ ...listed, paths: [...listed.paths, "test/unit/geometry.test.ts"] }) }));
  });

  it("still writes tests to a new file, and to a symlink that stays inside the workspace", async () => {
    const editor = await project();
    const plan = await planTests(editor, await editor.open("src/shapes.ts"));
    assert.equal(plan.testPath, "test/unit/shapes.test.ts");
    assert.ok("newFile" in plan.destination.target);
    await ws.put("spec/shapes.test.ts", 'it("old", () => {});\n');
    await symlink(join(ws.root, "spec", "shapes.test.ts"), join(ws.root, "test", "unit", "shapes.test.ts"));
    const linked = await planTests(editor, await editor.open("src/shapes.ts"));
    assert.equal(linked.existing, 'it("old", () => {});\n');
  });

  describe("leadsOutside", () => {
    it("follows links, dangling ones to where they would write, and refuses a path that climbs out with ..", async () => {
      await ws.put("src/a.ts", "");
      await symlink(join(ws.base, "nowhere", "x.ts"), join(ws.root, "src", "dangling.ts"));
      await symlink(join(ws.root, "src", "dangling.ts"), join(ws.root, "src", "chain.ts"));
      await symlink("a.ts", join(ws.root, "src", "relative.ts"));
      assert.equal(await leadsOutside(ws.root, "src/a.ts"), false);
      assert.equal(await leadsOutside(ws.root, "src/new/deeper/b.ts"), false);
      assert.equal(await leadsOutside(ws.root, "src/relative.ts"), false);
      assert.equal(await leadsOutside(ws.root, "src/dangling.ts"), true);
      assert.equal(await leadsOutside(ws.root, "src/chain.ts"), true);
      assert.equal(await leadsOutside(ws.root, "../outside.ts"), true);
      assert.equal(await leadsOutside(ws.root, "/etc/passwd"), true);
    });
  });
});
