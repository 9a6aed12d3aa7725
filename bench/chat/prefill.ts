// The chat prefill (issue 17): time to the first token after Enter for a first question with the current file attached
// (about 1,200 prompt tokens of context, a 20-token question), with the known part evaluated while the question is typed
// and without, in the same run, alternating which goes first; and the latency of inline completions asked for while a
// prefill runs, against the same completions on an idle engine. bench-0.5b, 2 threads, through ChatSession and
// EngineClient (the engine process) under Node, as speed.ts measures the chat.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { ChatSession, SYSTEM_PROMPT, type ChatEngine } from "../../src/chat/chat-session";
import { ConversationStore } from "../../src/chat/conversation-store";
import type { ContextPiece } from "../../src/chat/prompt";
import { silentLogger, type Logger } from "../../src/common/logger";
import { EngineClient } from "../../src/engine/client";
import type { ChatPrefillResult, GenerationResult } from "../../src/engine/protocol";
import { median, type FlatValue } from "../report";
import { ensureTestModel } from "../../test/fixtures/models/test-models";
import { CONTEXT, THREADS } from "./speed";

/** The attached file's leading lines up to this many characters: about 1,150 tokens, 1,200 with the system prompt. */
const FILE_CHARS = 4_900;
/** The first token is what is timed: a few tokens of garbage (random weights) are enough. */
const ANSWER_TOKENS = 8;
const QUESTION = "Why does save lose the last answer when the window closes during a stream?";
/** The inline completions timed against a prefill: a new file's prompt each (nothing cached), a short answer. */
const COMPLETION_TOKENS = 16;
/** Completions asked for while one prefill runs, this far apart (the prefill takes seconds). */
const COMPLETION_SPACING_MS = 600;

export interface PrefillTurn {
  /** From send() to the first streamed text. */
  firstTokenMs: number;
  /** Prompt tokens the answer evaluated itself. */
  promptTokens: number;
  /** The prefill before it (null: none). */
  prefill: ChatPrefillResult | null;
}

export interface PrefillBenchResult {
  rounds: { withPrefill: PrefillTurn; without: PrefillTurn; prefillFirst: boolean }[];
  completionIdleMs: number[];
  /** Completions that started and ended while a prefill was running. */
  completionDuringPrefillMs: number[];
  /** Of those, the first of each burst: the one that can meet a prefill step under way. */
  completionFirstDuringPrefillMs: number[];
  /** The prefills those completions ran beside: how long each gave way. */
  prefillsBesideCompletions: ChatPrefillResult[];
}

class CappedEngine implements ChatEngine {
  readonly results: GenerationResult[] = [];
  constructor(private readonly client: EngineClient) {}
  async chat(params: Parameters<ChatEngine["chat"]>[0], options: Parameters<ChatEngine["chat"]>[1]): Promise<GenerationResult> {
    const result = await this.client.chat({ ...params, maxTokens: ANSWER_TOKENS }, options);
    this.results.push(result);
    return result;
  }
  prefillChat(...args: Parameters<EngineClient["prefillChat"]>): ReturnType<EngineClient["prefillChat"]> {
    return this.client.prefillChat(...args);
  }
}

/**
 * `completionsOnly`: the completions beside a prefill and idle alone (no questions; the prefill is stopped once its
 * burst of completions ended), a run short enough to repeat on a loaded machine.
 */
