import { strict as assert } from "node:assert";
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadCatalog } from "../../../src/models/catalog";
import { ModelScanner } from "../../../src/models/discovery";
import { checkEmbeddingModel } from "../../../src/models/embedding-model";
import { inspectModelFile } from "../../../src/models/model-facts";
import { buildPickerData, pickerRows } from "../../../src/models/picker-data";
import { ensureTestModel } from "../../fixtures/models/test-models";

describe("models: what makes an embedding model", function () {
  this.timeout(120_000);

  it("takes a model that declares mean, CLS or last-token pooling, and an encoder that declares none", () => {
    for (const poolingType of [1, 2, 3]) assert.equal(checkEmbeddingModel({ name: "m", architecture: "qwen3", poolingType }).ok, true);
    assert.equal(checkEmbeddingModel({ name: "m", architecture: "bert", poolingType: undefined }).ok, true);
  });

  it("refuses a code completion model with a message that names it, the setting, and what still works", () => {
    const check = checkEmbeddingModel({ name: "Qwen2.5-Coder-1.5B", architecture: "qwen2", poolingType: undefined, fimSupported: true });
    assert.equal(check.ok, false);
    assert.match(!check.ok ? check.message : "", /^Qwen2\.5-Coder-1\.5B is a code completion model \(qwen2 architecture, no pooling type in its GGUF\), not an embedding model/);
    assert.match(!check.ok ? check.message : "", /hearth\.embedding\.modelPath\. Codebase search uses full text and symbols until then\.$/);
  });

  it("refuses a reranker and a model that declares pooling none", () => {
    const reranker = checkEmbeddingModel({ name: "bge-reranker", architecture: "bert", poolingType: 4 });
    assert.match(!reranker.ok ? reranker.message : "", /is a reranker \(pooling "rank"\), not an embedding model/);
    assert.equal(checkEmbeddingModel({ name: "m", architecture: "bert", poolingType: 0 }).ok, false);
  });

  it("reads the generated embedding models as embedding models, and the completion model as none", async () => {
    const [hashed, bench, tiny] = await Promise.all([ensureTestModel("embed-hashed"), ensureTestModel("embed-bge-small"), ensureTestModel("tiny")]);
    for (const path of [hashed, bench]) {
      const inspected = await inspectModelFile(path);
      assert.ok(inspected.ok && inspected.facts.embedding, path);
    }
    const completion = await inspectModelFile(tiny);
    assert.ok(completion.ok && !completion.facts.embedding);
  });

  it("shows an embedding model found on disk as one, marked current for embedding, and offers the catalog's with their use", async () => {
    const folder = mkdtempSync(join(tmpdir(), "hearth-embedding-picker-"));
    try {
      const path = join(folder, "hashed-embedder.gguf");
      copyFileSync(await ensureTestModel("embed-hashed"), path);
      const scan = await new ModelScanner().scan([{ source: "user", path: folder, layout: "files" }]);
      const data = buildPickerData({ scan, catalog: loadCatalog().models, machine: { freeRamBytes: 8e9, totalRamBytes: 16e9, gpu: null }, contextSize: 4096, currentPath: "", embeddingPath: path });
      const found = data.found.find((entry) => entry.path === path);
      assert.deepEqual(found?.capabilities, ["embedding"]);
      assert.deepEqual(found?.uses, ["embedding"]);
      const rows = pickerRows(data).filter((row) => !("separator" in row)) as Array<{ label: string; description: string; detail?: string }>;
      const row = rows.find((r) => r.label.includes("Hearth hashed-words embedding test model"));
      assert.match(row?.description ?? "", /^current for embedding · /);
      assert.match(row?.detail ?? "", /^embedding \(codebase search\)/);
      const download = rows.find((r) => r.label === "$(cloud-download) Download bge-small-en-v1.5");
      assert.match(download?.detail ?? "", /^embedding \(codebase search\) · licence MIT/);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
