/**
 * The messages between the extension host (engine-connection.ts) and the engine process (worker/). Plain JSON only: the
 * worker is a separate process, so nothing here may hold a function, a class instance or a native handle.
 */
import type { PromptPiece } from "../fim/types";
import type { MachineMemory } from "../models/memory-fit";

/**
 * Which model a request is for. The completion model also answers chat unless the user chose a separate chat model
 * (hearth.chat.modelPath); an embedding model (hearth.embedding.modelPath) turns code into vectors for codebase search.
 * Each loaded model has its own context; they share the memory budget. A new role is one entry here, then a row in each
 * table the compiler names (model-slots.ts ROLE_SETTINGS, worker/llama-engine.mts ROLE_KINDS).
 */
export const MODEL_ROLES = ["completion", "chat", "embedding", "nextEdit"] as const;
export type ModelRole = (typeof MODEL_ROLES)[number];

export function isModelRole(value: unknown): value is ModelRole {
  return (MODEL_ROLES as readonly unknown[]).includes(value);
}

/**
 * The context `role`'s model is made with (before the model's training context caps it): a completion model's own
 * (its chat's, made later, has `contextSize`).
 */
export function contextSizeFor(role: ModelRole, params: Pick<LoadParams, "contextSize" | "completionContextSize">): number {
  return role === "completion" ? Math.min(params.contextSize, params.completionContextSize ?? params.contextSize) : params.contextSize;
}

export interface LoadParams {
  modelPath: string;
  /** Absent: "completion" (that model also answers chat while no chat model is loaded). */
  role?: ModelRole;
  /** CPU threads for llama.cpp; oversubscribing the cores collapses throughput, so the client always sets it. */
  threads: number;
  contextSize: number;
  /**
   * The completion model's own context (at most `contextSize`; engine-settings.ts sizes it for the completion prompt):
   * its chat, made on the first chat, gets `contextSize`. Absent: `contextSize`.
   */
  completionContextSize?: number;
  gpu: "auto" | "off";
  /** Memory the model and its context may take; the free memory of the machine when absent. */
  memoryBudgetBytes?: number;
  /** LoRA adapter GGUF files applied on top of the model, in order (hearth.model.loraAdapters); absolute paths. */
  loraAdapters?: string[];
}

/** Asks for this machine's memory as node-llama-cpp sees it (GPU included); starts no model. */
export interface MemoryParams {
  gpu: "auto" | "off";
  threads: number;
}

export interface LoraAdapterInfo {
  path: string;
  name: string;
}

export interface ModelInfo {
  path: string;
  name: string;
  architecture: string;
  sizeBytes: number;
  trainContextSize: number;
  /** The context this model's completions (or its role's requests) run in. */
  contextSize: number;
  /** The context a chat with this model gets: `contextSize` but for a completion model, whose chat has its own. */
  chatContextSize: number;
  /** The GGUF carries fill-in-the-middle tokens, so inline completion can use it. */
  fimSupported: boolean;
  /** The FIM prompt format detected from the GGUF's metadata (e.g. "Qwen2.5-Coder"), null without FIM support. */
  fimFormat: string | null;
  chatTemplate: string | null;
  chatWrapper: string;
  gpu: string | false;
  threads: number;
  loadMs: number;
  /** The LoRA adapters applied, in order; absent or empty for none. */
  loraAdapters?: LoraAdapterInfo[];
  /** What the memory check estimated this model and its context take; a second model must fit beside it. */
  estimatedMemory?: { ramBytes: number; vramBytes: number };
  /** An embedding model's vector length (the embedding role only). */
  embeddingDimensions?: number;
}

/** Code from another file shown to the model before the prefix; `path` is workspace-relative. */
export interface SnippetParam {
  path: string;
  content: string;
}

export interface InfillParams {
  /** Text before the cursor; the engine cuts a line-anchored window from it (see fim/layout.ts). */
  prefix: string;
  /** Text after the cursor; the engine keeps a short window of it. */
  suffix: string;
  /** Document line on which `prefix` begins, when the caller already cut it. */
  prefixStartLine?: number;
  /** Other files' code, in an order that stays stable between keystrokes (it is reused from the KV cache). */
  snippets?: SnippetParam[];
  filePath?: string;
  repoName?: string;
  languageId?: string;
  maxTokens: number;
  /** Stop after this many line breaks in the output; 0 means only the other rules apply. */
  maxLines?: number;
  stop?: string[];
}

export interface ChatMessage {
  role: "system" | "user" | "assistant";
  content: string;
}

export interface ChatParams {
  messages: ChatMessage[];
  maxTokens: number;
  /** The model that answers: "chat" only where the client loaded a separate chat model; absent: the completion model. */
  modelRole?: ModelRole;
}

/**
 * The part of the next chat prompt known before the question (system prompt, earlier turns, the context chips), to be
 * evaluated into the chat sequence's KV cache while the user types, so that the answer evaluates only the question.
 */
export interface ChatPrefillParams {
  /**
   * The messages the next question will send, the last one a user message holding only what will precede the question
   * in it (its context block and separator, or ""): the question is appended to it.
   */
  messages: ChatMessage[];
  /** As in ChatParams: "chat" only where the client loaded a separate chat model. */
  modelRole?: ModelRole;
}

