// The reliability bench's figures (flat, for bench/results/reliability.json) and its section of bench/RESULTS.md.
import { cpus } from "node:os";
import { quantile, writeBenchResult, type FlatValue } from "../report";
import type { DiskFaultFigures, DiskFaultResult } from "./conversation-faults";
import type { DownloadFaultFigures, DownloadFaultResult } from "./download-faults";
import type { EngineFaultFigures, InjectionResult } from "./engine-faults";
import type { FloodBurst } from "./flood";
import { failures, tally, type CaseResult, type Tally } from "./outcomes";
import type { SoakResult } from "./soak";

export interface ReliabilityRun {
  seed: number;
  quick: boolean;
  startedAt: string;
  durationS: number;
  loadAverages: number[];
  corpora: Partial<Record<"markdown" | "messages" | "completions" | "gguf" | "settings" | "engine-build" | "sources" | "memory" | "servers" | "stored", CaseResult[]>>;
  markdownControl?: CaseResult[];
  faults?: { results: InjectionResult[]; figures: EngineFaultFigures };
  productFaults?: { results: InjectionResult[]; figures: EngineFaultFigures };
  conversationDisk?: { figures: DiskFaultFigures; results: DiskFaultResult[] };
  downloadDisk?: { figures: DownloadFaultFigures; results: DownloadFaultResult[] };
  soak?: SoakResult;
  flood?: FloodBurst[];
}

const CORPUS_LABELS: Record<string, string> = {
  markdown: "Hostile Markdown (model answers) through the chat view's EntryView under jsdom",
  messages: "Hostile webview messages through the host's validator",
  completions: "Hostile completion output (noise, repeats, control, bidi and invisible characters) through the ghost text's post-processor",
  gguf: "Hostile GGUF files through the reader, the picker's scan, the load check and a real engine load",
  settings: "Hostile settings through the settings reader (trusted and Restricted Mode)",
  "engine-build": "Broken engine-build folders (markers, copies cut short, a moved extension, a held folder) through the engine's library choice and the build's copy and lock",
  sources: "Hostile source files through the host's completion path (document sync, context, request manager)",
  stored: "Files Hearth wrote, found replaced (the chat history's conversation files and index: pipes, endless devices, huge files, folders, cut short) through the conversation store",
  servers: "Hostile inference servers (hangs, a byte at a time, floods, redirects, malformed streams and answers) through the server engine",
};

/** Host-side corpora, whose stalls are the extension host's (the markdown one is the webview's, measured in jsdom). */
const HOST_CORPORA = ["messages", "completions", "settings", "sources", "servers"];
const STALL_TARGET_MS = 50;

