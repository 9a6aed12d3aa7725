// Loads one model for one role: reads and checks the GGUF file and its LoRA adapters, refuses what would not fit in
// memory, then loads the weights and creates the context with its sequences, chat wrapper and FIM format.
import { stat } from "node:fs/promises";
import { basename } from "node:path";
import type { ChatWrapper, GgufFileInfo, Llama, LlamaChat, LlamaCompletion, LlamaContext, LlamaContextSequence, LlamaModel, Token } from "node-llama-cpp";
import { errorMessage } from "../../common/errors.js";
import { detectFimFormat, vocabInfoFromGgufMetadata } from "../../fim/detect.js";
import type { FimFormat } from "../../fim/types.js";
import { checkLoraAdapters, type LoraAdapterFile } from "../../models/lora.js";
import { showableModelName } from "../../models/model-facts.js";
import { contextSizeFor, type LoadParams, type ModelInfo, type ModelRole } from "../protocol.js";
import { EngineFailure } from "./engine-failure.mjs";
import type { EngineLog, NodeLlamaCpp } from "./llama-binding.mjs";
import { checkMemory, type Footprint, type LoadedBeside } from "./memory-check.mjs";
import { nextEditTokenPredictor } from "./next-edit.mjs";
import { resolveStopTokens } from "./prompt-tokens.mjs";

/** A model's chat: its own context of one sequence, answered with the model's chat wrapper. */
export interface ChatSide {
  context: LlamaContext;
  sequence: LlamaContextSequence;
  chat: LlamaChat;
}

export interface LoadedModel {
  role: ModelRole;
  model: LlamaModel;
  /**
   * The completion model answers chat too whenever no separate chat model is chosen (switching one on or off then
   * reloads nothing), each on a context of its own with one sequence, so that neither evicts the other's KV cache and
   * the completion's cache shifts (suffix-reuse.mts) rotate only its own cells: llama.cpp rotates every cell of a
   * context at each shift, 121 ms on 4,096 × 2 sequences against 59 on 4,096 × 1 (bench-0.5b at one thread, bench/RESULTS.md
   * "Engine: what a decode costs by its shape"). Its chat context is created on the first chat request, after its own
   * memory check: a user who chats with another model, or not at all, never pays for it. Other roles' models have the
   * chat side only, made at load.
   *
   * This is the completion's context for the completion model; for the others, the chat's.
   */
  context: LlamaContext;
  completionSequence: LlamaContextSequence | null;
  completion: LlamaCompletion | null;
  /** The chat side, made on first use (chatSideOf). */
  chatSide: LazyChatSide;
  chatWrapper: ChatWrapper;
  /** Null when the model has no fill-in-the-middle tokens: chat still works. */
  fim: { format: FimFormat; stopTokens: Token[] } | null;
  info: ModelInfo;
  /** What the memory check counted for this model; the other role's model must fit beside it. */
  footprint: Footprint;
}

export interface ModelLoad {
  lib: NodeLlamaCpp;
  llama: Llama;
  role: ModelRole;
  params: LoadParams;
  signal: AbortSignal;
  /** When the load began (performance.now()), for the load time the model reports. */
  started: number;
  /** Called after each step before llama.cpp's own progress starts. */
  onStep: () => void;
  /** llama.cpp's progress reading the weights, 0 to 1. */
  onProgress: (progress: number) => void;
  /** The model loaded for the other role, if any: the memory check counts it. */
  other: LoadedBeside | undefined;
  /**
   * For a chat context made later (the completion model's, on the first chat): every model loaded then, this one
   * included, which its memory check counts; and the engine's one-at-a-time lock for loads, which the check and the
   * context's making hold, so that no load checks the same free memory meanwhile.
   */
  laterContext?: { loaded: () => LoadedBeside | undefined; exclusively: <T>(work: () => Promise<T>) => Promise<T> };
  log: EngineLog;
}

