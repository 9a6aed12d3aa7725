// `npm run bench:next-edit`: replays this repository's recent commits hunk by hunk as a typist (keystrokes 80 ms
// apart, a 2 s pause after each hunk) through the next-edit history and scheduler's rules, and measures:
//   - requests per 100 edits (an edit = one keystroke or deletion; a request follows each pause);
//   - host-thread cost per edit (history bookkeeping) and per request (the prompt), p50/p95;
//   - with the always-right oracle (the true next hunk handed back as the model's rewrite), the share of hunks the
//     user could have taken with Tab (the next hunk lies in the window and survives post-processing);
//   - with random weights in Qwen2.5-Coder-0.5B's shape (bench-0.5b, what Sweep's 0.5B costs per token), prompt tokens
//     evaluated per request (the rest from the KV cache) and the latency from the pause to a shown suggestion, the
//     answer fixed at the window's length (random weights never stop on their own).
import { execFileSync } from "node:child_process";
import { loadavg } from "node:os";
import { join } from "node:path";
import { EngineClient } from "../../src/engine/client";
import { MemoryLogger } from "../../src/common/logger";
import { EditHistory, type HistoryFile } from "../../src/nextedit/edit-history";
import { SWEEP_FORMAT } from "../../src/nextedit/formats";
import { buildNextEditPrompt, type NextEditPrompt } from "../../src/nextedit/next-edit-prompt";
import { DEFAULT_PAUSE_MS } from "../../src/nextedit/next-edit-requests";
import { interpretRewrite } from "../../src/nextedit/rewrite";
import { ensureTestModel } from "../../test/fixtures/models/test-models";
import { BENCH_DIR, median, quantile, writeBenchResult } from "../report";
import { recentFileChanges, typeHunk } from "./history-replay";

const COMMITS = Number(process.env.HEARTH_NEXT_EDIT_COMMITS ?? 40);
const MODEL_REQUESTS = Number(process.env.HEARTH_NEXT_EDIT_REQUESTS ?? 8);
const KEY_GAP_MS = 80;
const HUNK_PAUSE_MS = 2000;

interface Sample {
  path: string;
  prompt: NextEditPrompt;
}

function replay(repo: string) {
  const changes = recentFileChanges(repo, COMMITS);
  let edits = 0;
  let requests = 0;
  let takeable = 0;
  let followed = 0;
  const editCost: number[] = [];
  const requestCost: number[] = [];
  const samples: Sample[] = [];
  for (const change of changes) {
    let now = 0;
    const history = new EditHistory(() => true, { now: () => now });
    const file: HistoryFile = { uri: `file:///repo/${change.path}`, path: change.path, languageId: "typescript" };
    history.open(file, change.before);
    let text = change.before;
    for (let h = 0; h < change.hunks.length; h++) {
      const hunk = change.hunks[h]!;
      let typed;
      try {
        typed = typeHunk(text, hunk);
      } catch {
        break; // a diff this replay cannot place (e.g. no newline at the end of the file): the rest of the file is skipped
      }
      let current = text;
      for (const edit of typed.changes) {
        const started = performance.now();
        current = current.slice(0, edit.offset) + edit.text + current.slice(edit.offset + edit.removedLength);
        history.change(file, [edit], current);
        editCost.push(performance.now() - started);
        edits++;
        now += KEY_GAP_MS;
      }
      text = current;
      now += HUNK_PAUSE_MS;
      const cursor = offsetOfLine(text, hunk.line + hunk.added.length) - (hunk.added.length > 0 ? 1 : 0);
      const started = performance.now();
      const prompt = buildNextEditPrompt({ format: SWEEP_FORMAT, path: change.path, text, cursorOffset: Math.max(0, cursor), events: history.recent(), lastEvent: history.lastEventOf(file.uri) });
      requestCost.push(performance.now() - started);
      requests++;
      if (samples.length < MODEL_REQUESTS) samples.push({ path: change.path, prompt });
      const next = change.hunks[h + 1];
      if (!next) continue;
      followed++;
      // The oracle's rewrite: the window with the true next hunk applied, when that hunk lies inside the window.
      const windowLines = prompt.window.text.split("\n").length;
      const first = prompt.window.firstLine;
      if (next.line < first || next.line + next.removed.length > first + windowLines) continue;
      const inWindow = { ...next, line: next.line - first };
      let rewrite: string;
      try {
        rewrite = typeHunk(`${prompt.window.text}\n`, inWindow).after.slice(0, -1);
      } catch {
        continue;
      }
      const outcome = interpretRewrite({ current: prompt.window.text, original: prompt.original, output: rewrite, cursor: cursor - prompt.window.start, stopStrings: SWEEP_FORMAT.stopStrings });
      if (outcome.kind !== "edit") continue;
      const applied = prompt.window.text.slice(0, outcome.edit.start) + outcome.edit.text + prompt.window.text.slice(outcome.edit.end);
      if (applied === rewrite) takeable++;
    }
  }
  return { files: changes.length, hunks: changes.reduce((n, c) => n + c.hunks.length, 0), edits, requests, takeable, followed, editCost, requestCost, samples };
}

