// Hostile inline-completion output (test/fixtures/completion/hostile-completions.ts: noise, repeats, control, bidi and
// invisible characters, a model that never stops) through the post-processor the editor's ghost text comes from,
// whole and streamed in chunks of 1 and 7 characters, as the engine streams it. Accepted: what would be shown is exactly
// the case's safe text (or nothing). Unsafe: it holds an unsafe character or other text. A throw is crashed. The stall
// is the longest single call of the streamed runs (the editor's path; the one-shot run scans all the model wrote).
import { CompletionStreamFilter, postprocessCompletion } from "../../src/completion/postprocess/postprocess-completion";
import { findUnsafeCharacter } from "../../src/completion/postprocess/unsafe-characters";
import { HOSTILE_COMPLETIONS, type HostileCompletion } from "../../test/fixtures/completion/hostile-completions";
import type { CaseVerdict } from "./case-pool";
import { describeError } from "./outcomes";

export const COMPLETION_CORPUS = HOSTILE_COMPLETIONS.map((c, index) => ({ index, name: c.name }));

const CHUNK_SIZES = [1, 7];

export async function openCases(): Promise<(index: number) => Promise<CaseVerdict>> {
  return async (index) => {
    const spec = HOSTILE_COMPLETIONS[index];
    if (!spec) throw new Error(`no completion case ${index}`);
    let shown: (string | null)[];
    let stallMs = 0;
    try {
      shown = [postprocessCompletion({ ...spec, tokenLimit: spec.tokenLimit === true })];
      for (const size of CHUNK_SIZES) {
        const run = streamed(spec, size);
        shown.push(run.text);
        stallMs = Math.max(stallMs, run.longestCallMs);
      }
    } catch (error) {
      return { outcome: "crashed", detail: `the post-processor threw: ${describeError(error)}` };
    }
    const problems = shown.flatMap((text, i) => problemsOf(text, spec, i === 0 ? "whole" : `streamed in ${CHUNK_SIZES[i - 1]}-character chunks`));
    if (problems.length) return { outcome: "unsafe", detail: problems.join("; "), stallMs };
    const lines = spec.expected === null ? 0 : spec.expected.split("\n").length;
    return { outcome: "accepted", detail: lines ? `shown as ${lines} clean line(s)` : "no suggestion shown", stallMs };
  };
}

/** Why what would be shown is not the case's safe text; empty when it is. */
export function problemsOf(text: string | null, spec: HostileCompletion, how: string): string[] {
  const shown = text ?? "";
  const at = findUnsafeCharacter(shown);
  if (at >= 0) return [`${how}: shows U+${shown.codePointAt(at)!.toString(16).toUpperCase().padStart(4, "0")} at ${at}`];
  if (text === spec.expected) return [];
  return [`${how}: shows ${JSON.stringify(shown.slice(0, 80))} (${shown.split("\n").length} line(s)), not ${JSON.stringify((spec.expected ?? "").slice(0, 80))}`];
}

/**
 * As generateSuggestion streams: the model stops when the filter says so, and only then can its token limit be
 * reached. Chunks arrive apart, one engine message each, so the host's stall is the longest single call.
 */
function streamed(spec: HostileCompletion, size: number): { text: string | null; longestCallMs: number } {
  const filter = new CompletionStreamFilter(spec);
  let longestCallMs = 0;
  const timed = <T>(call: () => T): T => {
    const started = performance.now();
    const result = call();
    longestCallMs = Math.max(longestCallMs, performance.now() - started);
    return result;
  };
  for (let i = 0; i < spec.completion.length; i += size) {
    if (timed(() => filter.push(spec.completion.slice(i, i + size)))) return { text: timed(() => filter.finish()), longestCallMs };
  }
  return { text: timed(() => filter.finish({ tokenLimit: spec.tokenLimit === true })), longestCallMs };
}
