import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describeSource, estimateCatalogMemory, loadCatalog, resolveHfSource, suggestSmallerModel, validateCatalog } from "../../../src/models/catalog";

function catalogJson(): unknown {
  // The file itself, not the module: the schema is checked on exactly what ships.
  return JSON.parse(readFileSync(join(__dirname, "../../../src/models/catalog.json"), "utf8"));
}

describe("models: catalog", () => {
  it("catalog.json passes the schema", () => {
    assert.deepEqual(validateCatalog(catalogJson()), []);
  });

  it("offers a completion model and a chat model under 2 GB", () => {
    const small = loadCatalog().models.filter((m) => m.sizeBytes < 2e9);
    assert.ok(small.some((m) => m.roles.includes("completion")));
    assert.ok(small.some((m) => m.roles.includes("chat")));
  });

  it("the schema reports a bad source, a duplicate id and a completion model without a FIM family", () => {
    const good = loadCatalog().models[0]!;
    const problems = validateCatalog({
      version: 1,
      about: "",
      models: [
        { ...good, source: "https://example.com/x.gguf" },
        { ...good, fimFamily: null, source: `${good.source}x` },
      ],
    });
    assert.ok(problems.some((p) => /source must be hf:/.test(p)), problems.join("\n"));
    assert.ok(problems.some((p) => /duplicate id/.test(p)), problems.join("\n"));
    assert.ok(problems.some((p) => /needs a fimFamily/.test(p)), problems.join("\n"));
  });

  it("pins every entry to a commit with its exact size and SHA-256", () => {
    for (const model of loadCatalog().models) {
      assert.match(model.source, /#[0-9a-f]{40}$/, model.id);
      assert.equal(model.sizeExact, true, model.id);
      assert.match(model.sha256 ?? "", /^[0-9a-f]{64}$/, model.id);
    }
  });

  it("the schema reports an entry without a pinned commit, an exact size or a SHA-256", () => {
    const good = loadCatalog().models[0]!;
    const unpinned = good.source.replace(/#.*$/, "");
    const problems = validateCatalog({
      version: 1,
      about: "",
      models: [
        { ...good, id: "no-revision", source: unpinned },
        { ...good, id: "branch", source: `${unpinned}#main` },
        { ...good, id: "no-sha", sha256: undefined },
        { ...good, id: "approximate", sizeExact: undefined },
      ],
    });
    assert.ok(problems.some((p) => /no-revision.*source must pin a commit/.test(p)), problems.join("\n"));
    assert.ok(problems.some((p) => /branch.*source must pin a commit/.test(p)), problems.join("\n"));
    assert.ok(problems.some((p) => /no-sha.*sha256 must be/.test(p)), problems.join("\n"));
    assert.ok(problems.some((p) => /approximate.*sizeExact must be true/.test(p)), problems.join("\n"));
  });

  it("loads only the entries that pass the schema", () => {
    const good = loadCatalog().models[0]!;
    const catalog = loadCatalog({
      version: 1,
      about: "",
      models: [
        good,
        { ...good, id: "unpinned", source: good.source.replace(/#.*$/, "") },
        { ...good, id: "no-sha", source: `${good.source.replace(/#.*$/, "")}#${"b".repeat(40)}`, sha256: undefined },
        { ...good, id: "approximate", source: `${good.source.replace(/#.*$/, "")}#${"c".repeat(40)}`, sizeExact: false },
        { ...good, id: "__proto__", source: `${good.source.replace(/#.*$/, "")}#${"d".repeat(40)}` },
      ],
    });
    assert.deepEqual(catalog.models.map((m) => m.id), [good.id]);
  });

  it("resolves an hf: source to Hugging Face's resolve URL, with the revision when pinned", () => {
    assert.equal(
      resolveHfSource("hf:ggml-org/Qwen2.5-Coder-1.5B-Q8_0-GGUF/qwen2.5-coder-1.5b-q8_0.gguf"),
      "https://huggingface.co/ggml-org/Qwen2.5-Coder-1.5B-Q8_0-GGUF/resolve/main/qwen2.5-coder-1.5b-q8_0.gguf",
    );
    assert.equal(resolveHfSource("hf:a/b/sub/c.gguf#abc123", "http://127.0.0.1:9"), "http://127.0.0.1:9/a/b/resolve/abc123/sub/c.gguf");
    assert.equal(describeSource("hf:a/b/c.gguf"), "huggingface.co/a/b");
  });

  it("estimates a catalog entry's memory as its weights plus a KV cache for two sequences", () => {
    const model = loadCatalog().models.find((m) => m.id === "qwen2.5-coder-1.5b-q8_0")!;
    const needs = estimateCatalogMemory(model, 4096);
    // 28 layers × 2 KV heads × (128 + 128) × 2 bytes = 28 KiB per token; × 4096 tokens × 2 sequences = 224 MiB.
    assert.equal(needs.kvCacheBytes, 28 * 2 * 256 * 2 * 4096 * 2);
    assert.equal(needs.weightsBytes, model.sizeBytes);
    assert.ok(needs.totalBytes > needs.weightsBytes + needs.kvCacheBytes);
  });

  describe("a smaller model when the chosen one will not fit", () => {
    const models = loadCatalog().models;
    const machine = (freeGb: number) => ({ freeRamBytes: freeGb * 1e9, totalRamBytes: 16e9, gpu: null });

    it("names the largest model of the same role that fits the free memory with room to spare", () => {
      const found = suggestSmallerModel(models, { role: "completion", machine: machine(3), contextSize: 4096 });
      assert.ok(found);
      assert.ok(found.model.roles.includes("completion"));
      assert.equal(found.fit.level, "green");
      const larger = models.filter((m) => m.roles.includes("completion") && m.sizeBytes > found.model.sizeBytes);
      for (const model of larger) {
        assert.notEqual(suggestSmallerModel([model], { role: "completion", machine: machine(3), contextSize: 4096 })?.model.id, model.id, `${model.id} is larger and must not fit`);
      }
    });

    it("offers only models of the role asked for", () => {
      const found = suggestSmallerModel(models, { role: "chat", machine: machine(3), contextSize: 4096 });
      assert.ok(found?.model.roles.includes("chat"));
    });

    it("offers only models smaller than the one refused", () => {
      const found = suggestSmallerModel(models, { role: "completion", machine: machine(64), contextSize: 4096, belowBytes: 1e9 });
      assert.ok(found && found.model.sizeBytes < 1e9);
    });

    it("offers nothing when no model fits", () => {
      assert.equal(suggestSmallerModel(models, { role: "completion", machine: machine(0.2), contextSize: 4096 }), null);
    });

    it("counts a GPU's free memory as room", () => {
      const cpu = suggestSmallerModel(models, { role: "completion", machine: machine(1), contextSize: 4096 });
      const gpu = suggestSmallerModel(models, { role: "completion", machine: { ...machine(1), gpu: { freeBytes: 10e9, totalBytes: 12e9 } }, contextSize: 4096 });
      assert.ok(gpu && (!cpu || gpu.model.sizeBytes > cpu.model.sizeBytes));
    });
  });
});
