// What one decode costs by its shape, on this CPU at one thread: appending n tokens to a cached prompt (node-llama-cpp
// and llama.cpp's own llama-bench), the cache shift (K-shift) that suffix reuse sets off, and where reusing a suffix
// stops paying against evaluating it again. The engine bench's floor prices a request's changed tokens at the
// large-batch prompt rate; this says what a decode of a few tokens really costs, and why the suffix reuse has a
// minimum suffix length. Run: node out/bench/engine/decode-shape.js [--rounds N]
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { ensureTestModel } from "../../test/fixtures/models/test-models";
import { BENCH_DIR, median, writeBenchResult, type FlatValue } from "../report";
import { ensureLlamaCppBuild } from "./llama-server-build";

type NodeLlamaCpp = typeof import("node-llama-cpp", { with: { "resolution-mode": "import" } });
type Token = import("node-llama-cpp", { with: { "resolution-mode": "import" } }).Token;
type SuffixReuse = typeof import("../../src/engine/worker/suffix-reuse.mjs", { with: { "resolution-mode": "import" } });

const execFileAsync = promisify(execFile);
const APPEND_SIZES = [1, 2, 3, 4, 8, 16, 32];
/** Sizes also decoded one token per decode: where that beats one decode of all of them (llama.cpp's small batches). */
const ONE_BY_ONE_SIZES = [2, 3, 4];
const SUFFIX_SIZES = [4, 8, 12, 16, 24, 32, 48];
/** Tokens of the cached prompt every decode follows: about a completion prompt's front. */
const FRONT_TOKENS = 600;
/** Qwen2.5's <|fim_middle|>: the one token a reused request evaluates after the shift. */
const FIM_MIDDLE = 151661 as Token;

