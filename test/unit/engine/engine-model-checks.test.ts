// Issue 12, defects 2 and 6: a GGUF whose header lies about its size never reaches llama.cpp (it would spin there
// forever), and a truncated or unsupported model says so in the engine's status, not only in the log.
import { strict as assert } from "node:assert";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EngineError } from "../../../src/engine/protocol";
import { arr, str, writeGgufFile } from "../../fixtures/models/gguf-writer";
import { ensureTestModel } from "../../fixtures/models/test-models";
import { clientsDisposedAfterEach, testSettings } from "../helpers/engine";

describe("engine client: the model file check before a load", function () {
  this.timeout(60_000);
  const open = clientsDisposedAfterEach();
  let dir: string;
  let tiny: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "hearth-engine-checks-"));
    tiny = await ensureTestModel("tiny");
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  // The 69-byte files: one entry written by the project's writer, a count or length then made to lie.
  const lies = [
    { declares: "2^40 metadata entries", entry: ["general.architecture", str("llama")] as const, at: 16, value: 2n ** 40n },
    { declares: "2^62 tensors", entry: ["general.architecture", str("llama")] as const, at: 8, value: 2n ** 62n },
    { declares: "a 2^33-entry token list", entry: ["tokenizer.ggml.tokens", arr("string", [])] as const, at: 61, value: 2n ** 33n },
  ];
  for (const lie of lies) {
    it(`refuses a 69-byte GGUF that declares ${lie.declares} with a clear message, without starting the engine`, async () => {
      const path = join(dir, `lie-${lie.at}.gguf`);
      await writeGgufFile(path, { metadata: [lie.entry], tensors: [] });
      const bytes = readFileSync(path).subarray(0, 69);
      bytes.writeBigUInt64LE(lie.value, lie.at);
      writeFileSync(path, bytes);
      const client = open();
      const status = await client.configure(testSettings(path));
      assert.equal(status.kind === "no-model" && status.problem.code, "corrupt");
      await assert.rejects(client.load(), (error: unknown) => error instanceof EngineError && /is not a sound GGUF file, so Hearth does not hand it to llama\.cpp/.test(error.message));
      assert.equal(client.pid, undefined, "the engine was never started for it");
    });
  }

  it("says in the status that a model cut short is truncated, without starting the engine", async () => {
    const cut = join(dir, "half.gguf");
    copyFileSync(tiny, cut);
    truncateSync(cut, Math.floor(readFileSync(cut).length / 2));
    const client = open();
    const status = await client.configure(testSettings(cut));
    assert.equal(status.kind === "no-model" && status.problem.code, "truncated");
    assert.match(status.kind === "no-model" ? status.problem.message : "", /^half\.gguf is truncated: its tensors need \d+ bytes but the file has \d+\./);
    await assert.rejects(client.load(), /half\.gguf is truncated/);
    assert.equal(client.pid, undefined);
  });

  it("says in the status that a GGUF version is not supported", async () => {
    const bytes = readFileSync(tiny);
    bytes.writeUInt32LE(1, 4);
    const path = join(dir, "ancient.gguf");
    writeFileSync(path, bytes);
    const client = open();
    const status = await client.configure(testSettings(path));
    assert.equal(status.kind === "no-model" && status.problem.code, "unsupported-version");
    assert.match(status.kind === "no-model" ? status.problem.message : "", /ancient\.gguf uses an unsupported GGUF version\. GGUF version 1 is not supported/);
  });
});
