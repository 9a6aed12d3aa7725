import { strict as assert } from "node:assert";
import { MEMORY_CORPUS, openCases } from "../../../bench/reliability/memory-cases";
import { grammarsDir } from "../context/fixtures";

describe("codebase memory's bad inputs (the reliability bench's memory corpus)", function () {
  this.timeout(120_000);
  let run: Awaited<ReturnType<typeof openCases>>;
  before(async () => {
    run = await openCases({ grammarsDir });
  });

  // The 100,000-file case takes minutes to set up on a loaded machine: the bench runs it.
  for (const c of MEMORY_CORPUS.filter((c) => !c.name.includes("100,000"))) {
    it(`handles ${c.name}`, async () => {
      const verdict = await run(c.index);
      assert.ok(verdict.outcome === "accepted" || verdict.outcome === "refused", `${verdict.outcome}: ${verdict.detail}`);
    });
  }
});
