import { freemem, totalmem } from "node:os";
import { stat } from "node:fs/promises";
import { basename } from "node:path";
import type {
  ChatHistoryItem,
  GgufFileInfo,
  Llama,
  LlamaChat,
  LlamaCompletion,
  LlamaContext,
  LlamaContextSequence,
  LlamaModel,
  Token,
} from "node-llama-cpp";
import { detectFimFormat, vocabInfoFromGgufMetadata } from "../../fim/detect.js";
import { renderFimPrompt, type FimPrompt } from "../../fim/layout.js";
import type { FimFormat } from "../../fim/types.js";
import { checkLoraAdapters, type LoraAdapterFile } from "../../models/lora.js";
import { decideLoadFit, gib, machineMemoryFrom, type MachineMemory, type VramState } from "../../models/memory-fit.js";
import { resolveStopTokens, tokenizePrompt } from "./prompt-tokens.mjs";
import type {
  ChatParams,
  EngineErrorPayload,
  GenerationResult,
  InfillParams,
  LoadParams,
  MemoryParams,
  ModelRole,
  TokenCountParams,
  TokenCountResult,
  ModelInfo,
  StopReason,
  WorkerState,
} from "../protocol.js";

type NodeLlamaCpp = typeof import("node-llama-cpp");

/** An error the host can show as it is: it already says what went wrong and what to do. */
export class EngineFailure extends Error {
  constructor(readonly payload: EngineErrorPayload) {
    super(payload.message);
  }
}

interface Loaded {
  role: ModelRole;
  model: LlamaModel;
  context: LlamaContext;
  /**
   * The completion model's context keeps a sequence for completion and one for chat, so neither evicts the other's KV
   * cache, and it can answer chat whenever no separate chat model is chosen (switching one on or off then reloads
   * nothing). A separate chat model's context has the chat sequence only.
   */
  completionSequence: LlamaContextSequence | null;
  chatSequence: LlamaContextSequence;
  completion: LlamaCompletion | null;
  chat: LlamaChat;
  /** Null when the model has no fill-in-the-middle tokens: chat still works. */
  fim: { format: FimFormat; stopTokens: Token[] } | null;
  info: ModelInfo;
  /** What the memory check counted for this model; the other role's model must fit beside it. */
  footprint: Footprint;
}

interface Footprint {
  /** RAM for weights, context and adapters (all of it on a machine without a GPU). */
  ramBytes: number;
  /** The weights' share of ramBytes: mapped from the file, so the OS still counts it as free memory. */
  weightsRamBytes: number;
  vramBytes: number;
}

const ROLES: readonly ModelRole[] = ["completion", "chat"];

export interface GenerationCallbacks {
  signal: AbortSignal;
  onChunk(text: string): void;
  /** Tokens were evaluated (a long prompt shows no chunk for a while): the host's deadline counts from here. */
  onProgress?(): void;
}

/** How often a generation's token meter is looked at for progress: well inside any deadline the host sets. */
const PROGRESS_POLL_MS = 250;

/**
 * Owns the engine process's models: the completion model (which also answers chat unless a separate chat model is
 * loaded) and an optional chat model, each with its own context. Generation on a sequence is serialised: a sequence can
 * run one evaluation at a time, and the caller (the worker's request queue) decides which request survives.
 */
export class LlamaEngine {
  private lib: NodeLlamaCpp | undefined;
  private llama: Llama | undefined;
  private llamaKey = "";
  private readonly loaded: Record<ModelRole, Loaded | undefined> = { completion: undefined, chat: undefined };
  /** One load at a time, whatever its role: the memory check must see the other model already loaded. */
  private loading: Promise<ModelInfo> | undefined;

  constructor(
    private readonly onState: (role: ModelRole, state: WorkerState) => void,
    private readonly log: (level: "debug" | "info" | "warn" | "error", message: string) => void,
  ) {}

