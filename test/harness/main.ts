// Entry of the real-VS-Code test layers:
//   node out/test/harness/main.js [vscode|e2e|all] [--summary FILE]
// Enters an observed network namespace (re-executing itself under unshare; see network.ts), proves with a control probe
// that the network observer catches a connection attempt, runs the layer(s), and fails a layer in which any packet left
// loopback, naming where it went. Prints "network: ..." / "vscode: N passed, M failed" / "e2e: ..." and the failures,
// writes a JSON summary when asked, and exits non-zero on any failure. Every layer has an overall timeout; every
// process it started is stopped by its process group.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { ensureNetworkNamespace } from "./network";
import { networkVerdict, runControlProbe, startNetworkObserver, type NetworkObserver } from "./network-observer";
import { readinessProblem } from "./paths";
import { installCleanupHandlers, killAllGroups, withTimeout } from "./processes";
import { runE2E } from "./run-e2e";
import { runVsCodeSuites, type SuiteResult } from "./run-vscode-tests";

type Layer = "vscode" | "e2e";
/** "network" is the observer's control probe, counted as a test of its own before the layers. */
type Entry = Layer | "network";

interface LayerSummary extends SuiteResult {
  durationMs: number;
}

export interface Summary {
  layers: Partial<Record<Entry, LayerSummary>>;
  passed: number;
  failed: number;
  networkNamespace: boolean;
}

function parseArgs(argv: string[]): { layers: Layer[]; summary?: string } {
  let which = "all";
  let summary: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--summary") summary = argv[++i];
    else if (a?.startsWith("--summary=")) summary = a.slice("--summary=".length);
    else if (a === "vscode" || a === "e2e" || a === "all") which = a;
    else {
      console.error(`usage: node out/test/harness/main.js [vscode|e2e|all] [--summary FILE]  (unknown argument ${a})`);
      process.exit(2);
    }
  }
  return { layers: which === "all" ? ["vscode", "e2e"] : [which as Layer], summary };
}

// Guards against a hung layer, not estimates of how long one takes: on a loaded 2-core machine the vscode layer has
// taken 5 minutes and e2e 6, so each gets several times that before it is stopped.
const LAYER_TIMEOUT_MS: Record<Layer, number> = {
  vscode: Number(process.env.HEARTH_VSCODE_LAYER_TIMEOUT_MS ?? 1_200_000),
  e2e: Number(process.env.HEARTH_E2E_LAYER_TIMEOUT_MS ?? 1_200_000),
};

async function runLayer(layer: Layer): Promise<SuiteResult> {
  const run = layer === "vscode" ? runVsCodeSuites() : runE2E();
  try {
    return await withTimeout(run, LAYER_TIMEOUT_MS[layer], `the ${layer} layer`);
  } catch (e) {
    return { passed: 0, failed: 1, failures: [`${layer} layer: ${e instanceof Error ? e.message : String(e)}`] };
  } finally {
    // Whatever a hung layer left running (code-server, chromium) goes before the next layer starts.
    killAllGroups("SIGKILL");
  }
}

/** Adds the observer's verdict on what `layer` sent (one test) to the layer's own results, and prints it. */
async function withNetworkVerdict(layer: Layer, result: SuiteResult, observer: NetworkObserver): Promise<SuiteResult> {
  const verdict = await observer.checkpoint().then(
    (packets) => networkVerdict(`the ${layer} layer`, packets),
    (e: unknown) => ({ passed: 0, failed: 1, failures: [e instanceof Error ? e.message : String(e)] }),
  );
  console.log(verdict.failed ? `  ✘ ${verdict.failures.join("")}` : `  ✔ no packet left loopback during the ${layer} layer`);
  return { ...result, passed: result.passed + verdict.passed, failed: result.failed + verdict.failed, failures: [...result.failures, ...verdict.failures] };
}

/** Starts the observer and runs its control probe; the observer is undefined when it cannot be trusted. */
async function startObserver(summary: Summary, interfaceName: string): Promise<NetworkObserver | undefined> {
  const started = Date.now();
  console.log(`\n== network observer (every packet sent on ${interfaceName}, i.e. anywhere but loopback, fails the layer that sent it)`);
  let observer: NetworkObserver | undefined;
  let result: SuiteResult;
  try {
    observer = await startNetworkObserver(interfaceName);
    result = await runControlProbe(observer);
  } catch (e) {
    result = { passed: 0, failed: 1, failures: [e instanceof Error ? e.message : String(e)] };
  }
  console.log(result.failed ? `  ✘ ${result.failures.join("")}` : "  ✔ catches and names a control probe's connection to 203.0.113.1:443 and lookup of example.com");
  summary.layers.network = { ...result, durationMs: Date.now() - started };
  summary.passed += result.passed;
  summary.failed += result.failed;
  if (result.failed) observer?.stop();
  return result.failed ? undefined : observer;
}

async function main(): Promise<number> {
  const { layers, summary: summaryPath } = parseArgs(process.argv.slice(2));
  const summaryFile = summaryPath ? resolve(summaryPath) : undefined;
  const network = await ensureNetworkNamespace();
  installCleanupHandlers();

  const summary: Summary = { layers: {}, passed: 0, failed: 0, networkNamespace: network !== null };
  const observer = network ? await startObserver(summary, network.interfaceName) : undefined;
  const problem = readinessProblem();
  for (const layer of layers) {
    const started = Date.now();
    console.log(`\n== ${layer} layer${observer ? " (no network: every packet off loopback is recorded)" : ""}`);
    let result: SuiteResult = problem ? { passed: 0, failed: 1, failures: [problem] } : await runLayer(layer);
    if (observer) result = await withNetworkVerdict(layer, result, observer);
    summary.layers[layer] = { ...result, durationMs: Date.now() - started };
    summary.passed += result.passed;
    summary.failed += result.failed;
  }
  observer?.stop();

  console.log("");
  for (const layer of ["network", ...layers] as const) {
    const r = summary.layers[layer];
    if (!r) continue;
    const pending = (r as { pending?: number }).pending ? `, ${(r as { pending?: number }).pending} pending` : "";
    console.log(`${layer}: ${r.passed} passed, ${r.failed} failed${pending} (${(r.durationMs / 1000).toFixed(1)} s)`);
    for (const f of r.failures) console.log(`  ✘ ${f}`);
  }
  if (summaryFile) {
    mkdirSync(dirname(summaryFile), { recursive: true });
    writeFileSync(summaryFile, JSON.stringify(summary, null, 2) + "\n");
  }
  return summary.failed > 0 || summary.passed === 0 ? 1 : 0;
}

main().then(
  (code) => {
    killAllGroups("SIGKILL");
    process.exit(code);
  },
  (e: unknown) => {
    console.error(`harness: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    killAllGroups("SIGKILL");
    process.exit(1);
  },
);