export async function loadModel({ lib, llama, role, params, signal, started, onStep, onProgress, other, laterContext, log }: ModelLoad): Promise<LoadedModel> {
  const fileInfo = await readModelFile(lib, params.modelPath);
  onStep();
  const adapters = await checkAdapters(fileInfo, params, signal);
  const footprint = await checkMemory({ lib, llama, fileInfo, params, adapters, role, other, log });
  onStep();
  const model = await llama
    .loadModel({
      modelPath: params.modelPath,
      gpuLayers: params.gpu === "off" ? 0 : "auto",
      loadSignal: signal,
      onLoadProgress: onProgress,
    })
    .catch((error: unknown) => {
      throw describeLoadError(lib, error, params.modelPath, fileInfo);
    });
  const createContext = async (contextSize: number): Promise<LlamaContext> => {
    try {
      return await model.createContext({
        contextSize: Math.min(contextSize, model.trainContextSize),
        sequences: 1,
        threads: params.threads,
        ...(adapters.length > 0 ? { lora: { adapters: adapters.map((adapter) => ({ filePath: adapter.path })) } } : {}),
      });
    } catch (error) {
      throw adapters.length > 0 ? describeLoraError(error, adapters, fileInfo, params.modelPath) : describeLoadError(lib, error, params.modelPath, fileInfo);
    }
  };
  const chatWrapper = lib.resolveChatWrapper(model);
  const makeChatSide = async (context?: LlamaContext): Promise<ChatSide> => {
    const own = context ?? (await createContext(params.contextSize));
    try {
      // The next-edit model's answer is mostly a copy of its prompt's window: its sequence drafts from the prompt.
      const sequence = own.getSequence(role === "nextEdit" ? { tokenPredictor: nextEditTokenPredictor(lib) } : {});
      return { context: own, sequence, chat: new lib.LlamaChat({ contextSequence: sequence, chatWrapper }) };
    } catch (error) {
      if (!context) await own.dispose();
      throw error;
    }
  };
  let context: LlamaContext;
  let chatSide: LazyChatSide;
  let completionSequence: LlamaContextSequence | null = null;
  try {
    context = await createContext(contextSizeFor(role, params));
  } catch (error) {
    await model.dispose();
    throw error;
  }
  if (role === "completion") {
    completionSequence = context.getSequence();
    const exclusively = laterContext?.exclusively ?? (<T,>(work: () => Promise<T>) => work());
    chatSide = new LazyChatSide(() =>
      exclusively(async () => {
        // The weights are in memory already: only the chat's context must fit beside everything loaded, and it counts
        // in this model's footprint from then on. A refusal fails the chat alone; completions go on.
        const extra = await checkMemory({ lib, llama, fileInfo, params, adapters, role: "chat", other: laterContext?.loaded(), log, weightsLoaded: { gpuLayers: model.gpuLayers } });
        const side = await makeChatSide();
        footprint.ramBytes += extra.ramBytes;
        footprint.vramBytes += extra.vramBytes;
        return side;
      }),
    );
  } else {
    try {
      chatSide = LazyChatSide.made(await makeChatSide(context));
    } catch (error) {
      await context.dispose();
      await model.dispose();
      throw error;
    }
  }
  const fimFormat = detectFimFormat(vocabInfoFromGgufMetadata(fileInfo.metadata));
  const fim = fimFormat ? { format: fimFormat, stopTokens: resolveStopTokens(model, fimFormat.stopTokens) } : null;
  const info: ModelInfo = {
    path: params.modelPath,
    name: modelName(fileInfo, params.modelPath),
    architecture: String(fileInfo.metadata.general?.architecture ?? "unknown"),
    sizeBytes: (await stat(params.modelPath)).size,
    trainContextSize: model.trainContextSize,
    contextSize: context.contextSize,
    chatContextSize: Math.min(params.contextSize, model.trainContextSize),
    fimSupported: fim !== null,
    fimFormat: fim?.format.familyName ?? null,
    chatTemplate: typeof fileInfo.metadata.tokenizer?.chat_template === "string" ? fileInfo.metadata.tokenizer.chat_template : null,
    chatWrapper: chatWrapper.wrapperName,
    gpu: llama.gpu,
    threads: params.threads,
    loadMs: Math.round(performance.now() - started),
    loraAdapters: adapters.map((adapter) => ({ path: adapter.path, name: adapter.name })),
    estimatedMemory: { ramBytes: footprint.ramBytes, vramBytes: footprint.vramBytes },
  };
  log("info", `loaded ${info.name} for ${role === "chat" ? "chat" : "completion"} (${info.architecture}, ${(info.sizeBytes / 2 ** 20).toFixed(1)} MiB) in ${info.loadMs} ms; context ${info.contextSize}, ${info.threads} thread(s), gpu ${String(info.gpu)}, chat wrapper ${info.chatWrapper}, FIM ${fim ? `${fim.format.familyName} (${fim.format.detectedBy ?? "detected"})` : "none"}${adapters.length > 0 ? `, LoRA ${adapters.map((a) => a.name).join(", ")}` : ""}`);
  return {
    role,
    model,
    context,
    completionSequence,
    completion: completionSequence ? new lib.LlamaCompletion({ contextSequence: completionSequence }) : null,
    chatSide,
    chatWrapper,
    fim,
    info,
    footprint,
  };
}

