// A project file an action reads (a manifest, a build file) in a cloned repository, which chooses what stands at that
// path: it is read only as a regular file of at most MAX_PROJECT_FILE_BYTES, and whatever else is there reads as null.
import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import fsPromises, { appendFile, symlink, truncate } from "node:fs/promises";
import { MAX_PROJECT_FILE_BYTES, readProjectFile } from "../../../src/actions/project-path";
import { tempWorkspaceEachTest } from "../helpers/temp-workspace";

describe("actions: reading a project file", () => {
  const ws = tempWorkspaceEachTest("hearth-project-file-");

  it("reads a small regular file, and a link to one", async () => {
    const file = await ws.put("package.json", '{"name":"a"}');
    await symlink(file, `${ws.root}/linked.json`);
    assert.equal(await readProjectFile(file), '{"name":"a"}');
    assert.equal(await readProjectFile(`${ws.root}/linked.json`), '{"name":"a"}');
  });

  it("reads as null a missing file, a folder, a named pipe, a link to /dev/zero and a file over the limit", async function () {
    this.timeout(10_000);
    execFileSync("mkfifo", [`${ws.root}/fifo.json`]);
    await symlink("/dev/zero", `${ws.root}/zero.json`);
    const big = await ws.put("big.json", "");
    await truncate(big, MAX_PROJECT_FILE_BYTES + 1);
    for (const name of ["missing.json", ".", "fifo.json", "zero.json", "big.json"]) assert.equal(await readProjectFile(`${ws.root}/${name}`), null, name);
  });

  it("reads no more than the limit of a file that grows after it was looked at", async () => {
    // Another process (a build, a generator the repository runs) writes 2 MB into the file between the size check and
    // the read: the size that was checked must be the size that is read.
    const file = await ws.put("package.json", '{"name":"a"}');
    const stat = fsPromises.stat;
    fsPromises.stat = (async (...args: Parameters<typeof stat>) => {
      const info = await stat(...args);
      if (String(args[0]) === file) await appendFile(file, " ".repeat(2 * MAX_PROJECT_FILE_BYTES));
      return info;
    }) as typeof stat;
    let text: string | null;
    try {
      text = await readProjectFile(file);
    } finally {
      fsPromises.stat = stat;
    }
    assert.ok(text === null || text.length <= MAX_PROJECT_FILE_BYTES, `read ${text?.length} characters`);
  });
});