export interface ChatPrefillResult {
  /** Tokens of the prompt's known part, as the chat template renders it in front of the question. */
  prefixTokens: number;
  /** Of those, already in the KV cache when the prefill began (an earlier prefill's or the last answer's). */
  cachedTokens: number;
  /** Evaluated by this prefill; fewer than the rest when it was stopped (its part stays in the cache). */
  evaluatedTokens: number;
  /** Time spent giving way to inline completions. */
  waitedMs: number;
  totalMs: number;
  /** "too-long": the known part leaves no room in the context, so nothing was evaluated (the answer will shift it). */
  skipped?: "too-long";
}

export type StopReason = "end-token" | "max-tokens" | "max-lines" | "stop-sequence" | "cancelled";

export interface GenerationResult {
  text: string;
  stopReason: StopReason;
  /** Prompt tokens the engine really evaluated (the rest came from the KV cache). */
  promptTokens: number;
  generatedTokens: number;
  timings: { queuedMs: number; firstChunkMs: number | null; totalMs: number };
  /** Next edit: draft tokens copied from the window that the model confirmed (accepted) or not (refuted). */
  drafts?: { accepted: number; refuted: number };
  /** Next edit: the answer stopped once it was back on the window past the change (the rest is the window's). */
  stoppedEarly?: boolean;
  /**
   * Infill: prompt tokens after the change whose cache was moved rather than evaluated again (suffix reuse,
   * engine/worker/suffix-reuse.mts); absent when none was.
   */
  reusedSuffixTokens?: number;
  /**
   * Infill: prompt tokens the engine's idle refresh evaluated in order on the completion sequence since the previous
   * request's answer (engine/worker/suffix-reuse.mts), which no request waited for; absent when none.
   */
  backgroundRefreshTokens?: number;
}

/**
 * Each request method with its params and result. Completions are "newest wins": a new infill aborts the older ones,
 * which end cancelled — with their partial result (stopReason "cancelled") if they had started, else with a
 * "cancelled" error.
 */
export interface EngineMethods {
  load: [LoadParams, ModelInfo];
  /** Unloads the model of `role`, or every model when it is absent. */
  unload: [{ role?: ModelRole }, { unloaded: boolean }];
  memory: [MemoryParams, MachineMemory];
  infill: [InfillParams, GenerationResult];
  chat: [ChatParams, GenerationResult];
  /** Runs on the chat's lane, giving way to completions between small batches; any chat request aborts it. */
  prefillChat: [ChatPrefillParams, ChatPrefillResult];
  tokenCounts: [TokenCountParams, TokenCountResult];
  /**
   * Runs on the embedding lane, which gives way to completions and chat between texts. After each text a `chunk` message
   * carries the number of texts embedded so far.
   */
  embed: [EmbedParams, EmbedResult];
  /** The next-edit model rewrites a window; on its own lane (newest wins), starting only once no completion waits. */
  nextEdit: [NextEditParams, GenerationResult];
  /**
   * Evaluates the known front of the next next-edit prompt while the user types; on the next-edit lane, where anything
   * later stops it, and between small steps it waits while a completion or chat request is queued or running.
   */
  prefillNextEdit: [NextEditPrefillParams, NextEditPrefillResult];
}

/** A next-edit prompt the host rendered in the model family's format (src/nextedit/formats.ts). */
export interface NextEditParams {
  pieces: PromptPiece[];
  /** The format's special tokens: the user's text never turns into one. */
  specialTokens: string[];
  /** Texts that end the rewritten window. */
  stop: string[];
  maxTokens: number;
  /**
   * The window the answer rewrites (the prompt's current text, without the line break after it) and the cursor's line
   * in it: the answer stops once it has made a change and copied the window again past any change that could be shown.
   */
  window?: { text: string; cursorLine: number };
}

/** The front of the next next-edit prompt that more typing on the cursor's line cannot change (nextedit/next-edit-prompt.ts). */
export interface NextEditPrefillParams {
  pieces: PromptPiece[];
  /** As in NextEditParams. */
  specialTokens: string[];
}

/** As the chat prefill's: the front's tokens, those already cached, those this prefill evaluated, its waits. */
export type NextEditPrefillResult = ChatPrefillResult;

/** Texts to turn into vectors with the loaded embedding model, in order. */
export interface EmbedParams {
  texts: string[];
}

export interface EmbedResult {
  /** One unit-length vector per text (cosine similarity is their dot product); all zeros for a text with no tokens. */
  vectors: number[][];
  dimensions: number;
  /** The embedding model's file: vectors of another model are not comparable with these. */
  modelPath: string;
  /** Tokens each text took (special tokens included), after any cut to the model's window. */
  tokens: number[];
  /** Indices of texts longer than the model's window, embedded from their beginning only. */
  truncated: number[];
  /** Time spent giving way to completions and chat. */
  waitedMs: number;
  totalMs: number;
}

