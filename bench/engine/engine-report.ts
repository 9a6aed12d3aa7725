// The engine bench's figures: per replayed file and side, what was sent (lines and tokens of each part), what was
// evaluated, latency, generation speed, and the ratios the targets of issue 16 are stated in.
import { median, quantile, writeBenchResult, type FlatValue } from "../report";
import type { ExtraChunk } from "./llama-server";
import type { PromptShape } from "./prompt-shape";
import type { ReplayFile } from "./replay-files";

export interface Sample {
  /** What the caller waits. */
  ms: number;
  /** Of which the engine call (Hearth: without the context assembly; the servers: the whole request). */
  engineMs: number;
  /** Prompt tokens evaluated for this request (the rest came from the KV cache). */
  evaluated: number;
  /** The servers' prompt evaluation time (their timings); Hearth's is not separated. */
  promptMs?: number;
  generated: number;
  genMsPerToken: number | null;
  shape: PromptShape;
}

export interface StepRecord {
  line: number;
  column: number;
  changed: number;
  floorMs: number;
  hearth: Sample;
  same: Sample;
  vscode: Sample;
}

export interface FileRun {
  file: ReplayFile;
  ring: ExtraChunk[];
  steps: StepRecord[];
}

/** The floor's rates; the separately measured ones are null when the floor took its rates from the replay itself. */
export interface Rates {
  nlcPromptTokPerS: number | null;
  nlcGenMs: number | null;
  benchPromptTokPerS: number | null;
  benchGenMs: number | null;
  promptTokPerS: number;
  genMs: number;
}

type SideKey = "hearth" | "same" | "vscode";

const SIDES: readonly (readonly [SideKey, string])[] = [
  ["hearth", "Hearth"],
  ["same", "llama-server, Hearth's prompt"],
  ["vscode", "llama-server, llama.vscode"],
];

/** Hearth's calls that evaluate at most this many prompt tokens (issue 16, item 2: ≥ 95% of them). */
const SMALL_EVAL = 32;

export interface EngineBenchInput {
  runs: FileRun[];
  rates: Rates;
  threads: number;
  loadBefore: string;
  loadAfter: string;
  loadMax: number;
  bundleHash: string;
  vscodeFlags: readonly string[];
}

/** Writes the engine bench's figures and its section of bench/RESULTS.md. */
export function reportEngineBench(input: EngineBenchInput): void {
  const { figures, markdown } = engineReport(input);
  console.log(figures);
  writeBenchResult("engine", figures, markdown);
}

