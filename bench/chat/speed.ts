// Time to first token and tokens/s of chat answers on `bench-0.5b` (random weights in Qwen2.5-Coder-0.5B's shape: it
// costs what the real model costs per token and writes garbage, so every answer is capped at MAX_TOKENS). Measured
// through the extension's own ChatSession and EngineClient (the engine process) under Node: the path a question takes
// in the extension minus the view, which only adds the 40 ms batching of streamed text (chat-view-provider.ts).
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ChatSession, SYSTEM_PROMPT, type ChatEngine } from "../../src/chat/chat-session";
import { ConversationStore } from "../../src/chat/conversation-store";
import type { ContextPiece } from "../../src/chat/prompt";
import { silentLogger, type Logger } from "../../src/common/logger";
import { EngineClient } from "../../src/engine/client";
import type { GenerationResult } from "../../src/engine/protocol";
import { ensureTestModel } from "../../test/fixtures/models/test-models";

export const THREADS = 2;
export const CONTEXT = 4096;
export const MAX_TOKENS = 128;

export interface Turn {
  /** From `send()` to the first streamed text reaching the session's listeners. */
  firstTokenMs: number;
  /** From `send()` until the answer ended. */
  totalMs: number;
  generatedTokens: number;
  /** Prompt tokens the engine evaluated (the rest came from its KV cache). */
  promptTokens: number;
  /** Generated tokens after the first, over the time after the first. */
  tokensPerSecond: number;
  /** The engine's own timings. */
  engineFirstChunkMs: number | null;
  engineTotalMs: number;
}

export interface SpeedResult {
  loadMs: number;
  engineLoadMs: number;
  modelName: string;
  rounds: { first: Turn; followUp: Turn }[];
}

const QUESTION = "Why does `save` lose the last answer when the window closes during a stream, and how would you fix it?";
const FOLLOW_UP = "Show the fixed `flush` method, and explain how it keeps the writes in order.";

/** The engine as the session sees it, with every answer capped and the results kept. */
class CappedEngine implements ChatEngine {
  readonly results: GenerationResult[] = [];
  constructor(private readonly client: EngineClient) {}
  async chat(params: Parameters<ChatEngine["chat"]>[0], options: Parameters<ChatEngine["chat"]>[1]): Promise<GenerationResult> {
    const result = await this.client.chat({ ...params, maxTokens: Math.min(params.maxTokens, MAX_TOKENS) }, options);
    this.results.push(result);
    return result;
  }
}

export async function runSpeedBench({ rounds, log }: { rounds: number; log: (line: string) => void }): Promise<SpeedResult> {
  const root = join(__dirname, "..", "..", "..");
  const modelPath = await ensureTestModel("bench-0.5b");
  const errors: string[] = [];
  const logger: Logger = { ...silentLogger, warn: (m) => errors.push(m), error: (m) => errors.push(typeof m === "string" ? m : m.message) };
  const client = new EngineClient({ workerPath: join(root, "dist", "engine-worker.mjs"), logger });
  const storeDir = mkdtempSync(join(tmpdir(), "hearth-bench-chat-store-"));
  // The current file as a context chip: what a question about the open file sends.
  const file = "src/chat/conversation-store.ts";
  const piece: ContextPiece = { id: "file", kind: "file", label: "conversation-store.ts", detail: file, languageId: "typescript", text: readFileSync(join(root, file), "utf8") };
  const budget = { windowTokens: CONTEXT, limitTokens: CONTEXT - 1024, maxAnswerTokens: 1024 };
  try {
    await client.configure({ modelPath, threads: THREADS, contextSize: CONTEXT, gpu: "off", idleUnloadMs: 0 });
    const t0 = performance.now();
    const info = await client.load();
    const loadMs = performance.now() - t0;
    log(`bench-0.5b loaded in ${Math.round(loadMs)} ms (engine: ${Math.round(info.loadMs)} ms), ${info.threads} threads, context ${info.contextSize}, engine pid ${client.pid ?? "?"}`);
    const result: SpeedResult = { loadMs, engineLoadMs: info.loadMs, modelName: info.name, rounds: [] };
    for (let r = 0; r < rounds; r++) {
      const engine = new CappedEngine(client);
      const store = new ConversationStore(join(storeDir, String(r)), silentLogger);
      // The engine's chat sequence keeps the previous round's prompt, which starts with this round's first question: a
      // system prompt of its own per round makes every round's first question start with nothing cached.
      const session = new ChatSession({ engine, store, logger, system: `Round ${r + 1}. ${SYSTEM_PROMPT}` });
      await session.init();
      const ask = async (question: string): Promise<Turn> => {
        let first: number | undefined;
        const listener = session.onDidAppend(() => (first ??= performance.now()));
        const start = performance.now();
        await session.send(question, [piece], budget);
        const end = performance.now();
        listener.dispose();
        const g = engine.results.at(-1);
        const entry = session.conversation.entries.at(-1);
        if (!g || entry?.status !== "done") throw new Error(`the answer did not finish: ${entry?.status ?? "none"} ${entry?.note ?? ""} ${errors.join("; ")}`);
        const firstTokenMs = (first ?? end) - start;
        return {
          firstTokenMs,
          totalMs: end - start,
          generatedTokens: g.generatedTokens,
          promptTokens: g.promptTokens,
          tokensPerSecond: g.generatedTokens > 1 ? ((g.generatedTokens - 1) * 1000) / (end - start - firstTokenMs) : Number.NaN,
          engineFirstChunkMs: g.timings.firstChunkMs,
          engineTotalMs: g.timings.totalMs,
        };
      };
      const first = await ask(QUESTION);
      const followUp = await ask(FOLLOW_UP);
      result.rounds.push({ first, followUp });
      await session.dispose();
      log(`round ${r + 1}: first ${describeTurn(first)}; follow-up ${describeTurn(followUp)}`);
    }
    return result;
  } finally {
    await client.dispose();
    rmSync(storeDir, { recursive: true, force: true });
  }
}

function describeTurn(t: Turn): string {
  return `${t.promptTokens} prompt tokens, first token ${Math.round(t.firstTokenMs)} ms, ${t.generatedTokens} tokens at ${t.tokensPerSecond.toFixed(1)} tok/s (${Math.round(t.totalMs)} ms)`;
}
