import { isAbortError } from "../common/abort";
import type { AssembleRequest, ContextItem } from "../context/context-types";
import type { InfillParams, SnippetParam } from "../engine/protocol";
import type { CompletionEngine, ContextAssembler, DocumentSnapshot, Suggestion } from "./completion-types";
import { splitContextBudget } from "./context-budget";
import { decideMultiline } from "./multiline-decision";
import { CompletionStreamFilter } from "./postprocess/postprocess-completion";

export interface GenerationOptions {
  /** Tokens of context (windows + other files) per request. */
  budgetTokens: number;
  maxTokensSingleLine: number;
  maxTokensMultiLine: number;
  /** Workspace-relative form of a context item's path, as the prompt shows it. */
  relativePath?: (path: string) => string;
}

export const DEFAULT_GENERATION: GenerationOptions = { budgetTokens: 1024, maxTokensSingleLine: 48, maxTokensMultiLine: 160 };

export interface GeneratedSuggestion {
  /** The post-processed suggestion; null when nothing worth showing came out. */
  text: string | null;
  generation: NonNullable<Suggestion["generation"]>;
  stoppedBy: string | null;
}

/**
 * What a completion asks of the context, both when its pause begins (prepare) and when it assembles: its budget, laid
 * out for the FIM prompt.
 */
export function completionContextRequest(snapshot: DocumentSnapshot, budgetTokens: number): AssembleRequest {
  return {
    uri: snapshot.uri,
    languageId: snapshot.languageId,
    text: snapshot.text,
    offset: snapshot.offset,
    budgetTokens,
    split: splitContextBudget(budgetTokens),
    // The FIM prompt shows this file only through its windows (see toSnippets).
    otherFilesOnly: true,
    ...(snapshot.version !== undefined ? { version: snapshot.version } : {}),
    ...(snapshot.cursorLine !== undefined ? { cursorLine: snapshot.cursorLine } : {}),
    ...(snapshot.window ? { window: snapshot.window } : {}),
  };
}

/**
 * One model call for one cursor position: context, prompt, streamed generation, post-processing. Generation stops as
 * soon as the post-processor has a complete suggestion (the end of the block, a repeat of the suffix), so the model
 * never writes tokens nobody will see.
 */
export async function generateSuggestion(
  deps: { engine: CompletionEngine; context: ContextAssembler },
  snapshot: DocumentSnapshot,
  options: GenerationOptions,
  signal: AbortSignal,
  onChunk?: (text: string) => void,
): Promise<GeneratedSuggestion> {
  const context = await deps.context.assemble({ ...completionContextRequest(snapshot, options.budgetTokens), signal });
  const multiline = decideMultiline(context.surroundings);
  const filter = new CompletionStreamFilter({ prefix: context.prefix, suffix: context.suffix, languageId: snapshot.languageId, multiline });
  const params: InfillParams = {
    prefix: context.prefix,
    suffix: context.suffix,
    prefixStartLine: context.prefixStartLine,
    snippets: toSnippets(context.items, options.relativePath),
    languageId: snapshot.languageId,
    maxTokens: multiline ? options.maxTokensMultiLine : options.maxTokensSingleLine,
    // A single-line suggestion ends at the line break; the post-processor still checks the line itself.
    maxLines: multiline ? 0 : 1,
    ...(snapshot.relativePath ? { filePath: snapshot.relativePath } : {}),
    ...(snapshot.repoName ? { repoName: snapshot.repoName } : {}),
  };
  const complete = new AbortController();
  const generationSignal = AbortSignal.any([signal, complete.signal]);
  const started = performance.now();
  let promptTokens = 0;
  let generatedTokens = 0;
  let tokenLimit = false;
  let firstChunkMs: number | null = null;
  // The engine streams about one chunk per token; when generation is stopped early its own count never arrives.
  let chunks = 0;
  try {
    const result = await deps.engine.infill(params, {
      signal: generationSignal,
      onChunk: (chunk) => {
        firstChunkMs ??= performance.now() - started;
        chunks++;
        onChunk?.(chunk);
        if (filter.push(chunk)) complete.abort();
      },
    });
    promptTokens = result.promptTokens;
    generatedTokens = result.generatedTokens;
    tokenLimit = result.stopReason === "max-tokens";
  } catch (error) {
    // Stopping the model because the suggestion is complete is success, not cancellation.
    if (!(isAbortError(error) && complete.signal.aborted && !signal.aborted)) throw error;
    generatedTokens = chunks;
  }
  const totalMs = performance.now() - started;
  const decodeMs = firstChunkMs === null ? null : totalMs - firstChunkMs;
  return {
    text: filter.finish({ tokenLimit }),
    stoppedBy: filter.stoppedBy,
    generation: {
      promptTokens,
      generatedTokens,
      tokensPerSecond: decodeMs && generatedTokens > 1 ? ((generatedTokens - 1) * 1000) / decodeMs : null,
      totalMs,
    },
  };
}

/** Other files' code goes to the model as snippets; this file's own context is already in its prefix window. */
function toSnippets(items: readonly ContextItem[], relativePath?: (path: string) => string): SnippetParam[] {
  return items.filter((item) => item.source !== "same-file").map((item) => ({ path: relativePath ? relativePath(item.path) : item.path, content: item.text }));
}