/** The model's chat side, made on the first call for the completion model (its own context). */
export async function chatSideOf(loaded: LoadedModel): Promise<ChatSide> {
  return await loaded.chatSide.get();
}

/** Frees the model's sequences, contexts and weights. */
export async function disposeLoadedModel(loaded: LoadedModel): Promise<void> {
  await loaded.chatSide.dispose(loaded.context);
  loaded.completion?.dispose({ disposeSequence: true });
  await loaded.context.dispose();
  await loaded.model.dispose();
}

/** A chat side made once, on the first get(); a failed making is tried again by the next get(). */
export class LazyChatSide {
  private making: Promise<ChatSide> | undefined;

  constructor(private readonly make: () => Promise<ChatSide>) {}

  static made(side: ChatSide): LazyChatSide {
    const lazy = new LazyChatSide(() => Promise.resolve(side));
    lazy.making = Promise.resolve(side);
    return lazy;
  }

  get(): Promise<ChatSide> {
    if (!this.making) {
      const making = this.make();
      this.making = making;
      making.catch(() => {
        if (this.making === making) this.making = undefined;
      });
    }
    return this.making;
  }

  /** Frees the chat side if it was made, and its context unless that is `shared` (the model's own, freed by the caller). */
  async dispose(shared: LlamaContext): Promise<void> {
    const making = this.making;
    this.making = undefined;
    const side = await making?.catch(() => undefined);
    if (!side) return;
    side.chat.dispose({ disposeSequence: true });
    if (side.context !== shared) await side.context.dispose();
  }
}

/**
 * Whether the model loaded as `info` is what `params` ask for, so loading them again would change nothing: its context
 * and its chat's as they would be made (each capped at the model's training context).
 */
export function sameLoad(info: ModelInfo, params: LoadParams): boolean {
  const adapters = (info.loraAdapters ?? []).map((adapter) => adapter.path);
  const wanted = params.loraAdapters ?? [];
  return (
    info.path === params.modelPath &&
    info.threads === params.threads &&
    info.contextSize === Math.min(contextSizeFor(params.role ?? "completion", params), info.trainContextSize) &&
    info.chatContextSize === Math.min(params.contextSize, info.trainContextSize) &&
    adapters.length === wanted.length &&
    adapters.every((path, i) => path === wanted[i])
  );
}