/** Texts to count with the loaded model's tokenizer (no special tokens); never loads a model. */
export interface TokenCountParams {
  texts: string[];
  /** Whose tokenizer counts: the completion model's (the default), the chat model's or the embedding model's. */
  role?: ModelRole;
}

export interface TokenCountResult {
  /** The model that counted: counts from another model are no use to the caller. */
  modelPath: string;
  counts: number[];
}
export type EngineMethod = keyof EngineMethods;
export type ParamsOf<M extends EngineMethod> = EngineMethods[M][0];
export type ResultOf<M extends EngineMethod> = EngineMethods[M][1];

export type WorkerState =
  | { kind: "empty" }
  | { kind: "loading"; modelPath: string; progress: number }
  | { kind: "ready"; model: ModelInfo }
  | { kind: "failed"; modelPath: string; error: EngineErrorPayload };

export type EngineErrorCode =
  | "model-invalid"
  | "model-unsupported"
  | "model-too-large"
  | "lora-invalid"
  | "not-loaded"
  | "no-fim"
  | "cancelled"
  | "engine-crashed"
  /** The engine stopped answering its heartbeat, or a request made no progress within its deadline: it was killed. */
  | "engine-unresponsive"
  /** The model stopped or hung the engine on each of its last few loads: Hearth no longer tries it on its own. */
  | "model-crash-loop"
  /** The inference server (hearth.engine.kind "server") cannot be reached: down, a wrong URL, or a TLS failure. */
  | "server-unreachable"
  /** The server refused the API key (401/403): hearth "Set Server API Key". */
  | "server-auth"
  /** The server does not serve the model named in hearth.server.*Model (404, or absent from /v1/models). */
  | "server-model-missing"
  /** The server is overloaded (429/503) after Hearth's retries. */
  | "server-busy"
  /** The server did not answer, or went silent mid-answer, within hearth.server.timeoutSeconds. */
  | "server-timeout"
  /** The server answered with something that is not the OpenAI-compatible API, or cut a stream short. */
  | "server-bad-response"
  /** The prompt (with room for the answer) is longer than the model's context: the caller may send a shorter one. */
  | "prompt-too-long"
  | "internal";

export interface EngineErrorPayload {
  code: EngineErrorCode;
  message: string;
  detail?: string;
  /** model-too-large: the memory that was free when the model was refused. */
  memory?: MachineMemory;
  /** model-too-large: the largest catalog model of the same role that fits (added by the client). */
  suggestion?: ModelSuggestion;
}

export interface ModelSuggestion {
  catalogId: string;
  name: string;
  sizeBytes: number;
}

export type HostToWorker =
  | { [M in EngineMethod]: { type: "request"; id: number; method: M; params: ParamsOf<M> } }[EngineMethod]
  | { type: "cancel"; id: number }
  /** The heartbeat: the worker answers from its main thread at once, whatever it is computing. */
  | { type: "ping"; id: number };

export type WorkerToHost =
  | { type: "result"; id: number; result: unknown }
  | { type: "error"; id: number; error: EngineErrorPayload }
  | { type: "chunk"; id: number; text: string }
  | { type: "state"; role: ModelRole; state: WorkerState }
  | { type: "log"; level: "trace" | "debug" | "info" | "warn" | "error"; message: string }
  | { type: "started"; pid: number }
  | { type: "pong"; id: number }
  /** Request `id` moved on without a chunk to show for it (prompt tokens evaluated): it is working, not stuck. */
  | { type: "progress"; id: number };

/**
 * Whether the next request may simply try again: the engine went down (crashed, or was stopped because it hung) and
 * restarts on demand. Any other failure (a refused model, a crash loop) stays until the settings change or the user
 * acts, so nothing retries it on every keystroke.
 */
export function retriesOnNextRequest(error: Pick<EngineErrorPayload, "code">): boolean {
  // An inference server that was down, overloaded, slow or cut a stream may be back by the next request; a refused key
  // or a missing model stays until the user changes the settings or the key.
  return ["engine-crashed", "engine-unresponsive", "server-unreachable", "server-busy", "server-timeout", "server-bad-response"].includes(error.code);
}

/** An error that crossed the process boundary, keeping its code so callers can react to the kind of failure. */
export class EngineError extends Error {
  readonly code: EngineErrorCode;
  readonly detail: string | undefined;
  /** A smaller model to offer instead (model-too-large only). */
  readonly suggestion: ModelSuggestion | undefined;

  constructor(payload: EngineErrorPayload) {
    super(payload.message);
    this.name = payload.code === "cancelled" ? "AbortError" : "EngineError";
    this.code = payload.code;
    this.detail = payload.detail;
    this.suggestion = payload.suggestion;
  }
}

export function isHostToWorker(value: unknown): value is HostToWorker {
  if (typeof value !== "object" || value === null) return false;
  const message = value as { type?: unknown; id?: unknown; method?: unknown };
  if (typeof message.id !== "number") return false;
  if (message.type === "cancel" || message.type === "ping") return true;
  return message.type === "request" && ["load", "unload", "memory", "infill", "chat", "prefillChat", "tokenCounts", "embed", "nextEdit", "prefillNextEdit"].includes(message.method as string);
}
