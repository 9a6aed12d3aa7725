// `npm run bench:context`: post-processing accuracy, definition recall and context speed. Writes
// bench/results/context.json (flat) and the context section of bench/RESULTS.md. Run it once, on a quiet machine.
import { execSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { measureAssemblySpeed, measureIndexSpeed } from "./context-speed";
import type { AssemblySpeed, IndexSpeed } from "./context-speed";
import { findDataDir } from "./datasets";
import { measureDefinitionRecall, nodeModulesOf } from "./definition-recall";
import type { RecallResult } from "./definition-recall";
import { runPostprocessAccuracy } from "./postprocess-accuracy";
import type { AccuracyResult } from "./postprocess-accuracy";
import { RECALL_CORPORA, prepareCorpus } from "./recall/corpora";
import { causeTable, pct, recallTable, REPORT_BUDGETS, useTable } from "./recall/recall-report";

const repoRoot = join(__dirname, "..", "..", "..");
const only = process.argv.slice(2);
const wants = (name: string): boolean => only.length === 0 || only.includes(name);

/**
 * The commit the product code was measured at (HEARTH_BENCH_CODE names it when the bench runs on a copy without .git),
 * and whether src/ had uncommitted changes.
 */
function codeVersion(): string {
  if (process.env.HEARTH_BENCH_CODE) return process.env.HEARTH_BENCH_CODE;
  try {
    const sha = execSync("git rev-parse --short HEAD", { cwd: repoRoot, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    const dirty = execSync("git status --porcelain -- src", { cwd: repoRoot, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim() !== "";
    return dirty ? `${sha} with uncommitted changes in src/` : sha;
  } catch {
    return "unknown";
  }
}

function machine(): string {
  try {
    return execSync("lscpu | grep 'Model name'", { encoding: "utf8" }).replace(/^Model name:\s*/, "").trim();
  } catch {
    return cpus()[0]?.model ?? "unknown";
  }
}

void (async () => {
  const flat: Record<string, string | number> = {
    machine: machine(),
    cores: cpus().length,
    node: process.version,
    date: new Date().toISOString().slice(0, 10),
    loadAverage1m: Number(loadavg()[0].toFixed(2)),
    code: codeVersion(),
  };
  const md: string[] = [];
  md.push(
    `Machine: ${flat.machine}, ${flat.cores} cores, Node ${flat.node}, ${flat.date}; load average ${flat.loadAverage1m} at the start; code ${flat.code}`,
    "(the machine is shared: timings above the median include other people's work). Model-independent.",
    "",
  );

  let accuracy: AccuracyResult[] | null = null;
  if (wants("postprocess")) {
    const dataDir = findDataDir(repoRoot);
    if (!dataDir) {
      console.log("bench:context: ../shared/data is absent: post-processing accuracy skipped");
      md.push("### Post-processing accuracy", "", "Skipped: ../shared/data is absent.", "");
    } else {
      accuracy = runPostprocessAccuracy(dataDir);
      md.push("### Post-processing accuracy", "");
      md.push("Model output = true middle + the real rest of the file; exact match with the middle (trailing whitespace ignored).", "");
      md.push("| set | cases | exact | target | single/multi decision matches middle's shape |", "|---|---|---|---|---|");
      for (const r of accuracy) {
        const target = r.set.includes("single") ? "≥ 98%" : r.set.includes("api") ? "(not a target)" : "≥ 92%";
        md.push(`| ${r.set} | ${r.cases} | ${pct(r.accuracy)} | ${target} | ${pct(r.decisionAgreement)} |`);
        flat[`postprocess.${r.set}.cases`] = r.cases;
        flat[`postprocess.${r.set}.accuracy`] = Number(r.accuracy.toFixed(4));
        flat[`postprocess.${r.set}.decisionAgreement`] = Number(r.decisionAgreement.toFixed(4));
      }
      md.push("");
      console.log(accuracy.map((r) => `${r.set} ${pct(r.accuracy)}`).join(", "));
    }
  }

  const recall: RecallResult[] = [];
  if (wants("recall")) {
    const recallStarted = performance.now();
    const skipped: string[] = [];
    const origins: string[] = [];
    const workDir = join(repoRoot, "bench", ".work");
    for (const spec of RECALL_CORPORA) {
      const corpus = prepareCorpus(spec, repoRoot, join(workDir, "corpora"));
      if (typeof corpus === "string") {
        console.log(`bench:context: ${spec.name} skipped: ${corpus}`);
        skipped.push(`${spec.name} (${corpus})`);
        continue;
      }
      const r = await measureDefinitionRecall(corpus, { grammarsDir: join(repoRoot, "grammars"), nodeModules: nodeModulesOf(repoRoot), samples: 100 });
      if (!r) {
        skipped.push(`${spec.name} (no line uses another file's definition)`);
        continue;
      }
      recall.push(r);
      origins.push(`${r.corpus}: ${r.origin}`);
      console.log(`${r.corpus}: hearth ${REPORT_BUDGETS.map((b) => pct(r.hearth[b])).join("/")} baseline ${REPORT_BUDGETS.map((b) => pct(r.baseline[b])).join("/")}`);
    }
    // Every sample with its outcome, for whoever works on a miss (bench/.work is not committed).
    mkdirSync(workDir, { recursive: true });
    writeFileSync(join(workDir, "context-recall-samples.json"), JSON.stringify(recall.map((r) => ({ corpus: r.corpus, perSample: r.perSample })), null, 1));
    const recallSeconds = Math.round((performance.now() - recallStarted) / 1000);
    flat["recall.wallSeconds"] = recallSeconds;
    md.push("### Definition recall", "");
    md.push(
      "A line that uses a symbol defined in another file of the same code base is removed; the context is assembled at",
      "the cursor left there; hit = a context item spans the line where the symbol is defined and shows the symbol's name",
      "(its code, its signature, or its line in an imported module's outline). Open tabs: up to 3 files the edited file",
      "imports plus random files of the code base, 6 in all. Baseline = the similar-snippets retriever alone, same tabs.",
      "At most 3 lines per file, then 100 per code base, drawn with a fixed seed.",
      "",
      "The bench reads each code base itself (tree-sitter with the grammar packages, not the product's index or queries)",
      "and follows each use to its definition: an imported name; a member of an imported module (`ns.x`, `mod.x` in",
      "Python); a member of an imported object (`import utils from './utils.js'` with `export default { isX, … }`,",
      "`require()` of `module.exports = { … }`, `exports.x = …`), the definition being the member's own (the function a",
      "shorthand names); a static member of an imported class (`AxiosError.from`, an enum's or namespace's member); and",
      "each of these through any number of re-exports (`export { x } from`, `export *`, `export { default as x }`,",
      "`module.exports = require(…)`, `from .m import x` in `__init__.py`, `from m import *` as far as `__all__` allows).",
      "Before 2026-12-03 only uses whose definition was in the very file the import names were sampled, and JavaScript",
      "was not measured.",
      "",
      "Code bases:",
      "",
      ...origins.map((o) => `- ${o}`),
      ...(skipped.length ? ["", `Skipped: ${skipped.join("; ")}.`] : []),
      "",
      `The recall run took ${recallSeconds} s (wall clock, fetching included).`,
      "",
    );
    md.push(...recallTable(recall, flat));
    md.push(
      "",
      "Targets (issue 14): at 1,024 tokens JavaScript ≥ 90%, Python ≥ 92%, TypeScript ≥ 95%, each ≥ 2× its baseline; at 512",
      "tokens every language ≥ 85%.",
      "",
      "#### By kind of use",
      "",
      ...useTable(recall, flat),
      "",
      "#### Hearth's misses by cause",
      "",
      "Each miss has the first cause that applies, in this order: the symbol is a class and the context holds items",
      "inside it (its methods) but not its own line (class dropped for its methods); the same assembly with a 16,384-token",
      "budget holds the definition, so the index returned it but higher-scoring items filled the budget (crowded out);",
      "the name was imported under `if TYPE_CHECKING:`; a member of an imported object; a static member of an imported",
      "class, enum or namespace (class as namespace); a definition reached through re-exports; anything else (other).",
      "",
      ...causeTable(recall, flat),
      "",
    );
  }

  let assembly: AssemblySpeed | null = null;
  let indexSpeed: IndexSpeed | null = null;
  if (wants("speed")) {
    assembly = await measureAssemblySpeed(repoRoot);
    indexSpeed = await measureIndexSpeed(repoRoot);
    md.push("### Speed", "");
    if (assembly) {
      md.push(
        `Context assembly on a ${assembly.lines}-line TypeScript file (${assembly.file}, topped up to 3,000 lines), typing a line one`,
        `character at a time; each sample = apply the edit + incremental reparse + assemble (1,536-token budget), ${assembly.iterations} keystrokes:`,
        "",
        "| | p50 | p95 | max |",
        "|---|---|---|---|",
        `| with the workspace index (worker) answering, asked at assembly | ${assembly.withIndex.p50} ms | ${assembly.withIndex.p95} ms | ${assembly.withIndex.max} ms |`,
        `| with the index, its lookup started by prepare() at the keystroke (as the request manager does), assembled after a 50 ms pause (pause not counted) | ${assembly.prepared.p50} ms | ${assembly.prepared.p95} ms | ${assembly.prepared.max} ms |`,
        `| extension-host work only (index off) | ${assembly.withoutIndex.p50} ms | ${assembly.withoutIndex.p95} ms | ${assembly.withoutIndex.max} ms |`,
        "",
        "Target: p95 ≤ 10 ms, incremental parse included (the prepared row is the product's path).",
        "",
      );
      for (const k of ["p50", "p95", "max"] as const) {
        flat[`speed.assembly.withIndex.${k}Ms`] = assembly.withIndex[k];
        flat[`speed.assembly.prepared.${k}Ms`] = assembly.prepared[k];
        flat[`speed.assembly.hostOnly.${k}Ms`] = assembly.withoutIndex[k];
      }
    }
    if (indexSpeed?.stats) {
      const s = indexSpeed.stats;
      const mb = (n: number | undefined): string => (n === undefined ? "?" : `${(n / 1024 / 1024).toFixed(1)} MiB`);
      md.push(
        `Workspace index over ${indexSpeed.files} real source files (.ts/.js/.py copied from the installed packages), in its worker:`,
        "",
        "| | files | symbols | definition text held | worker JS heap | worker external (tree-sitter WASM) | build time |",
        "|---|---|---|---|---|---|---|",
        `| default limits | ${s.files} | ${s.symbols} | ${mb(s.bytes)} | ${mb(s.memory?.heapUsed)} | ${mb(s.memory?.external)} | ${(indexSpeed.buildMs / 1000).toFixed(1)} s |`,
      );
      if (indexSpeed.capped) {
        const c = indexSpeed.capped;
        md.push(`| capped at 1,000 files | ${c.files} (${c.evictedFiles} evicted) | ${c.symbols} | ${mb(c.bytes)} | ${mb(c.memory?.heapUsed)} | ${mb(c.memory?.external)} | |`);
        flat["speed.index.capped.files"] = c.files;
        flat["speed.index.capped.bytes"] = c.bytes;
      }
      md.push("");
      flat["speed.index.files"] = s.files;
      flat["speed.index.symbols"] = s.symbols;
      flat["speed.index.buildMs"] = indexSpeed.buildMs;
      flat["speed.index.definitionBytes"] = s.bytes;
      flat["speed.index.workerHeapUsedBytes"] = s.memory?.heapUsed ?? -1;
      flat["speed.index.workerExternalBytes"] = s.memory?.external ?? -1;
    }
    console.log(JSON.stringify({ assembly, index: indexSpeed }));
  }

  const resultsDir = join(repoRoot, "bench", "results");
  mkdirSync(resultsDir, { recursive: true });
  const jsonPath = join(resultsDir, "context.json");
  const kept = existsSync(jsonPath) && only.length ? (JSON.parse(readFileSync(jsonPath, "utf8")) as Record<string, string | number>) : {};
  // The parts that ran again replace all of their keys: a corpus or a figure that is gone does not linger.
  const previous = Object.fromEntries(Object.entries(kept).filter(([k]) => !only.some((part) => k.startsWith(`${part}.`))));
  // A partial run leaves the whole run's machine, date and load alone: its own go under its parts' names.
  const meta = ["machine", "cores", "node", "date", "loadAverage1m", "code"];
  const own = only.length ? Object.fromEntries(Object.entries(flat).map(([k, v]) => [meta.includes(k) ? `${only.join("+")}.${k}` : k, v])) : flat;
  writeFileSync(jsonPath, JSON.stringify({ ...previous, ...own }, null, 2) + "\n");
  const resultsPath = join(repoRoot, "bench", "RESULTS.md");
  if (only.length === 0) writeResultsSection(resultsPath, md.join("\n"));
  else replaceSubsections(resultsPath, md.join("\n"), `_Rerun alone (\`bench:context ${only.join(" ")}\`) on ${flat.machine}, ${flat.cores} cores, Node ${flat.node}, ${flat.date}; load average ${flat.loadAverage1m}; code ${flat.code}._`);
  console.log(`bench:context: wrote ${jsonPath} and bench/RESULTS.md`);
})();

/** Replaces the context section of RESULTS.md, leaving other benches' sections alone. */
function writeResultsSection(path: string, body: string): void {
  const begin = "<!-- bench:context:begin -->";
  const end = "<!-- bench:context:end -->";
  const section = `${begin}\n## Context and post-processing (\`npm run bench:context\`)\n\n${body}\n${end}`;
  const current = existsSync(path) ? readFileSync(path, "utf8") : "# Benchmark results\n";
  const next = current.includes(begin) ? current.replace(new RegExp(`${begin}[\\s\\S]*?${end}`), section) : `${current.trimEnd()}\n\n${section}\n`;
  writeFileSync(path, next);
}

/**
 * A partial run (`run-context-bench.js recall`) replaces only its own subsections (`### …`) of the context section,
 * each marked with where and when it was measured; the other subsections keep their figures.
 */
function replaceSubsections(path: string, body: string, note: string): void {
  const current = existsSync(path) ? readFileSync(path, "utf8") : "";
  const end = "<!-- bench:context:end -->";
  let next = current;
  for (const part of body.split(/^(?=### )/m).filter((p) => p.startsWith("### "))) {
    const title = part.slice(0, part.indexOf("\n"));
    const text = `${title}\n\n${note}\n${part.slice(title.length).replace(/^\n+/, "\n")}`.trimEnd() + "\n\n";
    const at = next.indexOf(`${title}\n`);
    if (at < 0) {
      if (next.includes(end)) next = next.replace(end, `${text}${end}`);
      continue;
    }
    const following = next.slice(at + title.length).search(/^### |^<!-- bench:context:end -->/m);
    const stop = following < 0 ? next.length : at + title.length + following;
    next = next.slice(0, at) + text + next.slice(stop);
  }
  writeFileSync(path, next);
}