export async function readModelFile(lib: NodeLlamaCpp, modelPath: string): Promise<GgufFileInfo> {
  let fileInfo: GgufFileInfo;
  try {
    fileInfo = await lib.readGgufFileInfo(modelPath, { readTensorInfo: true });
  } catch (error) {
    throw new EngineFailure({
      code: "model-invalid",
      message: `${basename(modelPath)} is not a readable GGUF model (it may be truncated or corrupt).`,
      detail: errorMessage(error),
    });
  }
  const architecture = String(fileInfo.metadata.general?.architecture ?? "");
  // Declared as a const enum, but node-llama-cpp also exports it as a real object at run time.
  const known = Object.values((lib as unknown as { GgufArchitectureType: Record<string, string> }).GgufArchitectureType);
  if (!known.includes(architecture)) {
    throw new EngineFailure({
      code: "model-unsupported",
      message: `${basename(modelPath)} uses the architecture "${architecture || "unknown"}", which this build of llama.cpp does not know.`,
    });
  }
  if ((fileInfo.tensorInfo?.length ?? 0) === 0) {
    throw new EngineFailure({
      code: "model-invalid",
      message: `${basename(modelPath)} holds only a tokenizer (no weights), so it cannot generate text.`,
    });
  }
  return fileInfo;
}

/**
 * Checks the configured adapters against the model before anything is loaded: llama.cpp would otherwise fail deep in
 * context creation with a tensor name, after the model's weights were already read.
 */
async function checkAdapters(fileInfo: GgufFileInfo, params: LoadParams, signal: AbortSignal): Promise<LoraAdapterFile[]> {
  const paths = params.loraAdapters ?? [];
  if (paths.length === 0) return [];
  const base = {
    name: modelName(fileInfo, params.modelPath),
    architecture: String(fileInfo.metadata.general?.architecture ?? "unknown"),
    tensors: (fileInfo.tensorInfo ?? []).map((tensor) => ({ name: tensor.name, dims: tensor.dimensions.map(Number) })),
  };
  const checked = await checkLoraAdapters(paths, base, signal);
  if (!checked.ok) throw new EngineFailure({ code: "lora-invalid", message: checked.problem.message, detail: checked.problem.path });
  return checked.adapters;
}

export function describeLoadError(lib: NodeLlamaCpp, error: unknown, modelPath: string, fileInfo: GgufFileInfo): EngineFailure {
  if (error instanceof EngineFailure) return error;
  if (error instanceof lib.InsufficientMemoryError) {
    return new EngineFailure({
      code: "model-too-large",
      message: `${basename(modelPath)} does not fit in the free memory of this machine. Choose a smaller model or lower hearth.engine.contextSize.`,
      detail: errorMessage(error),
    });
  }
  return new EngineFailure({
    code: "model-invalid",
    message: `llama.cpp could not load ${basename(modelPath)} (${String(fileInfo.metadata.general?.architecture ?? "unknown")} architecture).`,
    detail: errorMessage(error),
  });
}

function describeLoraError(error: unknown, adapters: readonly LoraAdapterFile[], fileInfo: GgufFileInfo, modelPath: string): EngineFailure {
  return new EngineFailure({
    code: "lora-invalid",
    message: `llama.cpp could not apply the LoRA adapter${adapters.length > 1 ? "s" : ""} ${adapters.map((a) => basename(a.path)).join(", ")} to ${modelName(fileInfo, modelPath)}. Check that ${adapters.length > 1 ? "they were" : "it was"} trained for this model, or remove ${adapters.length > 1 ? "them" : "it"} from hearth.model.loraAdapters.`,
    detail: errorMessage(error),
  });
}

export function modelName(fileInfo: GgufFileInfo, modelPath: string): string {
  // The status bar's tooltip and the chat header show it: a crafted name is the file's name instead (model-facts.ts).
  return showableModelName(fileInfo.metadata.general?.name) ?? basename(modelPath).replace(/\.gguf$/i, "");
}
