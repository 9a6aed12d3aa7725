// The engine bench's report says what each side sent beside its latency, and whether Hearth's side ran as issue 16's
// targets are stated: workspace context on, a suffix to the end of the enclosing block.
import { strict as assert } from "node:assert";
import { engineReport, type FileRun, type Sample, type StepRecord } from "../../../../bench/engine/engine-report";
import type { PromptShape } from "../../../../bench/engine/prompt-shape";
import type { ReplayFile } from "../../../../bench/engine/replay-files";

const FILE = { label: "lib/a.js", languageId: "javascript", origin: "a corpus", tabs: [{ relativePath: "lib/b.js" }] } as unknown as ReplayFile;

function sample(ms: number, evaluated: number, shape: Partial<PromptShape>): Sample {
  const full: PromptShape = { prefixLines: 80, prefixTokens: 700, suffixLines: 6, suffixTokens: 40, otherTokens: 200, totalTokens: 950, ...shape };
  return { ms, engineMs: ms, evaluated, generated: 24, genMsPerToken: 30, shape: full };
}

function step(hearth: Partial<PromptShape>, evaluated: number): StepRecord {
  return {
    line: 1,
    column: 0,
    changed: 3,
    floorMs: 800,
    hearth: sample(900, evaluated, hearth),
    same: sample(950, evaluated, {}),
    vscode: sample(2000, 240, { prefixLines: 256, suffixLines: 64, suffixTokens: 500, otherTokens: 1000, totalTokens: 3000 }),
  };
}

function report(steps: StepRecord[]): ReturnType<typeof engineReport> {
  const run: FileRun = { file: FILE, ring: [], steps };
  const rates = { nlcPromptTokPerS: null, nlcGenMs: null, benchPromptTokPerS: null, benchGenMs: null, promptTokPerS: 100, genMs: 30 };
  return engineReport({ runs: [run], rates, threads: 1, loadBefore: "1", loadAfter: "1", loadMax: 1, bundleHash: "x", vscodeFlags: [] });
}

describe("bench: the engine report", () => {
  it("shows each side's prefix and suffix lines and tokens, other-file tokens and evaluated tokens beside its latency", () => {
    const { markdown } = report([step({ order: "psm", blockEndShown: true }, 50)]);
    assert.match(markdown, /\| side \| prefix lines \/ tokens \| suffix lines \/ tokens \| other files, tokens \| prompt tokens \| evaluated per request p50 \| p50 \|/);
    assert.match(markdown, /\| Hearth \| 80 \/ 700 \| 6 \/ 40 \| 200 \| 950 \| 50 .*\| 900 ms \|/);
    assert.match(markdown, /\| llama-server, llama\.vscode \| 256 \/ 700 \| 64 \/ 500 \| 1000 \| 3000 \| 240 .*\| 2\.00 s \|/);
  });

  it("says whether Hearth's side had other files' context and a suffix to the end of the enclosing block, and in which order", () => {
    const { markdown, figures } = report([step({ order: "psm", blockEndShown: true }, 50), step({ order: "psm", blockEndShown: false, otherTokens: 0 }, 50)]);
    assert.match(markdown, /workspace context on \(other files' code in 50% of requests\), prefix first, the suffix reaching the end of the enclosing block in 50% of requests/);
    assert.equal(figures.f1_hearth_other_file_context_share, 0.5);
    assert.equal(figures.f1_hearth_suffix_reaches_block_end_share, 0.5);
  });

  it("counts the calls evaluating at most 32 prompt tokens both with and without the suffix a prefix-first prompt evaluates again", () => {
    const { figures, markdown } = report([step({ order: "psm", blockEndShown: true, suffixTokens: 40 }, 60), step({ order: "psm", blockEndShown: true, suffixTokens: 40 }, 20)]);
    assert.equal(figures.f1_hearth_calls_evaluating_le_32_tokens, 0.5);
    assert.equal(figures.f1_hearth_calls_evaluating_le_32_tokens_without_suffix, 1);
    assert.match(markdown, /≤ 32 tokens: 50% \*\*not met\*\* \(without the suffix: 100%\)/);
  });
});
