// The reliability bench's files-Hearth-wrote corpus (bench/reliability/stored-file-cases.ts), all of it, each case in
// the case pool's thread with a deadline: the chat history opens with what it can read, whatever replaced a file.
import { strict as assert } from "node:assert";
import { runCasePool } from "../../../bench/reliability/case-pool";
import { failures } from "../../../bench/reliability/outcomes";
import { STORED_FILE_CORPUS } from "../../../bench/reliability/stored-file-cases";

describe("reliability: files Hearth wrote, found replaced, through the conversation store", function () {
  this.timeout(120_000);

  it("opens the chat history with every sound conversation whatever replaced a file, without a hang or a throw", async () => {
    const results = await runCasePool({ corpus: "stored", module: "stored-file-cases.js", cases: STORED_FILE_CORPUS, timeoutMs: 10_000 });
    assert.deepEqual(failures(results).map((r) => `${r.name}: ${r.outcome} (${r.detail})`), []);
    assert.equal(results.length, STORED_FILE_CORPUS.length);
  });
});