export async function runPrefillBench({ rounds, log, completionsOnly = false }: { rounds: number; log: (line: string) => void; completionsOnly?: boolean }): Promise<PrefillBenchResult> {
  const root = join(__dirname, "..", "..", "..");
  const modelPath = await ensureTestModel("bench-0.5b");
  const errors: string[] = [];
  const logger: Logger = { ...silentLogger, warn: (m) => errors.push(m), error: (m) => errors.push(typeof m === "string" ? m : m.message) };
  const client = new EngineClient({ workerPath: join(root, "dist", "engine-worker.mjs"), logger });
  const storeDir = mkdtempSync(join(tmpdir(), "hearth-bench-prefill-"));
  const file = "src/chat/conversation-store.ts";
  const whole = readFileSync(join(root, file), "utf8");
  const source = whole.slice(0, whole.lastIndexOf("\n", FILE_CHARS) + 1);
  const piece: ContextPiece = { id: "file", kind: "file", label: "conversation-store.ts", detail: file, languageId: "typescript", text: source };
  const budget = { windowTokens: CONTEXT, limitTokens: CONTEXT - 1024, maxAnswerTokens: 1024 };
  let sessions = 0;
  /** A session whose system prompt is its own, so its first question finds nothing of itself in the KV cache. */
  const newSession = async (engine: CappedEngine): Promise<ChatSession> => {
    sessions++;
    const session = new ChatSession({ engine, store: new ConversationStore(join(storeDir, String(sessions)), silentLogger), logger, system: `Session ${sessions}. ${SYSTEM_PROMPT}` });
    await session.init();
    return session;
  };
  const ask = async (prefill: boolean): Promise<PrefillTurn> => {
    const engine = new CappedEngine(client);
    const session = await newSession(engine);
    try {
      // The user types the question meanwhile (20 tokens take several seconds to type): the prefill has ended.
      const prefilled = prefill ? await session.prefill([piece], budget) : null;
      if (prefill && (!prefilled || prefilled.evaluatedTokens === 0)) throw new Error(`the prefill did not run: ${JSON.stringify(prefilled)} ${errors.join("; ")}`);
      let first: number | undefined;
      const listener = session.onDidAppend(() => (first ??= performance.now()));
      const start = performance.now();
      await session.send(QUESTION, [piece], budget);
      listener.dispose();
      const entry = session.conversation.entries.at(-1);
      const result = engine.results.at(-1);
      if (!result || entry?.status !== "done" || first === undefined) throw new Error(`the answer did not finish: ${entry?.status ?? "none"} ${entry?.note ?? ""} ${errors.join("; ")}`);
      return { firstTokenMs: first - start, promptTokens: result.promptTokens, prefill: prefilled };
    } finally {
      await session.dispose();
    }
  };
  let completions = 0;
  const completion = async (): Promise<{ ms: number; start: number; end: number }> => {
    completions++;
    // A file not seen before: its whole prompt is evaluated (the prefix differs from its first line on).
    const prefix = `// sample ${completions}\n${source.slice(0, 1200)}`;
    const start = performance.now();
    await client.infill({ prefix, suffix: "\n}\n", maxTokens: COMPLETION_TOKENS, filePath: file, languageId: "typescript" });
    const end = performance.now();
    return { ms: end - start, start, end };
  };

  try {
    await client.configure({ modelPath, threads: THREADS, contextSize: CONTEXT, gpu: "off", idleUnloadMs: 0 });
    const info = await client.load();
    log(`prefill: bench-0.5b loaded (${info.threads} threads, context ${info.contextSize}); ${rounds} rounds`);
    const askRound = async (r: number, prefillFirst: boolean) => {
      const a = await ask(prefillFirst);
      const b = await ask(!prefillFirst);
      const withPrefill = prefillFirst ? a : b;
      const without = prefillFirst ? b : a;
      result.rounds.push({ withPrefill, without, prefillFirst });
      log(
        `prefill round ${r + 1} (${prefillFirst ? "prefill first" : "without first"}): first token ${Math.round(withPrefill.firstTokenMs)} ms with prefill ` +
          `(${withPrefill.promptTokens} tokens at Enter; prefill ${withPrefill.prefill?.evaluatedTokens} tokens in ${withPrefill.prefill?.totalMs} ms), ` +
          `${Math.round(without.firstTokenMs)} ms without (${without.promptTokens} tokens)`,
      );
    };
    const result: PrefillBenchResult = { rounds: [], completionIdleMs: [], completionDuringPrefillMs: [], completionFirstDuringPrefillMs: [], prefillsBesideCompletions: [] };
    for (let r = 0; r < rounds; r++) {
      const prefillFirst = r % 2 === 0;
      if (!completionsOnly) await askRound(r, prefillFirst);

      // Completions, idle and beside a prefill, in alternating order too.
      const idle = async () => {
        const samples: number[] = [];
        for (let i = 0; i < 3; i++) samples.push((await completion()).ms);
        result.completionIdleMs.push(...samples);
        log(`prefill round ${r + 1}: 3 completions on an idle engine (${samples.map(Math.round).join(", ")} ms)`);
      };
      const beside = async () => {
        const session = await newSession(new CappedEngine(client));
        let prefillEnd = Number.POSITIVE_INFINITY;
        const prefill = session.prefill([piece], budget).then((p) => ((prefillEnd = performance.now()), p));
        const samples: { ms: number; start: number; end: number }[] = [];
        for (let i = 0; i < 3; i++) {
          await delay(COMPLETION_SPACING_MS);
          samples.push(await completion());
        }
        if (completionsOnly) await session.dispose();
        const prefilled = await prefill;
        if (!completionsOnly) await session.dispose();
        const during = samples.filter((s) => s.end < prefillEnd);
        result.completionDuringPrefillMs.push(...during.map((s) => s.ms));
        if (during[0] === samples[0] && during[0]) result.completionFirstDuringPrefillMs.push(during[0].ms);
        if (prefilled) result.prefillsBesideCompletions.push(prefilled);
        else if (!completionsOnly) throw new Error(`the prefill beside the completions did not run: ${errors.join("; ")}`);
        log(`prefill round ${r + 1}: ${during.length} of ${samples.length} completions ran beside a prefill (${during.map((s) => Math.round(s.ms)).join(", ")} ms); ${prefilled ? `it gave way for ${prefilled.waitedMs} ms and took ${prefilled.totalMs} ms` : "the prefill was stopped before it finished"}`);
      };
      if (prefillFirst) {
        await beside();
        await idle();
      } else {
        await idle();
        await beside();
      }
    }
    return result;
  } finally {
    await client.dispose();
    rmSync(storeDir, { recursive: true, force: true });
  }
}

