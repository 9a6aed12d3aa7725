// `npm run bench:engine`: a typing replay of a real source file through Hearth's engine (EngineClient -> engine process
// -> FIM format and layout -> node-llama-cpp) and through llama-server (built from the llama.cpp source node-llama-cpp
// ships) asked the way llama.vscode asks, request by request in the same run, against the floor: the tokens that
// really changed since the previous request at the measured prompt rate plus 24 tokens at the measured generation rate.
import { mkdirSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { EngineClient } from "../../src/engine/client";
import { MemoryLogger } from "../../src/common/logger";
import { ensureTestModel } from "../../test/fixtures/models/test-models";
import { BENCH_DIR, median, quantile, writeBenchResult, type FlatValue } from "../report";
import { ensureLlamaCppBuild } from "./llama-server-build";
import { LlamaServer } from "./llama-server";
import { measureLlamaBench, measureNodeLlamaCppInChild } from "./rates";
import { loadKySource } from "./source-file";
import { llamaVscodeInfill, typingSteps, type TypingStep } from "./typing";

const THREADS = 2;
const CONTEXT = 4096;
const N_PREDICT = 24;
/** Lines 60–90 by default; HEARTH_BENCH_ENGINE_LINES=60-70 types fewer (a quicker run on a busy machine). */
const [FIRST_LINE, LAST_LINE] = lineRange(process.env.HEARTH_BENCH_ENGINE_LINES ?? "60-90");

function lineRange(text: string): [number, number] {
  const match = /^(\d+)-(\d+)$/.exec(text.trim());
  if (!match) throw new Error(`HEARTH_BENCH_ENGINE_LINES must look like 60-90, not ${text}`);
  return [Number(match[1]), Number(match[2])];
}

interface HearthSample {
  ms: number;
  promptTokens: number;
  generatedTokens: number;
  /** Engine-side time from the first streamed chunk to the end, per generated token after the first. */
  genMsPerToken: number | null;
}

interface ServerSample {
  ms: number;
  promptTokens: number;
  promptMs: number;
  generatedTokens: number;
  genMsPerToken: number;
}

export async function runEngineBench(): Promise<void> {
  const log = (line: string) => console.log(`engine: ${line}`);
  const loadBefore = loadavg()[0]!;
  const source = loadKySource(log);
  const modelPath = await ensureTestModel("bench-0.5b");
  const build = await ensureLlamaCppBuild(log);
  const steps = typingSteps(source.text, FIRST_LINE, LAST_LINE);
  log(`${source.origin}: lines ${FIRST_LINE}-${LAST_LINE} typed, ${steps.length - 1} requests (+1 warm-up); load average ${loadBefore.toFixed(2)}`);

  const changed = await changedTokensPerStep(modelPath, steps);

  log("measuring prompt and generation rates (node-llama-cpp directly, then llama-bench), 2 threads");
  const nlc = await measureNodeLlamaCppInChild({ modelPath, threads: THREADS, promptText: source.text });
  const bench = await measureLlamaBench(build.bench, modelPath, THREADS);
  log(`node-llama-cpp: prompt ${nlc.promptTokPerS.toFixed(0)} tok/s, generation ${nlc.genMsPerToken.toFixed(1)} ms/token, CPU backend ${nlc.cpuVariant ?? "?"}`);
  log(`llama-bench:    prompt ${bench.promptTokPerS.toFixed(0)} tok/s, generation ${bench.genMsPerToken.toFixed(1)} ms/token`);
  // The floor takes the best rate this machine showed for each: what an ideal engine could do here.
  const promptRate = Math.max(nlc.promptTokPerS, bench.promptTokPerS);
  const genMs = Math.min(nlc.genMsPerToken, bench.genMsPerToken);
  const floors = changed.slice(1).map((n) => (n / promptRate) * 1000 + N_PREDICT * genMs);

  const work = join(BENCH_DIR, ".work");
  mkdirSync(work, { recursive: true });
  const engineLog = new MemoryLogger("info");
  const client = new EngineClient({ workerPath: join(BENCH_DIR, "..", "dist", "engine-worker.mjs"), logger: engineLog });
  let server: LlamaServer | undefined;
  const hearth: HearthSample[] = [];
  const llama: ServerSample[] = [];
  let loadMax = loadBefore;
  try {
    await client.configure({ modelPath, threads: THREADS, contextSize: CONTEXT, gpu: "off", idleUnloadMs: 0 });
    await client.load();
    server = await LlamaServer.start(build.server, modelPath, { threads: THREADS, contextSize: CONTEXT, logFile: join(work, "llama-server.log") });
    log(`llama-server pid ${server.pid ?? "?"} at ${server.url}; Hearth engine pid ${client.pid ?? "?"}`);

    const askHearth = async (step: TypingStep): Promise<HearthSample> => {
      const started = performance.now();
      const result = await client.infill({ prefix: step.before, suffix: step.after, filePath: source.path, languageId: "typescript", maxTokens: N_PREDICT });
      const ms = performance.now() - started;
      const { firstChunkMs, totalMs } = result.timings;
      return {
        ms,
        promptTokens: result.promptTokens,
        generatedTokens: result.generatedTokens,
        genMsPerToken: firstChunkMs !== null && result.generatedTokens > 1 ? (totalMs - firstChunkMs) / (result.generatedTokens - 1) : null,
      };
    };
    const askServer = async (step: TypingStep): Promise<ServerSample> => {
      const started = performance.now();
      const answer = await server!.infill(llamaVscodeInfill(step), N_PREDICT);
      const ms = performance.now() - started;
      const t = answer.timings;
      return { ms, promptTokens: t.prompt_n, promptMs: t.prompt_ms, generatedTokens: t.predicted_n, genMsPerToken: t.predicted_ms / Math.max(1, t.predicted_n) };
    };

    // Warm-up: the document as it was before typing, so both start with their cache filled.
    await askHearth(steps[0]!);
    await askServer(steps[0]!);
    for (let i = 1; i < steps.length; i++) {
      // Alternate who goes first, so neither always runs right after the other.
      if (i % 2) {
        hearth.push(await askHearth(steps[i]!));
        llama.push(await askServer(steps[i]!));
      } else {
        llama.push(await askServer(steps[i]!));
        hearth.push(await askHearth(steps[i]!));
      }
      loadMax = Math.max(loadMax, loadavg()[0]!);
      if (i % 10 === 0) log(`${i}/${steps.length - 1}: Hearth p50 ${median(hearth.map((s) => s.ms)).toFixed(0)} ms, llama-server p50 ${median(llama.map((s) => s.ms)).toFixed(0)} ms`);
    }
  } finally {
    await client.dispose();
    await server?.stop();
  }
  const loadAfter = loadavg()[0]!;

  writeFileSync(
    join(work, "engine-requests.json"),
    `${JSON.stringify(steps.slice(1).map((step, i) => ({ line: step.line + 1, column: step.column, changed: changed[i + 1], floorMs: floors[i], hearth: hearth[i], llamaServer: llama[i] })), null, 1)}\n`,
  );

  const floorP50 = median(floors);
  const h = summarize(hearth.map((s) => s.ms), hearth.map((s) => s.promptTokens));
  const s = summarize(llama.map((x) => x.ms), llama.map((x) => x.promptTokens));
  const hearthGen = median(hearth.map((x) => x.genMsPerToken).filter((x): x is number => x !== null));
  const serverGen = median(llama.map((x) => x.genMsPerToken));
  const generated = hearth.map((x) => x.generatedTokens);
  const short = generated.filter((n) => n < N_PREDICT).length;
  const targets = {
    median_vs_floor: h.p50 <= 1.6 * floorP50,
    median_vs_llama_server: h.p50 <= 0.5 * s.p50,
    prompt_tokens_vs_llama_server: h.meanPrompt <= 0.3 * s.meanPrompt,
    generation_speed_vs_llama_server: hearthGen <= 1.1 * serverGen,
  };
  const figures: Record<string, FlatValue> = {
    source: source.origin,
    lines: `${FIRST_LINE}-${LAST_LINE}`,
    requests: hearth.length,
    threads: THREADS,
    n_predict: N_PREDICT,
    load_average_before: round(loadBefore, 2),
    load_average_after: round(loadAfter, 2),
    load_average_max: round(loadMax, 2),
    rate_nlc_prompt_tok_s: round(nlc.promptTokPerS),
    rate_nlc_gen_ms_per_token: round(nlc.genMsPerToken, 1),
    rate_nlc_cpu_backend: nlc.cpuVariant,
    rate_llama_bench_prompt_tok_s: round(bench.promptTokPerS),
    rate_llama_bench_gen_ms_per_token: round(bench.genMsPerToken, 1),
    floor_prompt_tok_s: round(promptRate),
    floor_gen_ms_per_token: round(genMs, 1),
    floor_changed_tokens_p50: median(changed.slice(1)),
    floor_changed_tokens_mean: round(mean(changed.slice(1)), 1),
    floor_ms_p50: round(floorP50),
    hearth_ms_p50: round(h.p50),
    hearth_ms_p95: round(h.p95),
    hearth_prompt_tokens_mean: round(h.meanPrompt, 1),
    hearth_prompt_tokens_p50: h.p50Prompt,
    hearth_x_floor: round(h.p50 / floorP50, 2),
    hearth_gen_ms_per_token: round(hearthGen, 1),
    hearth_generated_tokens_min: Math.min(...generated),
    hearth_requests_short_of_n_predict: short,
    llama_server_ms_p50: round(s.p50),
    llama_server_ms_p95: round(s.p95),
    llama_server_prompt_tokens_mean: round(s.meanPrompt, 1),
    llama_server_prompt_tokens_p50: s.p50Prompt,
    llama_server_x_floor: round(s.p50 / floorP50, 2),
    llama_server_gen_ms_per_token: round(serverGen, 1),
    hearth_vs_llama_server_p50: round(h.p50 / s.p50, 2),
    hearth_vs_llama_server_prompt_tokens: round(h.meanPrompt / s.meanPrompt, 2),
    hearth_vs_llama_server_gen_speed: round(hearthGen / serverGen, 2),
    target_median_le_1_6_floor: targets.median_vs_floor,
    target_median_le_0_5_llama_server: targets.median_vs_llama_server,
    target_prompt_tokens_le_0_3_llama_server: targets.prompt_tokens_vs_llama_server,
    target_gen_speed_within_10pct: targets.generation_speed_vs_llama_server,
    llama_cpp_bundle: build.bundleHash,
  };
  console.log(figures);
  const met = (ok: boolean) => (ok ? "met" : "**not met**");
  writeBenchResult(
    "engine",
    figures,
    `## Engine: typing replay (\`npm run bench:engine\`)

${source.origin}, lines ${FIRST_LINE}–${LAST_LINE} removed and typed back character by character: ${hearth.length} requests (after each
punctuation character, each run of whitespace, and at each line end), ${N_PREDICT} generated tokens each, \`bench-0.5b\`
(random weights in Qwen2.5-Coder-0.5B's shape, Q8_0), ${THREADS} threads, context ${CONTEXT}. Hearth and llama-server answered
each keystroke's request in turn (alternating who goes first). Latency is what the caller waits: EngineClient.infill()
in the host for Hearth; the HTTP round trip for llama-server. Load average ${round(loadBefore, 1)} before, ${round(loadAfter, 1)} after, up to ${round(loadMax, 1)} during the replay (2 cores, shared).

- **Hearth**: EngineClient → engine process (the shipped dist/engine-worker.mjs) → Qwen2.5-Coder FIM format, line-anchored
  prefix window, short suffix → node-llama-cpp 3.22.1, prefix = the whole text before the cursor, suffix = the text after.
- **llama-server** (llama.cpp from node-llama-cpp's bundled source, \`GGML_NATIVE=ON\`, \`-t ${THREADS} -c ${CONTEXT} -np 1
  --cache-reuse 256\`), \`/infill\` as llama.vscode sends it: \`input_prefix\` = up to 256 whole lines before the cursor's
  line, \`prompt\` = the cursor's line so far, \`input_suffix\` = rest of the line + up to 64 lines after, \`input_extra\` = [],
  \`cache_prompt: true\`, top_k 40 / top_p 0.99; \`n_predict: ${N_PREDICT}\` with \`ignore_eos\`, no time cut-offs, and without
  llama.vscode's "infill" sampler (on random weights it ends every answer after one token). Its cache reuse
  (\`--cache-reuse\`) only shifts chunks the new prompt has lost, not ones that typing moved, so the suffix after the
  cursor's line is evaluated again at every request.
- **Floor** per request: tokens of the document that changed since the previous request (diff of the two tokenisations)
  ÷ ${round(promptRate)} tok/s + ${N_PREDICT} × ${round(genMs, 1)} ms: the best prompt and generation rates measured at the start
  (node-llama-cpp directly: ${round(nlc.promptTokPerS)} tok/s, ${round(nlc.genMsPerToken, 1)} ms/token; llama-bench: ${round(bench.promptTokPerS)} tok/s, ${round(bench.genMsPerToken, 1)} ms/token).

| | p50 | p95 | prompt tokens / request (mean, p50) | × floor (p50) | generation ms/token |
|---|---|---|---|---|---|
| floor | ${ms(floorP50)} | | ${round(mean(changed.slice(1)), 1)}, ${median(changed.slice(1))} changed | 1.0 | ${round(genMs, 1)} |
| Hearth | ${ms(h.p50)} | ${ms(h.p95)} | ${round(h.meanPrompt, 1)}, ${h.p50Prompt} | ${round(h.p50 / floorP50, 2)} | ${round(hearthGen, 1)} |
| llama-server (llama.vscode layout) | ${ms(s.p50)} | ${ms(s.p95)} | ${round(s.meanPrompt, 1)}, ${s.p50Prompt} | ${round(s.p50 / floorP50, 2)} | ${round(serverGen, 1)} |

Hearth generated ${N_PREDICT} tokens in ${hearth.length - short} of ${hearth.length} requests (min ${Math.min(...generated)}). Generation ms/token: Hearth's from the engine's
first streamed chunk to its end; llama-server's from its \`timings\` (predicted_ms / predicted_n).

Targets (issue 3):
- Hearth's median ≤ 1.6 × the floor: ${round(h.p50 / floorP50, 2)} × — ${met(targets.median_vs_floor)}
- Hearth's median ≤ 0.5 × llama-server's: ${round(h.p50 / s.p50, 2)} × — ${met(targets.median_vs_llama_server)}
- prompt tokens per request ≤ 0.3 × llama-server's: ${round(h.meanPrompt / s.meanPrompt, 2)} × — ${met(targets.prompt_tokens_vs_llama_server)}
- generation speed within 10% of llama-server's (${THREADS} threads): ${round(hearthGen / serverGen, 2)} × its ms/token — ${met(targets.generation_speed_vs_llama_server)}`,
  );
  const warnings = engineLog.lines.filter((line) => line.startsWith("error"));
  if (warnings.length > 0) console.log(`engine log errors:\n${warnings.join("\n")}`);
}

/** For each step, how many tokens of the document differ from the previous step's (0 for the first). */
async function changedTokensPerStep(modelPath: string, steps: TypingStep[]): Promise<number[]> {
  const { getLlama, LlamaLogLevel } = await import("node-llama-cpp");
  const llama = await getLlama({ gpu: false, build: "never", maxThreads: 1, logLevel: LlamaLogLevel.error, logger: () => {} });
  const model = await llama.loadModel({ modelPath, vocabOnly: true });
  try {
    let previous: readonly number[] = [];
    return steps.map((step, i) => {
      const tokens = model.tokenize(step.before + step.after);
      const n = i === 0 ? 0 : changedCount(previous, tokens);
      previous = tokens;
      return n;
    });
  } finally {
    await model.dispose();
    await llama.dispose();
  }
}

/** Tokens of `next` outside its longest common prefix and suffix with `prev`. */
export function changedCount(prev: readonly number[], next: readonly number[]): number {
  let start = 0;
  while (start < prev.length && start < next.length && prev[start] === next[start]) start++;
  let end = 0;
  while (end < prev.length - start && end < next.length - start && prev[prev.length - 1 - end] === next[next.length - 1 - end]) end++;
  return next.length - start - end;
}

function summarize(latencies: number[], prompts: number[]) {
  return { p50: median(latencies), p95: quantile(latencies, 0.95), meanPrompt: mean(prompts), p50Prompt: median(prompts) };
}

function mean(values: number[]): number {
  return values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);
}

function round(value: number, digits = 0): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

function ms(value: number): string {
  return value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${Math.round(value)} ms`;
}

