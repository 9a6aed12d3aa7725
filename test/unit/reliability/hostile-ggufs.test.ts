// A sample of the reliability bench's hostile GGUF run (bench/reliability/gguf-cases.ts): each file through the
// reader, the picker's scan, the check before a load and a load by a real EngineClient, in a worker thread with a
// deadline; and the whole attack (scan a polluting file, then start an engine) with a marker file as the canary.
import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCasePool } from "../../../bench/reliability/case-pool";
import { GGUF_CORPUS } from "../../../bench/reliability/gguf-cases";
import { failures } from "../../../bench/reliability/outcomes";
import { nodeOptionsPayload } from "../../fixtures/models/hostile-ggufs";

const SAMPLE_EVERY = 7;

describe("reliability: hostile GGUF files through every path that reads one (a sample of the bench's corpus)", function () {
  this.timeout(120_000);

  it("refuses every sampled file with a clear message, and the whole attack runs nothing", async () => {
    const sample = GGUF_CORPUS.filter((c, i) => i % SAMPLE_EVERY === 0 || c.name.startsWith("chain:") || c.name.startsWith("pollution:"));
    const results = await runCasePool({ corpus: "gguf", module: "gguf-cases.js", cases: sample, timeoutMs: 110_000 });
    assert.deepEqual(failures(results).map((r) => `${r.name}: ${r.outcome} (${r.detail})`), []);
    assert.ok(results.every((r) => r.outcome === "refused"), "no hostile file is accepted anywhere");
  });

  it("would see the attack's payload run: Node started with it writes the marker file (the canary works)", () => {
    const dir = mkdtempSync(join(tmpdir(), "hearth-canary-"));
    try {
      const marker = join(dir, "payload-ran");
      execFileSync(process.execPath, ["-e", "0"], { env: { PATH: process.env.PATH, NODE_OPTIONS: nodeOptionsPayload(marker) } });
      assert.ok(existsSync(marker));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