  /** The completion model (the one the status bar shows). */
  get model(): ModelInfo | undefined {
    return this.loaded.completion?.info;
  }

  /**
   * Whether loading `params` needs another llama.cpp binding (GPU or thread settings changed): that unloads every
   * model, so the worker must not run it beside a generation.
   */
  replacesLlama(params: Pick<LoadParams, "gpu" | "threads">): boolean {
    return this.llama !== undefined && this.llamaKey !== llamaKeyOf(params);
  }

  /** `onStep`: called after each step before llama.cpp's own progress starts, so the host sees the load moving. */
  async load(params: LoadParams, signal: AbortSignal, onStep: () => void = () => undefined): Promise<ModelInfo> {
    const role = params.role ?? "completion";
    const current = this.loaded[role]?.info;
    if (current && sameLoad(current, params)) return current;
    // A second load waits for the first instead of racing it for memory.
    while (this.loading) await this.loading.catch(() => undefined);
    const again = this.loaded[role]?.info;
    if (again && sameLoad(again, params)) return again;
    this.loading = this.loadNow(role, params, signal, onStep);
    try {
      return await this.loading;
    } finally {
      this.loading = undefined;
    }
  }

  private async loadNow(role: ModelRole, params: LoadParams, signal: AbortSignal, onStep: () => void): Promise<ModelInfo> {
    await this.unload(role);
    const started = performance.now();
    this.onState(role, { kind: "loading", modelPath: params.modelPath, progress: 0 });
    try {
      const lib = await this.getLib();
      if (this.replacesLlama(params)) {
        // Every model belongs to the binding being replaced; the other one loads again with its next request.
        for (const other of ROLES) await this.unload(other);
      }
      const llama = await this.getLlama(lib, params);
      onStep();
      const fileInfo = await this.readModelFile(lib, params.modelPath);
      onStep();
      const adapters = await checkAdapters(fileInfo, params, signal);
      const footprint = await this.checkMemory(lib, llama, fileInfo, params, adapters, role);
      onStep();
      const model = await llama
        .loadModel({
          modelPath: params.modelPath,
          gpuLayers: params.gpu === "off" ? 0 : "auto",
          loadSignal: signal,
          onLoadProgress: (progress) => this.onState(role, { kind: "loading", modelPath: params.modelPath, progress }),
        })
        .catch((error: unknown) => {
          throw describeLoadError(lib, error, params.modelPath, fileInfo);
        });
      let context: LlamaContext;
      try {
        context = await model.createContext({
          contextSize: Math.min(params.contextSize, model.trainContextSize),
          sequences: sequencesFor(role),
          threads: params.threads,
          ...(adapters.length > 0 ? { lora: { adapters: adapters.map((adapter) => ({ filePath: adapter.path })) } } : {}),
        });
      } catch (error) {
        await model.dispose();
        throw adapters.length > 0 ? describeLoraError(error, adapters, fileInfo, params.modelPath) : describeLoadError(lib, error, params.modelPath, fileInfo);
      }
      const completionSequence = role === "completion" ? context.getSequence() : null;
      const chatSequence = context.getSequence();
      const chatWrapper = lib.resolveChatWrapper(model);
      const fimFormat = detectFimFormat(vocabInfoFromGgufMetadata(fileInfo.metadata));
      const fim = fimFormat ? { format: fimFormat, stopTokens: resolveStopTokens(model, fimFormat.stopTokens) } : null;
      const info: ModelInfo = {
        path: params.modelPath,
        name: modelName(fileInfo, params.modelPath),
        architecture: String(fileInfo.metadata.general?.architecture ?? "unknown"),
        sizeBytes: (await stat(params.modelPath)).size,
        trainContextSize: model.trainContextSize,
        contextSize: context.contextSize,
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
      this.loaded[role] = {
        role,
        model,
        context,
        completionSequence,
        chatSequence,
        completion: completionSequence ? new lib.LlamaCompletion({ contextSequence: completionSequence }) : null,
        chat: new lib.LlamaChat({ contextSequence: chatSequence, chatWrapper }),
        fim,
        info,
        footprint,
      };
      this.log("info", `loaded ${info.name} for ${role === "chat" ? "chat" : "completion"} (${info.architecture}, ${(info.sizeBytes / 2 ** 20).toFixed(1)} MiB) in ${info.loadMs} ms; context ${info.contextSize}, ${info.threads} thread(s), gpu ${String(info.gpu)}, chat wrapper ${info.chatWrapper}, FIM ${fim ? `${fim.format.familyName} (${fim.format.detectedBy ?? "detected"})` : "none"}${adapters.length > 0 ? `, LoRA ${adapters.map((a) => a.name).join(", ")}` : ""}`);
      this.onState(role, { kind: "ready", model: info });
      return info;
    } catch (error) {
      const failure = error instanceof EngineFailure ? error : signal.aborted ? cancelled() : internal(error);
      this.onState(role, { kind: "failed", modelPath: params.modelPath, error: failure.payload });
      throw failure;
    }
  }

  /** Unloads the model of `role`, or both when it is absent; true when one was loaded. */
  async unload(role?: ModelRole): Promise<boolean> {
    if (role === undefined) {
      const unloaded = await Promise.all(ROLES.map((each) => this.unload(each)));
      return unloaded.some(Boolean);
    }
    const loaded = this.loaded[role];
    if (!loaded) return false;
    this.loaded[role] = undefined;
    loaded.chat.dispose({ disposeSequence: true });
    loaded.completion?.dispose({ disposeSequence: true });
    await loaded.context.dispose();
    await loaded.model.dispose();
    this.onState(role, { kind: "empty" });
    this.log("info", `unloaded ${loaded.info.name} (${role})`);
    return true;
  }

  async dispose(): Promise<void> {
    await this.unload().catch(() => undefined);
    await this.llama?.dispose().catch(() => undefined);
    this.llama = undefined;
  }

  async infill(params: InfillParams, callbacks: GenerationCallbacks): Promise<Omit<GenerationResult, "timings">> {
    const loaded = this.requireLoaded("completion");
    const fim = loaded.fim;
    const completion = loaded.completion;
    const sequence = loaded.completionSequence;
    if (!fim || !completion || !sequence) {
      throw new EngineFailure({
        code: "no-fim",
        message: `${loaded.info.name} has no fill-in-the-middle tokens, so it cannot complete code inline. Chat still works with it; choose a code model (for example Qwen2.5-Coder) for completions.`,
      });
    }
    // The answer may take at most half the context, so the prompt always keeps room.
    const maxTokens = Math.max(1, Math.min(params.maxTokens, Math.floor(loaded.info.contextSize / 2)));
    const { prompt, tokens } = this.fitPrompt(loaded.model, loaded.info.contextSize - maxTokens - 1, fim.format, params);
    const before = sequence.tokenMeter.getState();
    const limit = new LineLimit(params.maxLines ?? 0, callbacks);
    const stopWatching = watchProgress(sequence, callbacks.onProgress);
    const response = await completion
      .generateCompletionWithMeta(tokens, {
        maxTokens,
        signal: limit.signal,
        stopOnAbortSignal: true,
        // Some end markers are not end-of-generation tokens to llama.cpp (StarCoder2's <file_sep>): stop on them too.
        customStopTriggers: [
          ...fim.stopTokens.map((token) => [token]),
          ...prompt.stopStrings,
          ...(params.stop ?? []),
        ],
        onTextChunk: (chunk) => limit.push(chunk),
      })
      .finally(stopWatching);
    const used = sequence.tokenMeter.diff(before);
    return {
      text: limit.trim(response.response),
      stopReason: limit.stopReason(response.metadata.stopReason),
      promptTokens: used.usedInputTokens,
      generatedTokens: used.usedOutputTokens,
    };
  }

  /**
   * Renders the FIM prompt and makes it fit the context with room for the answer: a prompt that overflows would be
   * cut from the front by llama.cpp, breaking the format's structure. Other files' snippets go first, then the prefix
   * window shrinks.
   */
  private fitPrompt(model: LlamaModel, budget: number, format: FimFormat, params: InfillParams): { prompt: FimPrompt; tokens: Token[] } {
    let snippets = params.snippets ?? [];
    let maxPrefixChars: number | undefined;
    for (;;) {
      const prompt = renderFimPrompt({
        format,
        prefix: params.prefix,
        suffix: params.suffix,
        snippets,
        ...(params.prefixStartLine !== undefined ? { prefixStartLine: params.prefixStartLine } : {}),
        ...(params.filePath !== undefined ? { filePath: params.filePath } : {}),
        ...(params.repoName !== undefined ? { repoName: params.repoName } : {}),
        ...(params.languageId !== undefined ? { languageId: params.languageId } : {}),
        ...(maxPrefixChars !== undefined ? { window: { maxPrefixChars } } : {}),
      });
      const tokens = tokenizePrompt(model, prompt.pieces, { guard: prompt.specialTokens });
      if (tokens.length <= budget) return { prompt, tokens };
      if (snippets.length > 0) snippets = snippets.slice(0, -1);
      else if (prompt.prefix.length > 64) maxPrefixChars = Math.floor(prompt.prefix.length / 2);
      else return { prompt, tokens: tokens.slice(-budget) };
    }
  }

  async chat(params: ChatParams, callbacks: GenerationCallbacks): Promise<Omit<GenerationResult, "timings">> {
    const loaded = this.requireLoaded(params.modelRole ?? "completion");
    const sequence = loaded.chatSequence;
    const before = sequence.tokenMeter.getState();
    const history: ChatHistoryItem[] = params.messages.map((message) =>
      message.role === "assistant"
        ? { type: "model", response: [message.content] }
        : message.role === "system"
          ? { type: "system", text: message.content }
          : { type: "user", text: message.content },
    );
    history.push({ type: "model", response: [] });
    const stopWatching = watchProgress(sequence, callbacks.onProgress);
    const response = await loaded.chat
      .generateResponse(history, {
        maxTokens: params.maxTokens,
        signal: callbacks.signal,
        stopOnAbortSignal: true,
        onTextChunk: (chunk) => callbacks.onChunk(chunk),
      })
      .finally(stopWatching);
    const used = sequence.tokenMeter.diff(before);
    return {
      text: response.response,
      stopReason: toStopReason(response.metadata.stopReason),
      promptTokens: used.usedInputTokens,
      generatedTokens: used.usedOutputTokens,
    };
  }

  /** Token counts with the loaded model's own tokenizer, for the host's context budget. */
  tokenCounts(params: TokenCountParams): TokenCountResult {
    const loaded = this.requireLoaded(params.role ?? "completion");
    return { modelPath: loaded.info.path, counts: params.texts.map((text) => loaded.model.tokenize(text, false).length) };
  }

  private requireLoaded(role: ModelRole): Loaded {
    const loaded = this.loaded[role];
    if (!loaded) {
      throw new EngineFailure({ code: "not-loaded", message: role === "chat" ? "The chat model is not loaded in the engine." : "No model is loaded in the engine." });
    }
    return loaded;
  }

  private async getLib(): Promise<NodeLlamaCpp> {
    this.lib ??= await import("node-llama-cpp");
    return this.lib;
  }

  private async getLlama(lib: NodeLlamaCpp, params: Pick<LoadParams, "gpu" | "threads">): Promise<Llama> {
    const key = llamaKeyOf(params);
    if (this.llama && this.llamaKey === key) return this.llama;
    await this.llama?.dispose();
    this.llama = await lib.getLlama({
      gpu: params.gpu === "off" ? false : "auto",
      // Never compile or download at run time: users have no toolchain and may have no network.
      build: "never",
      maxThreads: params.threads,
      logLevel: lib.LlamaLogLevel.warn,
      logger: (level, message) => {
        const text = message.trimEnd();
        if (text) this.log(level === lib.LlamaLogLevel.error || level === lib.LlamaLogLevel.fatal ? "error" : "debug", `llama.cpp: ${text}`);
      },
    });
    this.llamaKey = key;
    return this.llama;
  }

  private async readModelFile(lib: NodeLlamaCpp, modelPath: string): Promise<GgufFileInfo> {
    let fileInfo: GgufFileInfo;
    try {
      fileInfo = await lib.readGgufFileInfo(modelPath, { readTensorInfo: true });
    } catch (error) {
      throw new EngineFailure({
        code: "model-invalid",
        message: `${basename(modelPath)} is not a readable GGUF model (it may be truncated or corrupt).`,
        detail: errorText(error),
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

  /** This machine's memory as node-llama-cpp sees it, GPU included, for the picker's fit estimate. */
  async machineMemory(params: MemoryParams): Promise<MachineMemory> {
    const lib = await this.getLib();
    const llama = this.llama ?? (await this.getLlama(lib, { gpu: params.gpu, threads: params.threads }));
    return machineMemoryFrom({ freeBytes: freemem(), totalBytes: totalmem() }, await vramStateOf(llama));
  }

  /**
   * Refuses up front what would not fit, with the numbers, instead of letting the machine swap or the process die.
   * With a GPU, node-llama-cpp chooses how many layers to offload for the free GPU memory; the rest, the adapters
   * and the CPU side of the context must then fit in free RAM. A model already loaded for the other role keeps its
   * share: the budget is what is left beside it.
   */
  private async checkMemory(
    lib: NodeLlamaCpp,
    llama: Llama,
    fileInfo: GgufFileInfo,
    params: LoadParams,
    adapters: readonly LoraAdapterFile[],
    role: ModelRole,
  ): Promise<Footprint> {
    const insights = await lib.GgufInsights.from(fileInfo, llama);
    const contextSize = Math.min(params.contextSize, insights.trainContextSize ?? params.contextSize);
    const vram = await vramStateOf(llama);
    const gpuLayers = vram ? await this.plannedGpuLayers(insights, llama) : 0;
    const model = await insights.estimateModelResourceRequirementsV2({ gpuLayers });
    const context = insights.estimateContextResourceRequirements({ contextSize, modelGpuLayers: gpuLayers, sequences: sequencesFor(role) });
    let adapterBytes = 0;
    for (const adapter of adapters) adapterBytes += (await stat(adapter.path)).size;
    const machine = machineMemoryFrom({ freeBytes: freemem(), totalBytes: totalmem() }, vram);
    const needs = { ramBytes: model.cpuRam + context.cpuRam + adapterBytes, vramBytes: model.gpuVram + context.gpuVram };
    const footprint: Footprint = {
      ramBytes: machine.gpu ? needs.ramBytes : needs.ramBytes + needs.vramBytes,
      weightsRamBytes: machine.gpu ? model.cpuRam : model.cpuRam + model.gpuVram,
      vramBytes: machine.gpu ? needs.vramBytes : 0,
    };
    const other = this.loaded[role === "chat" ? "completion" : "chat"];
    // The GPU's free memory is measured, so it already counts the other model. Free RAM does not count its weights
    // (mapped from the file, the OS reports them as reclaimable), and a budget is shared by both models.
    const ramBudget =
      params.memoryBudgetBytes !== undefined
        ? Math.max(0, params.memoryBudgetBytes - (other?.footprint.ramBytes ?? 0))
        : other
          ? Math.max(0, machine.freeRamBytes - other.footprint.weightsRamBytes)
          : undefined;
    const decision = decideLoadFit({ needs, machine, ...(ramBudget !== undefined ? { ramBudgetBytes: ramBudget } : {}) });
    this.log("debug", `memory (${role}): ${gpuLayers} layer(s) on the GPU; needs ${gib(needs.ramBytes)} RAM + ${gib(needs.vramBytes)} GPU; free ${gib(ramBudget ?? machine.freeRamBytes)} RAM${other ? ` beside ${other.info.name}` : ""}${machine.gpu ? ` + ${gib(machine.gpu.freeBytes)} GPU` : ""}`);
    if (decision.fits) return footprint;
    const parts = `${gib(model.cpuRam + model.gpuVram)} for the weights, ${gib(context.cpuRam + context.gpuVram)} for a ${contextSize}-token context${adapterBytes > 0 ? `, ${gib(adapterBytes)} for the LoRA adapters` : ""}`;
    const beside = other
      ? ` beside ${other.info.name}, which is loaded for ${other.role} and takes about ${gib(other.footprint.ramBytes + other.footprint.vramBytes)}`
      : "";
    const advice = other
      ? "Choose a smaller model, use one model for both completion and chat (clear hearth.chat.modelPath), or lower hearth.engine.contextSize."
      : "Choose a smaller model or quantisation, or lower hearth.engine.contextSize.";
    throw new EngineFailure({
      code: "model-too-large",
      message: `${basename(params.modelPath)} ${decision.summary}${beside} (${parts}). ${advice}`,
      memory: ramBudget !== undefined ? { ...machine, freeRamBytes: ramBudget, gpu: machine.gpu ?? null } : machine,
    });
  }

  /** The layers node-llama-cpp's gpuLayers "auto" would offload now; 0 when it cannot say. */
  private async plannedGpuLayers(insights: Awaited<ReturnType<NodeLlamaCpp["GgufInsights"]["from"]>>, llama: Llama): Promise<number> {
    try {
      const resolved = await insights.configurationResolver.resolveModelGpuLayersV2("auto", {
        getVramState: () => llama.getVramState(),
        llamaVramPaddingSize: llama.vramPaddingSize,
        llamaGpu: llama.gpu,
        llamaSupportsGpuOffloading: llama.supportsGpuOffloading,
      });
      return resolved.gpuLayers;
    } catch (error) {
      this.log("debug", `memory: could not plan GPU offload (${errorText(error)}); estimating for the CPU`);
      return 0;
    }
  }
}

/** The GPU's memory, or null without one (no GPU build found, offload off, or a GPU that reports no memory). */
async function vramStateOf(llama: Llama): Promise<VramState | null> {
  if (llama.gpu === false || !llama.supportsGpuOffloading) return null;
  const state = await llama.getVramState();
  return state.total > 0 ? { totalBytes: state.total, freeBytes: state.free, unifiedBytes: state.unifiedSize } : null;
}

/**
 * Calls `onProgress` whenever the sequence's token meter moved since the last look: llama.cpp evaluates a prompt in
 * batches without a chunk to show, and a long prompt on a slow machine must not look like a stuck engine.
 */
function watchProgress(sequence: LlamaContextSequence, onProgress: (() => void) | undefined): () => void {
  if (!onProgress) return () => undefined;
  const used = () => {
    const state = sequence.tokenMeter.getState();
    return state.usedInputTokens + state.usedOutputTokens;
  };
  let last = used();
  const timer = setInterval(() => {
    const now = used();
    if (now !== last) onProgress();
    last = now;
  }, PROGRESS_POLL_MS);
  return () => clearInterval(timer);
}

/** Stops a generation after a number of lines, and tells that stop apart from the caller's cancel. */
class LineLimit {
  private readonly controller = new AbortController();
  private lines = 0;
  private hitLimit = false;
  readonly signal: AbortSignal;

  constructor(
    private readonly maxLines: number,
    private readonly callbacks: GenerationCallbacks,
  ) {
    this.signal = AbortSignal.any([callbacks.signal, this.controller.signal]);
  }

  push(chunk: string): void {
    if (this.hitLimit) return;
    if (this.maxLines > 0) {
      const room = this.maxLines - this.lines;
      const parts = chunk.split("\n");
      if (parts.length - 1 >= room) {
        this.hitLimit = true;
        const kept = parts.slice(0, room).join("\n");
        if (kept) this.callbacks.onChunk(kept);
        this.controller.abort();
        return;
      }
      this.lines += parts.length - 1;
    }
    this.callbacks.onChunk(chunk);
  }

  trim(text: string): string {
    if (!this.hitLimit) return text;
    return text.split("\n").slice(0, this.maxLines).join("\n");
  }

  stopReason(reason: string): StopReason {
    if (this.hitLimit) return "max-lines";
    return toStopReason(reason);
  }
}

function toStopReason(reason: string): StopReason {
  switch (reason) {
    case "maxTokens":
      return "max-tokens";
    case "abort":
      return "cancelled";
    case "customStopTrigger":
    case "stopGenerationTrigger":
      return "stop-sequence";
    default:
      return "end-token";
  }
}

function describeLoadError(lib: NodeLlamaCpp, error: unknown, modelPath: string, fileInfo: GgufFileInfo): EngineFailure {
  if (error instanceof EngineFailure) return error;
  if (error instanceof lib.InsufficientMemoryError) {
    return new EngineFailure({
      code: "model-too-large",
      message: `${basename(modelPath)} does not fit in the free memory of this machine. Choose a smaller model or lower hearth.engine.contextSize.`,
      detail: errorText(error),
    });
  }
  return new EngineFailure({
    code: "model-invalid",
    message: `llama.cpp could not load ${basename(modelPath)} (${String(fileInfo.metadata.general?.architecture ?? "unknown")} architecture).`,
    detail: errorText(error),
  });
}

/** The completion model's context also holds a chat sequence; a separate chat model's holds only that. */
function sequencesFor(role: ModelRole): number {
  return role === "completion" ? 2 : 1;
}

function llamaKeyOf(params: Pick<LoadParams, "gpu" | "threads">): string {
  return `${params.gpu}:${params.threads}`;
}

function sameLoad(info: ModelInfo, params: LoadParams): boolean {
  const adapters = (info.loraAdapters ?? []).map((adapter) => adapter.path);
  const wanted = params.loraAdapters ?? [];
  return (
    info.path === params.modelPath &&
    info.threads === params.threads &&
    info.contextSize === params.contextSize &&
    adapters.length === wanted.length &&
    adapters.every((path, i) => path === wanted[i])
  );
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

function describeLoraError(error: unknown, adapters: readonly LoraAdapterFile[], fileInfo: GgufFileInfo, modelPath: string): EngineFailure {
  return new EngineFailure({
    code: "lora-invalid",
    message: `llama.cpp could not apply the LoRA adapter${adapters.length > 1 ? "s" : ""} ${adapters.map((a) => basename(a.path)).join(", ")} to ${modelName(fileInfo, modelPath)}. Check that ${adapters.length > 1 ? "they were" : "it was"} trained for this model, or remove ${adapters.length > 1 ? "them" : "it"} from hearth.model.loraAdapters.`,
    detail: errorText(error),
  });
}

function modelName(fileInfo: GgufFileInfo, modelPath: string): string {
  const name = fileInfo.metadata.general?.name;
  return typeof name === "string" && name.trim() ? name.trim() : basename(modelPath).replace(/\.gguf$/i, "");
}

function cancelled(): EngineFailure {
  return new EngineFailure({ code: "cancelled", message: "Loading the model was cancelled." });
}

export function internal(error: unknown): EngineFailure {
  return new EngineFailure({ code: "internal", message: `The engine failed: ${errorText(error)}`, detail: error instanceof Error ? error.stack : undefined });
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
