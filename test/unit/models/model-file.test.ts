import { strict as assert } from "node:assert";
import { copyFileSync, mkdtempSync, mkdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { checkModelFile } from "../../../src/models/model-file";
import { hostileGgufs } from "../../fixtures/models/hostile-ggufs";
import { arr, str, writeGgufFile } from "../../fixtures/models/gguf-writer";
import { ensureTestModel } from "../../fixtures/models/test-models";
import { cpuMsOf } from "../helpers/cpu-time";

/**
 * The 69-byte GGUFs of issue 12: a one-entry file from the project's writer, its header then made to lie (a count
 * or an array length patched) and cut to 69 bytes, the size of the header and that one entry.
 */
async function lyingGguf(path: string, lie: "metadata entries" | "tensors" | "token list"): Promise<void> {
  const entry = lie === "token list" ? (["tokenizer.ggml.tokens", arr("string", [])] as const) : (["general.architecture", str("llama")] as const);
  await writeGgufFile(path, { metadata: [entry], tensors: [] });
  const bytes = readFileSync(path).subarray(0, 69);
  if (lie === "metadata entries") bytes.writeBigUInt64LE(2n ** 40n, 16);
  if (lie === "tensors") bytes.writeBigUInt64LE(2n ** 62n, 8);
  if (lie === "token list") bytes.writeBigUInt64LE(2n ** 33n, 61);
  writeFileSync(path, bytes);
}

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

  for (const lie of ["metadata entries", "tensors", "token list"] as const) {
    const declares = { "metadata entries": "2^40 metadata entries", tensors: "2^62 tensors", "token list": "a 2^33-entry token list" }[lie];
    it(`refuses a 69-byte GGUF that declares ${declares}, in milliseconds`, async () => {
      const path = join(dir, `lying-${lie.replace(" ", "-")}.gguf`);
      await lyingGguf(path, lie);
      assert.equal(statSync(path).size, 69);
      // CPU time, not the wall clock (a loaded machine): believing the count would allocate or loop for minutes.
      let check!: Awaited<ReturnType<typeof checkModelFile>>;
      const ms = await cpuMsOf(async () => (check = await checkModelFile(path)));
      assert.equal(!check.ok && check.problem.code, "corrupt");
      assert.match(!check.ok ? check.problem.message : "", /^lying-.*\.gguf is not a sound GGUF file, so Hearth does not hand it to llama\.cpp\. .+/);
      assert.ok(ms < 200, `took ${ms.toFixed(1)} ms of CPU`);
    });
  }

  it("says a model cut short in its weights is truncated, with the sizes", async () => {
    const cut = join(dir, "cut-weights.gguf");
    copyFileSync(await ensureTestModel("tiny"), cut);
    const size = statSync(cut).size;
    truncateSync(cut, size - 1);
    const check = await checkModelFile(cut);
    assert.equal(!check.ok && check.problem.code, "truncated");
    assert.match(!check.ok ? check.problem.message : "", new RegExp(`^cut-weights\\.gguf is truncated: its tensors need ${size} bytes but the file has ${size - 1}\\. It may be an interrupted download`));
  });

  it("says a model cut short in its metadata is truncated", async () => {
    const cut = join(dir, "cut-metadata.gguf");
    copyFileSync(await ensureTestModel("tiny"), cut);
    truncateSync(cut, 200);
    const check = await checkModelFile(cut);
    assert.equal(!check.ok && check.problem.code, "truncated");
    assert.match(!check.ok ? check.problem.message : "", /^cut-metadata\.gguf is truncated\. /);
  });

  for (const version of [1, 4]) {
    it(`says GGUF version ${version} is not supported`, async () => {
      const path = join(dir, `v${version}.gguf`);
      const bytes = readFileSync(await ensureTestModel("tiny"));
      bytes.writeUInt32LE(version, 4);
      writeFileSync(path, bytes);
      const check = await checkModelFile(path);
      assert.equal(!check.ok && check.problem.code, "unsupported-version");
      assert.match(!check.ok ? check.problem.message : "", new RegExp(`^v${version}\\.gguf uses an unsupported GGUF version\\. GGUF version ${version} is not supported`));
    });
  }

  it("refuses every bad file of the hostile corpus and accepts the sound ones", async function () {
    this.timeout(60_000);
    for (const [i, hostile] of hostileGgufs().entries()) {
      const path = join(dir, "corpus", `${i}.gguf`);
      await hostile.write(path);
      const check = await checkModelFile(path);
      if (hostile.expect === "no-tensors") assert.equal(check.ok, true, `${hostile.name}: a tokenizer passes the file check (the engine names it)`);
      else assert.equal(check.ok, false, `accepted ${hostile.name}`);
    }
  });

  it("checks a real vocabulary's model in a few milliseconds", async () => {
    const model = await ensureTestModel("qwen-vocab");
    await checkModelFile(model);
    // CPU time, not wall time: on a loaded machine the wall clock measures the other processes (213-425 ms of wall
    // time for 58-66 ms of CPU at a load of 13 on 2 cores).
    const started = process.cpuUsage();
    const check = await checkModelFile(model);
    const { user, system } = process.cpuUsage(started);
    const ms = (user + system) / 1000;
    assert.equal(check.ok, true);
    assert.ok(ms < 250, `took ${ms.toFixed(1)} ms of CPU`);
  });

  it("stops when its signal aborts", async () => {
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(checkModelFile(await ensureTestModel("qwen-vocab"), { signal: controller.signal }));
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
