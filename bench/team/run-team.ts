// `npm run bench:team`: N simulated developers (1, 2, 4, 8), each replaying the engine bench's typing schedule through
// Hearth's own pipeline and server engine, against one llama-server with N parallel slots and continuous batching
// (`-np N -cb`, a 4,096-token context per slot); and one developer alone on the in-process engine, which is what each
// developer of a team has on their own laptop (N in-process engines on one 2-core machine is not what a team runs).
// The configurations run in alternating order over the repetitions (forward, then backward), because the machine is
// shared and its load drifts; figures pool the repetitions, throughputs are their medians.
//
//   HEARTH_BENCH_TEAM_REQUESTS   measured requests per developer per round (default 6)
//   HEARTH_BENCH_TEAM_REPEATS    repetitions of the whole set (default 2)
//   HEARTH_BENCH_TEAM_SIZES      team sizes on the server (default 1,2,4,8)
//   HEARTH_BENCH_TEAM_ROUND_MINUTES  a round stops after this long, reporting what finished (default 2)
// The defaults bound the run: 10 rounds of at most 2 minutes, plus each round's start and workspace indexing. At load
// 20-35 from other work, 3 requests with 6-minute rounds took 37 minutes, and 8 developers did not finish in 6.
import { mkdirSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { ensureTestModel } from "../../test/fixtures/models/test-models";
import { BENCH_DIR, writeBenchResult, type FlatValue } from "../report";
import { CONTEXT, THREADS } from "../engine/run-engine";
import { ensureLlamaCppBuild } from "../engine/llama-server-build";
import { PromptShapes } from "../engine/prompt-shape";
import { loadReplayFiles } from "../engine/replay-files";
import { teamDevelopers, type Developer } from "./developers";
import { localRound, serverRound, type RoundResult, type RoundSettings } from "./team-round";
import { configFigures, configRow, loadText, TABLE_HEAD, type ConfigFigures } from "./team-report";

const REQUESTS = positiveInt("HEARTH_BENCH_TEAM_REQUESTS", 6);
const REPEATS = positiveInt("HEARTH_BENCH_TEAM_REPEATS", 2);
const ROUND_LIMIT_MS = positiveInt("HEARTH_BENCH_TEAM_ROUND_MINUTES", 2) * 60_000;
const TEAM_SIZES = (process.env.HEARTH_BENCH_TEAM_SIZES ?? "1,2,4,8").split(",").map((x) => positiveIntOf("HEARTH_BENCH_TEAM_SIZES", x));
/** Tokens generated per request: the engine bench's fixed count, no line limit, so every request costs the same. */
const N_PREDICT = 24;

function positiveIntOf(name: string, text: string): number {
  const value = Number(text.trim());
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer (got "${text}")`);
  return value;
}

function positiveInt(name: string, fallback: number): number {
  const text = process.env[name];
  return text === undefined || text === "" ? fallback : positiveIntOf(name, text);
}

type Config = "local" | number;

export async function runTeamBench(log: (line: string) => void = (line) => console.log(`team: ${line}`)): Promise<void> {
  const loadBefore = loadavg();
  const started = performance.now();
  const modelPath = await ensureTestModel("bench-0.5b");
  const build = await ensureLlamaCppBuild(log);
  const developers = teamDevelopers(loadReplayFiles(), Math.max(...TEAM_SIZES), REQUESTS);
  const settings: RoundSettings = { modelPath, threads: THREADS, contextPerSlot: CONTEXT, nPredict: N_PREDICT, serverBinary: build.server, roundLimitMs: ROUND_LIMIT_MS, log };
  const order: Config[] = ["local", ...TEAM_SIZES];
  const rounds: RoundResult[] = [];
  log(`load ${loadText(loadBefore)}; ${developers.length} developers × ${REQUESTS} requests, ${REPEATS} repetitions, ${THREADS} thread(s)`);
  for (let repetition = 1; repetition <= REPEATS; repetition++) {
    for (const config of repetition % 2 === 1 ? order : [...order].reverse()) {
      const round = config === "local" ? await localRound(developers[0]!, repetition, settings) : await serverRound(developers.slice(0, config), repetition, settings);
      rounds.push(round);
      const ms = round.samples.map((x) => x.ms).sort((a, b) => a - b);
      log(`repetition ${repetition}, ${config === "local" ? "in-process engine" : `${config} developer(s) on the server`}: p50 ${ms.length > 0 ? (ms[Math.floor(ms.length / 2)]! / 1000).toFixed(2) : "–"} s over ${ms.length} requests in ${round.wallS.toFixed(0)} s (${round.unfinished} unfinished at the limit, ${round.failed} failed${round.firstFailure ? `: ${round.firstFailure}` : ""}); load ${loadText(round.load)}`);
      for (const line of round.engineErrors) log(`  engine: ${line}`);
      // Kept as they come: a run stopped midway still leaves its rounds (bench/.work/ is git-ignored).
      mkdirSync(join(BENCH_DIR, ".work"), { recursive: true });
      writeFileSync(join(BENCH_DIR, ".work", "team-rounds.json"), `${JSON.stringify(rounds.map((x) => ({ ...x, samples: x.samples.map(({ params: _, ...rest }) => rest) })), null, 1)}\n`);
    }
  }

  // Prompt tokens sent: each request's prompt in the model's own tokens, counted after the rounds (not during them).
  const shapes = await PromptShapes.open(modelPath, CONTEXT);
  const configs: ConfigFigures[] = [];
  try {
    for (const config of order) {
      const mine = rounds.filter((round) => (config === "local" ? round.kind === "local" : round.kind === "server" && round.developers === config));
      const samples = mine.flatMap((round) => round.samples);
      configs.push({
        key: config === "local" ? "local" : `team_${config}`,
        title: config === "local" ? "in-process engine, 1 developer alone" : `llama-server, ${config} developer${config > 1 ? "s" : ""} (-np ${config})`,
        rounds: mine,
        samples,
        sent: samples.map((x) => shapes.hearth(x.params).totalTokens),
      });
    }
  } finally {
    await shapes.dispose();
  }
  report(configs, developers, loadBefore, (performance.now() - started) / 60_000);
}

function report(configs: ConfigFigures[], developers: Developer[], loadBefore: number[], minutes: number): void {
  // Over the developers' whole blocks, not only the requests measured.
  const requests = developers.reduce((a, d) => a + d.blockRequests, 0);
  const keys = developers.reduce((a, d) => a + d.blockChars, 0);
  const figures: Record<string, FlatValue> = {
    model: "bench-0.5b",
    threads: THREADS,
    context_per_slot: CONTEXT,
    n_predict: N_PREDICT,
    requests_per_developer: REQUESTS,
    repetitions: REPEATS,
    requests_per_keystroke: Math.round((requests / keys) * 1000) / 1000,
    developers: developers.map((d) => d.label).join("; "),
    load_before: loadText(loadBefore),
    load_after: loadText(loadavg()),
    minutes: Math.round(minutes * 10) / 10,
  };
  const rows: string[] = [];
  for (const config of configs) {
    const f = configFigures(config);
    Object.assign(figures, f);
    rows.push(configRow(config, f));
  }
  const perDeveloper = configs
    .filter((c) => c.key !== "local")
    .map((c) => `- ${c.title}: ${String(figures[`${c.key}_per_developer_p50_p95_ms`])} (developer:p50/p95 ms); p50 per repetition ${String(figures[`${c.key}_per_repetition_p50`])} ms`)
    .join("\n");
  writeBenchResult(
    "team",
    figures,
    `## Team server: N developers on one llama-server (\`npm run bench:team\`)

Each simulated developer types back a block of lines of a real file (the engine bench's files: ${developers.map((d) => d.label).join("; ")};
developers 4–8 take the same files 40 lines further or earlier), with a completion request at each pause (the engine bench's
schedule: ${String(figures.requests_per_keystroke)} requests per keystroke over the ${developers.length} blocks, a request at every pause, no
debounce), ${REQUESTS} measured requests per
developer per round after a warm-up request, each developer waiting for the answer before the next request (so every developer
types without a break: a stress test, not a day's load). Every request goes through Hearth's own pipeline (context engine over
the indexed workspace with the file's imports open as tabs, 1,024-token context budget, generateSuggestion) and, on the server,
Hearth's server engine (src/engine/server/: its FIM prompt as text to \`/v1/completions\`, streaming, \`cache_prompt\`), one
ServerEngine per developer, to one llama-server built from node-llama-cpp's bundled llama.cpp with \`-np N -cb -c ${CONTEXT}·N\`
(${CONTEXT} tokens per slot) and ${THREADS} thread(s). \`bench-0.5b\` (random weights in Qwen2.5-Coder-0.5B's shape, Q8_0),
exactly ${N_PREDICT} generated tokens asked per request (no line limit). The in-process row is one developer alone on this machine
with Hearth's engine process (same thread count, same ${CONTEXT}-token context): what each developer of a team has on their own
laptop; N in-process engines on one 2-core machine would not be what a team runs, so it is measured for one.
A round (engine or server start, warm-up, replay) stops after ${ROUND_LIMIT_MS / 60_000} minutes: requests not answered by then are
abandoned (the server engine closes them) and counted as unfinished; the latencies are those of the answered requests.
${REPEATS} repetitions, the configurations in alternating order (forward, then backward); latency figures pool the repetitions,
throughputs are the median of the repetitions. Latency includes context assembly, which here runs on the same 2 cores as the
server for every developer (on a team, on each developer's laptop): "engine call" is the request alone.
"Sent" is the prompt of each request in the model's tokens (counted with the model's vocabulary after the run); "evaluated" is
what the engine evaluated (llama-server's \`timings.prompt_n\`; the rest came from the slot's cache).
Load average (1/5/15 min) ${String(figures.load_before)} before, ${String(figures.load_after)} after; ${String(figures.minutes)} minutes.
**Noisy**: a shared 2-core machine under other helpers' work; ratios within one run mean more than the absolute times.

${TABLE_HEAD}
${rows.join("\n")}

Per developer, pooled over the repetitions:
${perDeveloper}

A 2-core CPU is no team server: these figures give the shape (how latency grows with developers on one server, how few
prompt tokens a request costs once a developer's slot holds their prompt); docs/team-server.md sizes a GPU server from the
requests per keystroke and the tokens per request measured here.`,
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
