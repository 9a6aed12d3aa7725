// `npm run bench:team`: N simulated developers (1, 2, 4, 8), each replaying the engine bench's typing schedule (a
// completion at each pause while typing ky's Ky.ts back, each developer on other lines), against one llama-server with
// N parallel slots and continuous batching, through Hearth's own server engine (the FIM prompt the local engine builds,
// /v1/completions, cache_prompt); and the same schedule through the in-process engine, as each developer alone on a
// laptop like this machine would run it. Figures: per-request latency p50/p95, prompt tokens the server evaluated per
// request, the server's throughput, and the requests per typed character that docs/team-server.md sizes a server with.
import { loadavg } from "node:os";
import { join } from "node:path";
import { MemoryLogger } from "../../src/common/logger";
import { EngineClient } from "../../src/engine/client";
import type { GenerationResult } from "../../src/engine/protocol";
import { ServerEngine } from "../../src/engine/server/server-engine";
import { ensureTestModel } from "../../test/fixtures/models/test-models";
import { TestLlamaServer } from "../../test/unit/helpers/llama-server";
import { median, quantile, writeBenchResult, type FlatValue } from "../report";
import { loadKySource } from "../engine/source-file";
import { typingSteps, type TypingStep } from "../engine/typing";

const TEAM_SIZES = (process.env.HEARTH_BENCH_TEAM_SIZES ?? "1,2,4,8").split(",").map(Number);
/** Requests each developer makes after the warm-up (the first keystrokes of their lines). */
const STEPS = Number(process.env.HEARTH_BENCH_TEAM_STEPS ?? "16");
const N_PREDICT = 16;
const THREADS = 2;
const CONTEXT_PER_SLOT = 4096;

interface Sample {
  ms: number;
  evaluated: number;
  generated: number;
}

function developerSteps(text: string, developer: number): TypingStep[] {
  const first = 60 + developer * 12;
  return typingSteps(text, first, first + 7).slice(0, STEPS + 1);
}

function sampleOf(result: GenerationResult, ms: number): Sample {
  return { ms, evaluated: result.promptTokens, generated: result.generatedTokens };
}

async function replay(ask: (step: TypingStep) => Promise<GenerationResult>, steps: TypingStep[]): Promise<Sample[]> {
  await ask(steps[0]!); // warm-up: the document before typing, so the cache starts filled
  const samples: Sample[] = [];
  for (const step of steps.slice(1)) {
    const started = performance.now();
    const result = await ask(step);
    samples.push(sampleOf(result, performance.now() - started));
  }
  return samples;
}

function params(step: TypingStep, path: string) {
  return { prefix: step.before, suffix: step.after, filePath: path, languageId: "typescript", maxTokens: N_PREDICT };
}

const round = (value: number, digits = 0) => Math.round(value * 10 ** digits) / 10 ** digits;
const uptime = () => loadavg().map((x) => x.toFixed(2)).join(" ");

