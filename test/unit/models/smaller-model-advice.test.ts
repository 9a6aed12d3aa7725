import { strict as assert } from "node:assert";
import { loadCatalog, suggestSmallerModel } from "../../../src/models/catalog";
import { formatBytes } from "../../../src/models/memory-fit";
import { adviseSmallerModel } from "../../../src/models/smaller-model-advice";

describe("models: advice after a model was refused for its size", () => {
  const machine = (freeGb: number) => ({ freeRamBytes: freeGb * 1e9, totalRamBytes: 16e9, gpu: null });

  it("names the largest catalog model that fits, with its quantisation and size, and offers it for download", () => {
    const refusal = { role: "completion" as const, machine: machine(3), contextSize: 4096 };
    const expected = suggestSmallerModel(loadCatalog().models, refusal)?.model;
    assert.ok(expected, "the catalog has a completion model that fits 3 GB");
    const advice = adviseSmallerModel(refusal);
    assert.equal(advice.sentence, `${expected.name} (${expected.quantization}, ${formatBytes(expected.sizeBytes)}) fits this machine: choose it in Hearth: Select Model.`);
    assert.deepEqual(advice.suggestion, { catalogId: expected.id, name: expected.name, sizeBytes: expected.sizeBytes });
  });

  it("offers nothing as large as the refused file", () => {
    const advice = adviseSmallerModel({ role: "chat", machine: machine(64), contextSize: 4096, belowBytes: 1e9 });
    assert.ok(advice.suggestion && advice.suggestion.sizeBytes < 1e9);
  });

  it("says to free memory when no catalog model fits, and offers none", () => {
    const advice = adviseSmallerModel({ role: "completion", machine: machine(0.2), contextSize: 4096 });
    assert.equal(advice.sentence, "No model in Hearth's catalog fits in the memory free now; close other programs and try again.");
    assert.equal(advice.suggestion, undefined);
  });
});
