// `node out/bench/inline/cache-engine-steps.js [--gap-ms=N]`: the engine bench's typing (bench/engine: its three files,
// its workspaces and open tabs, a request at each of its steps) through the product's context path, measuring what the
// KV cache keeps per call as the cache bench does (cache-measure.ts), without the llama-server sides. Time is
// simulated: `--gap-ms` between steps (default 600 ms, a typist; the engine bench's own gaps are the seconds its three
// sides take, so every one of its requests comes after what the hold reads as a pause: `--gap-ms=8000`).
import { readFile } from "node:fs/promises";
import { basename, join, relative } from "node:path";
import { MemoryLogger, silentLogger } from "../../src/common/logger";
import type { CompletionEngine, ContextAssembler, DocumentSnapshot } from "../../src/completion/completion-types";
import { generateSuggestion } from "../../src/completion/generate-suggestion";
import { ContextEngine } from "../../src/context/context-engine";
import type { HoldChoice } from "../../src/context/context-types";
import { ModelTokenCounter } from "../../src/context/model-token-counter";
import { EngineClient } from "../../src/engine/client";
import type { GenerationResult, InfillParams } from "../../src/engine/protocol";
import { qwenFormat } from "../../src/fim/formats";
import { renderFimPrompt, type FimPrompt } from "../../src/fim/layout";
import { ensureTestModel } from "../../test/fixtures/models/test-models";
import { loadReplayFiles, type ReplayFile } from "../engine/replay-files";
import { typingSteps } from "../engine/typing";
import { BENCH_DIR, median } from "../report";
import { measurePrompt } from "./cache-measure";
import { SLACK_TOKENS as SLACK } from "./cache-replay";

const BUDGET_TOKENS = 1024;
const SMALL = 32;

interface StepCall {
  step: number;
  line: number;
  hold: HoldChoice | undefined;
  evaluated: number;
  outsideSuffix: number;
  unavoidable: number;
  firstDifference: string;
  explanation: string;
}

