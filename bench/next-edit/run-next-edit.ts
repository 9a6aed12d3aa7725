// `npm run bench:next-edit`: replays this repository's recent commits hunk by hunk as a typist (keystrokes 80 ms
// apart, a 2 s pause after each hunk) through the next-edit history and scheduler's rules, and measures:
//   - requests per 100 edits (an edit = one keystroke or deletion; a request follows each pause);
//   - host-thread cost per edit (history bookkeeping) and per request (the prompt), p50/p95;
//   - with the always-right oracle (the true next hunk handed back as the model's rewrite), the share of hunks the
//     user could have taken with Tab (the next hunk lies in the window and survives post-processing);
//   - in Qwen2.5-Coder-0.5B's shape (bench-0.5b, what Sweep's 0.5B costs per token), over runs of requests in one file,
//     each lever of the model's cost (model-levers.ts): prompt tokens evaluated per request in the sliding and the
//     stable diff-block layout, and with the prompt's known front evaluated while the hunk was typed; the oracle's answer
//     generated plainly, with input-lookup drafts, and with drafts and the early stop: tokens generated, drafts
//     accepted, latency from the pause to the answer.
import { execFileSync } from "node:child_process";
import { loadavg } from "node:os";
import { join } from "node:path";
import { EditHistory, type HistoryFile } from "../../src/nextedit/edit-history";
import { SWEEP_FORMAT } from "../../src/nextedit/formats";
import { buildNextEditPrompt, knownPromptPrefix, type NextEditPrompt } from "../../src/nextedit/next-edit-prompt";
import { lineOfOffset } from "../../src/nextedit/text-lines";
import { DEFAULT_PAUSE_MS } from "../../src/nextedit/next-edit-requests";
import { interpretRewrite } from "../../src/nextedit/rewrite";
import { BENCH_DIR, median, quantile, writeBenchResult, type FlatValue } from "../report";
import { recentFileChanges, typeHunk } from "./history-replay";
import { ANSWER_VARIANTS, PROMPT_VARIANTS, runModelLevers, type LeverSample, type TypedFront, type Variant, type VariantRun } from "./model-levers";

const COMMITS = Number(process.env.HEARTH_NEXT_EDIT_COMMITS ?? 40);
const MODEL_REQUESTS = Number(process.env.HEARTH_NEXT_EDIT_REQUESTS ?? 8);
const KEY_GAP_MS = 80;
const HUNK_PAUSE_MS = 2000;