async function modelRun(samples: Sample[]) {
  const modelPath = await ensureTestModel("bench-0.5b");
  const client = new EngineClient({ workerPath: join(BENCH_DIR, "..", "dist", "engine-worker.mjs"), logger: new MemoryLogger() });
  const evaluated: number[] = [];
  const total: number[] = [];
  const latency: number[] = [];
  try {
    await client.configure({ modelPath: "", nextEditModelPath: modelPath, threads: 1, contextSize: 4096, gpu: "off", idleUnloadMs: 0 });
    // The load is not a request's cost: the model stays loaded while the user works.
    await client.nextEdit({ pieces: [{ kind: "text", text: "warm up" }], specialTokens: [], stop: [], maxTokens: 1 });
    for (const sample of samples) {
      const answerTokens = Math.ceil(sample.prompt.window.text.length / 3.5);
      const counts = await client.tokenCounts(sample.prompt.pieces.map((p) => (p.kind === "text" ? p.text : "")), { role: "nextEdit" });
      const started = performance.now();
      const result = await client.nextEdit({ pieces: sample.prompt.pieces, specialTokens: [...SWEEP_FORMAT.specialTokens], stop: [], maxTokens: answerTokens });
      latency.push(DEFAULT_PAUSE_MS + (performance.now() - started));
      evaluated.push(result.promptTokens);
      total.push((counts?.counts.reduce((a, b) => a + b, 0) ?? 0) + sample.prompt.pieces.filter((p) => p.kind === "special").length);
      process.stdout.write(`  ${sample.path}: ${result.promptTokens} of ${total.at(-1)} prompt tokens evaluated, ${result.generatedTokens} generated, ${Math.round(latency.at(-1)!)} ms pause→answer\n`);
    }
  } finally {
    await client.dispose();
  }
  return { evaluated, total, latency };
}

function offsetOfLine(text: string, line: number): number {
  let offset = 0;
  for (let i = 0; i < line; i++) {
    const next = text.indexOf("\n", offset);
    if (next < 0) return text.length;
    offset = next + 1;
  }
  return offset;
}

export async function runNextEditBench(): Promise<void> {
  const repo = join(BENCH_DIR, "..");
  const head = execFileSync("git", ["-C", repo, "rev-parse", "--short", "HEAD"], { encoding: "utf8" }).trim();
  const loadBefore = loadavg()[0]!;
  const r = replay(repo);
  const perHundred = (r.requests / Math.max(1, r.edits)) * 100;
  process.stdout.write(`replayed ${r.files} file changes, ${r.hunks} hunks, ${r.edits} edits, ${r.requests} requests (load ${loadBefore.toFixed(1)})\n`);
  const model = MODEL_REQUESTS > 0 ? await modelRun(r.samples) : { evaluated: [], total: [], latency: [] };
  const loadAfter = loadavg()[0]!;
  const figures = {
    commit: head,
    commits_replayed: COMMITS,
    file_changes: r.files,
    hunks: r.hunks,
    edits: r.edits,
    requests: r.requests,
    requests_per_100_edits: Number(perHundred.toFixed(2)),
    host_edit_p50_ms: Number(median(r.editCost).toFixed(3)),
    host_edit_p95_ms: Number(quantile(r.editCost, 0.95).toFixed(3)),
    host_request_p50_ms: Number(median(r.requestCost).toFixed(3)),
    host_request_p95_ms: Number(quantile(r.requestCost, 0.95).toFixed(3)),
    oracle_takeable_share: r.followed > 0 ? Number((r.takeable / r.followed).toFixed(3)) : null,
    oracle_hunks_followed: r.followed,
    model_requests: model.latency.length,
    prompt_tokens_p50: model.total.length > 0 ? median(model.total) : null,
    prompt_tokens_evaluated_p50: model.evaluated.length > 0 ? median(model.evaluated) : null,
    latency_pause_to_shown_p50_ms: model.latency.length > 0 ? Math.round(median(model.latency)) : null,
    load_before: Number(loadBefore.toFixed(2)),
    load_after: Number(loadAfter.toFixed(2)),
  };
  const markdown = [
    "## Next-edit suggestions (`npm run bench:next-edit`)",
    "",
    `The last ${COMMITS} commits at ${head} replayed hunk by hunk as a typist (keystrokes ${KEY_GAP_MS} ms apart, a ${HUNK_PAUSE_MS / 1000} s pause after each hunk): ${r.files} file changes, ${r.hunks} hunks, ${r.edits} edits. Load ${loadBefore.toFixed(1)} → ${loadAfter.toFixed(1)} (2 cores).`,
    "",
    "| figure | value | target |",
    "|---|---|---|",
    `| requests per 100 edits | ${perHundred.toFixed(1)} | one per pause |`,
    `| host cost per edit, p50 / p95 | ${figures.host_edit_p50_ms} / ${figures.host_edit_p95_ms} ms | p95 ≤ 2 ms |`,
    `| host cost per request (prompt), p50 / p95 | ${figures.host_request_p50_ms} / ${figures.host_request_p95_ms} ms | |`,
    `| oracle: hunks the user could take with Tab | ${figures.oracle_takeable_share === null ? "–" : `${(figures.oracle_takeable_share * 100).toFixed(1)}%`} of ${r.followed} | |`,
    `| prompt tokens per request, p50 (evaluated, p50) | ${figures.prompt_tokens_p50 ?? "–"} (${figures.prompt_tokens_evaluated_p50 ?? "–"}) | unchanged part from the KV cache |`,
    `| pause → suggestion, p50 (bench-0.5b, 1 thread, answer = window length) | ${figures.latency_pause_to_shown_p50_ms ?? "–"} ms over ${model.latency.length} requests | ≤ 1 s |`,
  ].join("\n");
  writeBenchResult("next-edit", figures, markdown);
  process.stdout.write(`${markdown}\n`);
}

if (require.main === module) {
  runNextEditBench().then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    },
  );
}
