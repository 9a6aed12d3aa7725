import type { GenerationResult, InfillParams } from "../engine/protocol";
import type { AssembleRequest, AssembledContext, DocumentWindow } from "../context/context-types";

/** The document as the pipeline sees it: plain data, taken from the editor at the keystroke. */
export interface DocumentSnapshot {
  uri: string;
  languageId: string;
  /** The document's text, or for a document too large to copy per keystroke a window of it around the cursor. */
  text: string;
  /** Cursor offset in `text`, in UTF-16 code units (VS Code's offsetAt, less the window's start). */
  offset: number;
  /** The editor's version of the document, when `text` is that version's text (no suggestion spliced in). */
  version?: number;
  /** 0-based line of the cursor in the document. */
  cursorLine?: number;
  /** Set when `text` is a window of the document: where it starts, the document's length, and its first lines. */
  window?: DocumentWindow;
  /** Workspace-relative path with forward slashes, when the file is in the workspace. */
  relativePath?: string;
  /** Name of the workspace folder, for formats with a repository layout. */
  repoName?: string;
}

export type TriggerKind = "automatic" | "invoked";

export interface CompletionRequest {
  snapshot: DocumentSnapshot;
  triggerKind: TriggerKind;
  signal: AbortSignal;
}

/** Where a suggestion came from; the cheaper sources never call the model. */
export type SuggestionSource = "typed-through" | "cache" | "model" | "in-flight" | "prefetch";

export interface Suggestion {
  /** Text to insert at the cursor. */
  text: string;
  source: SuggestionSource;
  /** From the keystroke to the answer, debounce included. */
  latencyMs: number;
  /** Filled when the model ran for this suggestion. */
  generation?: { promptTokens: number; generatedTokens: number; tokensPerSecond: number | null; totalMs: number };
}

/** What the pipeline needs from the engine: the EngineClient satisfies it, tests pass a fake. */
export interface CompletionEngine {
  infill(params: InfillParams, options: { signal?: AbortSignal; onChunk?: (text: string) => void }): Promise<GenerationResult>;
}

/** What the pipeline needs from the context module: the ContextEngine satisfies it. */
export interface ContextAssembler {
  assemble(req: AssembleRequest): Promise<AssembledContext>;
  /** A request for this position will assemble after a pause: start slow lookups now (optional). */
  prepare?(req: AssembleRequest): void;
}
