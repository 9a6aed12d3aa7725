import assert from "node:assert/strict";
import type { ChunkHit } from "../../../src/memory/chunk-store";
import { fitToBudget, fuseRankings, symbolNamesIn } from "../../../src/memory/hybrid-search";

const hit = (id: string, path: string, startLine: number, endLine: number, text = `code of ${id}`): ChunkHit => ({ id, path, startLine, endLine, header: "", text, score: 0 });

describe("memory/hybrid-search", () => {
  it("ranks first a chunk that several sources found over one that a single source ranked first", () => {
    const a = hit("a", "/w/a.ts", 0, 5);
    const b = hit("b", "/w/b.ts", 0, 5);
    const c = hit("c", "/w/c.ts", 0, 5);
    const fused = fuseRankings([
      { source: "vector", hits: [a, b] },
      { source: "text", hits: [c, b] },
    ]);
    assert.deepEqual(fused.map((s) => s.path), ["/w/b.ts", "/w/a.ts", "/w/c.ts"]);
    assert.deepEqual(fused[0].sources, ["vector", "text"]);
  });

  it("keeps a chunk that overlaps a better one of the same file only once, with both sources", () => {
    const whole = hit("whole", "/w/a.ts", 0, 40);
    const part = hit("part", "/w/a.ts", 10, 20);
    const fused = fuseRankings([
      { source: "vector", hits: [whole] },
      { source: "symbol", hits: [part] },
    ]);
    assert.equal(fused.length, 1);
    assert.deepEqual(fused[0].sources, ["vector", "symbol"]);
  });

  it("fits the best snippets to the token budget, skipping one too large for a smaller one after it", () => {
    const big = { ...fuseRankings([{ source: "text", hits: [hit("big", "/w/big.ts", 0, 99, "x".repeat(4000))] }])[0] };
    const small = fuseRankings([{ source: "text", hits: [hit("small", "/w/s.ts", 0, 1, "short")] }])[0];
    const fitted = fitToBudget([big, small], 200);
    assert.deepEqual(fitted.map((s) => s.path), ["/w/s.ts"]);
    assert.deepEqual(fitToBudget([big, small], 0), []);
  });

  it("asks the symbol index about identifiers in a question, not about its plain words", () => {
    assert.deepEqual(symbolNamesIn("where is retryFailedUpload called, and what does upload_chunk do with `Queue`?"), ["retryFailedUpload", "upload_chunk", "Queue"]);
    assert.deepEqual(symbolNamesIn("where do we retry failed uploads?"), []);
  });
});