export function replay(repo: string) {
  const changes = recentFileChanges(repo, COMMITS);
  let edits = 0;
  let requests = 0;
  let takeable = 0;
  let followed = 0;
  const editCost: number[] = [];
  const requestCost: number[] = [];
  const prefillCost: number[] = [];
  const samples: LeverSample[] = [];
  for (const change of changes) {
    let shownFrom: NextEditPrompt["shownFrom"];
    // Files edited in 5 hunks or more: the diff blocks outgrow the format's 3, where the two layouts differ.
    const sampled = change.hunks.length >= 5;
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
      // What the editor's prefill would send while this hunk is typed, if it becomes a sample: the known front each
      // time it changes (a new line, a new event), with when (ms after the hunk's first keystroke).
      const wanted = sampled && samples.filter((x) => x.oracle !== undefined).length < MODEL_REQUESTS && samples.length < 2 * MODEL_REQUESTS;
      const fronts: TypedFront[] = [];
      let frontKey = "";
      for (const [k, edit] of typed.changes.entries()) {
        const started = performance.now();
        current = current.slice(0, edit.offset) + edit.text + current.slice(edit.offset + edit.removedLength);
        history.change(file, [edit], current);
        editCost.push(performance.now() - started);
        edits++;
        now += KEY_GAP_MS;
        // As NextEditRequests does at each edit for the prefill: its key, and the front when the key changed.
        const from = performance.now();
        const cursorOffset = edit.offset + edit.text.length;
        const lastEvent = history.lastEventOf(file.uri);
        const key = `${lineOfOffset(current, cursorOffset)}:${history.recent().length}:${lastEvent?.startedAt}`;
        if (key !== frontKey && lastEvent) {
          frontKey = key;
          const pieces = knownPromptPrefix({ format: SWEEP_FORMAT, path: change.path, text: current, cursorOffset, events: history.recent(), lastEvent, ...(shownFrom ? { shownFrom } : {}) });
          if (wanted && pieces.length > 0) fronts.push({ atMs: k * KEY_GAP_MS, pieces });
        }
        prefillCost.push(performance.now() - from);
      }
      const typingMs = typed.changes.length * KEY_GAP_MS;
      text = current;
      now += HUNK_PAUSE_MS;
      const cursor = offsetOfLine(text, hunk.line + hunk.added.length) - (hunk.added.length > 0 ? 1 : 0);
      const started = performance.now();
      const input = { format: SWEEP_FORMAT, path: change.path, text, cursorOffset: Math.max(0, cursor), events: history.recent(), lastEvent: history.lastEventOf(file.uri) };
      const prompt = buildNextEditPrompt({ ...input, ...(shownFrom ? { shownFrom } : {}) });
      requestCost.push(performance.now() - started);
      shownFrom = prompt.shownFrom;
      requests++;
      const sample: LeverSample = { path: change.path, sliding: buildNextEditPrompt(input), stable: prompt, cursorOffset: input.cursorOffset, oracle: undefined, typing: { fronts, untilPauseMs: typingMs + DEFAULT_PAUSE_MS } };
      // Runs of requests in one file (the KV cache holds the previous one's prompt), until enough have an oracle answer.
      if (sampled && samples.filter((x) => x.oracle !== undefined).length < MODEL_REQUESTS && samples.length < 2 * MODEL_REQUESTS) samples.push(sample);
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
      if (applied === rewrite) {
        takeable++;
        sample.oracle = rewrite;
      }
    }
  }
  return { files: changes.length, hunks: changes.reduce((n, c) => n + c.hunks.length, 0), edits, requests, takeable, followed, editCost, requestCost, prefillCost, samples };
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
  const levers = MODEL_REQUESTS > 0 ? await runModelLevers(r.samples, (line) => process.stdout.write(`${line}\n`)) : { runs: [], stepOneMs: [], stepNineMs: [] };
  const runs = levers.runs;
  const loadAfter = loadavg()[0]!;
  const of = (variant: Variant) => runs.filter((run) => run.variant === variant);
  const p50 = (variant: Variant, pick: (run: VariantRun) => number) => (of(variant).length > 0 ? Number(median(of(variant).map(pick)).toFixed(1)) : null);
  const p95 = (variant: Variant, pick: (run: VariantRun) => number) => (of(variant).length > 0 ? Number(quantile(of(variant).map(pick), 0.95).toFixed(1)) : null);
  const acceptance = (variant: Variant) => {
    const accepted = of(variant).reduce((n, run) => n + run.draftsAccepted, 0);
    const all = accepted + of(variant).reduce((n, run) => n + run.draftsRefuted, 0);
    return all > 0 ? Number((accepted / all).toFixed(3)) : null;
  };
  const figures: Record<string, FlatValue> = {
    commit: head,
    commits_replayed: COMMITS,
    file_changes: r.files,
    hunks: r.hunks,
    edits: r.edits,
    requests: r.requests,
    requests_per_100_edits: Number(perHundred.toFixed(2)),
    host_edit_p50_ms: Number(median(r.editCost).toFixed(3)),
    host_edit_p95_ms: Number(quantile(r.editCost, 0.95).toFixed(3)),
    host_prefill_edit_p50_ms: Number(median(r.prefillCost).toFixed(3)),
    host_prefill_edit_p95_ms: Number(quantile(r.prefillCost, 0.95).toFixed(3)),
    host_request_p50_ms: Number(median(r.requestCost).toFixed(3)),
    host_request_p95_ms: Number(quantile(r.requestCost, 0.95).toFixed(3)),
    oracle_takeable_share: r.followed > 0 ? Number((r.takeable / r.followed).toFixed(3)) : null,
    oracle_hunks_followed: r.followed,
    model_prompt_requests: of("stable").length,
    model_answer_requests: of("plain").length,
    load_before: Number(loadBefore.toFixed(2)),
    load_after: Number(loadAfter.toFixed(2)),
  };
  for (const variant of [...PROMPT_VARIANTS, ...ANSWER_VARIANTS]) {
    const key = variant.replaceAll("-", "_");
    figures[`${key}_prompt_tokens_evaluated_p50`] = p50(variant, (run) => run.promptTokens);
    figures[`${key}_prompt_tokens_p50`] = p50(variant, (run) => run.promptTotal);
    figures[`${key}_prompt_evaluated_share_p50`] = of(variant).length > 0 ? Number(median(of(variant).map((run) => run.promptTokens / Math.max(1, run.promptTotal))).toFixed(3)) : null;
    figures[`${key}_latency_p50_ms`] = p50(variant, (run) => run.latencyMs);
    figures[`${key}_latency_p95_ms`] = p95(variant, (run) => run.latencyMs);
    if ((ANSWER_VARIANTS as readonly string[]).includes(variant)) {
      figures[`${key}_generated_tokens_p50`] = p50(variant, (run) => run.generatedTokens);
      figures[`${key}_steps_p50`] = p50(variant, (run) => run.steps);
      figures[`${key}_draft_acceptance`] = acceptance(variant);
    }
  }
  const typed = of("typing");
  figures.typing_prefilled_tokens_p50 = typed.length > 0 ? median(typed.map((run) => run.prefilledTokens ?? 0)) : null;
  // Paired per request (the same request on both sequences, the order alternated): the noise of a shared machine's load
  // falls on both sides of each ratio alike.
  const stables = of("stable");
  const ratios = typed.map((run, i) => (run.latencyMs - DEFAULT_PAUSE_MS) / Math.max(1, stables[i]!.latencyMs - DEFAULT_PAUSE_MS));
  const tokenRatios = typed.map((run, i) => run.promptTokens / Math.max(1, stables[i]!.promptTokens));
  figures.typing_prompt_time_ratio_p50 = ratios.length > 0 ? Number(median(ratios).toFixed(3)) : null;
  figures.typing_prompt_tokens_ratio_p50 = tokenRatios.length > 0 ? Number(median(tokenRatios).toFixed(3)) : null;
  figures.typing_prefill_done_share = typed.length > 0 ? Number((typed.filter((run) => run.prefillDone).length / typed.length).toFixed(3)) : null;
  figures.step_one_ms = levers.stepOneMs.length > 0 ? Math.round(median(levers.stepOneMs)) : null;
  figures.step_nine_ms = levers.stepNineMs.length > 0 ? Math.round(median(levers.stepNineMs)) : null;
  figures.early_stop_share = of("early-stop").length > 0 ? Number((of("early-stop").filter((run) => run.stoppedEarly).length / of("early-stop").length).toFixed(3)) : null;
  const promptTotal = r.samples.length > 0 ? median(r.samples.map((sample) => sample.stable.pieces.reduce((n, piece) => n + (piece.kind === "text" ? piece.text.length : 0), 0))) : null;
  const row = (label: string, variant: Variant, extra = "") => {
    const figure = (name: string) => figures[`${variant.replaceAll("-", "_")}_${name}`] ?? "–";
    return `| ${label} | ${figure("prompt_tokens_evaluated_p50")} of ${figure("prompt_tokens_p50")} (${figure("prompt_evaluated_share_p50")}) | ${figure("generated_tokens_p50")} (${figure("steps_p50")} steps) | ${figure("latency_p50_ms")} / ${figure("latency_p95_ms")} ms | ${extra} |`;
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
    `| host cost per edit of the prefill (its key; the known front at each new line), p50 / p95 | ${figures.host_prefill_edit_p50_ms} / ${figures.host_prefill_edit_p95_ms} ms | with the above, p95 ≤ 2 ms |`,
    `| host cost per request (prompt), p50 / p95 | ${figures.host_request_p50_ms} / ${figures.host_request_p95_ms} ms | |`,
    `| oracle: hunks the user could take with Tab | ${figures.oracle_takeable_share === null ? "–" : `${((figures.oracle_takeable_share as number) * 100).toFixed(1)}%`} of ${r.followed} | |`,
    "",
    `The model's cost, lever by lever (model-levers.ts): bench-0.5b (Qwen2.5-Coder-0.5B's shape, random Q8_0 weights), 1 thread, over runs of requests in one file (${r.samples.length} requests, ${of("plain").length} with an oracle answer; median prompt ${promptTotal ?? "–"} characters). Prompt rows: measured end to end (1-token answer), each layout on its own sequence, the order alternated. Answer rows: the oracle's answer (the true next hunk's rewrite of the window), its latency put together from this run's measured parts: the stable prompt's time on the request's own sequence, the decode steps each variant takes (the engine's InputLookupTokenPredictor and ResyncWatcher run over the oracle's tokens), each costing a decode plus, per draft, the share of one a 9-token batch costs over a decode (both timed alternately on the request's sequence, medians over all requests). Forcing the answer with a grammar instead costs as much per token as the decode (the whole vocabulary checked at each token) and hid the drafts' gain. The "while typing" rows: the stable prompt on a third sequence, after the fronts the editor's prefill sends while the hunk before the pause is typed (knownPromptPrefix at each new line) went through the engine's prefill on the typist's clock, each stopped when the next is known and the last at the pause (no completion competes for the CPU here, as in the editor it would); their tokens are those evaluated after the pause. Latency includes the ${DEFAULT_PAUSE_MS} ms pause; step costs this run: 1 token ${figures.step_one_ms ?? "–"} ms, 9 tokens ${figures.step_nine_ms ?? "–"} ms (p50).`,
    "",
    "| variant | prompt tokens evaluated of all, p50 (share, p50) | answer tokens, p50 (decode steps) | pause → answer, p50 / p95 | |",
    "|---|---|---|---|---|",
    row("prompt: last 3 diff blocks (sliding)", "sliding", "1-token answer"),
    row("prompt: blocks kept from the previous prompt (stable)", "stable", "1-token answer"),
    row("answer: one decode per token", "plain", ""),
    row("answer: input-lookup drafts", "speculative", `drafts accepted ${figures.speculative_draft_acceptance ?? "–"}`),
    row("answer: drafts + early stop", "early-stop", `drafts accepted ${figures.early_stop_draft_acceptance ?? "–"}; stopped early in ${figures.early_stop_share === null ? "–" : `${((figures.early_stop_share as number) * 100).toFixed(0)}%`} of answers`),
    row("answer: drafts, stopped the moment the change is written (lower bound)", "first-change", "the early stop must see lines after the change to know it ended"),
    row("prompt evaluated while typing (stable prompt; tokens evaluated after the pause)", "typing", `1-token answer; ${figures.typing_prefilled_tokens_p50 ?? "–"} tokens (p50) evaluated while typing, the known front done by the pause in ${figures.typing_prefill_done_share === null ? "–" : `${((figures.typing_prefill_done_share as number) * 100).toFixed(0)}%`} of requests; per request against the stable row, tokens after the pause ×${figures.typing_prompt_tokens_ratio_p50 ?? "–"}, prompt time ×${figures.typing_prompt_time_ratio_p50 ?? "–"} (p50)`),
    row("answer: drafts + early stop, prompt evaluated while typing", "typing-early-stop", ""),
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