async function replay(client: EngineClient, file: ReplayFile, gapMs: number): Promise<StepCall[]> {
  const steps = typingSteps(file.file.text, file.lines[0], file.lines[1]);
  const state = { clock: 0, version: 1, text: steps[0]!.before + steps[0]!.after };
  const counter = new ModelTokenCounter(client, silentLogger);
  const context = new ContextEngine({ grammarsDir: join(BENCH_DIR, "..", "grammars"), logger: silentLogger, readFile: (path) => readFile(path, "utf8").catch(() => null), countTokens: counter.count, now: () => state.clock });
  const toRelative = (path: string) => relative(file.root, path).split("\\").join("/");
  const format = qwenFormat();
  const call = async (offset: number): Promise<{ prompt: FimPrompt; result: GenerationResult; hold: HoldChoice | undefined }> => {
    let sent: InfillParams | null = null;
    let result: GenerationResult | null = null;
    let hold: HoldChoice | undefined;
    const engine: CompletionEngine = {
      infill: async (params, options) => {
        sent = { ...params, maxTokens: 4, maxLines: 0 };
        result = await client.infill(sent, options.signal ? { signal: options.signal } : {});
        return result;
      },
    };
    const assembler: ContextAssembler = {
      assemble: async (request) => {
        const assembled = await context.assemble(request);
        hold = assembled.hold;
        return assembled;
      },
    };
    const snapshot: DocumentSnapshot = { uri: file.file.uri, languageId: file.languageId, text: state.text, offset, version: state.version, relativePath: file.file.relativePath, repoName: basename(file.root) };
    await generateSuggestion({ engine, context: assembler }, snapshot, { budgetTokens: BUDGET_TOKENS, maxTokensSingleLine: 4, maxTokensMultiLine: 4, relativePath: toRelative }, new AbortController().signal);
    if (!sent || !result) throw new Error("no model call");
    const p: InfillParams = sent;
    const prompt = renderFimPrompt({
      format,
      prefix: p.prefix,
      suffix: p.suffix,
      snippets: p.snippets ?? [],
      ...(p.prefixStartLine !== undefined ? { prefixStartLine: p.prefixStartLine } : {}),
      ...(p.filePath !== undefined ? { filePath: p.filePath } : {}),
      ...(p.repoName !== undefined ? { repoName: p.repoName } : {}),
      ...(p.languageId !== undefined ? { languageId: p.languageId } : {}),
    });
    return { prompt, result, hold };
  };
  const calls: StepCall[] = [];
  try {
    for (const tab of file.tabs) {
      context.openDocument(tab.uri, file.languageId, tab.text, 1);
      context.noteVisited(tab.uri);
    }
    context.openDocument(file.file.uri, file.languageId, state.text, state.version);
    context.noteVisited(file.file.uri);
    await context.indexWorkspace([file.root]);
    await context.whenParsed(file.file.uri, 20_000);
    await context.whenRecentFilesReady(20_000);
    await call(steps[0]!.before.length);
    let previous = (await call(steps[0]!.before.length)).prompt;
    for (let i = 1; i < steps.length; i++) {
      const step = steps[i]!;
      const next = step.before + step.after;
      let start = 0;
      while (start < state.text.length && start < next.length && state.text[start] === next[start]) start++;
      let end = 0;
      while (end < state.text.length - start && end < next.length - start && state.text[state.text.length - 1 - end] === next[next.length - 1 - end]) end++;
      const edit = { startOffset: start, endOffset: state.text.length - end, text: next.slice(start, next.length - end) };
      state.clock += gapMs;
      context.applyEdit(file.file.uri, [edit], ++state.version);
      context.noteEdited(file.file.uri, edit.startOffset);
      state.text = next;
      state.clock += 90;
      const { prompt, result, hold } = await call(step.before.length);
      const cost = await measurePrompt(client, previous, prompt, { earliestEdit: start, cursor: step.before.length, contextMayChange: hold !== undefined && hold !== "kept" });
      const outsideSuffix = result.promptTokens - cost.suffixEvaluated - (cost.suffixEvaluated > 0 ? 2 : 0);
      calls.push({ step: i, line: step.line + 1, hold, evaluated: result.promptTokens, outsideSuffix, unavoidable: cost.unavoidable, firstDifference: cost.firstDifference, explanation: cost.explanation });
      previous = prompt;
    }
  } finally {
    context.dispose();
    counter.dispose();
  }
  return calls;
}

export async function runCacheEngineSteps(argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  const gapArg = argv.find((a) => a.startsWith("--gap-ms="));
  const gapMs = gapArg ? Number(gapArg.slice("--gap-ms=".length)) : 600;
  const client = new EngineClient({ workerPath: join(BENCH_DIR, "..", "dist", "engine-worker.mjs"), logger: new MemoryLogger("info") });
  await client.configure({ modelPath: await ensureTestModel("qwen-vocab"), threads: 1, contextSize: 4096, gpu: "off", idleUnloadMs: 0 });
  await client.load();
  try {
    for (const file of loadReplayFiles()) {
      const calls = await replay(client, file, gapMs);
      const small = (of: readonly StepCall[]) => `${of.filter((c) => c.outsideSuffix <= SMALL).length}/${of.length}`;
      const over = calls.filter((c) => c.evaluated > c.unavoidable + SLACK);
      // The engine bench's runs so far stopped after 20 requests (HEARTH_BENCH_ENGINE_STEPS=20).
      console.log(`${file.label} (gap ${gapMs} ms): ${calls.length} calls; evaluated p50 ${median(calls.map((c) => c.evaluated))}; ≤ ${SMALL} ${calls.filter((c) => c.evaluated <= SMALL).length}/${calls.length}, without the suffix ${small(calls)} (first 20: ${small(calls.slice(0, 20))}); over the change ${over.length}`);
      for (const c of calls) if (c.outsideSuffix > SMALL || c.evaluated > c.unavoidable + SLACK) console.log(`  step ${c.step} line ${c.line} (${c.hold ?? "-"}): evaluated ${c.evaluated} (${c.outsideSuffix} without the suffix), unavoidable ${c.unavoidable}; ${c.firstDifference}: ${c.explanation}`);
    }
  } finally {
    await client.dispose();
  }
}

if (require.main === module) {
  runCacheEngineSteps().catch((e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  });
}
