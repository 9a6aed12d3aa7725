// The engine bench's report says what each side sent beside its latency, and whether Hearth's side ran as issue 16's
// targets are stated: workspace context on, a suffix to the end of the enclosing block. It judges the timing targets on
// the requests run under SCHED_FIFO, shows the normal ones beside them, and reports a second floor with the prompt's order.
import { strict as assert } from "node:assert";
import { engineReport, type FileRun, type Sample, type StepRecord } from "../../../../bench/engine/engine-report";
import type { PromptShape } from "../../../../bench/engine/prompt-shape";
import type { ReplayFile } from "../../../../bench/engine/replay-files";
import { defaultFimWindow } from "../../../../src/fim/layout";

const FILE = { label: "lib/a.js", languageId: "javascript", origin: "a corpus", tabs: [{ relativePath: "lib/b.js" }] } as unknown as ReplayFile;

function sample(ms: number, evaluated: number, shape: Partial<PromptShape>): Sample {
  const full: PromptShape = { prefixLines: 80, prefixTokens: 700, suffixLines: 6, suffixTokens: 40, otherTokens: 200, totalTokens: 950, tokensAfterPrefix: 42, ...shape };
  return { ms, engineMs: ms, evaluated, generated: 24, genMsPerToken: 30, shape: full };
}

interface StepOptions {
  fifo?: boolean;
  hearthMs?: number;
  orderFloorMs?: number;
  /** Hearth's reused suffix tokens and background tokens before the request; the same-prompt server's reuse is 0. */
  reused?: number;
  background?: number;
  /** The same-prompt server's evaluated tokens (else Hearth's). */
  sameEvaluated?: number;
}

function step(hearth: Partial<PromptShape>, evaluated: number, options: StepOptions = {}): StepRecord {
  return {
    line: 1,
    column: 0,
    changed: 3,
    fifo: options.fifo ?? true,
    floorMs: 800,
    orderFloorMs: { hearth: options.orderFloorMs ?? 1000, same: options.orderFloorMs ?? 1000, vscode: 4000 },
    hearth: {
      ...sample(options.hearthMs ?? 900, evaluated, hearth),
      reusedSuffixTokens: options.reused ?? 0,
      ...(options.background !== undefined ? { backgroundTokens: options.background } : {}),
    },
    same: { ...sample(1000, options.sameEvaluated ?? evaluated, { order: "psm" }), reusedSuffixTokens: 0 },
    vscode: sample(2000, 240, { prefixLines: 256, suffixLines: 64, suffixTokens: 500, otherTokens: 1000, totalTokens: 3000, tokensAfterPrefix: 246, order: "psm" }),
  };
}

