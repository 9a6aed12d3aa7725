// Where benchmark figures are kept: flat JSON per bench in bench/results/NAME.json, and a section per bench in
// bench/RESULTS.md (replaced in place between markers, so benches can run in any order).
import { execFileSync } from "node:child_process";
import { cpus, totalmem } from "node:os";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export const BENCH_DIR = join(__dirname, "..", "..", "bench");

export type FlatValue = string | number | boolean | null;

/** The machine a figure was measured on; figures from different machines are not comparable. */
export function describeMachine(): Record<string, FlatValue> {
  let model = cpus()[0]?.model ?? "unknown";
  try {
    model = execFileSync("lscpu", { encoding: "utf8" }).match(/Model name:\s*(.+)/)?.[1]?.trim() ?? model;
  } catch {
    /* lscpu is optional */
  }
  return {
    machine_cpu: model,
    machine_cores: cpus().length,
    machine_memory_gib: Math.round(totalmem() / 2 ** 30),
    machine_node: process.version,
    measured_at: new Date().toISOString(),
  };
}

export function writeBenchResult(name: string, figures: Record<string, FlatValue>, markdown: string): void {
  const flat: Record<string, FlatValue> = { bench: name, ...describeMachine(), ...figures };
  mkdirSync(join(BENCH_DIR, "results"), { recursive: true });
  writeFileSync(join(BENCH_DIR, "results", `${name}.json`), `${JSON.stringify(flat, null, 2)}\n`);
  const file = join(BENCH_DIR, "RESULTS.md");
  const start = `<!-- bench:${name} -->`;
  const end = `<!-- /bench:${name} -->`;
  const section = `${start}\n${markdown.trim()}\n\n_Machine: ${String(flat.machine_cpu)}, ${String(flat.machine_cores)} cores, ${String(flat.machine_memory_gib)} GiB, Node ${String(flat.machine_node)}; ${String(flat.measured_at)}._\n${end}`;
  let text = existsSync(file) ? readFileSync(file, "utf8") : "# Benchmark results\n\nWritten by `npm run bench`; each section is replaced when its bench runs again.\n";
  const at = text.indexOf(start);
  const until = text.indexOf(end);
  text = at >= 0 && until > at ? text.slice(0, at) + section + text.slice(until + end.length) : `${text.trimEnd()}\n\n${section}\n`;
  writeFileSync(file, text);
}

/** The mean of `values`; 0 for none. */
export function mean(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);
}

export function median(values: number[]): number {
  return quantile(values, 0.5);
}

export function quantile(values: number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const position = (sorted.length - 1) * q;
  const low = Math.floor(position);
  const high = Math.ceil(position);
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (position - low);
}