export function reportReliability(run: ReliabilityRun, log: (line: string) => void): void {
  const figures: Record<string, FlatValue> = {
    seed: run.seed,
    quick_run: run.quick,
    duration_s: run.durationS,
    load_average_start: round(run.loadAverages[0] ?? Number.NaN, 2),
    load_average_end: round(run.loadAverages.at(-1) ?? Number.NaN, 2),
    load_average_max: round(Math.max(...run.loadAverages), 2),
  };
  const all: CaseResult[] = [];
  for (const [name, results] of Object.entries(run.corpora)) {
    all.push(...results);
    addTally(figures, name, tally(results));
    const stalls = results.map((r) => r.stallMs).filter((s): s is number => s !== undefined);
    if (stalls.length) {
      figures[`${name}_stall_max_ms`] = round(Math.max(...stalls), 1);
      figures[`${name}_stall_p99_ms`] = round(quantile(stalls, 0.99), 1);
      if (HOST_CORPORA.includes(name)) figures[`${name}_cases_stall_over_50ms`] = stalls.filter((s) => s > STALL_TARGET_MS).length;
    }
  }
  if (all.length) addTally(figures, "hostile", tally(all));
  if (run.markdownControl) {
    const caught = run.markdownControl.filter((r) => r.outcome === "ran-code" || r.outcome === "unsafe");
    figures.markdown_control_cases = run.markdownControl.length;
    figures.markdown_control_caught = caught.length;
    figures.markdown_control_ran_code = run.markdownControl.filter((r) => r.outcome === "ran-code").length;
  }
  if (run.faults) addPrefixed(figures, "faults", run.faults.figures);
  if (run.productFaults) {
    figures.faults_product_deadlines_injections = run.productFaults.figures.injections;
    figures.faults_product_deadlines_recovered = run.productFaults.figures.recovered;
    figures.faults_product_deadlines_sigstop_detect_ms_max = run.productFaults.figures.sigstop_detect_ms_max;
  }
  if (run.conversationDisk) {
    const f = run.conversationDisk.figures;
    Object.assign(figures, {
      disk_conversation_injections: f.injections,
      disk_conversation_hit: f.hit,
      disk_conversation_recovered: f.recovered,
      disk_conversation_failed_cleanly: f.failedCleanly,
      disk_conversation_lost: f.conversationsLost,
      disk_conversation_real_fs_cases: f.realRun,
    });
  }
  if (run.downloadDisk) {
    const f = run.downloadDisk.figures;
    Object.assign(figures, { disk_download_scenarios: f.scenarios, disk_download_failed_cleanly: f.failedCleanly, disk_download_recovered: f.recovered, disk_download_skipped: f.skipped.length });
  }
  if (run.soak) {
    const s = run.soak;
    Object.assign(figures, {
      soak_keys: s.keys,
      soak_warmup_keys: s.warmupKeys,
      soak_duration_s: s.durationS,
      soak_model_calls: s.modelCalls,
      soak_host_rss_slope_mib_per_1k_keys: s.hostRssSlopeMiBPer1k,
      soak_host_heap_slope_mib_per_1k_keys: s.hostHeapSlopeMiBPer1k,
      soak_engine_rss_slope_mib_per_1k_keys: s.engineRssSlopeMiBPer1k,
      soak_host_rss_first_mib: s.samples[0]?.hostRssMiB ?? null,
      soak_host_rss_last_mib: s.samples.at(-1)?.hostRssMiB ?? null,
      soak_host_heap_first_mib: s.samples[0]?.hostHeapMiB ?? null,
      soak_host_heap_last_mib: s.samples.at(-1)?.hostHeapMiB ?? null,
      soak_engine_rss_first_mib: s.samples[0]?.engineRssMiB ?? null,
      soak_engine_rss_last_mib: s.samples.at(-1)?.engineRssMiB ?? null,
      soak_document_copies_alive: s.documentCopies,
      soak_document_copies_by_owner: ownersText(s.documentCopiesByOwner),
      soak_live_trees_max: s.liveTreesMax,
      soak_live_parsers_max: s.liveParsersMax,
      soak_live_cursors_max: s.liveCursorsMax,
      soak_leaked_trees: s.leakedTrees,
      soak_leaked_parsers: s.leakedParsers,
      soak_leaked_cursors: s.leakedCursors,
      soak_stall_p99_ms: s.stallP99Ms,
      soak_stall_max_ms: s.stallMaxMs,
      soak_stalls_over_50ms: s.stallsOver50ms,
      soak_load_average_max: s.loadAverageMax,
      soak_provide_sync_p99_ms: s.provideSyncP99Ms,
      soak_provide_sync_max_ms: s.provideSyncMaxMs,
    });
  }
  for (const burst of run.flood ?? []) {
    Object.assign(figures, {
      [`flood_${burst.name}_requests`]: burst.requests,
      [`flood_${burst.name}_model_calls`]: burst.modelCalls,
      [`flood_${burst.name}_generations_started`]: burst.generationsStarted,
      [`flood_${burst.name}_max_pending`]: burst.maxPending,
      [`flood_${burst.name}_drain_ms`]: burst.drainMs,
      [`flood_${burst.name}_newest_answered`]: burst.newestAnswered,
      [`flood_${burst.name}_unanswered`]: burst.unanswered,
    });
  }
  writeBenchResult("reliability", figures, markdownOf(run));
  log(`figures: ${JSON.stringify(figures)}`);
}

