import { strict as assert } from "node:assert";
import { runConversationDiskFaults } from "../../../bench/reliability/conversation-faults";

describe("disk faults while conversations are saved (a sample of the reliability bench)", () => {
  it("loses no conversation and fails cleanly under 20 seeded faults and the real ones this machine allows", async function () {
    this.timeout(60_000);
    const { figures, results } = await runConversationDiskFaults({ injections: 20, seed: 3 });
    const problems = results.filter((r) => r.problems.length > 0).map((r) => `${r.name}: ${r.problems.join("; ")}`);
    assert.deepEqual(problems, []);
    assert.equal(figures.conversationsLost, 0);
    assert.equal(figures.recovered, figures.injections);
    assert.equal(figures.failedCleanly, figures.injections);
    assert.ok(figures.hit >= 15, `only ${figures.hit} of ${figures.injections} faults were hit`);
  });
});
