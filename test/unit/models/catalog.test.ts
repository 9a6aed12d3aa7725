import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describeSource, estimateCatalogMemory, loadCatalog, resolveHfSource, validateCatalog } from "../../../src/models/catalog";

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
});