/** The completions' figures alone (a `completionsOnly` run). */
export function completionFigures(result: PrefillBenchResult): Record<string, FlatValue> {
  const all = prefillFigures({ ...result, rounds: [] });
  return Object.fromEntries(Object.entries(all).filter(([key]) => key.startsWith("completion_")));
}

export function prefillFigures(result: PrefillBenchResult): Record<string, FlatValue> {
  const withPrefill = result.rounds.map((r) => r.withPrefill);
  const without = result.rounds.map((r) => r.without);
  const prefills = withPrefill.map((t) => t.prefill!);
  return {
    prefill_rounds: result.rounds.length,
    prefill_order: "alternating (odd rounds prefill first)",
    prefill_question: QUESTION,
    prefill_first_token_ms_p50: Math.round(median(withPrefill.map((t) => t.firstTokenMs))),
    prefill_first_token_ms_max: Math.round(Math.max(...withPrefill.map((t) => t.firstTokenMs))),
    no_prefill_first_token_ms_p50: Math.round(median(without.map((t) => t.firstTokenMs))),
    no_prefill_first_token_ms_max: Math.round(Math.max(...without.map((t) => t.firstTokenMs))),
    prefill_prompt_tokens_at_enter_p50: Math.round(median(withPrefill.map((t) => t.promptTokens))),
    no_prefill_prompt_tokens_p50: Math.round(median(without.map((t) => t.promptTokens))),
    prefill_tokens_p50: Math.round(median(prefills.map((p) => p.evaluatedTokens))),
    prefill_ms_p50: Math.round(median(prefills.map((p) => p.totalMs))),
    prefill_target_ms: 1500,
    prefill_meets_target: median(withPrefill.map((t) => t.firstTokenMs)) <= 1500,
    completion_tokens: COMPLETION_TOKENS,
    completion_idle_ms_p50: Math.round(median(result.completionIdleMs)),
    completion_idle_samples: result.completionIdleMs.length,
    completion_during_prefill_ms_p50: Math.round(median(result.completionDuringPrefillMs)),
    completion_during_prefill_samples: result.completionDuringPrefillMs.length,
    completion_during_prefill_ratio: Math.round((median(result.completionDuringPrefillMs) / median(result.completionIdleMs)) * 100) / 100,
    completion_first_during_prefill_ms_p50: Math.round(median(result.completionFirstDuringPrefillMs)),
    completion_first_during_prefill_samples: result.completionFirstDuringPrefillMs.length,
    completion_first_during_prefill_ratio: Math.round((median(result.completionFirstDuringPrefillMs) / median(result.completionIdleMs)) * 100) / 100,
    prefill_gave_way_ms_p50: Math.round(median(result.prefillsBesideCompletions.map((p) => p.waitedMs))),
  };
}
