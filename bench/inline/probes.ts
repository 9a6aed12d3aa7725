// Instruments between the request manager and the real parts it drives: they time each context assembly and each
// model call without changing them, and (optionally) make the model's text come true.
import type { CompletionEngine, ContextAssembler } from "../../src/completion/completion-types";
import type { AssembleRequest, AssembledContext } from "../../src/context/context-types";
import type { EngineClient } from "../../src/engine/client";
import type { GenerationResult, InfillParams } from "../../src/engine/protocol";
import type { Logger } from "../../src/common/logger";
import { isAbortError } from "../../src/common/abort";
import { engineChildProcess } from "../reliability/flood";
import { codePieces } from "./typist";

export interface AssemblyRecord {
  /** The document the assembly was for (the request manager passes the snapshot's text). */
  text: string;
  offset: number;
  startedAt: number;
  endedAt: number;
  /** Time the context engine waited for the workspace index (its "index" phase). */
  indexMs: number;
  elapsedMs: number;
  /** The context engine's own phase timings (parse, windows, index, ...). */
  phases: Record<string, number>;
}

/** Wraps the ContextEngine: records each assembly, keyed by the prefix and suffix it produced (the engine call's). */
export class AssemblerProbe implements ContextAssembler {
  readonly records: AssemblyRecord[] = [];
  private readonly byPrompt = new Map<string, AssemblyRecord>();

  /** `keepText`: keep each assembly's document text, which only the oracle reads (a long replay would hold them all). */
  constructor(
    private readonly inner: ContextAssembler,
    private readonly keepText = true,
  ) {}

  /** Passed through: the request manager starts the index lookup at the keystroke, as in the extension. */
  prepare(req: AssembleRequest): void {
    this.inner.prepare?.(req);
  }

  async assemble(req: AssembleRequest): Promise<AssembledContext> {
    // Recorded when it starts (a prefetch's assembly starts synchronously inside prefetch()), completed when it ends.
    const record: AssemblyRecord = { text: this.keepText ? req.text : "", offset: req.offset, startedAt: performance.now(), endedAt: Number.NaN, indexMs: 0, elapsedMs: 0, phases: {} };
    this.records.push(record);
    let context: AssembledContext;
    try {
      context = await this.inner.assemble(req);
    } finally {
      record.endedAt = performance.now();
    }
    Object.assign(record, { indexMs: context.phases.definitions ?? 0, elapsedMs: context.elapsedMs, phases: context.phases });
    this.byPrompt.set(promptKey(context.prefix, context.suffix), record);
    if (this.byPrompt.size > 64) this.byPrompt.delete(this.byPrompt.keys().next().value!);
    return context;
  }

  /** The assembly whose output an engine call carries. */
  forParams(params: InfillParams): AssemblyRecord | undefined {
    return this.byPrompt.get(promptKey(params.prefix, params.suffix));
  }
}

export interface ModelCallRecord {
  assembly: AssemblyRecord | undefined;
  startedAt: number;
  firstChunkAt: number | null;
  endedAt: number | null;
  outcome: "done" | "aborted" | "failed" | "pending";
  /** From the engine's reply (null when the call was aborted: the client drops the late reply). */
  promptTokens: number | null;
  generatedTokens: number | null;
  chunks: number;
  multiline: boolean;
}

/**
 * Wraps the EngineClient: records each model call. With an oracle, each streamed chunk of the model's own text is
 * replaced by the next piece of the true continuation (the real model still runs, for the same tokens and time): a
 * model that is always right, to show what the savings save when suggestions are good.
 */
export class EngineProbe implements CompletionEngine {
  readonly calls: ModelCallRecord[] = [];

  constructor(
    private readonly inner: CompletionEngine,
    private readonly assemblies: AssemblerProbe,
    private readonly oracle: ((text: string, offset: number) => string | null) | null,
  ) {}

  async infill(params: InfillParams, options: { signal?: AbortSignal; onChunk?: (text: string) => void }): Promise<GenerationResult> {
    const assembly = this.assemblies.forParams(params);
    const call: ModelCallRecord = {
      assembly,
      startedAt: performance.now(),
      firstChunkAt: null,
      endedAt: null,
      outcome: "pending",
      promptTokens: null,
      generatedTokens: null,
      chunks: 0,
      multiline: (params.maxLines ?? 0) !== 1,
    };
    this.calls.push(call);
    const truth = this.oracle ? codePieces((assembly && this.oracle(assembly.text, assembly.offset)) ?? "") : null;
    let emitted = "";
    const onChunk = (chunk: string): void => {
      call.chunks++;
      call.firstChunkAt ??= performance.now();
      const text = truth ? (truth[call.chunks - 1] ?? "") : chunk;
      emitted += text;
      if (text) options.onChunk?.(text);
    };
    try {
      const result = await this.inner.infill(params, { ...(options.signal ? { signal: options.signal } : {}), onChunk });
      call.outcome = "done";
      call.promptTokens = result.promptTokens;
      call.generatedTokens = result.generatedTokens;
      return truth ? { ...result, text: emitted } : result;
    } catch (error) {
      call.outcome = isAbortError(error) ? "aborted" : "failed";
      throw error;
    } finally {
      call.endedAt = performance.now();
    }
  }
}

function promptKey(prefix: string, suffix: string): string {
  return `${prefix.length}:${suffix.length}:${prefix.slice(-512)}\u0000${suffix.slice(0, 256)}`;
}

export interface EngineReply {
  promptTokens: number;
  generatedTokens: number;
  stopReason: string;
}

/**
 * Every infill reply the engine process sends, including those to cancelled calls (the client drops them, but the
 * engine evaluated their prompt tokens all the same). A passive listener on the engine's IPC channel.
 */
export function listenToEngineReplies(client: EngineClient, into: EngineReply[]): () => void {
  const child = engineChildProcess(client);
  if (!child) return () => undefined;
  const onMessage = (message: { type?: string; result?: Partial<EngineReply>; error?: { code?: string } }): void => {
    const r = message.result;
    if (message.type === "result" && r && typeof r.promptTokens === "number" && typeof r.generatedTokens === "number") {
      into.push({ promptTokens: r.promptTokens, generatedTokens: r.generatedTokens, stopReason: String(r.stopReason) });
    } else if (message.type === "error" && message.error?.code === "cancelled") {
      // Cancelled while still queued behind the previous call: nothing evaluated.
      into.push({ promptTokens: 0, generatedTokens: 0, stopReason: "cancelled before it started" });
    }
  };
  child.on("message", onMessage);
  return () => child.off("message", onMessage);
}

/** Keeps the request manager's per-generation debug lines (outcome and what stopped it) and warnings. */
export class CollectingLogger implements Logger {
  readonly generations: { source: string; chars: number | null; stoppedBy: string }[] = [];
  readonly problems: string[] = [];
  trace(): void {}
  debug(message: string): void {
    const m = /^completion \((\w+)\) (empty|(\d+) chars), stopped by (.+?); /.exec(message);
    if (m) this.generations.push({ source: m[1]!, chars: m[3] ? Number(m[3]) : null, stoppedBy: m[4]! });
  }
  info(): void {}
  warn(message: string): void {
    this.problems.push(`warn ${message}`);
  }
  error(message: string | Error): void {
    this.problems.push(`error ${typeof message === "string" ? message : message.message}`);
  }
}
