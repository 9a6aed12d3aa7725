// The reliability bench's hostile completion output (bench/reliability/completion-cases.ts) through the post-processor,
// all of it (it is fast): what would be shown as ghost text is only the safe text of each case.
import { strict as assert } from "node:assert";
import { runCasePool } from "../../../bench/reliability/case-pool";
import { COMPLETION_CORPUS, problemsOf } from "../../../bench/reliability/completion-cases";
import { failures } from "../../../bench/reliability/outcomes";
import { HOSTILE_COMPLETIONS } from "../../fixtures/completion/hostile-completions";

describe("reliability: hostile completion output through the post-processor", function () {
  this.timeout(60_000);

  it("shows only the safe text of every case, whole and streamed, without a throw or a hang", async () => {
    const results = await runCasePool({ corpus: "completions", module: "completion-cases.js", cases: COMPLETION_CORPUS, timeoutMs: 20_000 });
    assert.deepEqual(failures(results).map((r) => `${r.name}: ${r.outcome} (${r.detail})`), []);
    assert.equal(results.length, HOSTILE_COMPLETIONS.length);
  });

  it("calls a suggestion with U+FFFD or with more than the safe text unsafe (the check can fail)", () => {
    const spec = HOSTILE_COMPLETIONS[0]!;
    assert.notDeepEqual(problemsOf(`${spec.expected}\n\uFFFD`, spec, "whole"), []);
    assert.notDeepEqual(problemsOf(spec.completion.trimEnd(), spec, "whole"), []);
  });
});