function addTally(figures: Record<string, FlatValue>, name: string, t: Tally): void {
  Object.assign(figures, {
    [`${name}_tried`]: t.tried,
    [`${name}_refused_clearly`]: t.refused,
    [`${name}_accepted_safely`]: t.accepted,
    [`${name}_refused_unclearly`]: t.unclear,
    [`${name}_unsafe`]: t.unsafe,
    [`${name}_hung`]: t.hung,
    [`${name}_crashed`]: t.crashed,
    [`${name}_ran_code`]: t["ran-code"],
  });
}

function addPrefixed(figures: Record<string, FlatValue>, prefix: string, values: object): void {
  for (const [key, value] of Object.entries(values)) figures[`${prefix}_${key}`] = value as FlatValue;
}

function markdownOf(run: ReliabilityRun): string {
  const lines: string[] = [];
  const loads = run.loadAverages;
  lines.push(
    "## Reliability (`npm run bench:reliability`)",
    "",
    `Measured ${run.startedAt.slice(0, 10)} on ${cpus().length} cores shared with other work: load average ${fmt(loads[0])} at the start, ` +
      `${fmt(Math.max(...loads))} at most, ${fmt(loads.at(-1))} at the end; ${Math.round(run.durationS / 60)} min in all${run.quick ? " (a quick run: samples only)" : ""}. ` +
      `Seed ${run.seed} (\`--seed=${run.seed}\` replays the fault points). Every case's outcome: \`bench/.work/reliability-cases.json\`.`,
    "",
    "### Hostile inputs",
    "",
    "Each case runs in a worker thread with a deadline (a hang is counted, the thread replaced). Refused = turned away with a",
    "message in words; accepted = handled and shown inert or bounded; unsafe = nothing ran but the output could run code or",
    "load something; ran code = a trap fired (a script ran in the page, a key appeared on a built-in prototype, a marker file",
    "was written). Target: 0 in the last five columns.",
    "",
    "| corpus | tried | refused clearly | accepted safely | refused unclearly | unsafe | hung | crashed | ran code | longest stall |",
    "|---|---|---|---|---|---|---|---|---|---|",
  );
  const all: CaseResult[] = [];
  for (const [name, results] of Object.entries(run.corpora)) {
    all.push(...results);
    const t = tally(results);
    const stalls = results.map((r) => r.stallMs).filter((s): s is number => s !== undefined);
    const stall = stalls.length ? `${round(Math.max(...stalls), 1)} ms${name === "markdown" ? " (view, jsdom)" : HOST_CORPORA.includes(name) ? " (host)" : ""}` : "";
    lines.push(`| ${CORPUS_LABELS[name] ?? name} | ${t.tried} | ${t.refused} | ${t.accepted} | ${t.unclear} | ${t.unsafe} | ${t.hung} | ${t.crashed} | ${t["ran-code"]} | ${stall} |`);
  }
  if (all.length) {
    const t = tally(all);
    lines.push(`| **all** | ${t.tried} | ${t.refused} | ${t.accepted} | ${t.unclear} | ${t.unsafe} | ${t.hung} | ${t.crashed} | ${t["ran-code"]} | |`);
  }
  if (run.markdownControl) {
    const caught = run.markdownControl.filter((r) => r.outcome === "ran-code" || r.outcome === "unsafe").length;
    const ran = run.markdownControl.filter((r) => r.outcome === "ran-code").length;
    lines.push(
      "",
      `Control: the same Markdown put into the page without the sanitiser (markdown-it with raw HTML and every link allowed,`,
      `then innerHTML): ${caught} of ${run.markdownControl.length} cases caught (${ran} ran code), so the traps do fire. The view's stall is`,
      "jsdom's, which moves a sanitised fragment's top-level nodes in quadratic time (Chromium does not); it is not the host's.",
    );
  }
  const failed = failures(all);
  lines.push("", failed.length ? `Cases that failed (${failed.length}):` : "No case hung, crashed, ran code, came out unsafe or was refused without a clear message.");
  for (const f of failed.slice(0, 40)) lines.push(`- ${f.corpus}: ${f.name}: **${f.outcome}**: ${f.detail.slice(0, 200)}`);

  if (run.faults) lines.push(...faultLines(run.faults.figures, run.faults.results, run.productFaults?.figures));
  if (run.conversationDisk || run.downloadDisk) lines.push(...diskLines(run));
  if (run.soak) lines.push(...soakLines(run.soak));
  if (run.flood) lines.push(...floodLines(run.flood));
  return lines.join("\n");
}

