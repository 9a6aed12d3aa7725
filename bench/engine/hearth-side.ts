// Hearth's side of the engine bench: the extension's own pipeline (CompletionPipeline: the context engine over the
// indexed workspace, weighing with the model's tokenizer, and generateSuggestion) on the real engine process. The
// only change is in what the engine is asked to generate: exactly `nPredict` tokens with no line limit and no early
// stop by the post-processor, so that every side of the race generates the same number of tokens.
import { basename, join } from "node:path";
import { silentLogger } from "../../src/common/logger";
import { CompletionPipeline, pathInFolder, type PipelineEngine } from "../../src/completion/completion-pipeline";
import type { CompletionEngine, DocumentSnapshot } from "../../src/completion/completion-types";
import { DEFAULT_GENERATION, generateSuggestion } from "../../src/completion/generate-suggestion";
import type { GenerationResult, InfillParams } from "../../src/engine/protocol";
import { BENCH_DIR } from "../report";
import type { ReplayFile } from "./replay-files";
import type { TypingStep } from "./typing";

export interface HearthAnswer {
  /** What the caller waits: context assembly, the engine call and its streamed answer. */
  ms: number;
  /** Of which the context engine's assembly (until the engine was called). */
  assemblyMs: number;
  params: InfillParams;
  result: GenerationResult;
  /** Engine-side time from the first streamed chunk to the end, per generated token after the first. */
  genMsPerToken: number | null;
}

/** hearth.completion.contextTokens' default (package.json). */
export const CONTEXT_TOKENS = 1024;

/**
 * The time between two requests as the context hold sees it: a typist's gap. The wall clock would also count the
 * seconds the other sides take between Hearth's requests, so every request would read as a pause (3 s) to the hold and
 * other files' context would be chosen afresh at each step, which no typist causes (bench/inline/cache-engine-steps.js
 * measured both: node-gyp's 85% of calls evaluating at most 32 tokens is that clock, 100% at a typist's gaps).
 */
export const TYPIST_GAP_MS = 600;

export class HearthSide {
  private version = 1;
  private text: string;
  /** The hold's clock (ms): it advances by a typist's gap per request, not by the wall clock. */
  private readonly clock: { ms: number };

  private constructor(
    readonly pipeline: CompletionPipeline,
    private readonly client: PipelineEngine,
    private readonly file: ReplayFile,
    first: TypingStep,
    clock: { ms: number },
  ) {
    this.text = first.before + first.after;
    this.clock = clock;
  }

  /**
   * Opens the tabs, then the typed file as it is before typing, indexes the workspace and settles token counts. The
   * engine is the engine process's client here, a server engine in the team bench (bench/team/).
   */
  static async open(client: PipelineEngine, file: ReplayFile, first: TypingStep): Promise<HearthSide> {
    const clock = { ms: 0 };
    const pipeline = new CompletionPipeline({
      engine: client,
      now: () => clock.ms,
      grammarsDir: join(BENCH_DIR, "..", "grammars"),
      logger: silentLogger,
      budgetTokens: CONTEXT_TOKENS,
      relativePath: (path) => pathInFolder(file.root, path) ?? path,
    });
    const side = new HearthSide(pipeline, client, file, first, clock);
    const { context } = pipeline;
    for (const tab of file.tabs) {
      context.openDocument(tab.uri, file.languageId, tab.text, 1);
      context.noteVisited(tab.uri);
    }
    context.openDocument(file.file.uri, file.languageId, side.text, side.version);
    context.noteVisited(file.file.uri);
    const signal = new AbortController().signal;
    await context.indexWorkspace([file.root], signal);
    await context.whenParsed(file.file.uri);
    await context.whenRecentFilesReady();
    await pipeline.settleTokenCounts(side.snapshot(first), signal);
    return side;
  }

  /**
   * The document becomes the step's text (one edit, as a keystroke makes), then one model call at its cursor; `signal`
   * abandons it (the team bench's time limit per round).
   */
  async ask(step: TypingStep, nPredict: number, signal: AbortSignal = new AbortController().signal): Promise<HearthAnswer> {
    this.advance(step);
    let params: InfillParams | undefined;
    let result: GenerationResult | undefined;
    let engineCalledAt = 0;
    const client = this.client;
    const engine: CompletionEngine = {
      async infill(asked, options) {
        engineCalledAt = performance.now();
        params = { ...asked, maxTokens: nPredict, maxLines: 0 };
        // The chunks still stream to the host, as for every suggestion; the post-processor just never sees them.
        result = await client.infill(params, { ...(options.signal ? { signal: options.signal } : {}), onChunk: () => undefined });
        return result;
      },
    };
    const started = performance.now();
    await generateSuggestion({ engine, context: this.pipeline.context }, this.snapshot(step), { ...DEFAULT_GENERATION, budgetTokens: CONTEXT_TOKENS, relativePath: (path) => pathInFolder(this.file.root, path) ?? path }, signal);
    const ms = performance.now() - started;
    if (!params || !result) throw new Error("the pipeline made no model call");
    const { firstChunkMs, totalMs } = result.timings;
    return {
      ms,
      assemblyMs: engineCalledAt - started,
      params,
      result,
      genMsPerToken: firstChunkMs !== null && result.generatedTokens > 1 ? (totalMs - firstChunkMs) / (result.generatedTokens - 1) : null,
    };
  }

  dispose(): void {
    this.pipeline.dispose();
  }

  /** A typist's gap, then the document becomes the step's text (one edit, as a keystroke makes). */
  advance(step: TypingStep): void {
    this.clock.ms += TYPIST_GAP_MS;
    this.type(step);
  }

  private type(step: TypingStep): void {
    const next = step.before + step.after;
    if (next === this.text) return;
    let start = 0;
    while (start < this.text.length && start < next.length && this.text[start] === next[start]) start++;
    let end = 0;
    while (end < this.text.length - start && end < next.length - start && this.text[this.text.length - 1 - end] === next[next.length - 1 - end]) end++;
    const edit = { startOffset: start, endOffset: this.text.length - end, text: next.slice(start, next.length - end) };
    this.pipeline.context.applyEdit(this.file.file.uri, [edit], ++this.version);
    this.pipeline.context.noteEdited(this.file.file.uri, edit.startOffset);
    this.text = next;
  }

  /** The document at `step` as the pipeline sees it. */
  snapshot(step: TypingStep): DocumentSnapshot {
    return {
      uri: this.file.file.uri,
      languageId: this.file.languageId,
      text: step.before + step.after,
      offset: step.before.length,
      version: this.version,
      cursorLine: step.line,
      relativePath: this.file.file.relativePath,
      repoName: basename(this.file.root),
    };
  }
}
