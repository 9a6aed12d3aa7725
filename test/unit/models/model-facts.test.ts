import { strict as assert } from "node:assert";
import { mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readGgufSummary } from "../../../src/models/gguf-metadata";
import { metadataValue } from "../../../src/models/gguf-tree";
import { inspectModelFile, kvBytesPerToken, showableModelName } from "../../../src/models/model-facts";
import { ensureTestModel, extractBundledVocab } from "../../fixtures/models/test-models";
import { writeFakeModel } from "./fixtures";

type NodeLlamaCpp = typeof import("node-llama-cpp", { with: { "resolution-mode": "import" } });

describe("models: reading GGUF metadata without loading", function () {
  this.timeout(60_000);
  let dir: string;
  before(() => (dir = mkdtempSync(join(tmpdir(), "hearth-facts-"))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("classifies a generated Qwen2-shaped model: architecture, FIM family, chat template, quantisation and KV shape", async () => {
    const path = await writeFakeModel(join(dir, "fake.gguf"));
    const result = await inspectModelFile(path);
    assert.ok(result.ok, !result.ok ? result.reason : "");
    const facts = result.facts;
    assert.equal(facts.kind, "model");
    assert.equal(facts.architecture, "qwen2");
    assert.equal(facts.name, "Fake Coder");
    assert.equal(facts.fimFamily, "Qwen2.5-Coder");
    assert.equal(facts.hasChatTemplate, true);
    assert.equal(facts.quantization, "Q8_0");
    assert.equal(facts.trainContextSize, 4096);
    assert.deepEqual(facts.kv, { layers: 2, kvHeads: 2, keyLength: 16, valueLength: 16 });
    assert.equal(kvBytesPerToken(facts.kv!), 2 * 2 * 32 * 2);
    assert.equal(facts.parameterCount, 256);
  });

  it("shows no general.name that could fake a line, reverse text, draw an icon or flood the picker, and takes the file's name instead", async () => {
    // The name goes into the model picker's row (which renders $(icon) syntax), the status bar's tooltip and the chat
    // header: a crafted file named itself a second line of Hearth's own text, or 1 MB of one.
    const hostile = ["Coder\nCompletion prompt format: trusted", "Coder\u001b[2J", "\u202eredoC", "$(check) Recommended", "x".repeat(1_000_000)];
    for (const [i, name] of hostile.entries()) {
      const result = await inspectModelFile(await writeFakeModel(join(dir, `hostile-name-${i}.gguf`), { name }));
      assert.ok(result.ok, !result.ok ? result.reason : "");
      assert.equal(result.facts.name, null, JSON.stringify(name.slice(0, 40)));
    }
    assert.equal(showableModelName("Qwen2.5 Coder 1.5B Instruct"), "Qwen2.5 Coder 1.5B Instruct");
  });

  it("classifies the project's scripted test model as a Qwen2.5-Coder FIM model with a chat template", async () => {
    const result = await inspectModelFile(await ensureTestModel("scripted"));
    assert.ok(result.ok);
    assert.equal(result.facts.kind, "model");
    assert.match(result.facts.fimFamily ?? "", /^Qwen2\.5-Coder/);
    assert.equal(result.facts.hasChatTemplate, true);
    assert.equal(result.facts.quantization, "F32");
  });

  it("says a model without FIM tokens has no completion format", async () => {
    const result = await inspectModelFile(await ensureTestModel("scripted", { variant: "no-fim" }));
    assert.ok(result.ok);
    assert.equal(result.facts.fimFamily, null);
  });

  it("classifies llama.cpp's real DeepSeek-Coder tokenizer GGUF as vocab-only with the DeepSeek-Coder FIM format", async () => {
    const result = await inspectModelFile(await extractBundledVocab("deepseek-coder"));
    assert.ok(result.ok);
    assert.equal(result.facts.kind, "vocab-only");
    assert.match(result.facts.fimFamily ?? "", /^DeepSeek-Coder/);
  });

  it("reads the real Qwen2 tokenizer GGUF exactly as node-llama-cpp's readGgufFileInfo does", async () => {
    const path = await extractBundledVocab("qwen2");
    const nlc: NodeLlamaCpp = await import("node-llama-cpp");
    const theirs = await nlc.readGgufFileInfo(path, { readTensorInfo: true });
    const ours = await readGgufSummary(path, { tokenTexts: "all" });
    assert.equal(metadataValue(ours.metadata, "general.architecture"), theirs.metadata.general.architecture);
    assert.equal((metadataValue(ours.metadata, "tokenizer.ggml.tokens") as string[]).length, theirs.metadata.tokenizer.ggml.tokens.length);
    assert.deepEqual(metadataValue(ours.metadata, "tokenizer.ggml.tokens"), theirs.metadata.tokenizer.ggml.tokens);
    assert.equal(metadataValue(ours.metadata, "tokenizer.chat_template"), theirs.metadata.tokenizer.chat_template);
    assert.equal(ours.tensorCount, theirs.tensorInfo?.length ?? 0);
    assert.equal(metadataValue(ours.metadata, "tokenizer.ggml.eos_token_id"), theirs.metadata.tokenizer.ggml.eos_token_id);
  });

  it("never reads past the tensor infos: the metadata of a model parses with a byte limit at its data offset", async () => {
    const path = await ensureTestModel("tiny");
    const { dataOffset } = await readGgufSummary(path);
    assert.ok(dataOffset < statSync(path).size / 4, "the tiny model's weights dominate its size");
    const limited = await readGgufSummary(path, { maxHeaderBytes: dataOffset });
    assert.equal(limited.dataOffset, dataOffset);
  });

  it("refuses a file cut inside its metadata as incomplete", async () => {
    const path = join(dir, "cut-meta.gguf");
    await writeFakeModel(path);
    truncateSync(path, 200);
    const result = await inspectModelFile(path);
    assert.equal(result.ok, false);
    assert.match(!result.ok ? result.reason : "", /incomplete/);
  });

  it("refuses a file cut inside its tensor data as incomplete (an interrupted download)", async () => {
    const path = join(dir, "cut-data.gguf");
    await writeFakeModel(path, { tensorElements: 4096 });
    truncateSync(path, statSync(path).size - 100);
    const result = await inspectModelFile(path);
    assert.equal(result.ok, false);
    assert.match(!result.ok ? result.reason : "", /incomplete: its tensors need/);
  });

  it("refuses a file that is not GGUF", async () => {
    const path = join(dir, "notes.gguf");
    writeFileSync(path, "these are my notes about models, not a model\n");
    const result = await inspectModelFile(path);
    assert.equal(result.ok, false);
    assert.match(!result.ok ? result.reason : "", /not a GGUF file/);
  });

  it("recognises a LoRA adapter", async () => {
    const result = await inspectModelFile(await writeFakeModel(join(dir, "lora.gguf"), { adapter: true }));
    assert.ok(result.ok);
    assert.equal(result.facts.kind, "lora");
  });

  it("finds the tensor data where the project.s GGUF writer put it", async () => {
    const path = await writeFakeModel(join(dir, "same.gguf"), { name: "Same" });
    const ours = await readGgufSummary(path);
    assert.equal(metadataValue(ours.metadata, "general.name"), "Same");
    assert.equal(ours.tensors[0]?.name, "token_embd.weight");
    assert.equal(readFileSync(path).length, ours.dataOffset + 256 * 4);
  });
});