function faultLines(f: EngineFaultFigures, results: InjectionResult[], product: EngineFaultFigures | undefined): string[] {
  const bad = results.filter((r) => !r.recovered || r.pending === "hung" || r.pending === "failed-unclearly" || r.conversationLost);
  return [
    "",
    "### Engine faults",
    "",
    `${f.injections} injections (${f.sigkill} SIGKILL, ${f.sigstop} SIGSTOP; ${f.during_load} during a load, ${f.during_completion} during a`,
    `completion, ${f.during_chat} during a chat) into the real engine process of a real EngineClient with the tiny test model, each at a`,
    "seeded random point within the request's measured duration. Chats go through a ChatSession whose store writes to a temp",
    "folder; after each chat fault a fresh store reads the folder. The bench shortens the engine's deadlines (2.5 s of silence,",
    "6 s for a stopped load); the product's own are 10 s and 60 s plus the file at 25 MB/s.",
    "",
    "| figure | value | target |",
    "|---|---|---|",
    `| recovered (the next request succeeded) | ${f.recovered} of ${f.injections} | all |`,
    `| request under way failed cleanly (a clear error or chat note) | ${f.failed_cleanly} | |`,
    `| request had already finished when the signal landed | ${f.completed_before_fault} | |`,
    `| request hung | ${f.hung} | 0 |`,
    `| request failed without a clear message | ${f.failed_unclearly} | 0 |`,
    `| conversations lost (of ${f.chat_injections} chat faults) | ${f.conversations_lost} | 0 |`,
    `| longest SIGSTOP detection | ${f.sigstop_detect_ms_max ?? "–"} ms | |`,
    `| longest recovery (first request after the fault to its answer) | ${f.recover_ms_max ?? "–"} ms | |`,
    ...(product ? [`| with the product's deadlines: recovered, longest SIGSTOP detection | ${product.recovered} of ${product.injections}, ${product.sigstop_detect_ms_max ?? "–"} ms | |`] : []),
    ...(bad.length ? ["", "Injections that failed:", ...bad.map((r) => `- #${r.index} ${r.signal} during ${r.phase} at ${r.delayMs} ms: ${r.pending} (${r.message}); ${r.problems.join("; ")}`)] : []),
  ];
}

function diskLines(run: ReliabilityRun): string[] {
  const lines = ["", "### Disk faults", ""];
  const c = run.conversationDisk?.figures;
  if (c) {
    lines.push(
      `Conversations (bench/reliability/conversation-faults.ts): ${c.injections} injections (seeded ENOSPC, EDQUOT, EACCES, EPERM, EROFS, EIO on`,
      `each file operation during a chat's saving pattern, ${c.realRun} of them on real file systems): ${c.hit} hit, ${c.recovered} recovered,`,
      `${c.failedCleanly} failed cleanly, **${c.conversationsLost} conversations lost**${c.realSkipped.length ? `; not run here: ${c.realSkipped.join(", ")}` : ""}.`,
    );
    const bad = run.conversationDisk!.results.filter((r) => r.lost > 0 || !r.recovered || (r.hit && !r.failedCleanly));
    for (const r of bad.slice(0, 10)) lines.push(`- ${r.name}: ${r.problems.join("; ")}`);
  }
  const d = run.downloadDisk;
  if (d) {
    lines.push("", `Downloads (real file systems, a local HTTPS server): ${d.figures.failedCleanly} of ${d.figures.scenarios} failed cleanly, ${d.figures.recovered} finished on the next try.`);
    for (const r of d.results) lines.push(`- ${r.name}: ${r.failedCleanly ? "failed cleanly" : "**did not fail cleanly**"}, ${r.recovered ? `finished on the next try${r.resumed ? " (resumed)" : ""}` : "**not recovered**"}: “${r.message}”${r.problems.length ? ` (${r.problems.join("; ")})` : ""}`);
    if (d.figures.skipped.length) lines.push(`- not run here: ${d.figures.skipped.join(", ")}`);
  }
  return lines;
}