export async function runTeamBench(log: (line: string) => void = console.log): Promise<void> {
  const source = loadKySource(log);
  const modelPath = await ensureTestModel("bench-0.5b");
  const schedules = Array.from({ length: Math.max(...TEAM_SIZES) }, (_, i) => developerSteps(source.text, i));
  const typedChars = schedules[0]!.at(-1)!.before.length - schedules[0]![0]!.before.length;
  const requestsPerChar = (schedules[0]!.length - 1) / typedChars;
  const figures: Record<string, FlatValue> = { model: "bench-0.5b", n_predict: N_PREDICT, threads: THREADS, steps_per_developer: STEPS, requests_per_typed_char: round(requestsPerChar, 3), load_before: uptime() };
  const rows: string[] = [];

  // Alone on a laptop: the in-process engine, one developer's schedule at a time.
  const client = new EngineClient({ workerPath: join(__dirname, "..", "..", "src", "engine", "worker", "main.mjs"), logger: new MemoryLogger() });
  let local: Sample[] = [];
  try {
    await client.configure({ modelPath, threads: THREADS, contextSize: CONTEXT_PER_SLOT, gpu: "off", idleUnloadMs: 0 });
    for (const schedule of schedules.slice(0, 2)) local = local.concat(await replay((step) => client.infill(params(step, source.path)), schedule));
  } finally {
    await client.dispose();
  }
  const localMs = local.map((s) => s.ms);
  figures.local_ms_p50 = round(median(localMs));
  figures.local_ms_p95 = round(quantile(localMs, 0.95));
  figures.local_prompt_tokens_mean = round(local.reduce((a, s) => a + s.evaluated, 0) / local.length, 1);
  log(`in-process engine alone: p50 ${figures.local_ms_p50} ms, p95 ${figures.local_ms_p95} ms; load ${uptime()}`);

  for (const team of TEAM_SIZES) {
    const server = await TestLlamaServer.start(modelPath, { parallel: team, contextSize: CONTEXT_PER_SLOT, extraArgs: ["-t", String(THREADS), "--cont-batching"] });
    const engines = Array.from({ length: team }, () => new ServerEngine({ url: server.url, models: { completion: "", chat: "", embedding: "" }, timeoutMs: 600_000, fimFormat: "auto", retryDelaysMs: [] }, new MemoryLogger()));
    try {
      const started = performance.now();
      const perDeveloper = await Promise.all(engines.map((engine, i) => replay((step) => engine.infill(params(step, source.path)), schedules[i]!)));
      const wallS = (performance.now() - started) / 1000;
      const all = perDeveloper.flat();
      const ms = all.map((s) => s.ms);
      const generated = all.reduce((a, s) => a + s.generated, 0);
      const evaluated = all.reduce((a, s) => a + s.evaluated, 0);
      const devP50 = perDeveloper.map((samples) => median(samples.map((s) => s.ms)));
      const key = `team_${team}`;
      figures[`${key}_ms_p50`] = round(median(ms));
      figures[`${key}_ms_p95`] = round(quantile(ms, 0.95));
      figures[`${key}_worst_developer_p50`] = round(Math.max(...devP50));
      figures[`${key}_prompt_tokens_mean`] = round(evaluated / all.length, 1);
      figures[`${key}_requests_per_s`] = round(all.length / wallS, 2);
      figures[`${key}_generated_tokens_per_s`] = round(generated / wallS, 1);
      figures[`${key}_evaluated_prompt_tokens_per_s`] = round(evaluated / wallS, 1);
      figures[`${key}_load`] = uptime();
      rows.push(`| ${team} | ${figures[`${key}_ms_p50`]} | ${figures[`${key}_ms_p95`]} | ${figures[`${key}_worst_developer_p50`]} | ${figures[`${key}_prompt_tokens_mean`]} | ${figures[`${key}_requests_per_s`]} | ${figures[`${key}_generated_tokens_per_s`]} | ${figures[`${key}_evaluated_prompt_tokens_per_s`]} | ${uptime()} |`);
      log(`${team} developer(s): p50 ${figures[`${key}_ms_p50`]} ms, p95 ${figures[`${key}_ms_p95`]} ms, ${figures[`${key}_requests_per_s`]} requests/s; load ${uptime()}`);
    } finally {
      await Promise.all(engines.map((engine) => engine.dispose()));
      await server.stop();
    }
  }
  figures.load_after = uptime();
  writeBenchResult(
    "team",
    figures,
    `## Team server: N developers on one llama-server (\`npm run bench:team\`)

Each simulated developer types 8 lines of ${source.origin} back (other lines for each), with a completion request at
each pause (${STEPS} requests after a warm-up, ${round(requestsPerChar, 3)} requests per typed character), through Hearth's
server engine (its FIM prompt, \`/v1/completions\`, \`cache_prompt\`) to one llama-server (node-llama-cpp's bundled llama.cpp,
\`-np N --cont-batching -t ${THREADS} -c ${CONTEXT_PER_SLOT}·N\`) on this machine, \`bench-0.5b\` (Qwen2.5-Coder-0.5B's shape, random
weights), ${N_PREDICT} tokens per answer; each developer waits for an answer before the next keystroke's request.
Alone on a laptop like this one, the in-process engine (${THREADS} threads): p50 ${figures.local_ms_p50} ms, p95 ${figures.local_ms_p95} ms,
${figures.local_prompt_tokens_mean} prompt tokens evaluated per request. Load average (1/5/15 min) ${String(figures.load_before)} before.

| developers | p50 ms | p95 ms | worst developer's p50 | prompt tokens evaluated / request | requests/s | generated tokens/s | prompt tokens/s | load after |
|---|---|---|---|---|---|---|---|---|
${rows.join("\n")}

A 2-core CPU is no team server: these figures give the shape (how latency grows with the team on one server, how few
prompt tokens a request costs once the cache holds a developer's file); docs/team-server.md sizes a GPU server from them.`,
  );
}

if (require.main === module) {
  runTeamBench().then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    },
  );
}
