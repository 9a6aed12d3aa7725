import type { Event } from "../common/event";
import type { Logger } from "../common/logger";
import type { MachineMemory } from "../models/memory-fit";
import type { ModelFileProblem } from "../models/model-file";
import type { SupervisionSettings } from "./engine-process";
import type { EmbedResult, EngineErrorPayload, ModelInfo, ModelRole, ModelSuggestion } from "./protocol";

/** The engine client's public shapes: what it is configured with, what it reports, what a request takes. */

export interface EngineSettings {
  modelPath: string;
  /** 0 picks the default: one fewer than the cores, at least one. */
  threads: number;
  contextSize: number;
  /** The completion model's own context (LoadParams.completionContextSize); absent: `contextSize`. */
  completionContextSize?: number;
  gpu: "auto" | "off";
  /** Unload the model after this long without a request; 0 keeps it loaded. */
  idleUnloadMs: number;
  memoryBudgetBytes?: number;
  /** LoRA adapter files applied on top of the model, in order (absolute paths). */
  loraAdapters?: string[];
  /**
   * A separate model for chat (hearth.chat.modelPath, absolute), loaded beside the completion model on the first chat;
   * empty or absent: the completion model answers chat too.
   */
  chatModelPath?: string;
  /** The embedding model for codebase search (hearth.embedding.modelPath, absolute); empty or absent: none. */
  embeddingModelPath?: string;
  /** The next-edit model (hearth.nextEdit.modelPath, absolute); empty or absent: next-edit suggestions are off. */
  nextEditModelPath?: string;
}

/**
 * What codebase memory needs of the engine: vectors for texts, and whether an embedding model is there to make them
 * (without one, search has full text and symbols only).
 */
export interface EmbeddingEngine {
  /** "no-model" while hearth.embedding.modelPath is empty; "ready" names the model and its embeddingDimensions. */
  readonly embeddingStatus: EngineStatus;
  readonly onDidChangeEmbeddingStatus: Event<EngineStatus>;
  embed(texts: string[], options?: EmbedOptions): Promise<EmbedResult>;
}

export interface EmbedOptions {
  signal?: AbortSignal | undefined;
  /** After each text: how many of `total` are embedded (for progress in the status bar). */
  onEmbedded?: ((done: number, total: number) => void) | undefined;
}

/** What the user is shown: the engine's real state, never a guess. */
export type EngineStatus =
  | { kind: "no-model"; problem: ModelFileProblem }
  | { kind: "idle"; modelPath: string }
  | { kind: "loading"; modelPath: string; progress: number }
  | { kind: "ready"; model: ModelInfo; busy: boolean }
  | { kind: "error"; error: EngineErrorPayload; modelPath?: string };

export interface EngineCrash {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  consecutive: number;
  /** "unresponsive": Hearth killed an engine that stopped answering or a load that made no progress. */
  reason: "crashed" | "unresponsive";
  message: string;
}

export interface RequestOptions {
  signal?: AbortSignal;
  onChunk?: (text: string) => void;
}

export interface EngineClientOptions {
  /** The engine's entry file (dist/engine-worker.mjs in the extension). */
  workerPath: string;
  logger: Logger;
  /** Defaults to this process's executable; in desktop VS Code that is Electron, run as Node. */
  execPath?: string;
  /** Added to the engine's allow-listed environment, through the same list (see engine-env.ts). */
  env?: NodeJS.ProcessEnv;
  /** Delays before restarting after consecutive crashes. */
  restartBackoffMs?: readonly number[];
  /** Heartbeat and deadlines (tests shorten them); see engine-process.ts. */
  supervision?: Partial<SupervisionSettings>;
  /** A model whose load stops the engine this many times in a row is not loaded again on its own; default 3. */
  maxLoadCrashes?: number;
  /**
   * What to do about a model refused for its size, phrased by the front end, which knows the catalog
   * (models/smaller-model-advice.ts); without it a refusal says only what did not fit.
   */
  adviseOnRefusal?: (refusal: ModelRefusal) => RefusalAdvice;
}

/** The facts of a model the engine refused for its size. */
export interface ModelRefusal {
  /** The catalog has no next-edit models to offer instead, so a refused next-edit model gets no advice. */
  role: Exclude<ModelRole, "nextEdit">;
  /** The memory that was free when the model was refused. */
  machine: MachineMemory;
  contextSize: number;
  /** The refused model's file size: a model offered instead must be smaller. */
  belowBytes?: number;
}

export interface RefusalAdvice {
  /** Added to the refusal's message. */
  sentence: string;
  /** The model to offer in one click. */
  suggestion?: ModelSuggestion;
}
