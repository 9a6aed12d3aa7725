import { strict as assert } from "node:assert";
import { classifyFit, estimateMemory, formatBytes } from "../../../src/models/memory-fit";

const GB = 1e9;

describe("models: memory fit", () => {
  const needs = (totalGb: number) => estimateMemory({ weightsBytes: totalGb * GB, kvBytesPerToken: 0, contextSize: 4096, vocabSize: 0 });

  it("counts the weights, a KV cache for both sequences and the buffers", () => {
    const estimate = estimateMemory({ weightsBytes: 1e9, kvBytesPerToken: 12_288, contextSize: 4096, vocabSize: 151_936 });
    assert.equal(estimate.kvCacheBytes, 12_288 * 4096 * 2);
    assert.equal(estimate.totalBytes, 1e9 + estimate.kvCacheBytes + estimate.overheadBytes);
    assert.ok(estimate.overheadBytes >= 151_936 * 512 * 4, "the logits buffer is counted");
  });

  it("guesses a KV cache from the weights when the model's shape is unknown", () => {
    assert.ok(estimateMemory({ weightsBytes: 4e9, kvBytesPerToken: null, contextSize: 4096 }).kvCacheBytes > 0);
  });

  it("is green when the model fits in free memory with room to spare", () => {
    const verdict = classifyFit(needs(1), { freeRamBytes: 8 * GB, totalRamBytes: 16 * GB });
    assert.equal(verdict.level, "green");
    assert.match(verdict.summary, /Needs about 1\.\d GB; 8\.0 GB of memory is free/);
  });

  it("is amber when the model only just fits in free memory", () => {
    assert.equal(classifyFit(needs(7), { freeRamBytes: 8 * GB, totalRamBytes: 16 * GB }).level, "amber");
  });

  it("is amber, saying to close programs, when it fits the machine but not what is free now", () => {
    const verdict = classifyFit(needs(10), { freeRamBytes: 4 * GB, totalRamBytes: 16 * GB });
    assert.equal(verdict.level, "amber");
    assert.match(verdict.summary, /close other programs/);
  });

  it("is red when the model needs more than the machine has", () => {
    const verdict = classifyFit(needs(30), { freeRamBytes: 12 * GB, totalRamBytes: 16 * GB });
    assert.equal(verdict.level, "red");
    assert.match(verdict.summary, /more than this machine can give a model \(16 GB RAM\)/);
  });

  it("counts a GPU's memory as room for the model", () => {
    const machine = { freeRamBytes: 4 * GB, totalRamBytes: 8 * GB, gpu: { freeBytes: 20 * GB, totalBytes: 24 * GB } };
    assert.equal(classifyFit(needs(12), machine).level, "green");
    assert.equal(classifyFit(needs(12), { ...machine, gpu: null }).level, "red");
  });

  it("writes sizes as download sites do", () => {
    assert.equal(formatBytes(531_000_000), "531 MB");
    assert.equal(formatBytes(1_646_000_000), "1.6 GB");
    assert.equal(formatBytes(32_500_000_000), "33 GB");
  });
});