/** The engine bench's figures and Markdown section, per replayed file and side. */
export function engineReport(input: EngineBenchInput): { figures: Record<string, FlatValue>; markdown: string } {
  const { runs, rates } = input;
  const figures: Record<string, FlatValue> = {
    files: runs.map((r) => r.file.label).join("; "),
    n_predict: runs[0]?.steps[0]?.hearth.generated ?? null,
    threads: input.threads,
    load_average_before: input.loadBefore,
    load_average_after: input.loadAfter,
    load_average_max: round(input.loadMax, 2),
    rate_nlc_prompt_tok_s: maybe(rates.nlcPromptTokPerS),
    rate_nlc_gen_ms_per_token: maybe(rates.nlcGenMs, 1),
    rate_llama_bench_prompt_tok_s: maybe(rates.benchPromptTokPerS),
    rate_llama_bench_gen_ms_per_token: maybe(rates.benchGenMs, 1),
    floor_prompt_tok_s: round(rates.promptTokPerS),
    floor_gen_ms_per_token: round(rates.genMs, 1),
    llama_cpp_bundle: input.bundleHash,
  };
  const sections: string[] = [];
  const verdicts: string[] = [];
  const met = (ok: boolean) => (ok ? "met" : "**not met**");
  runs.forEach((run, index) => {
    const key = `f${index + 1}`;
    const floor = median(run.steps.map((s) => s.floorMs));
    const p50 = (side: SideKey) => median(run.steps.map((s) => s[side].ms));
    const gen = (side: SideKey) => median(run.steps.map((s) => s[side].genMsPerToken).filter((x): x is number => x !== null));
    const pairedSame = median(run.steps.map((s) => s.hearth.ms / s.same.ms));
    const pairedEngine = median(run.steps.map((s) => s.hearth.engineMs / s.same.ms));
    const ratio = {
      same: p50("hearth") / p50("same"),
      vscode: p50("hearth") / p50("vscode"),
      floor: p50("hearth") / floor,
      gen: gen("hearth") / gen("same"),
    };
    const shareOf = (test: (s: StepRecord) => boolean) => run.steps.filter(test).length / Math.max(1, run.steps.length);
    const small = shareOf((s) => s.hearth.evaluated <= SMALL_EVAL);
    // A prefix-first prompt evaluates its suffix and the two tokens around it again on every request.
    const suffixCost = (s: StepRecord) => (s.hearth.shape.order === "psm" ? s.hearth.shape.suffixTokens + 2 : 0);
    const smallWithoutSuffix = shareOf((s) => s.hearth.evaluated - suffixCost(s) <= SMALL_EVAL);
    const contextOn = shareOf((s) => s.hearth.shape.otherTokens > 0);
    const blockEndShown = shareOf((s) => s.hearth.shape.blockEndShown === true);
    const order = run.steps[0]?.hearth.shape.order === "spm" ? "suffix first" : "prefix first";
    figures[`${key}_file`] = run.file.label;
    figures[`${key}_requests`] = run.steps.length;
    figures[`${key}_floor_ms_p50`] = round(floor);
    figures[`${key}_changed_tokens_p50`] = median(run.steps.map((s) => s.changed));
    const rows: string[] = [];
    for (const [side, name] of SIDES) {
      const samples = run.steps.map((s) => s[side]);
      const shape = (f: "prefixLines" | "prefixTokens" | "suffixLines" | "suffixTokens" | "otherTokens" | "totalTokens") => median(samples.map((s) => s.shape[f]));
      const ms = samples.map((s) => s.ms);
      const evaluated = samples.map((s) => s.evaluated);
      const k = `${key}_${side}`;
      figures[`${k}_ms_p50`] = round(median(ms));
      figures[`${k}_ms_p95`] = round(quantile(ms, 0.95));
      figures[`${k}_engine_ms_p50`] = round(median(samples.map((s) => s.engineMs)));
      figures[`${k}_evaluated_p50`] = median(evaluated);
      figures[`${k}_evaluated_mean`] = round(mean(evaluated), 1);
      figures[`${k}_evaluated_max`] = Math.max(...evaluated);
      figures[`${k}_prompt_tokens_p50`] = shape("totalTokens");
      figures[`${k}_prefix_lines_p50`] = shape("prefixLines");
      figures[`${k}_prefix_tokens_p50`] = shape("prefixTokens");
      figures[`${k}_suffix_lines_p50`] = shape("suffixLines");
      figures[`${k}_suffix_tokens_p50`] = shape("suffixTokens");
      figures[`${k}_other_file_tokens_p50`] = shape("otherTokens");
      figures[`${k}_gen_ms_per_token_p50`] = round(gen(side), 1);
      figures[`${k}_generated_min`] = Math.min(...samples.map((s) => s.generated));
      figures[`${k}_x_floor`] = round(median(ms) / floor, 2);
      rows.push(
        `| ${name} | ${shape("prefixLines")} / ${shape("prefixTokens")} | ${shape("suffixLines")} / ${shape("suffixTokens")} | ${shape("otherTokens")} | ${shape("totalTokens")} | ${median(evaluated)} (mean ${round(mean(evaluated), 1)}, max ${Math.max(...evaluated)}) | ${msText(median(ms))} | ${msText(quantile(ms, 0.95))} | ${round(median(ms) / floor, 2)} | ${round(gen(side), 1)} |`,
      );
    }
    figures[`${key}_hearth_vs_same_prompt_p50`] = round(ratio.same, 2);
    figures[`${key}_hearth_vs_same_prompt_paired_median`] = round(pairedSame, 2);
    figures[`${key}_hearth_engine_vs_same_prompt_paired_median`] = round(pairedEngine, 2);
    figures[`${key}_hearth_vs_llama_vscode_p50`] = round(ratio.vscode, 2);
    figures[`${key}_hearth_gen_vs_llama_server`] = round(ratio.gen, 2);
    figures[`${key}_hearth_calls_evaluating_le_32_tokens`] = round(small, 3);
    figures[`${key}_hearth_calls_evaluating_le_32_tokens_without_suffix`] = round(smallWithoutSuffix, 3);
    figures[`${key}_hearth_other_file_context_share`] = round(contextOn, 3);
    figures[`${key}_hearth_suffix_reaches_block_end_share`] = round(blockEndShown, 3);
    figures[`${key}_target_le_1_0_same_prompt`] = ratio.same <= 1.0;
    figures[`${key}_target_le_0_5_llama_vscode`] = ratio.vscode <= 0.5;
    figures[`${key}_target_le_1_4_floor`] = ratio.floor <= 1.4;
    figures[`${key}_target_gen_within_5pct`] = ratio.gen <= 1.05;
    figures[`${key}_target_95pct_calls_le_32_tokens`] = small >= 0.95;
    const ringTokens = figures[`${key}_vscode_other_file_tokens_p50`];
    sections.push(`### ${run.file.label} (${run.file.languageId}; ${run.steps.length} requests)

Workspace ${run.file.origin}, indexed; open tabs ${run.file.tabs.map((t) => t.relativePath).join(", ")} (llama.vscode's ring: ${run.ring.length} chunks, ${String(ringTokens)} tokens). Floor p50 ${msText(floor)} (${median(run.steps.map((s) => s.changed))} changed tokens per request).

| side | prefix lines / tokens | suffix lines / tokens | other files, tokens | prompt tokens | evaluated per request p50 | p50 | p95 | × floor | generation ms/token |
|---|---|---|---|---|---|---|---|---|---|
${rows.join("\n")}

Hearth's side: workspace context on (other files' code in ${pct(contextOn)} of requests), ${order}, the suffix reaching the end of the enclosing block in ${pct(blockEndShown)} of requests (2–16 lines for a prefix-first family, 64 for a suffix-first one).

Hearth / llama-server given its prompt: ${round(ratio.same, 2)} (p50s; paired per request ${round(pairedSame, 2)}, engine call alone ${round(pairedEngine, 2)}); Hearth / llama.vscode's setup ${round(ratio.vscode, 2)}; Hearth × floor ${round(ratio.floor, 2)}; generation ${round(ratio.gen, 2)} × llama-server's ms/token; Hearth's calls evaluating ≤ ${SMALL_EVAL} prompt tokens ${pct(small)} (${pct(smallWithoutSuffix)} without the suffix a prefix-first prompt evaluates again).`);
    verdicts.push(
      `- ${run.file.label}: same prompt ≤ 1.0×: ${round(ratio.same, 2)} ${met(ratio.same <= 1)}; llama.vscode ≤ 0.5× (other files ${pct(contextOn)}, suffix to the block's end ${pct(blockEndShown)}): ${round(ratio.vscode, 2)} ${met(ratio.vscode <= 0.5)}; ≤ 1.4× floor: ${round(ratio.floor, 2)} ${met(ratio.floor <= 1.4)}; generation within 5%: ${round(ratio.gen, 2)} ${met(ratio.gen <= 1.05)}; ≥ 95% of calls evaluate ≤ ${SMALL_EVAL} tokens: ${pct(small)} ${met(small >= 0.95)} (without the suffix: ${pct(smallWithoutSuffix)})`,
    );
  });
  return {
    figures,
    markdown: `## Engine: typing replay (\`npm run bench:engine\`)

Real files of real code bases (JavaScript and Python, pinned npm tarballs in bench/.work/corpora/), a block of lines removed
and typed back character by character; a request after each punctuation character, each run of whitespace and each line
end. \`bench-0.5b\` (random weights in Qwen2.5-Coder-0.5B's shape, Q8_0), ${runs[0]?.steps[0]?.hearth.generated ?? "?"} generated tokens per request on every side,
${input.threads} llama.cpp thread${input.threads === 1 ? "" : "s"} on every side (Hearth's default here: cores − 1). One run; at each request the three sides answer in turn, llama.vscode's server taking each place in turn
(llama-server given Hearth's prompt needs that step's prompt, so it follows Hearth). Load average (1, 5, 15 min)
${input.loadBefore} before, ${input.loadAfter} after, 1-min up to ${round(input.loadMax, 1)} (2 cores, shared with other work).

- **Hearth**: the extension's CompletionPipeline (context engine over the indexed workspace, the tabs opened first;
  \`hearth.completion.contextTokens\` 1,024), generateSuggestion, EngineClient → engine process (dist/engine-worker.mjs)
  → node-llama-cpp 3.22.1, context 4,096. The engine is asked for exactly the fixed number of tokens (no line limit, the
  post-processor does not stop it). Latency: from the request to the last token in the host, context assembly included.
- **llama-server, Hearth's prompt**: llama.cpp built from node-llama-cpp's bundled source (\`GGML_NATIVE=ON\`), \`-c 4096 -np 1\`;
  \`/completion\` with the very tokens Hearth's engine evaluated (its \`fitInfillPrompt\`; the server's prompt length is checked
  against it on every request), \`cache_prompt\`, greedy like Hearth's (top-k 1, temperature 0), \`ignore_eos\`.
- **llama-server, llama.vscode**: its recommended CPU flags \`${input.vscodeFlags.join(" ")}\` (README, "No GPUs"; \`-dt\` is
  deprecated here; one slot for one user); \`/infill\` as llama.vscode sends it: 256 lines before, the line so far as
  \`prompt\`, the rest of the line and 64 lines after, its ring of other files' chunks (32-line windows of the open tabs,
  llama.vscode's \`pickChunk\`) as \`input_extra\`, top-k 40 / top-p 0.99, \`ignore_eos\`, without its "infill" sampler (on
  random weights it ends every answer after one token). The server cuts the suffix to a quarter of the batch.
- **Floor** per request: document tokens changed since the previous request ÷ ${round(rates.promptTokPerS)} tok/s + the generated tokens ×
  ${round(rates.genMs, 1)} ms: ${
    rates.nlcPromptTokPerS !== null
      ? `the best rates measured at the start (node-llama-cpp ${maybe(rates.nlcPromptTokPerS)} tok/s, ${maybe(rates.nlcGenMs, 1)} ms/token; llama-bench ${maybe(rates.benchPromptTokPerS)} tok/s, ${maybe(rates.benchGenMs, 1)} ms/token)`
      : "the best rates of this run itself (llama-server's prompt rate on the warm-up prompts; the lowest of the three sides' median generation ms/token), as the machine was too busy for a separate measurement"
  }.

Lines and tokens are what each side sends (medians; llama.vscode's before the server's cuts); "prompt tokens" is the
prompt the model saw (the servers' \`tokens_evaluated\`); "evaluated" is what was not in the KV cache. Generation ms/token:
Hearth's from its first streamed chunk to the end, the servers' from their \`timings\`.

${sections.join("\n\n")}

Targets (issue 16; medians per file):
${verdicts.join("\n")}`,
  };
}

function maybe(value: number | null, digits = 0): number | null {
  return value === null ? null : round(value, digits);
}

function mean(values: number[]): number {
  return values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);
}

function round(value: number, digits = 0): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

function pct(share: number): string {
  return `${(share * 100).toFixed(0)}%`;
}

function msText(value: number): string {
  return value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${Math.round(value)} ms`;
}
