import { strict as assert } from "node:assert";
import { classifyFit, decideLoadFit, estimateMemory, formatBytes, machineMemoryFrom } from "../../../src/models/memory-fit";

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

  describe("GPU memory from node-llama-cpp's VRAM state", () => {
    const ram = { freeBytes: 6 * GB, totalBytes: 16 * GB };

    it("judges by RAM alone when there is no GPU", () => {
      assert.deepEqual(machineMemoryFrom(ram, null), { freeRamBytes: 6 * GB, totalRamBytes: 16 * GB, gpu: null });
    });

    it("treats a GPU that reports no memory as no GPU", () => {
      assert.equal(machineMemoryFrom(ram, { totalBytes: 0, freeBytes: 0, unifiedBytes: 0 }).gpu, null);
    });

    it("adds a discrete GPU's memory as a pool of its own", () => {
      assert.deepEqual(machineMemoryFrom(ram, { totalBytes: 12 * GB, freeBytes: 10 * GB, unifiedBytes: 0 }).gpu, { freeBytes: 10 * GB, totalBytes: 12 * GB });
    });

    it("counts memory that the GPU shares with the CPU once, as RAM", () => {
      const machine = machineMemoryFrom({ freeBytes: 3 * GB, totalBytes: 16 * GB }, { totalBytes: 11 * GB, freeBytes: 9 * GB, unifiedBytes: 11 * GB });
      assert.deepEqual(machine, { freeRamBytes: 9 * GB, totalRamBytes: 16 * GB, gpu: null });
    });
  });

  describe("the engine's decision before loading", () => {
    const cpuOnly = { freeRamBytes: 4 * GB, totalRamBytes: 8 * GB, gpu: null };
    const withGpu = { freeRamBytes: 4 * GB, totalRamBytes: 8 * GB, gpu: { freeBytes: 6 * GB, totalBytes: 8 * GB } };

    it("loads on the CPU what fits in free RAM", () => {
      assert.deepEqual(decideLoadFit({ needs: { ramBytes: 3 * GB, vramBytes: 0 }, machine: cpuOnly }), { fits: true });
    });

    it("refuses on the CPU what needs more than the free RAM, with both numbers", () => {
      const decision = decideLoadFit({ needs: { ramBytes: 5 * GB, vramBytes: 0 }, machine: cpuOnly });
      assert.equal(decision.fits, false);
      if (decision.fits) return;
      assert.equal(decision.short, "ram");
      assert.match(decision.summary, /needs about 4\.7 GiB of RAM, but only 3\.7 GiB is free/);
    });

    it("loads a model larger than the free RAM when the GPU takes its offloaded part", () => {
      assert.deepEqual(decideLoadFit({ needs: { ramBytes: 1 * GB, vramBytes: 5 * GB }, machine: withGpu }), { fits: true });
    });

    it("refuses a load whose offloaded part needs more GPU memory than is free, naming the GPU", () => {
      const decision = decideLoadFit({ needs: { ramBytes: 1 * GB, vramBytes: 7 * GB }, machine: withGpu });
      assert.equal(!decision.fits && decision.short, "vram");
      assert.match(!decision.fits ? decision.summary : "", /GPU memory, but only 5\.6 GiB of the GPU's 7\.5 GiB is free/);
    });

    it("refuses a load whose CPU part does not fit in RAM even though the GPU has room", () => {
      const decision = decideLoadFit({ needs: { ramBytes: 5 * GB, vramBytes: 1 * GB }, machine: withGpu });
      assert.equal(!decision.fits && decision.short, "ram");
      assert.match(!decision.fits ? decision.summary : "", /of RAM \(besides 0\.93 GiB on the GPU\)/);
    });

    it("puts everything in RAM when there is no discrete GPU, whatever was planned for one", () => {
      assert.equal(decideLoadFit({ needs: { ramBytes: 2 * GB, vramBytes: 3 * GB }, machine: cpuOnly }).fits, false);
    });

    it("takes a memory budget instead of the free RAM", () => {
      assert.equal(decideLoadFit({ needs: { ramBytes: 3 * GB, vramBytes: 0 }, machine: cpuOnly, ramBudgetBytes: 2 * GB }).fits, false);
    });
  });
});