function soakLines(s: SoakResult): string[] {
  return [
    "",
    "### Soak",
    "",
    `${s.keys.toLocaleString("en")} keystrokes after a ${s.warmupKeys.toLocaleString("en")}-key warm-up, typing ${s.source} back at a fast typist's pace through`,
    `the real ContextEngine, RequestManager and EngineClient (tiny test model): ${s.modelCalls} model calls, ${s.shown} suggestions shown, ${s.durationS} s.`,
    "Memory sampled every 250 keys after a full GC; slopes by least squares.",
    "",
    "| figure | value |",
    "|---|---|",
    `| extension host RSS, slope | ${s.hostRssSlopeMiBPer1k} MiB per 1,000 keys (${s.samples[0]?.hostRssMiB} → ${s.samples.at(-1)?.hostRssMiB} MiB) |`,
    `| extension host heap used, slope | ${s.hostHeapSlopeMiBPer1k} MiB per 1,000 keys (${s.samples[0]?.hostHeapMiB} → ${s.samples.at(-1)?.hostHeapMiB} MiB) |`,
    `| engine RSS, slope | ${s.engineRssSlopeMiBPer1k ?? "–"} MiB per 1,000 keys (${s.samples[0]?.engineRssMiB ?? "–"} → ${s.samples.at(-1)?.engineRssMiB ?? "–"} MiB) |`,
    `| whole copies of the document alive at the last key, by the class that keeps them | ${s.documentCopies}${s.documentCopies ? ` (${ownersText(s.documentCopiesByOwner)})` : ""} |`,
    `| live tree-sitter trees / parsers / cursors (host thread), most at once | ${s.liveTreesMax} / ${s.liveParsersMax} / ${s.liveCursorsMax} |`,
    `| left after the context engine was disposed (leaked) | ${s.leakedTrees} / ${s.leakedParsers} / ${s.leakedCursors} |`,
    `| host-thread stall (event-loop delay), p99 / max | ${s.stallP99Ms} / ${s.stallMaxMs} ms (${s.stallsOver50ms} over 50 ms; load average up to ${s.loadAverageMax}, and a thread waiting for a core counts as stalled) |`,
    `| provide()'s synchronous part, p99 / max | ${s.provideSyncP99Ms} / ${s.provideSyncMaxMs} ms |`,
  ];
}

function floodLines(bursts: FloodBurst[]): string[] {
  return [
    "",
    "### Flood",
    "",
    "Completion requests fired in one burst: straight at EngineClient (none cancelled by the caller), through RequestManager as",
    "typing (each keystroke cancels the one before, as VS Code does) and with the invoked trigger (no pause, nothing cancelled).",
    "",
    "| burst | requests | model calls | generations the engine started | most model calls waiting | drained in | newest computed | unanswered |",
    "|---|---|---|---|---|---|---|---|",
    ...bursts.map((b) => `| ${b.name} | ${b.requests} | ${b.modelCalls} | ${b.generationsStarted} | ${b.maxPending} | ${b.drainMs} ms | ${b.newestAnswered ? "yes" : "**no**"} | ${b.unanswered} |`),
  ];
}

function ownersText(byOwner: Record<string, number>): string {
  return Object.entries(byOwner)
    .sort((a, b) => b[1] - a[1])
    .map(([owner, n]) => `${owner} ${n}`)
    .join(", ");
}

function fmt(value: number | undefined): string {
  return value === undefined || !Number.isFinite(value) ? "?" : value.toFixed(2);
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
