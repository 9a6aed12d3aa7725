// `node out/bench/run.js cache`: what the engine's KV cache keeps while the user types, with other files' context on
// (issue 16). Typing replays (cache-replay.ts) on real Python and JavaScript files in their own workspaces, indexed,
// with a few files visited:
//   - prompt tokens the engine evaluated per model call, before (a fresh other-file selection on every call, the prefix
//     window's start cut by the budget alone, the old suffix: the rest of the line and two lines) against now,
//     alternating per file; on `qwen-vocab` (the real Qwen2.5 tokenizer on a tiny body: the counts are the real ones,
//     and a replay takes a minute on a busy machine), or timed on `bench-0.5b` with `-- --model=bench-0.5b`;
//   - the same requests rendered suffix first with the same tokens (cache-measure.ts measures what a cache keeping the
//     common start evaluates), for the families that take that order;
//   - what each line of suffix costs a prefix-first model per call, and how often N lines reach the end of the block.
import { existsSync, readFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { MemoryLogger } from "../../src/common/logger";
import { EngineClient } from "../../src/engine/client";
import { ensureTestModel } from "../../test/fixtures/models/test-models";
import { BENCH_DIR, median, quantile, writeBenchResult, type FlatValue } from "../report";
import { defaultFimWindow } from "../../src/fim/layout";
import { runCacheReplay, SLACK_TOKENS, type CacheCall, type CacheReplayFile, type CacheReplayOptions, type LayoutCall } from "./cache-replay";

const PYTHON_DIR = "/usr/lib/python3.11";
const BUDGET_TOKENS = 1024;
const DEBOUNCE_MS = 90;
/** The target of issue 16: at least this share of calls evaluates at most SMALL_CALL_TOKENS prompt tokens. */
const SMALL_CALL_TOKENS = 32;
const TARGET_SHARE = 0.95;
/** Lines of suffix (after the rest of the cursor's line) whose tokens are counted at each call. */
const SUFFIX_PROBES = [2, 4, 8, 16, 32, 64] as const;
/**
 * The suffix windows (fim/layout.ts): the replays render prefix first without suffix reuse (a team server's window),
 * suffix first with its own; the local engine, which reuses a prefix-first suffix's cache, sends up to REUSE's lines.
 */
const WINDOWS = { psm: defaultFimWindow({ order: "psm" }), reuse: defaultFimWindow({ order: "psm" }, { suffixReuse: true }), spm: defaultFimWindow({ order: "spm" }) };
const PSM_LINES = `${WINDOWS.psm.minSuffixLines}–${WINDOWS.psm.maxSuffixLines} lines`;
/** bench-0.5b's prompt speed with 2 threads on an idle machine (shared/research/node-llama-cpp.md). */
const IDLE_PROMPT_TOKENS_PER_S = 281;

function files(root: string): CacheReplayFile[] {
  const asyncio = join(PYTHON_DIR, "asyncio");
  const ws = join(root, "node_modules", "ws", "lib");
  const wsVersion = (JSON.parse(readFileSync(join(root, "node_modules", "ws", "package.json"), "utf8")) as { version: string }).version;
  return [
    {
      key: "py_queues",
      origin: `CPython 3.11 Lib/asyncio/queues.py (Debian's /usr/lib/python3.11), Queue.get`,
      languageId: "python",
      workspace: asyncio,
      absolutePath: join(asyncio, "queues.py"),
      lines: [155, 173],
      visited: [join(asyncio, "locks.py"), join(asyncio, "mixins.py"), join(asyncio, "exceptions.py")],
    },
    {
      key: "py_locks",
      origin: `CPython 3.11 Lib/asyncio/locks.py, Semaphore.acquire`,
      languageId: "python",
      workspace: asyncio,
      absolutePath: join(asyncio, "locks.py"),
      lines: [372, 398],
      visited: [join(asyncio, "queues.py"), join(asyncio, "mixins.py"), join(asyncio, "events.py")],
    },
    {
      key: "js_websocket",
      origin: `ws@${wsVersion} lib/websocket.js, WebSocket.setSocket`,
      languageId: "javascript",
      workspace: ws,
      absolutePath: join(ws, "websocket.js"),
      lines: [235, 266],
      visited: [join(ws, "receiver.js"), join(ws, "sender.js"), join(ws, "constants.js")],
    },
    {
      key: "js_sender",
      origin: `ws@${wsVersion} lib/sender.js, Sender.frame`,
      languageId: "javascript",
      workspace: ws,
      absolutePath: join(ws, "sender.js"),
      lines: [78, 110],
      visited: [join(ws, "websocket.js"), join(ws, "permessage-deflate.js"), join(ws, "buffer-util.js")],
    },
  ];
}

type Layout = "psm" | "spm";

interface Summary {
  calls: number;
  evaluatedP50: number;
  evaluatedP95: number;
  evaluatedMax: number;
  smallShare: number;
  /**
   * The same share without the suffix window's tokens (a prefix-first prompt evaluates its suffix, and the two tokens
   * around it, again on every call whatever the context does: that is the suffix's cost, measured in the suffix part).
   */
  smallOutsideSuffixShare: number;
  /** Calls that evaluated more than what had to change and what follows it in the prompt (a few tokens of slack). */
  overUnavoidable: number;
  /** Calls whose other-file context changed, and why (the hold's reason). */
  contextChanged: number;
  contextReasons: string;
  prefixMoved: number;
  snippetsP50: number;
  /** Calls whose definitions lookup the workspace index answered in time. */
  indexAnsweredShare: number;
  suffixLinesP50: number;
  suffixTokensP50: number;
  msP50: number;
}

function summarize(calls: readonly CacheCall[], layout: Layout = "psm"): Summary {
  const costs = calls.map((c) => c[layout]);
  const evaluated = costs.map((c) => c.evaluated);
  const outsideSuffix = (c: LayoutCall) => c.evaluated - c.suffixEvaluated - (layout === "psm" && c.suffixEvaluated > 0 ? 2 : 0);
  const changed = calls.filter((c) => c[layout].firstDifference === "context");
  const reasons = new Map<string, number>();
  for (const c of changed) reasons.set(c.hold ?? "no hold", (reasons.get(c.hold ?? "no hold") ?? 0) + 1);
  return {
    calls: calls.length,
    evaluatedP50: median(evaluated),
    evaluatedP95: quantile(evaluated, 0.95),
    evaluatedMax: Math.max(0, ...evaluated),
    smallShare: share(costs, (c) => c.evaluated <= SMALL_CALL_TOKENS),
    smallOutsideSuffixShare: share(costs, (c) => outsideSuffix(c) <= SMALL_CALL_TOKENS),
    overUnavoidable: costs.filter((c) => c.evaluated > c.unavoidable + SLACK_TOKENS).length,
    contextChanged: changed.length,
    contextReasons: [...reasons].map(([k, n]) => `${k} ${n}`).join(", ") || "none",
    prefixMoved: calls.filter((c) => c.prefixMoved).length,
    snippetsP50: median(calls.map((c) => c.snippets)),
    indexAnsweredShare: share(calls, (c) => c.indexAnswered),
    suffixLinesP50: median(costs.map((c) => c.suffixLines)),
    suffixTokensP50: median(costs.map((c) => c.suffixTokens)),
    msP50: median(calls.map((c) => c.ms)),
  };
}

function share<T>(items: readonly T[], test: (item: T) => boolean): number {
  return items.filter(test).length / Math.max(1, items.length);
}

interface Variant {
  name: "before" | "after";
  options: Pick<CacheReplayOptions, "stableContext" | "suffixLines" | "suffixProbeLines">;
}

const VARIANTS: Record<Variant["name"], Variant["options"]> = {
  // A fresh other-file selection on every call, the prefix start cut by the budget alone, the old 2-line suffix.
  before: { stableContext: false, suffixLines: 2 },
  after: { stableContext: true, suffixProbeLines: SUFFIX_PROBES },
};

export async function runCacheBench(argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  // Tokens are the same on qwen-vocab (Qwen2.5's tokenizer, a tiny body: fast on a busy machine); `--model=bench-0.5b`
  // times the calls on Qwen2.5-Coder-0.5B's shape (2 threads), which needs a quiet machine. `--after-only` replays the
  // current design alone; `--explain` prints each call that evaluated more than its change.
  const model = argv.includes("--model=bench-0.5b") ? "bench-0.5b" : "qwen-vocab";
  const names: Array<Variant["name"]> = argv.includes("--after-only") ? ["after"] : ["before", "after"];
  const log = (line: string) => console.log(`cache: ${line}`);
  const root = join(BENCH_DIR, "..");
  if (!existsSync(PYTHON_DIR)) throw new Error(`${PYTHON_DIR} is missing: the replay types back CPython's asyncio`);
  const all = files(root);
  const figures: Record<string, FlatValue> = {};
  const byFile = new Map<string, Partial<Record<Variant["name"], CacheCall[]>>>();
  const client = await startEngine(root, await ensureTestModel(model), model === "bench-0.5b" ? 2 : 1);
  const loadBefore = loadavg()[0]!;
  try {
    for (const [i, file] of all.entries()) {
      const order = i % 2 === 0 ? names : [...names].reverse();
      const results: Partial<Record<Variant["name"], CacheCall[]>> = {};
      for (const name of order) {
        const calls = await runCacheReplay(file, { client, grammarsDir: join(root, "grammars"), label: name, budgetTokens: BUDGET_TOKENS, maxTokens: 4, debounceMs: DEBOUNCE_MS, ...VARIANTS[name] });
        results[name] = calls;
        log(`${file.key} ${name}: ${describe(summarize(calls))}`);
        if (name === "after" && argv.includes("--explain")) {
          for (const c of calls) for (const layout of ["psm", "spm"] as const) if (c[layout].evaluated > c[layout].unavoidable + SLACK_TOKENS) log(`  ${layout} over: key ${c.keyIndex} (${c.hold ?? "-"}), evaluated ${c[layout].evaluated} > ${c[layout].unavoidable}: ${c[layout].explanation}`);
        }
      }
      byFile.set(file.key, results);
    }
  } finally {
    await client.dispose();
  }
  figures.cache_load = `${loadBefore.toFixed(1)}→${loadavg()[0]!.toFixed(1)}`;
  const lines = [...replayTable(all, byFile, figures, names, model), ...layoutTable(all, byFile, figures), ...suffixTable(byFile, figures)];
  writeBenchResult("cache", figures, lines.join("\n"));
}

function flat(byFile: Map<string, Partial<Record<Variant["name"], CacheCall[]>>>, name: Variant["name"]): CacheCall[] {
  return [...byFile.values()].flatMap((r) => r[name] ?? []);
}

/** Before against after, per file, on the prompt the engine evaluated (prefix first). */
function replayTable(all: CacheReplayFile[], byFile: Map<string, Partial<Record<Variant["name"], CacheCall[]>>>, figures: Record<string, FlatValue>, names: Array<Variant["name"]>, model: string): string[] {
  const table: string[] = [];
  for (const file of all) {
    for (const name of names) {
      const s = summarize(byFile.get(file.key)?.[name] ?? []);
      for (const [k, v] of Object.entries(s)) figures[`${file.key}_${name}_${k}`] = round(v);
      table.push(row(`${file.key} (${file.languageId}), ${name}`, s));
    }
  }
  const totals = names.map((name) => [name, summarize(flat(byFile, name))] as const);
  for (const [name, s] of totals) {
    for (const [k, v] of Object.entries(s)) figures[`all_${name}_${k}`] = round(v);
    table.push(row(`**all, ${name}**`, s));
  }
  const after = summarize(flat(byFile, "after"));
  figures.cache_target_met = after.smallShare >= TARGET_SHARE && after.overUnavoidable === 0;
  figures.cache_target_outside_suffix_met = after.smallOutsideSuffixShare >= TARGET_SHARE && after.overUnavoidable === 0;
  const psmSim = flat(byFile, "after").map((c) => c.psm.simulated - c.psm.evaluated);
  figures.simulated_within_2_share = round(share(psmSim, (d) => Math.abs(d) <= 2));
  figures.simulated_minus_engine_p50 = median(psmSim);
  return [
    `### KV cache while typing (issue 16)`,
    "",
    `Typing replays with other files' context on: ${all.map((f) => f.origin).join("; ")}. Each file's folder is indexed and three of its other files were visited. Keys at a human typist's gaps (typos included), a model call after every gap over ${DEBOUNCE_MS} ms, simulated time; the engine's own count of prompt tokens evaluated per call, on \`${model}\` (Qwen2.5's tokenizer, its prefix-first layout). Budget ${BUDGET_TOKENS} tokens. Before: a fresh other-file selection on every call, the prefix window's start cut by the budget alone, the old suffix (rest of the line + 2 lines). After: the context hold (src/context/context-hold.ts: other files' items and the prefix window's first line stay put while the user types in one scope), the suffix to the end of the block. Before and after alternate per file in one run; load ${String(figures.cache_load)} (2 cores, shared).`,
    "",
    "| replay | calls | evaluated p50 / p95 / max | calls ≤ 32 tokens | ≤ 32 without the suffix | over the change + what follows | context changed (why) | prefix start moved | snippets p50 | index answered in time | suffix lines / tokens p50 |",
    "|---|---|---|---|---|---|---|---|---|---|---|",
    ...table,
    "",
    `Target (≥ ${TARGET_SHARE * 100}% of calls evaluate ≤ ${SMALL_CALL_TOKENS} tokens, none more than the change and what follows it): ${figures.cache_target_met ? "met" : "not met"}; without the suffix window's tokens: ${figures.cache_target_outside_suffix_met ? "met" : "not met"}. "Over the change" counts calls that evaluated more than the prompt from what had to change on: the line of the user's first edit, or an other-file item the hold changed for its reason (a definition newly near the cursor, appended after the held ones, after a pause in place of the last held ones the mixer no longer chooses; a fresh choice in another scope), 2 tokens of slack for merges at a line start. "Context changed (why)" gives the hold's reason for each call whose prompt first differs in other files' context. Time is simulated but parsing and the index's lookups run in real time, as in the product, so which calls see a new definition or another scope varies a little between runs (0–3 appended definitions per replay, a scope change or not).`,
  ];
}

/** The criterion per family choice: prefix first as the engine evaluated it, and the same requests suffix first. */
function layoutTable(all: CacheReplayFile[], byFile: Map<string, Partial<Record<Variant["name"], CacheCall[]>>>, figures: Record<string, FlatValue>): string[] {
  const after = flat(byFile, "after");
  if (after.length === 0) return [];
  const table: string[] = [];
  for (const layout of ["psm", "spm"] as const) {
    const label = layout === "psm" ? "prefix first (Qwen2.5-Coder, DeepSeek-Coder, StarCoder2, CodeGemma)" : "suffix first (Codestral, Mellum, StarCoder, CodeLlama)";
    for (const file of all) table.push(layoutRow(`${label}: ${file.key}`, summarize(byFile.get(file.key)?.after ?? [], layout)));
    const s = summarize(after, layout);
    for (const [k, v] of Object.entries(s)) figures[`layout_${layout}_${k}`] = round(v);
    figures[`layout_${layout}_target_met`] = s.smallShare >= TARGET_SHARE && s.overUnavoidable === 0;
    table.push(layoutRow(`**${label}: all**`, s));
  }
  return [
    "",
    "### The criterion per family choice",
    "",
    `The "after" replays' requests (${after.length} calls), each rendered in both orders with the same tokens (Qwen2.5's; other files in its repository layout): prefix first, \`<|fim_prefix|>prefix<|fim_suffix|>suffix<|fim_middle|>\`, the suffix to the end of the enclosing block (${PSM_LINES}, a team server's window; the local engine, which reuses the suffix's cache, sends the block's rest up to ${WINDOWS.reuse.maxSuffixLines} lines), evaluated tokens the engine's count; suffix first, \`<|fim_suffix|>suffix<|fim_prefix|>prefix\`, ${WINDOWS.spm.maxSuffixLines} suffix lines, evaluated tokens measured as what follows the longest common start of consecutive prompts (that measure agrees with the engine's count within 2 tokens on ${(Number(figures.simulated_within_2_share) * 100).toFixed(1)}% of the prefix-first calls). Which family takes which order, and from which source: docs/ARCHITECTURE.md, "The FIM prompt and generation".`,
    "",
    "| layout: replay | calls | evaluated p50 / p95 / max | calls ≤ 32 tokens | ≤ 32 without the suffix | over the change + what follows | suffix lines / tokens p50 |",
    "|---|---|---|---|---|---|---|",
    ...table,
  ];
}

/** What each line of suffix costs a prefix-first prompt, and how often N lines reach the end of the enclosing block. */
function suffixTable(byFile: Map<string, Partial<Record<Variant["name"], CacheCall[]>>>, figures: Record<string, FlatValue>): string[] {
  const after = flat(byFile, "after");
  if (after.length === 0) return [];
  const table: string[] = [];
  const msPerToken = 1000 / IDLE_PROMPT_TOKENS_PER_S;
  for (const n of SUFFIX_PROBES) {
    const tokens = median(after.map((c) => c.suffixTokensAt[n] ?? 0));
    const reach = share(after, (c) => c.blockLines <= n + 1);
    figures[`suffix_lines_${n}_tokens_p50`] = round(tokens);
    figures[`suffix_lines_${n}_block_end_share`] = round(reach);
    table.push(`| rest of the line + ${n} lines | ${tokens} | ${(tokens / (n + 1)).toFixed(1)} | ${Math.round(tokens * msPerToken)} ms | ${(100 * reach).toFixed(1)}% |`);
  }
  const block = median(after.map((c) => c.psm.suffixTokens));
  const blockLines = median(after.map((c) => c.psm.suffixLines));
  const shown = share(after, (c) => c.blockShown);
  figures.suffix_block_tokens_p50 = round(block);
  figures.suffix_block_lines_p50 = round(blockLines);
  figures.suffix_block_end_shown_share = round(shown);
  table.push(`| **rest of the enclosing block, ${PSM_LINES} (a team server's window; ${blockLines} lines p50)** | ${block} | ${(block / Math.max(1, blockLines)).toFixed(1)} | ${Math.round(block * msPerToken)} ms | ${(100 * shown).toFixed(1)}% |`);
  return [
    "",
    `### What each suffix line costs a prefix-first model`,
    "",
    `A prefix-first prompt evaluates its whole suffix again on every call. Tokens of the text after the cursor at each call of the "after" replays above (${after.length} calls), cut to the rest of the line and N lines, counted by Qwen2.5's tokenizer; the time is what they take at bench-0.5b's prompt speed on an idle machine (${IDLE_PROMPT_TOKENS_PER_S} tokens/s, 2 threads, shared/research/node-llama-cpp.md). The last column is the share of calls whose enclosing block (layout.ts blockEnd: the lines indented at least as deep as the cursor's and a closing line) ends within those lines: the suffix shows the model where to stop. A suffix-first family keeps its 64 lines in the KV cache and pays this once, not per keystroke.`,
    "",
    "| suffix | tokens evaluated per call, p50 | tokens per line | prompt time per call at 281 tok/s | calls whose block ends within it |",
    "|---|---|---|---|---|",
    ...table,
  ];
}

async function startEngine(root: string, modelPath: string, threads: number): Promise<EngineClient> {
  const client = new EngineClient({ workerPath: join(root, "dist", "engine-worker.mjs"), logger: new MemoryLogger("info") });
  await client.configure({ modelPath, threads, contextSize: 4096, gpu: "off", idleUnloadMs: 0 });
  await client.load();
  return client;
}

function describe(s: Summary): string {
  return `${s.calls} calls; evaluated p50 ${s.evaluatedP50} p95 ${Math.round(s.evaluatedP95)} max ${s.evaluatedMax}; ${pct(s.smallShare)} ≤ ${SMALL_CALL_TOKENS} (${pct(s.smallOutsideSuffixShare)} without the suffix); ${s.overUnavoidable} over the change; context changed ${s.contextChanged} (${s.contextReasons}), prefix moved ${s.prefixMoved}; index answered ${pct(s.indexAnsweredShare)}; suffix ${s.suffixLinesP50} lines ${s.suffixTokensP50} tokens; call p50 ${Math.round(s.msP50)} ms`;
}

function row(label: string, s: Summary): string {
  return `| ${label} | ${s.calls} | ${s.evaluatedP50} / ${Math.round(s.evaluatedP95)} / ${s.evaluatedMax} | ${pct(s.smallShare)} | ${pct(s.smallOutsideSuffixShare)} | ${s.overUnavoidable} | ${s.contextChanged} (${s.contextReasons}) | ${s.prefixMoved} | ${s.snippetsP50} | ${pct(s.indexAnsweredShare)} | ${s.suffixLinesP50} / ${s.suffixTokensP50} |`;
}

function layoutRow(label: string, s: Summary): string {
  return `| ${label} | ${s.calls} | ${s.evaluatedP50} / ${Math.round(s.evaluatedP95)} / ${s.evaluatedMax} | ${pct(s.smallShare)} | ${pct(s.smallOutsideSuffixShare)} | ${s.overUnavoidable} | ${s.suffixLinesP50} / ${s.suffixTokensP50} |`;
}

function pct(v: number): string {
  return `${(100 * v).toFixed(1)}%`;
}

function round(v: number | boolean | string): FlatValue {
  return typeof v === "number" ? Math.round(v * 1000) / 1000 : v;
}
