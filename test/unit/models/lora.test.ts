import { strict as assert } from "node:assert";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { checkLoraAdapters, checkLoraAgainstBase, describeAdapters, readLoraAdapter, readLoraBase, type LoraAdapterFile } from "../../../src/models/lora";
import { ensureTestLora, ensureTestModel } from "../../fixtures/models/test-models";

describe("models: LoRA adapters", function () {
  this.timeout(30_000);
  let scripted: string;
  let tiny: string;
  let scratch: string;

  before(async () => {
    scripted = await ensureTestModel("scripted");
    tiny = await ensureTestModel("tiny");
    scratch = mkdtempSync(join(tmpdir(), "hearth-lora-"));
  });
  after(() => rmSync(scratch, { recursive: true, force: true }));

  const read = async (path: string): Promise<LoraAdapterFile> => {
    const result = await readLoraAdapter(path);
    if (!result.ok) assert.fail(result.problem.message);
    return result.adapter;
  };

  it("reads a LoRA adapter's architecture, alpha and adapted tensors from its metadata", async () => {
    const adapter = await read(await ensureTestLora(scripted));
    assert.equal(adapter.architecture, "llama");
    assert.equal(adapter.alpha, 4);
    assert.equal(adapter.adaptedTensors, 2, "attn_q and attn_v of the scripted model's one block");
    assert.equal(adapter.name, "Hearth test LoRA (zero)");
  });

  it("names an adapter by its file when its general.name could fake a line of the status bar's tooltip", async () => {
    // The same file with its 23-byte general.name overwritten in place by 23 bytes holding a line break.
    const bytes = readFileSync(await ensureTestLora(scripted));
    const at = bytes.indexOf("Hearth test LoRA (zero)");
    assert.ok(at > 0);
    bytes.write("LoRA\nHearth: all clear.", at, "utf8");
    const crafted = join(scratch, "crafted-lora.gguf");
    writeFileSync(crafted, bytes);
    assert.equal((await read(crafted)).name, "crafted-lora");
  });

  it("writes an adapter's architecture and tensor names into its refusal only as inert text, never a line break or a bidi override", () => {
    const fake = (over: Partial<LoraAdapterFile>): LoraAdapterFile => ({ path: "/a/crafted.gguf", name: "crafted", architecture: "llama", alpha: null, adaptedTensors: 1, tensors: [], ...over });
    const base = { name: "Base", architecture: "llama", tensors: [{ name: "blk.0.attn_q.weight", dims: [32, 32] }] };
    const messages = [
      checkLoraAgainstBase(fake({ architecture: "qwen2\n\nHearth: the adapter is safe \u202e" }), base)?.message,
      checkLoraAgainstBase(fake({ tensors: [{ name: "blk.0\nHearth: fine\u2066.weight", dims: [4, 4] }] }), base)?.message,
      checkLoraAgainstBase(fake({ tensors: [{ name: "blk.0\nfake\u202e.lora_a", dims: [32, 4] }, { name: "blk.0\nfake\u202e.lora_b", dims: [4, 32] }] }), base)?.message,
    ];
    for (const message of messages) {
      assert.ok(message, "refused");
      // eslint-disable-next-line no-control-regex
      assert.doesNotMatch(message, /[\u0000-\u001f\u202a-\u202e\u2066-\u2069]/, JSON.stringify(message));
    }
  });

  it("accepts an adapter made for the base model", async () => {
    assert.equal(checkLoraAgainstBase(await read(await ensureTestLora(scripted)), await readLoraBase(scripted)), null);
  });

  it("refuses an adapter for another architecture, naming both architectures and the setting", async () => {
    const adapter = await read(await ensureTestLora(scripted, { variant: "other-architecture" }));
    const problem = checkLoraAgainstBase(adapter, await readLoraBase(scripted));
    assert.equal(problem?.code, "wrong-architecture");
    assert.match(problem.message, /is a LoRA adapter for a qwen2 model, but Hearth scripted test model is a llama model/);
    assert.match(problem.message, /hearth\.model\.loraAdapters/);
  });

  it("refuses an adapter trained for another size of the same family, with both shapes", async () => {
    const adapter = await read(await ensureTestLora(scripted, { variant: "other-shape" }));
    const problem = checkLoraAgainstBase(adapter, await readLoraBase(scripted));
    assert.equal(problem?.code, "wrong-shape");
    assert.match(problem.message, /trained for another model of the llama family: its blk\.0\.attn_[qv]\.weight is \d+×\d+ but .*'s is \d+×\d+/);
  });

  it("refuses an adapter made for another model whose tensors differ", async () => {
    // tiny has two blocks and another width: an adapter for it does not fit the scripted model.
    const adapter = await read(await ensureTestLora(tiny));
    assert.notEqual(checkLoraAgainstBase(adapter, await readLoraBase(scripted)), null);
  });

  it("says that a whole model is not a LoRA adapter", async () => {
    const result = await readLoraAdapter(scripted);
    assert.equal(result.ok, false);
    if (result.ok) return;
    assert.equal(result.problem.code, "not-lora");
    assert.match(result.problem.message, /is a whole model, not a LoRA adapter/);
  });

  it("says that a missing adapter file does not exist, and where to fix the path", async () => {
    const result = await readLoraAdapter(join(scratch, "nope.gguf"));
    assert.equal(result.ok, false);
    if (result.ok) return;
    assert.equal(result.problem.code, "missing");
    assert.match(result.problem.message, /does not exist: .*nope\.gguf\. Correct the path in hearth\.model\.loraAdapters/);
  });

  it("says that a folder is not an adapter file", async () => {
    const result = await readLoraAdapter(scratch);
    assert.equal(!result.ok && result.problem.code, "not-a-file");
  });

  it("says that a file that is not GGUF is not an adapter", async () => {
    const path = join(scratch, "adapter.safetensors");
    writeFileSync(path, "not a gguf file at all, just some bytes");
    const result = await readLoraAdapter(path);
    assert.equal(!result.ok && result.problem.code, "not-gguf");
  });

  it("checks every adapter in order and stops at the first problem", async () => {
    const base = await readLoraBase(scripted);
    const good = await ensureTestLora(scripted);
    const bad = await ensureTestLora(scripted, { variant: "other-architecture" });
    const ok = await checkLoraAdapters([good], base);
    assert.equal(ok.ok && ok.adapters.length, 1);
    const refused = await checkLoraAdapters([good, bad], base);
    assert.equal(!refused.ok && refused.problem.path, bad);
  });

  it("describes the configured adapters for the picker, each with its name and any problem against the model", async () => {
    const good = await ensureTestLora(scripted);
    const other = await ensureTestLora(scripted, { variant: "other-architecture" });
    const missing = join(scratch, "gone.gguf");
    const statuses = await describeAdapters([good, other, missing], scripted);
    assert.deepEqual(statuses.map((s) => [s.name, s.problem === null]), [
      ["Hearth test LoRA (zero)", true],
      ["Hearth test LoRA (other-architecture)", false],
      ["gone.gguf", false],
    ]);
    assert.match(statuses[1]?.problem ?? "", /for a qwen2 model/);
  });
});
