import { strict as assert } from "node:assert";
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { checkModelFile } from "../../src/models/model-file";

describe("checkModelFile", () => {
  let dir: string;
  before(() => (dir = mkdtempSync(join(tmpdir(), "hearth-model-file-"))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("says no model is configured when the path is empty", async () => {
    const check = await checkModelFile("  ");
    assert.equal(check.ok, false);
    assert.equal(!check.ok && check.problem.code, "not-configured");
  });

  it("says the file does not exist, naming the path", async () => {
    const path = join(dir, "nope.gguf");
    const check = await checkModelFile(path);
    assert.equal(!check.ok && check.problem.code, "missing");
    assert.match(!check.ok ? check.problem.message : "", /does not exist: .*nope\.gguf/);
  });

  it("refuses a folder", async () => {
    mkdirSync(join(dir, "folder.gguf"));
    const check = await checkModelFile(join(dir, "folder.gguf"));
    assert.equal(!check.ok && check.problem.code, "not-a-file");
  });

  it("refuses a file that is not GGUF", async () => {
    writeFileSync(join(dir, "model.bin"), Buffer.from("PK\u0003\u0004 definitely a zip file, not a model"));
    const check = await checkModelFile(join(dir, "model.bin"));
    assert.equal(!check.ok && check.problem.code, "not-gguf");
    assert.match(!check.ok ? check.problem.message : "", /not a GGUF model file/);
  });

  it("refuses a GGUF file cut off inside its header", async () => {
    writeFileSync(join(dir, "cut.gguf"), Buffer.from("GGUF\u0003\u0000"));
    const check = await checkModelFile(join(dir, "cut.gguf"));
    assert.equal(!check.ok && check.problem.code, "truncated");
  });

  it("accepts a file with a GGUF header and reports its size", async () => {
    const header = Buffer.alloc(64);
    header.write("GGUF", 0, "latin1");
    header.writeUInt32LE(3, 4);
    writeFileSync(join(dir, "ok.gguf"), header);
    const check = await checkModelFile(join(dir, "ok.gguf"));
    assert.deepEqual(check, { ok: true, path: join(dir, "ok.gguf"), sizeBytes: 64 });
  });
});
