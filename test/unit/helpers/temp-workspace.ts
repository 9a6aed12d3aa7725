import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

/**
 * A fresh workspace folder for each test, inside a temporary base folder (so that a test can put files beside the
 * workspace, outside it), removed after the test. Read `base`/`root` inside tests: they change per test.
 */
export function tempWorkspaceEachTest(prefix: string): { readonly base: string; readonly root: string; put: (relative: string, content: string | Buffer) => Promise<string> } {
  const folders = { base: "", root: "" };
  beforeEach(async () => {
    folders.base = await mkdtemp(path.join(tmpdir(), prefix));
    folders.root = path.join(folders.base, "workspace");
    await mkdir(folders.root);
  });
  afterEach(async () => {
    await rm(folders.base, { recursive: true, force: true });
  });
  return {
    get base() {
      return folders.base;
    },
    get root() {
      return folders.root;
    },
    /** Writes a file under the workspace, making its folders; returns its absolute path. */
    async put(relative, content) {
      const file = path.join(folders.root, relative);
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, content);
      return file;
    },
  };
}
