// The prefill's figures in bench/results/chat.json and its part of the chat section of bench/RESULTS.md: written by the
// whole chat bench, or merged in alone by `-- --only=prefill` (the view's part takes minutes of code-server and Chromium).
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BENCH_DIR, type FlatValue } from "../report";
import { THREADS } from "./speed";

const START = "<!-- chat:prefill -->";
const END = "<!-- /chat:prefill -->";
/** Edit's prefill (action-prefill.ts): its own part of the chat section, after the chat prefill's. */
export const ACTION_MARKERS = { start: "<!-- chat:action-prefill -->", end: "<!-- /chat:action-prefill -->" };

export function prefillMarkdown(f: Record<string, FlatValue>, loadAverage: { start: number; end: number }): string {
  return `${START}
### First token after Enter: the prompt evaluated while the question is typed

A first question with the current file attached (the first 4,900 characters of \`conversation-store.ts\`, ${f.no_prefill_prompt_tokens_p50} prompt tokens in all; the
question "${f.prefill_question}"), on \`bench-0.5b\` with ${THREADS} threads, each in a new conversation (nothing cached);
${f.prefill_rounds} rounds, each asking once with the prefill and once without, ${f.prefill_order}; medians. With the
prefill, \`ChatSession.prefill\` (what the view starts when the question box has focus) ended before the question was
sent, as it does while a user types: ${f.prefill_tokens_p50} tokens in ${f.prefill_ms_p50} ms.

| | first token after Enter (median / worst) | prompt tokens evaluated at Enter |
|---|---|---|
| without prefill | ${f.no_prefill_first_token_ms_p50} ms / ${f.no_prefill_first_token_ms_max} ms | ${f.no_prefill_prompt_tokens_p50} |
| with prefill | ${f.prefill_first_token_ms_p50} ms / ${f.prefill_first_token_ms_max} ms | ${f.prefill_prompt_tokens_at_enter_p50} |

Target ≤ ${f.prefill_target_ms} ms with the prefill: ${f.prefill_meets_target ? "met" : "**not met**"}.

Inline completions beside a prefill: a completion of a file not seen before (its whole prompt evaluated, ${f.completion_tokens}
tokens generated) took ${f.completion_idle_ms_p50} ms on an idle engine (median of ${f.completion_idle_samples}) and
${f.completion_during_prefill_ms_p50} ms while a prefill was running (median of ${f.completion_during_prefill_samples}; ratio
${f.completion_during_prefill_ratio}); the first of each burst of three, which can meet a prefill step under way, ${f.completion_first_during_prefill_ms_p50} ms
(median of ${f.completion_first_during_prefill_samples}; ratio ${f.completion_first_during_prefill_ratio}). By design a completion waits for at most the prefill's step under way: the prefill
evaluates 64-token steps, waits between them while a completion is queued or running, and holds off for 1 s after the
last one ended, so the later completions of a burst find the engine free (it gave way for ${f.prefill_gave_way_ms_p50} ms per prefill,
median). ${Number(f.completion_during_prefill_ratio) > 1.05 ? "**Completions were slower beside a prefill than that explains**." : "Completions were about as fast beside a prefill."} Load average ${loadAverage.start.toFixed(1)} at the start of this part, ${loadAverage.end.toFixed(1)} at its end (2 cores, shared).
${END}`;
}

/** Puts a prefill's figures into chat.json and its part (between `markers`) into the chat section, leaving the rest as it was. */
export function mergePrefillIntoChatResults(figures: Record<string, FlatValue>, markdown: string, markers = { start: START, end: END }): void {
  const json = join(BENCH_DIR, "results", "chat.json");
  const current = existsSync(json) ? (JSON.parse(readFileSync(json, "utf8")) as Record<string, FlatValue>) : { bench: "chat" };
  writeFileSync(json, `${JSON.stringify({ ...current, ...figures, prefill_measured_at: new Date().toISOString() }, null, 2)}\n`);
  const file = join(BENCH_DIR, "RESULTS.md");
  const text = readFileSync(file, "utf8");
  const sectionEnd = text.indexOf("<!-- /bench:chat -->");
  if (sectionEnd < 0) throw new Error("bench/RESULTS.md has no chat section to add the prefill's figures to: run the whole chat bench");
  const at = text.indexOf(markers.start);
  const until = text.indexOf(markers.end);
  const updated =
    at >= 0 && until > at && until < sectionEnd
      ? text.slice(0, at) + markdown + text.slice(until + markers.end.length)
      : insertBeforeMachineLine(text, sectionEnd, markdown);
  writeFileSync(file, updated);
}

/** Before the section's closing "_Machine: …_" line. */
function insertBeforeMachineLine(text: string, sectionEnd: number, markdown: string): string {
  const machine = text.lastIndexOf("\n_Machine:", sectionEnd);
  const cut = machine >= 0 ? machine + 1 : sectionEnd;
  return `${text.slice(0, cut)}${markdown}\n\n${text.slice(cut)}`;
}
