// Why does node-llama-cpp generate slower than llama.cpp's own tools on the same model and threads? A small matrix of
// settings, each measured in a fresh process, interleaved over a few rounds (the machine is shared: medians only).
//
//   node out/bench/engine/gen-speed.js [--rounds N] [--no-openmp]
//
// --no-openmp also builds llama-bench with GGML_OPENMP=OFF (ggml's own thread pool, as node-llama-cpp's prebuilt
// binaries are built) from the same source, to tell the threading runtime apart from everything else.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { ensureTestModel } from "../../test/fixtures/models/test-models";
import { median, writeBenchResult, type FlatValue } from "../report";
import { CMAKE_FLAGS, ensureLlamaCppBuild } from "./llama-server-build";
import { measureLlamaBench, measureNodeLlamaCppInChild, type NodeLlamaCppRateOptions } from "./rates";
import { loadKySource } from "./source-file";

interface Config {
  name: string;
  run(): Promise<{ promptTokPerS: number; genMsPerToken: number }>;
}

interface Row {
  prompt: number[];
  gen: number[];
}

export async function runGenSpeed(options: { rounds: number; noOpenmp: boolean }): Promise<Record<string, FlatValue>> {
  const log = (line: string) => console.log(`gen-speed: ${line}`);
  const modelPath = await ensureTestModel("bench-0.5b");
  const build = await ensureLlamaCppBuild(log);
  const promptText = loadKySource(log).text;
  const noOmpBench = options.noOpenmp ? buildNoOpenmpBench(build.buildDir, log) : null;
  const nlc = (name: string, extra: Partial<NodeLlamaCppRateOptions>): Config => ({
    name,
    run: () => measureNodeLlamaCppInChild({ modelPath, promptText, threads: 2, repetitions: 2, ...extra }),
  });
  const bench = (name: string, binary: string, threads: number, extraArgs: string[] = []): Config => ({
    name,
    run: () => measureLlamaBench(binary, modelPath, threads, { repetitions: 2, extraArgs }),
  });
  const configs: Config[] = [
    nlc("node-llama-cpp t=2 (Hearth's settings)", { threads: 2 }),
    bench("llama-bench t=2 (OpenMP, native)", build.bench, 2),
    nlc("node-llama-cpp t=1", { threads: 1 }),
    bench("llama-bench t=1 (OpenMP, native)", build.bench, 1),
    nlc("node-llama-cpp t=2, flashAttention off", { threads: 2, flashAttention: false }),
    nlc("node-llama-cpp t=2, batchSize 2048", { threads: 2, batchSize: 2048 }),
    nlc("node-llama-cpp t=2, getLlama maxThreads unset", { threads: 2, maxThreads: 0 }),
    ...(noOmpBench
      ? [
          bench("llama-bench t=2 (no OpenMP, native)", noOmpBench, 2),
          bench("llama-bench t=1 (no OpenMP, native)", noOmpBench, 1),
          bench("llama-bench t=2 (no OpenMP, --poll 0)", noOmpBench, 2, ["--poll", "0"]),
        ]
      : []),
  ];
  const rows = new Map<string, Row>(configs.map((c) => [c.name, { prompt: [], gen: [] }]));
  const loadBefore = loadavg()[0]!;
  for (let round = 0; round < options.rounds; round++) {
    for (const config of configs) {
      const r = await config.run();
      const row = rows.get(config.name)!;
      row.prompt.push(r.promptTokPerS);
      row.gen.push(r.genMsPerToken);
      log(`round ${round + 1}: ${config.name}: prompt ${r.promptTokPerS.toFixed(0)} tok/s, generation ${r.genMsPerToken.toFixed(1)} ms/token; load ${loadavg()[0]!.toFixed(2)}`);
    }
  }
  const loadAfter = loadavg()[0]!;
  const figures: Record<string, FlatValue> = { rounds: options.rounds, load_average_before: round1(loadBefore), load_average_after: round1(loadAfter) };
  const lines: string[] = [];
  let i = 0;
  for (const [name, row] of rows) {
    const key = `c${i++}`;
    figures[`${key}_name`] = name;
    figures[`${key}_prompt_tok_s`] = round1(median(row.prompt));
    figures[`${key}_gen_ms_per_token`] = round1(median(row.gen));
    lines.push(`| ${name} | ${median(row.prompt).toFixed(0)} | ${median(row.gen).toFixed(1)} |`);
  }
  console.log(["| setting | prompt tok/s | generation ms/token |", "|---|---|---|", ...lines].join("\n"));
  writeBenchResult(
    "engine-gen-speed",
    figures,
    `## Engine: generation speed, node-llama-cpp vs llama.cpp's own build (\`node out/bench/engine/gen-speed.js\`)

bench-0.5b, pp512 and tg64, each setting in a fresh process, ${options.rounds} interleaved rounds, medians. Load average
${round1(loadBefore)} before, ${round1(loadAfter)} after (2 cores, shared).

| setting | prompt tok/s | generation ms/token |
|---|---|---|
${lines.join("\n")}`,
  );
  return figures;
}

/** llama-bench from the same source with GGML_OPENMP=OFF: ggml's own thread pool, like node-llama-cpp's prebuilt. */
function buildNoOpenmpBench(buildDir: string, log: (line: string) => void): string {
  const src = join(buildDir, "..", "src");
  const out = join(buildDir, "..", "build-no-openmp");
  const binary = join(out, "bin", "llama-bench");
  if (existsSync(binary)) return binary;
  log(`building llama-bench with GGML_OPENMP=OFF into ${out} (a few minutes)`);
  execFileSync("cmake", ["-S", src, "-B", out, ...CMAKE_FLAGS, "-DGGML_OPENMP=OFF", "-DLLAMA_BUILD_TESTS=OFF", "-DLLAMA_BUILD_EXAMPLES=OFF"], { stdio: "ignore" });
  execFileSync("cmake", ["--build", out, "--target", "llama-bench", "-j2"], { stdio: "ignore" });
  return binary;
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const at = args.indexOf("--rounds");
  runGenSpeed({ rounds: at >= 0 ? Number(args[at + 1]) : 3, noOpenmp: args.includes("--no-openmp") }).then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
      process.exit(1);
    },
  );
}
