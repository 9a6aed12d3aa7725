// Edit's prefill (issue 17): the time to the first token after the user submits Edit's instruction, with the prompt in
// front of the instruction evaluated while the box was open (what runAction does) and without (an instruction given
// with the request, as /edit TEXT), in the same run, alternating which goes first. The prompts are the runner's own
// (prompts.ts buildActionMessages / instructionPrefixMessages) for a method of conversation-store.ts with the lines
// around it; the engine process is EngineClient's, bench-0.5b with 2 threads as the chat prefill is measured.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { buildActionMessages, instructionPrefixMessages, type ActionPromptInput } from "../../src/actions/prompts";
import { silentLogger } from "../../src/common/logger";
import { EngineClient } from "../../src/engine/client";
import type { ChatPrefillResult } from "../../src/engine/protocol";
import { median, type FlatValue } from "../report";
import { ensureTestModel } from "../../test/fixtures/models/test-models";
import { CONTEXT, THREADS } from "./speed";

const FILE = "src/chat/conversation-store.ts";
/** The method Edit works on, and the lines before and after it that the runner sends (CONTEXT_LINES there is 6). */
const TARGET_START = "  async load(";
const AROUND_LINES = 6;
const INSTRUCTION = "return null instead of undefined when the file is missing";
const ANSWER_TOKENS = 8;

export interface ActionPrefillTurn {
  firstTokenMs: number;
  promptTokens: number;
  prefill: ChatPrefillResult | null;
}

export interface ActionPrefillResult {
  rounds: { withPrefill: ActionPrefillTurn; without: ActionPrefillTurn; prefillFirst: boolean }[];
}

/** The runner's input for Edit on load(): the method, the lines around it, the file's imports. */
function editInput(root: string, round: number): Omit<ActionPromptInput, "action" | "instruction"> {
  const lines = readFileSync(join(root, FILE), "utf8").split("\n");
  const first = lines.findIndex((l) => l.startsWith(TARGET_START));
  if (first < 0) throw new Error(`${FILE} has no ${TARGET_START.trim()}: update the bench`);
  const last = lines.findIndex((l, i) => i > first && l === "  }");
  return {
    languageId: "typescript",
    path: FILE,
    target: lines.slice(first, last + 1).join("\n"),
    startLine: first + 1,
    before: lines.slice(first - AROUND_LINES, first).join("\n"),
    after: lines.slice(last + 1, last + 1 + AROUND_LINES).join("\n"),
    imports: lines.filter((l) => l.startsWith("import ")).join("\n"),
    // Each ask's prompt differs from the second message on, so nothing of it is in the engine's cache.
    rules: `Bench ask ${round}.`,
  };
}

export async function runActionPrefillBench({ rounds, log }: { rounds: number; log: (line: string) => void }): Promise<ActionPrefillResult> {
  const root = join(__dirname, "..", "..", "..");
  const modelPath = await ensureTestModel("bench-0.5b");
  const client = new EngineClient({ workerPath: join(root, "dist", "engine-worker.mjs"), logger: silentLogger });
  let asks = 0;
  const ask = async (prefill: boolean): Promise<ActionPrefillTurn> => {
    const input = editInput(root, ++asks);
    // While the box is open the user types; the prefill has ended when they press Enter (as the chat's bench assumes).
    const prefilled = prefill ? await client.prefillChat({ messages: instructionPrefixMessages(input) }) : null;
    if (prefill && (!prefilled || prefilled.evaluatedTokens === 0)) throw new Error(`the prefill did not run: ${JSON.stringify(prefilled)}`);
    let first: number | undefined;
    const start = performance.now();
    const result = await client.chat(
      { messages: buildActionMessages({ ...input, action: "edit", instruction: INSTRUCTION }), maxTokens: ANSWER_TOKENS },
      { onChunk: () => (first ??= performance.now()) },
    );
    if (first === undefined) throw new Error(`no text came: ${result.stopReason}`);
    return { firstTokenMs: first - start, promptTokens: result.promptTokens, prefill: prefilled };
  };
  try {
    await client.configure({ modelPath, threads: THREADS, contextSize: CONTEXT, gpu: "off", idleUnloadMs: 0 });
    await client.load();
    const result: ActionPrefillResult = { rounds: [] };
    for (let r = 0; r < rounds; r++) {
      const prefillFirst = r % 2 === 0;
      const a = await ask(prefillFirst);
      const b = await ask(!prefillFirst);
      const [withPrefill, without] = prefillFirst ? [a, b] : [b, a];
      result.rounds.push({ withPrefill, without, prefillFirst });
      log(
        `Edit prefill round ${r + 1} (${prefillFirst ? "prefill first" : "without first"}): first token ${Math.round(withPrefill.firstTokenMs)} ms with prefill ` +
          `(${withPrefill.promptTokens} tokens at Enter; prefill ${withPrefill.prefill?.evaluatedTokens} tokens in ${withPrefill.prefill?.totalMs} ms), ${Math.round(without.firstTokenMs)} ms without (${without.promptTokens} tokens)`,
      );
    }
    return result;
  } finally {
    await client.dispose();
  }
}

export function actionPrefillFigures(result: ActionPrefillResult): Record<string, FlatValue> {
  const withPrefill = result.rounds.map((r) => r.withPrefill);
  const without = result.rounds.map((r) => r.without);
  return {
    edit_prefill_rounds: result.rounds.length,
    edit_prefill_instruction: INSTRUCTION,
    edit_prefill_first_token_ms_p50: Math.round(median(withPrefill.map((t) => t.firstTokenMs))),
    edit_no_prefill_first_token_ms_p50: Math.round(median(without.map((t) => t.firstTokenMs))),
    edit_prefill_prompt_tokens_at_enter_p50: Math.round(median(withPrefill.map((t) => t.promptTokens))),
    edit_no_prefill_prompt_tokens_p50: Math.round(median(without.map((t) => t.promptTokens))),
    edit_prefill_ms_p50: Math.round(median(withPrefill.map((t) => t.prefill!.totalMs))),
  };
}

export function actionPrefillMarkdown(f: Record<string, FlatValue>, loadAverage: { start: number; end: number }, markers: { start: string; end: string }): string {
  return `${markers.start}
### Edit: first token after the instruction, the prompt evaluated while it is typed

Edit on \`load()\` of \`conversation-store.ts\` (the method, ${AROUND_LINES} lines around it and the file's imports, in the runner's
own prompt; ${f.edit_no_prefill_prompt_tokens_p50} prompt tokens; the instruction "${f.edit_prefill_instruction}"), \`bench-0.5b\` with ${THREADS} threads,
nothing cached; ${f.edit_prefill_rounds} rounds, each once with the prefill and once without, alternating which goes first; medians.
The prefill (${f.edit_prefill_ms_p50} ms) ended before the instruction was submitted, as it does while a user types it.

| | first token after the instruction | prompt tokens evaluated then |
|---|---|---|
| without prefill | ${f.edit_no_prefill_first_token_ms_p50} ms | ${f.edit_no_prefill_prompt_tokens_p50} |
| with prefill | ${f.edit_prefill_first_token_ms_p50} ms | ${f.edit_prefill_prompt_tokens_at_enter_p50} |

Load average ${loadAverage.start.toFixed(1)} at the start of this part, ${loadAverage.end.toFixed(1)} at its end (2 cores, shared).
${markers.end}`;
}
