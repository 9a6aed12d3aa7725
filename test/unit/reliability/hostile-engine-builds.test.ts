import { strict as assert } from "node:assert";
import { ENGINE_BUILD_CORPUS, openCases } from "../../../bench/reliability/engine-build-cases";

describe("broken engine-build folders (the reliability bench's corpus)", function () {
  this.timeout(60_000);
  let run: Awaited<ReturnType<typeof openCases>>;

  before(async () => {
    run = await openCases();
  });

  // Each one falls back to the prebuilt binaries, is made whole, or is refused, and says so in a clear sentence.
  for (const { index, name } of ENGINE_BUILD_CORPUS) {
    it(`turns away ${name}, saying why`, async () => {
      const verdict = await run(index);
      assert.equal(verdict.outcome, "refused", verdict.detail);
    });
  }
});
