// Activation time of Hearth in a real VS Code (code-server's extension host): loading the bundle plus activate().
// The target is under 50 ms, which holds only while nothing heavy (the model, node-llama-cpp) is touched at start-up.
import { existsSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runVsCodeSuites } from "../../test/harness/run-vscode-tests";
import { median, quantile, writeBenchResult } from "../report";

interface Sample {
  loadMs: number | null;
  activateMs: number;
  engineStarted: boolean;
}

export async function runActivationBench(runs = Number(process.env.HEARTH_BENCH_RUNS ?? 5)): Promise<void> {
  const entry = join(__dirname, "entry.js");
  const samples: Sample[] = [];
  for (let i = 0; i < runs; i++) {
    const out = join(tmpdir(), `hearth-activation-${process.pid}-${i}.json`);
    const result = await runVsCodeSuites({ env: { HEARTH_SUITE_ENTRY: entry, HEARTH_BENCH_OUT: out }, log: () => undefined, timeoutMs: 120_000 });
    if (result.failed > 0 || !existsSync(out)) throw new Error(`activation run ${i + 1} failed: ${result.failures.join("; ")}`);
    samples.push(JSON.parse(readFileSync(out, "utf8")) as Sample);
    rmSync(out, { force: true });
    console.log(`activation run ${i + 1}/${runs}: load ${samples.at(-1)?.loadMs?.toFixed(1)} ms, activate ${samples.at(-1)?.activateMs.toFixed(1)} ms`);
  }
  const totals = samples.map((s) => (s.loadMs ?? 0) + s.activateMs);
  const loads = samples.map((s) => s.loadMs ?? 0);
  const activates = samples.map((s) => s.activateMs);
  const figures = {
    runs,
    activation_total_ms_p50: round(median(totals)),
    activation_total_ms_max: round(Math.max(...totals)),
    bundle_load_ms_p50: round(median(loads)),
    activate_ms_p50: round(median(activates)),
    activate_ms_p90: round(quantile(activates, 0.9)),
    engine_started_at_activation: samples.some((s) => s.engineStarted),
    target_ms: 50,
    meets_target: median(totals) < 50,
  };
  console.log(figures);
  writeBenchResult(
    "activation",
    figures,
    `## Activation (\`npm run bench -- activation\`)

Hearth activated ${runs} times in code-server's real extension host (VS Code 1.139); time from the first line of the
bundle to the end of \`activate()\`. The model and node-llama-cpp load lazily, on first use.

| figure | median | max |
|---|---|---|
| bundle load + activate | ${figures.activation_total_ms_p50} ms | ${figures.activation_total_ms_max} ms |
| bundle load | ${figures.bundle_load_ms_p50} ms | |
| activate() | ${figures.activate_ms_p50} ms | |

Target under 50 ms: ${figures.meets_target ? "met" : "**not met**"}. Engine process started during activation: ${figures.engine_started_at_activation ? "yes (a regression)" : "no"}.`,
  );
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
