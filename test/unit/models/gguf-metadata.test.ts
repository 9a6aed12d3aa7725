import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GgufReadError, readGgufSummary } from "../../../src/models/gguf-metadata";
import { emptyTree, metadataValue, setPath, type GgufMetadataTree } from "../../../src/models/gguf-tree";
import { writeFakeModel } from "./fixtures";

/** Every object level of a metadata tree, depth first. */
function levels(tree: GgufMetadataTree): object[] {
  const out: object[] = [tree];
  for (const value of Object.values(tree)) {
    if (typeof value === "object" && value !== null && !Array.isArray(value) && !("skipped" in value && value.skipped === true)) out.push(...levels(value as GgufMetadataTree));
  }
  return out;
}

describe("models: the GGUF metadata tree", () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "hearth-gguf-tree-"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("builds every level of a file's metadata without a prototype", async () => {
    const summary = await readGgufSummary(await writeFakeModel(join(dir, "m.gguf")));
    const all = levels(summary.metadata);
    assert.ok(all.length >= 4, `only ${all.length} levels`);
    for (const level of all) assert.equal(Object.getPrototypeOf(level), null);
  });

  it("finds only what the file holds, never an inherited property", async () => {
    const summary = await readGgufSummary(await writeFakeModel(join(dir, "n.gguf")));
    assert.equal(metadataValue(summary.metadata, "general.architecture"), "qwen2");
    for (const key of ["toString", "constructor", "__proto__", "general.toString", "general.hasOwnProperty", "tokenizer.ggml.tokens.length"]) {
      assert.equal(metadataValue(summary.metadata, key), undefined, key);
    }
  });

  it("refuses to set a key part named __proto__, constructor or prototype", () => {
    const tree = emptyTree();
    for (const key of ["__proto__.x", "a.constructor.prototype.x", "prototype", "a.__proto__"]) {
      assert.throws(() => setPath(tree, key, "polluted"), /refused key/);
    }
    assert.deepEqual(Object.keys(tree), []);
    assert.equal(({} as Record<string, unknown>).x, undefined);
  });

  it("refuses a named pipe at once instead of waiting for a writer", async function () {
    if (process.platform === "win32") this.skip();
    const fifo = join(dir, "pipe.gguf");
    execFileSync("mkfifo", [fifo]);
    const error = await readGgufSummary(fifo).then(
      () => assert.fail("a pipe was read as a GGUF"),
      (e: unknown) => e,
    );
    assert.ok(error instanceof GgufReadError && error.code === "not-gguf", String(error));
  });
});
