// The engine process's models, one per role, and the requests on them; loading, memory checks and generation live in
// the modules this one calls.
import type { MachineMemory } from "../../models/memory-fit.js";
import type {
  ChatParams,
  ChatPrefillParams,
  ChatPrefillResult,
  GenerationResult,
  InfillParams,
  LoadParams,
  MemoryParams,
  ModelInfo,
  ModelRole,
  TokenCountParams,
  TokenCountResult,
  WorkerState,
} from "../protocol.js";
import { generateChat, prefillChat, type PrefillCallbacks } from "./chat.mjs";
import { EngineFailure, cancelled, internal } from "./engine-failure.mjs";
import type { GenerationCallbacks } from "./generation.mjs";
import { generateInfill } from "./infill.mjs";
import { LlamaBinding, type BindingParams, type EngineLog } from "./llama-binding.mjs";
import { machineMemoryOf } from "./memory-check.mjs";
import { disposeLoadedModel, loadModel, sameLoad, type LoadedModel } from "./model-loader.mjs";

const ROLES: readonly ModelRole[] = ["completion", "chat"];

/**
 * Owns the engine process's models: the completion model (which also answers chat unless a separate chat model is
 * loaded) and an optional chat model, each with its own context. Generation on a sequence is serialised: a sequence can
 * run one evaluation at a time, and the caller (the worker's request queue) decides which request survives.
 */
export class LlamaEngine {
  private readonly binding: LlamaBinding;
  private readonly loaded: Record<ModelRole, LoadedModel | undefined> = { completion: undefined, chat: undefined };
  /** One load at a time, whatever its role: the memory check must see the other model already loaded. */
  private loading: Promise<ModelInfo> | undefined;

  constructor(
    private readonly onState: (role: ModelRole, state: WorkerState) => void,
    private readonly log: EngineLog,
  ) {
    this.binding = new LlamaBinding(log);
  }

  /** The completion model (the one the status bar shows). */
  get model(): ModelInfo | undefined {
    return this.loaded.completion?.info;
  }

  /**
   * Whether loading `params` needs another llama.cpp binding (GPU or thread settings changed): that unloads every
   * model, so the worker must not run it beside a generation.
   */
  replacesLlama(params: BindingParams): boolean {
    return this.binding.replacedBy(params);
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
      const lib = await this.binding.library();
      if (this.replacesLlama(params)) {
        // Every model belongs to the binding being replaced; the other one loads again with its next request.
        for (const other of ROLES) await this.unload(other);
      }
      const llama = await this.binding.get(lib, params);
      onStep();
      const loaded = await loadModel({
        lib,
        llama,
        role,
        params,
        signal,
        started,
        onStep,
        onProgress: (progress) => this.onState(role, { kind: "loading", modelPath: params.modelPath, progress }),
        other: this.loaded[role === "chat" ? "completion" : "chat"],
        log: this.log,
      });
      this.loaded[role] = loaded;
      this.onState(role, { kind: "ready", model: loaded.info });
      return loaded.info;
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
    await disposeLoadedModel(loaded);
    this.onState(role, { kind: "empty" });
    this.log("info", `unloaded ${loaded.info.name} (${role})`);
    return true;
  }

  async dispose(): Promise<void> {
    await this.unload().catch(() => undefined);
    await this.binding.dispose();
  }

  async infill(params: InfillParams, callbacks: GenerationCallbacks): Promise<Omit<GenerationResult, "timings">> {
    return await generateInfill(this.requireLoaded("completion"), params, callbacks);
  }

  async chat(params: ChatParams, callbacks: GenerationCallbacks): Promise<Omit<GenerationResult, "timings">> {
    return await generateChat(this.requireLoaded(params.modelRole ?? "completion"), params, callbacks);
  }

  async prefillChat(params: ChatPrefillParams, callbacks: PrefillCallbacks): Promise<ChatPrefillResult> {
    return await prefillChat(this.requireLoaded(params.modelRole ?? "completion"), params, callbacks);
  }

  /** Token counts with the loaded model's own tokenizer, for the host's context budget. */
  tokenCounts(params: TokenCountParams): TokenCountResult {
    const loaded = this.requireLoaded(params.role ?? "completion");
    return { modelPath: loaded.info.path, counts: params.texts.map((text) => loaded.model.tokenize(text, false).length) };
  }

  /** This machine's memory as node-llama-cpp sees it, GPU included, for the picker's fit estimate. */
  async machineMemory(params: MemoryParams): Promise<MachineMemory> {
    const lib = await this.binding.library();
    const llama = this.binding.current ?? (await this.binding.get(lib, { gpu: params.gpu, threads: params.threads }));
    return machineMemoryOf(llama);
  }

  private requireLoaded(role: ModelRole): LoadedModel {
    const loaded = this.loaded[role];
    if (!loaded) {
      throw new EngineFailure({ code: "not-loaded", message: role === "chat" ? "The chat model is not loaded in the engine." : "No model is loaded in the engine." });
    }
    return loaded;
  }
}
