// The recall figures per language pool the samples of its code bases; misses are counted per cause and budget.
import { strict as assert } from "node:assert";
import { causeTable, recallTable, useTable } from "../../../../bench/context/recall/recall-report";
import type { CorpusOutcome } from "../../../../bench/context/recall/recall-report";
import type { MissCause } from "../../../../bench/context/recall/miss-causes";
import type { RecallSample } from "../../../../bench/context/recall/samples";

function outcome(corpus: string, languageId: string, rows: [use: RecallSample["use"], hits: boolean[], cause: MissCause | null][]): CorpusOutcome {
  const perSample = rows.map(([use, hits, cause]) => ({
    sample: { file: "f", line: 0, symbol: "sym", definitions: [], definitionKind: "function" as const, use, reexports: 0, typeChecking: false },
    hearth: { 512: hits[0], 1024: hits[1], 2048: hits[2] },
    baseline: { 512: false, 1024: false, 2048: hits[2] },
    causes: { 512: hits[0] ? null : cause, 1024: hits[1] ? null : cause, 2048: hits[2] ? null : cause },
  }));
  const rate = (i: number): number => rows.filter((r) => r[1][i]).length / rows.length;
  return { corpus, origin: "", languageId, files: 1, samples: rows.length, hearth: { 512: rate(0), 1024: rate(1), 2048: rate(2) }, baseline: { 512: 0, 1024: 0, 2048: 0 }, perSample };
}

const results = [
  outcome("a (JS)", "javascript", [["direct", [true, true, true], null], ["object-member", [false, false, true], "crowded out"]]),
  outcome("b (JS)", "javascript", [["object-member", [false, false, false], "default-import object member"], ["direct", [true, true, true], null], ["module-member", [false, false, false], "other"], ["direct", [false, true, true], "crowded out"]]),
];

describe("bench: the recall report", () => {
  it("pools a language's samples: each sample weighs the same, whatever its code base's size", () => {
    const flat: Record<string, string | number> = {};
    const rows = recallTable(results, flat);
    assert.equal(rows.at(-1), "| **all javascript** | | 6 | 33.3% | 50.0% | 66.7% | 0.0% | 0.0% | 66.7% |");
    assert.equal(flat["recall.all-javascript.hearth.1024"], 0.5);
    assert.equal(flat["recall.b (JS).samples"], 4);
  });

  it("counts each budget's misses by cause, and says how many of the others are members of a module", () => {
    const flat: Record<string, string | number> = {};
    const rows = causeTable(results, flat);
    assert.deepEqual(rows.slice(2), [
      "| javascript | crowded out | 2 (33.3%) | 1 (16.7%) | 0 (0.0%) |",
      "| javascript | default-import object member | 1 (16.7%) | 1 (16.7%) | 1 (16.7%) |",
      "| javascript | other | 1 (16.7%) | 1 (16.7%) | 1 (16.7%) |",
      "| javascript | … of which members of an imported module | 1 (16.7%) | 1 (16.7%) | 1 (16.7%) |",
      "| javascript | **all misses** (of 6) | 4 (66.7%) | 3 (50.0%) | 2 (33.3%) |",
    ]);
    assert.equal(flat["recall.all-javascript.misses.512.crowded-out"], 2);
    assert.equal(flat["recall.all-javascript.misses.1024.TYPE-CHECKING-import"], 0);
  });

  it("gives the hit rate per kind of use", () => {
    const rows = useTable(results, {});
    assert.ok(rows.includes("| javascript | member of an imported object | 2 | 0.0% | 0.0% | 50.0% |"), rows.join("\n"));
  });
});