async function main(): Promise<void> {
  const rounds = Number(process.argv[process.argv.indexOf("--rounds") + 1] ?? 0) || 8;
  const load = () => loadavg().map((x) => x.toFixed(2)).join(" ");
  const loadBefore = load();
  const modelPath = await ensureTestModel("bench-0.5b");
  const build = await ensureLlamaCppBuild((line) => console.log(`decode-shape: ${line}`));
  const { getLlama } = (await import("node-llama-cpp")) as NodeLlamaCpp;
  const { SUFFIX_REUSE_ONE_BY_ONE_MAX_TOKENS } = (await import("../../src/engine/worker/suffix-reuse.mjs")) as SuffixReuse;
  const llama = await getLlama({ gpu: false, build: "never", maxThreads: 1 });
  const model = await llama.loadModel({ modelPath, gpuLayers: 0 });
  const text = readFileSync(join(BENCH_DIR, "engine", "run-engine.ts"), "utf8") + readFileSync(join(BENCH_DIR, "engine", "engine-report.ts"), "utf8");
  const all = model.tokenize(text);
  const front = all.slice(0, FRONT_TOKENS);
  const suffixSource = all.slice(FRONT_TOKENS, FRONT_TOKENS + 64);
  const figures: Record<string, FlatValue> = { rounds, threads: 1, front_tokens: FRONT_TOKENS };

  // Hearth's completion context before its chat had a context of its own (4,096 cells for each of two sequences), as it
  // is now (one sequence), and as it was for a user who raised hearth.engine.contextSize to 16,384 for chat before the
  // completion's context got a size of its own (engine-settings.ts completionContextSize). The appends are measured on
  // the completion's context as it is.
  const layouts = [
    { key: "c4096x2", contextSize: 4096, sequences: 2, appends: false, label: "4,096 × 2 sequences (Hearth's completion context when it held the chat too)" },
    { key: "c4096x1", contextSize: 4096, sequences: 1, appends: true, label: "4,096 × 1 sequence (Hearth's completion context)" },
    { key: "c16384x1", contextSize: 16384, sequences: 1, appends: false, label: "16,384 × 1 sequence (the completion's context at hearth.engine.contextSize 16,384, before c299732)" },
  ];
  const appendMs: Record<number, number[]> = {};
  const oneByOneMs: Record<number, number[]> = {};
  const shiftRows: string[] = [];
  const crossRows: string[] = [];
  for (const layout of layouts) {
    const context = await model.createContext({ contextSize: layout.contextSize, threads: 1, sequences: layout.sequences });
    const sequence = context.getSequence();
    const timed = async (work: () => Promise<unknown>) => {
      const started = performance.now();
      await work();
      return performance.now() - started;
    };
    // The front stays cached: every measurement works after it, and a reset erases only what follows it (evaluating
    // 600 tokens again each time would make the bench last half an hour).
    await sequence.evaluateWithoutGeneratingNewTokens(front);
    const reset = async (tokens: Token[]) => {
      await sequence.eraseContextTokenRanges([{ start: FRONT_TOKENS, end: sequence.nextTokenIndex }]);
      if (tokens.length > FRONT_TOKENS) await sequence.evaluateWithoutGeneratingNewTokens(tokens.slice(FRONT_TOKENS));
    };
    const plain: number[] = [];
    const shifted: number[] = [];
    const exact: Record<number, number[]> = {};
    const reused: Record<number, number[]> = {};
    for (let round = 0; round < rounds; round++) {
      const fresh = (n: number, salt: number) => Array.from({ length: n }, (_, i) => (1000 + ((round * 97 + salt * 13 + i) % 5000)) as Token);
      if (layout.appends) {
        for (const n of round % 2 ? [...APPEND_SIZES].reverse() : APPEND_SIZES) {
          await reset(front);
          (appendMs[n] ??= []).push(await timed(() => sequence.evaluateWithoutGeneratingNewTokens(fresh(n, 1))));
          if (!ONE_BY_ONE_SIZES.includes(n)) continue;
          await reset(front);
          (oneByOneMs[n] ??= []).push(
            await timed(async () => {
              for (const token of fresh(n, 1)) await sequence.evaluateWithoutGeneratingNewTokens([token]);
            }),
          );
        }
      }
      // One token after an erase whose following cells move (llama.cpp then rotates every cell's keys at the next
      // decode), against the same token without one.
      await reset(front);
      plain.push(await timed(() => sequence.evaluateWithoutGeneratingNewTokens(fresh(1, 2))));
      await reset([...front, ...fresh(2, 7), ...suffixSource.slice(0, 8)]);
      await sequence.eraseContextTokenRanges([{ start: FRONT_TOKENS, end: FRONT_TOKENS + 2 }]);
      shifted.push(await timed(() => sequence.evaluateWithoutGeneratingNewTokens(fresh(1, 3))));
      // A keystroke changing 2 tokens before an s-token suffix: the exact path evaluates changed + suffix + <MID> in
      // one decode; the reuse path (suffix-reuse.mts) erases the old change (the suffix's cells move), evaluates the
      // new one after the suffix, moves it (the same rotation) and evaluates <MID>.
      for (const s of round % 2 ? [...SUFFIX_SIZES].reverse() : SUFFIX_SIZES) {
        const suffix = suffixSource.slice(0, s);
        await reset(front);
        (exact[s] ??= []).push(await timed(() => sequence.evaluateWithoutGeneratingNewTokens([...fresh(2, 4), ...suffix, FIM_MIDDLE])));
        await reset([...front, ...fresh(2, 5), ...suffix]);
        (reused[s] ??= []).push(
          await timed(async () => {
            await sequence.eraseContextTokenRanges([{ start: FRONT_TOKENS, end: FRONT_TOKENS + 2 }]);
            // As the engine decodes a change this small: one token per decode.
            const change = fresh(2, 6);
            if (change.length <= SUFFIX_REUSE_ONE_BY_ONE_MAX_TOKENS) for (const token of change) await sequence.evaluateWithoutGeneratingNewTokens([token]);
            else await sequence.evaluateWithoutGeneratingNewTokens(change);
            await sequence.evaluateWithoutGeneratingNewTokens([FIM_MIDDLE]);
          }),
       );
      }
    }
    const p = median(plain);
    const k = median(shifted);
    figures[`${layout.key}_one_token_ms`] = round1(p);
    figures[`${layout.key}_one_token_after_shift_ms`] = round1(k);
    figures[`${layout.key}_shift_ms`] = round1(k - p);
    shiftRows.push(`| ${layout.label} | ${p.toFixed(1)} | ${k.toFixed(1)} | ${(k - p).toFixed(1)} |`);
    let crossover: number | null = null;
    const cells = SUFFIX_SIZES.map((s) => {
      const e = median(exact[s]!);
      const r = median(reused[s]!);
      figures[`${layout.key}_suffix${s}_exact_ms`] = round1(e);
      figures[`${layout.key}_suffix${s}_reuse_ms`] = round1(r);
      if (crossover === null && r < e) crossover = s;
      return `${e.toFixed(0)} / ${r.toFixed(0)}`;
    });
    figures[`${layout.key}_reuse_pays_from_suffix_tokens`] = crossover;
    crossRows.push(`| ${layout.label} | ${cells.join(" | ")} | ${crossover ?? "none measured"} |`);
    sequence.dispose();
    await context.dispose();
  }
  await model.dispose();
  await llama.dispose();

  // llama.cpp's own tool on the same model: pp1 … pp32 (a prompt of n tokens in one decode) and tg (one token at a time).
  const { stdout } = await execFileAsync(build.bench, ["-m", modelPath, "-t", "1", "-p", APPEND_SIZES.join(","), "-n", "16", "-r", "3", "-o", "json"], { maxBuffer: 16 * 2 ** 20 });
  const rows = JSON.parse(stdout) as Array<{ n_prompt: number; n_gen: number; avg_ts: number }>;
  const benchMs = (n: number) => {
    const row = rows.find((r) => r.n_prompt === n && r.n_gen === 0);
    return row ? (n / row.avg_ts) * 1000 : Number.NaN;
  };
  const tg = rows.find((r) => r.n_prompt === 0 && r.n_gen === 16);
  const tgMs = tg ? 1000 / tg.avg_ts : Number.NaN;
  figures.llama_bench_tg_ms_per_token = round1(tgMs);
  const appendRows = APPEND_SIZES.map((n) => {
    const ms = median(appendMs[n]!);
    figures[`append${n}_nlc_ms`] = round1(ms);
    figures[`append${n}_llama_bench_ms`] = round1(benchMs(n));
    const oneByOne = oneByOneMs[n] ? median(oneByOneMs[n]) : undefined;
    if (oneByOne !== undefined) figures[`append${n}_one_by_one_nlc_ms`] = round1(oneByOne);
    return `| ${n} | ${ms.toFixed(1)} | ${(ms / n).toFixed(1)} | ${oneByOne === undefined ? "" : oneByOne.toFixed(1)} | ${benchMs(n).toFixed(1)} | ${(ms / median(appendMs[1]!)).toFixed(2)} |`;
  });
  const loadAfter = load();
  figures.load_average_before = loadBefore;
  figures.load_average_after = loadAfter;

  writeBenchResult(
    "engine-decode-shape",
    figures,
    `## Engine: what a decode costs by its shape (\`node out/bench/engine/decode-shape.js\`)

bench-0.5b (random weights in Qwen2.5-Coder-0.5B's shape, Q8_0), 1 thread, node-llama-cpp 3.22.1's prebuilt binary
and llama-bench from the bench's llama.cpp build; every decode follows a cached prompt of ${FRONT_TOKENS} tokens. Medians of ${rounds} rounds
in alternating order (llama-bench: the mean of 3). Load average ${loadBefore} before, ${loadAfter} after (2 cores, shared).

**Appending n tokens in one decode** (node-llama-cpp, Hearth's completion context; llama-bench's pp*n* on an empty
cache; llama-bench generates at ${tgMs.toFixed(1)} ms/token):

| n | node-llama-cpp, ms | per token | n decodes of one token, ms | llama-bench pp*n*, ms | × one token |
|---|---|---|---|---|---|
${appendRows.join("\n")}

**The cache shift.** One token decoded after a mid-sequence erase, whose following cells move: llama.cpp rotates the
keys of every cell of the context at the next decode (\`build_graph_shift\` views the whole cache), used or not:

| context | one token, ms | after a shift, ms | the shift, ms |
|---|---|---|---|
${shiftRows.join("\n")}

**Suffix reuse against evaluating the suffix again**, for a keystroke that changes 2 tokens before a suffix of s
tokens: exact (one decode of the change, the suffix and \`<|fim_middle|>\`) / reuse-shaped (erase, the change decoded
after the suffix as the engine decodes it, one token per decode up to ${SUFFIX_REUSE_ONE_BY_ONE_MAX_TOKENS}, the shift, \`<|fim_middle|>\`), ms:

| context | ${SUFFIX_SIZES.map((s) => `s = ${s}`).join(" | ")} | reuse cheaper from s = |
|---|${SUFFIX_SIZES.map(() => "---").join("|")}|---|
${crossRows.join("\n")}`,
 );
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
