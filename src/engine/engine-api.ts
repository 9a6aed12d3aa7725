import type { Event } from "../common/event";
import type { MachineMemory } from "../models/memory-fit";
import type { EngineCrash, EngineSettings, EngineStatus, RequestOptions } from "./client-types";
import type { ChatParams, ChatPrefillParams, ChatPrefillResult, EmbedResult, GenerationResult, InfillParams, ModelInfo, ModelRole, TokenCountResult } from "./protocol";

/**
 * Where requests go: the in-process engine (the default, offline), or an inference server the user chose
 * (hearth.engine.kind "server"). The status bar and the chat header show it, so a user always knows whether code
 * leaves the machine.
 */
export type EngineTarget = { kind: "local" } | { kind: "server"; url: string };

/**
 * What the completion pipeline, chat, actions, the picker and the commands talk to. Two implementations:
 * `EngineClient` (client.ts, the engine process with node-llama-cpp) and `ServerEngine` (server/server-engine.ts, an
 * OpenAI-compatible inference server); `EngineSwitch` (engine-switch.ts) hands each request to the one the user chose.
 */
export interface Engine {
  readonly target: EngineTarget;
  /** The completion model's status (the status bar's). */
  readonly status: EngineStatus;
  /** The status of the model that answers chat. */
  readonly chatStatus: EngineStatus;
  readonly onDidChangeStatus: Event<EngineStatus>;
  readonly onDidChangeChatStatus: Event<EngineStatus>;
  /** Fired once per unexpected exit of the engine process (the local engine's only). */
  readonly onDidCrash: Event<EngineCrash>;

  configure(settings: EngineSettings): Promise<EngineStatus>;
  /** Makes the completion model ready (loads it; for a server, checks that it serves it). */
  load(signal?: AbortSignal): Promise<ModelInfo>;
  loadChat(signal?: AbortSignal): Promise<ModelInfo>;
  infill(params: InfillParams, options?: RequestOptions): Promise<GenerationResult>;
  chat(params: ChatParams, options?: RequestOptions): Promise<GenerationResult>;
  /** Work ahead of need; null when the engine does not do it (or its model is not ready). */
  prefillChat(params: ChatPrefillParams, options?: RequestOptions): Promise<ChatPrefillResult | null>;
  /** Token counts from the model's tokenizer; null when they cannot be had cheaply (callers estimate then). */
  tokenCounts(texts: string[], options?: RequestOptions & { role?: ModelRole }): Promise<TokenCountResult | null>;
  /** Unit-length vectors from the embedding model (codebase memory); vectors of another model are not comparable. */
  embed(texts: string[], options?: { signal?: AbortSignal }): Promise<EmbedResult>;
  /** This machine's memory, for judging which local models fit. */
  machineMemory(fallback: MachineMemory, options?: { signal?: AbortSignal; timeoutMs?: number }): Promise<MachineMemory>;
  unload(): Promise<void>;
  restart(): Promise<void>;
  dispose(): Promise<void>;
}