function report(steps: StepRecord[], fifoRefused: string | null = null, floorAtDepth?: FileRun["floorAtDepth"]): ReturnType<typeof engineReport> {
  const run: FileRun = { file: FILE, ring: [], steps, ...(floorAtDepth ? { floorAtDepth } : {}) };
  const rates = { nlcPromptTokPerS: null, nlcGenMs: null, benchPromptTokPerS: null, benchGenMs: null, runPromptTokPerS: 100, runGenMs: 30, promptTokPerS: 100, genMs: 30 };
  return engineReport({ runs: [run], rates, threads: 1, fifoRefused, fifoMaxWindowMs: 120_000, typistGapMs: 600, loadBefore: "1", loadAfter: "1", loadMax: 1, bundleHash: "x", vscodeFlags: [] });
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
    assert.match(markdown, /≤ 32 tokens \(all requests\): 50% \*\*not met\*\* \(without the tokens after the cursor: 100%;/);
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

  it("reports Hearth against the floor at its prompt's depth beside the floor, which the target keeps", () => {
    const steps = [step({}, 10, { hearthMs: 1000 }), step({}, 10, { hearthMs: 1000, fifo: false })];
    steps[0]!.floorAtDepthMs = 1000;
    steps[1]!.floorAtDepthMs = 500;
    const { figures, markdown } = report(steps, null, { depth: 700, genMsPerToken: 40, floorMs: 750 });
    assert.equal(figures.f1_normal_hearth_x_floor_at_depth, 2);
    assert.equal(figures.f1_fifo_hearth_x_floor, 1.25);
    assert.equal(figures.f1_fifo_hearth_x_floor_at_depth, 1);
    assert.equal(figures.f1_llama_bench_gen_ms_at_prompt_depth, 40);
    assert.equal(figures.f1_fifo_target_le_1_4_floor, true);
    assert.match(markdown, /× floor at the prompt's depth, not a target: 1 \[normal 2\]\)/);
    assert.match(markdown, /Floor at the prompt's depth p50 750 ms: llama-bench generates at 40 ms\/token after 700 cached tokens/);
  });

  it("counts per side and regime the requests that reused the suffix's cache and those that took the in-order path", () => {
    const psm = { order: "psm" as const };
    const { figures, markdown } = report([
      step(psm, 2, { reused: 300, sameEvaluated: 320 }),
      step(psm, 2, { reused: 300, sameEvaluated: 320 }),
      step(psm, 340, { sameEvaluated: 340 }),
      step(psm, 3, { fifo: false, reused: 300, sameEvaluated: 20 }),
    ]);
    assert.equal(figures.f1_fifo_hearth_reused_suffix_requests, 2);
    assert.equal(figures.f1_fifo_hearth_in_order_requests, 1);
    assert.equal(figures.f1_fifo_same_reused_suffix_requests, 0);
    assert.equal(figures.f1_fifo_same_in_order_requests, 3);
    assert.equal(figures.f1_fifo_vscode_in_order_requests, 3);
    assert.equal(figures.f1_normal_hearth_reused_suffix_requests, 1);
    assert.equal(figures.f1_normal_same_in_order_requests, 0);
    assert.match(markdown, /Suffix's cache reused: Hearth 2 of 3 requests, llama-server given its prompt 0, llama\.vscode's server not reported; in-order path \(over 32 tokens evaluated, prefix first\): Hearth 1, llama-server given its prompt 3, llama\.vscode 3\./);
  });

  it("says llama.vscode's server's suffix reuse is not reported rather than none, where its samples say nothing of it", () => {
    const { figures, markdown } = report([step({ order: "psm" }, 2)]);
    assert.equal(figures.f1_fifo_vscode_reused_suffix_requests, null);
    assert.match(markdown, /llama\.vscode's server not reported;/);
  });

  it("reports Hearth's background tokens per regime and per file, and the share of requests before which a refresh ran", () => {
    const { figures } = report([
      step({}, 2, { background: 0 }),
      step({}, 2, { background: 300 }),
      step({}, 2, { background: 0 }),
      step({}, 2, { background: 60, fifo: false }),
      step({}, 2, { background: 0, fifo: false }),
    ]);
    assert.equal(figures.f1_fifo_hearth_background_tokens_p50, 0);
    assert.equal(figures.f1_fifo_hearth_background_tokens_mean, 100);
    assert.equal(figures.f1_fifo_hearth_background_tokens_max, 300);
    assert.equal(figures.f1_fifo_hearth_background_refresh_share, 0.333);
    assert.equal(figures.f1_normal_hearth_background_tokens_mean, 30);
    assert.equal(figures.f1_normal_hearth_background_refresh_share, 0.5);
    assert.equal(figures.f1_hearth_background_tokens_mean, 72);
    assert.equal(figures.f1_hearth_background_refresh_share, 0.4);
  });

  it("says next to the prompt-token criterion how many tokens Hearth's engine evaluated in the background, which it does not count", () => {
    const { markdown } = report([step({ order: "psm" }, 2, { background: 0 }), step({ order: "psm" }, 2, { background: 400 })]);
    assert.match(markdown, /evaluating ≤ 32 prompt tokens 100% of all requests .*in the 600 ms gap before a request, Hearth's engine evaluated in the background \(its suffix cache's refresh\): 200 tokens p50 per gap \(mean 200, max 400\), a refresh in 50% of 2 gaps\. Those tokens take the CPU while the user types/);
    assert.match(markdown, /≥ 95% of calls evaluate ≤ 32 tokens \(all requests\): 100% met \(without the tokens after the cursor: 100%; in the background before a request, not counted: 200 tokens p50 per gap \(mean 200, max 400\), a refresh in 50% of 2 gaps\)/);
  });

  it("says no background work ran rather than giving figures of zero tokens, and not reported where the engine said nothing", () => {
    assert.match(report([step({}, 2, { background: 0 })]).markdown, /in the background \(its suffix cache's refresh\): none in 1 gap\./);
    assert.match(report([step({}, 2)]).markdown, /in the background \(its suffix cache's refresh\): not reported\./);
  });

  it("gives the suffix windows from the layout's constants: the reuse window for the local engine, the plain one for a team server", () => {
    const reuse = defaultFimWindow({ order: "psm" }, { suffixReuse: true });
    const plain = defaultFimWindow({ order: "psm" });
    const spm = defaultFimWindow({ order: "spm" });
    const { markdown } = report([step({ order: "psm", blockEndShown: true }, 2)]);
    assert.ok(
      markdown.includes(`the rest of the block, ${reuse.minSuffixLines}–${reuse.maxSuffixLines} lines on an engine that reuses the suffix's cache`),
      "the reuse window",
    );
    assert.ok(markdown.includes(`${plain.minSuffixLines}–${plain.maxSuffixLines} on a team server; suffix first: ${spm.maxSuffixLines} lines`), "the team and suffix-first windows");
    assert.doesNotMatch(markdown, /2–16 lines for a prefix-first family/);
  });

  it("says the same typist's gap precedes every side's answer and that Hearth's engine is stopped outside its own", () => {
    const { markdown } = report([step({}, 2)]);
    assert.match(markdown, /Before each side's answer the bench waits 600 ms, a typist's gap, the same for every side/);
    assert.match(markdown, /stopped\s+\(SIGSTOP\) from its answer's end to the start of its next gap \(SIGCONT\)/);
  });
});
