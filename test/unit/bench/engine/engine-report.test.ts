// The engine bench's report says what each side sent beside its latency, and whether Hearth's side ran as issue 16's
// targets are stated: workspace context on, a suffix to the end of the enclosing block. It judges the timing targets on
// the requests run under SCHED_FIFO, shows the normal ones beside them, and reports a second floor with the prompt's order.
import { strict as assert } from "node:assert";
import { engineReport, type FileRun, type Sample, type StepRecord } from "../../../../bench/engine/engine-report";
import type { PromptShape } from "../../../../bench/engine/prompt-shape";
import type { ReplayFile } from "../../../../bench/engine/replay-files";

const FILE = { label: "lib/a.js", languageId: "javascript", origin: "a corpus", tabs: [{ relativePath: "lib/b.js" }] } as unknown as ReplayFile;

function sample(ms: number, evaluated: number, shape: Partial<PromptShape>): Sample {
  const full: PromptShape = { prefixLines: 80, prefixTokens: 700, suffixLines: 6, suffixTokens: 40, otherTokens: 200, totalTokens: 950, tokensAfterPrefix: 42, ...shape };
  return { ms, engineMs: ms, evaluated, generated: 24, genMsPerToken: 30, shape: full };
}

interface StepOptions {
  fifo?: boolean;
  hearthMs?: number;
  orderFloorMs?: number;
}

function step(hearth: Partial<PromptShape>, evaluated: number, options: StepOptions = {}): StepRecord {
  return {
    line: 1,
    column: 0,
    changed: 3,
    fifo: options.fifo ?? true,
    floorMs: 800,
    orderFloorMs: { hearth: options.orderFloorMs ?? 1000, same: options.orderFloorMs ?? 1000, vscode: 4000 },
    hearth: sample(options.hearthMs ?? 900, evaluated, hearth),
    same: sample(1000, evaluated, {}),
    vscode: sample(2000, 240, { prefixLines: 256, suffixLines: 64, suffixTokens: 500, otherTokens: 1000, totalTokens: 3000, tokensAfterPrefix: 246 }),
  };
}

function report(steps: StepRecord[], fifoRefused: string | null = null): ReturnType<typeof engineReport> {
  const run: FileRun = { file: FILE, ring: [], steps };
  const rates = { nlcPromptTokPerS: null, nlcGenMs: null, benchPromptTokPerS: null, benchGenMs: null, runPromptTokPerS: 100, runGenMs: 30, promptTokPerS: 100, genMs: 30 };
  return engineReport({ runs: [run], rates, threads: 1, fifoRefused, fifoMaxWindowMs: 120_000, loadBefore: "1", loadAfter: "1", loadMax: 1, bundleHash: "x", vscodeFlags: [] });
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

  it("counts the calls evaluating at most 32 prompt tokens over every request of both regimes, with and without the tokens after the cursor", () => {
    const { figures, markdown } = report([step({ order: "psm", tokensAfterPrefix: 42 }, 60, { fifo: true }), step({ order: "psm", tokensAfterPrefix: 42 }, 20, { fifo: false })]);
    assert.equal(figures.f1_hearth_calls_evaluating_le_32_tokens, 0.5);
    assert.equal(figures.f1_hearth_calls_evaluating_le_32_tokens_without_suffix, 1);
    assert.match(markdown, /≤ 32 tokens \(all requests\): 50% \*\*not met\*\* \(without the tokens after the cursor: 100%\)/);
  });

  it("judges the timing targets on the requests under SCHED_FIFO and shows the normal requests' ratios beside them", () => {
    const { figures, markdown } = report([step({}, 10, { fifo: true, hearthMs: 900 }), step({}, 10, { fifo: false, hearthMs: 1500 })]);
    assert.equal(figures.targets_judged_on, "fifo");
    assert.equal(figures.f1_fifo_hearth_vs_same_prompt_p50, 0.9);
    assert.equal(figures.f1_normal_hearth_vs_same_prompt_p50, 1.5);
    assert.equal(figures.f1_fifo_target_le_1_0_same_prompt, true);
    assert.equal(figures.f1_normal_target_le_1_0_same_prompt, false);
    assert.match(markdown, /same prompt ≤ 1\.0×: 0\.9 met \[normal 1\.5\]/);
    assert.match(markdown, /\*\*under SCHED_FIFO \(odd requests\): 1 requests\*\*/);
    assert.match(markdown, /\*\*under normal scheduling \(even requests\): 1 requests\*\*/);
  });

  it("meets the llama.vscode target only where every request had other files' context and a suffix to the block's end", () => {
    const { figures, markdown } = report([step({ blockEndShown: true }, 10, { hearthMs: 900 }), step({ blockEndShown: false }, 10, { hearthMs: 900 })]);
    assert.equal(figures.f1_fifo_hearth_vs_llama_vscode_p50, 0.45);
    assert.equal(figures.f1_fifo_target_le_0_5_llama_vscode, false);
    assert.match(markdown, /llama\.vscode ≤ 0\.5× \(other files 100%, suffix to the block's end 50%\): 0\.45 \*\*not met\*\* \(the ratio is, not on every request with both\)/);
  });

  it("says why no request ran under SCHED_FIFO and judges the targets on the normal ones", () => {
    const { figures, markdown } = report([step({}, 10, { fifo: false, hearthMs: 1500 })], "SCHED_FIFO is not permitted here (EPERM)");
    assert.equal(figures.targets_judged_on, "normal");
    assert.equal(figures.fifo_refused, "SCHED_FIFO is not permitted here (EPERM)");
    assert.match(markdown, /SCHED_FIFO was not used \(SCHED_FIFO is not permitted here \(EPERM\)\)/);
    assert.match(markdown, /same prompt ≤ 1\.0×: 1\.5 \*\*not met\*\*; /);
  });

  it("reports Hearth against the floor with its prompt's order beside the floor, which the target keeps", () => {
    const { figures, markdown } = report([step({}, 10, { hearthMs: 1000, orderFloorMs: 1250 })]);
    assert.equal(figures.f1_fifo_hearth_x_floor, 1.25);
    assert.equal(figures.f1_fifo_hearth_x_floor_with_prompt_order, 0.8);
    assert.equal(figures.f1_hearth_floor_with_prompt_order_ms_p50, 1250);
    assert.equal(figures.f1_fifo_target_le_1_4_floor, true);
    assert.match(markdown, /≤ 1\.4× floor: 1\.25 met \(× floor with the prompt's order, not a target: 0\.8\)/);
    assert.match(markdown, /\| Hearth \| .*\| 1\.25 \| 0\.8 \| 30 \|/);
  });
});
