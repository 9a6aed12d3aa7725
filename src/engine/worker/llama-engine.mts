// The engine process's models, one per role, and the requests on them; loading, memory checks and generation live in
// the modules this one calls.
import type { MachineMemory } from "../../models/memory-fit.js";
import type {
  ChatParams,
  ChatPrefillParams,
  ChatPrefillResult,
  EmbedParams,
  EmbedResult,
  GenerationResult,
  InfillParams,
  LoadParams,
  MemoryParams,
  ModelInfo,
  ModelRole,
  NextEditParams,
  NextEditPrefillParams,
  NextEditPrefillResult,
  TokenCountParams,
  TokenCountResult,
  WorkerState,
} from "../protocol.js";
import { MODEL_ROLES } from "../protocol.js";
import { generateChat, prefillChat } from "./chat.mjs";
import { disposeEmbeddingModel, embedTexts, loadEmbeddingModel, sameEmbeddingLoad, type EmbedCallbacks, type LoadedEmbeddingModel } from "./embedding.mjs";
import { EngineFailure, cancelled, internal } from "./engine-failure.mjs";
import type { GenerationCallbacks } from "./generation.mjs";
import { generateInfill } from "./infill.mjs";
import { generateNextEdit, nextEditModelOf } from "./next-edit.mjs";
import { prefillNextEdit } from "./next-edit-prefill.mjs";
import type { PrefillCallbacks } from "./sequence-prefill.mjs";
import { SUFFIX_REFRESH_STEP_TOKENS } from "./suffix-refresh.mjs";
import { refreshSuffixInOrder } from "./suffix-reuse.mjs";
import { LlamaBinding, type BindingParams, type EngineLog } from "./llama-binding.mjs";
import { machineMemoryOf, type LoadedBeside } from "./memory-check.mjs";
import { disposeLoadedModel, loadModel, sameLoad, type LoadedModel } from "./model-loader.mjs";

/**
 * What each role's model is loaded as: a generation model (a context with sequences for completion and chat) or an
 * embedding model (node-llama-cpp's embedding context). A new role is one row.
 */
const ROLE_KINDS: Readonly<Record<ModelRole, "generation" | "embedding">> = {
  completion: "generation",
  chat: "generation",
  embedding: "embedding",
  nextEdit: "generation",
};

type AnyLoaded = LoadedModel | LoadedEmbeddingModel;

/**
 * Owns the engine process's models, one per role: the completion model (which also answers chat unless a separate chat
 * model is loaded), an optional chat model and an optional embedding model, each with its own context. Generation on a
 * sequence is serialised: a sequence can run one evaluation at a time, and the caller (the worker's request queue)
 * decides which request survives.
 */
export class LlamaEngine {
  private readonly binding: LlamaBinding;
  private readonly loaded = Object.fromEntries(MODEL_ROLES.map((role) => [role, undefined])) as Record<ModelRole, AnyLoaded | undefined>;
  /**
   * One load at a time, whatever its role, and the completion model's chat context made on the first chat: each
   * memory check must see what the others loaded.
   */
  private loading: Promise<unknown> | undefined;

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
    const current = this.loaded[role];
    if (current && isSameLoad(current, params)) return current.info;
    // A second load waits for the first instead of racing it for memory.
    return await this.exclusively(async () => {
      const again = this.loaded[role];
      if (again && isSameLoad(again, params)) return again.info;
      return await this.loadNow(role, params, signal, onStep);
    });
  }

  /** Runs `work` when no load (nor chat context's making) runs, and holds the others off until it ends. */
  private async exclusively<T>(work: () => Promise<T>): Promise<T> {
    while (this.loading) await this.loading.catch(() => undefined);
    const running = work();
    this.loading = running;
    try {
      return await running;
    } finally {
      if (this.loading === running) this.loading = undefined;
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
        for (const other of MODEL_ROLES) await this.unload(other);
      }
      const llama = await this.binding.get(lib, params);
      onStep();
      const load = {
        lib,
        llama,
        role,
        params,
        signal,
        started,
        onStep,
        onProgress: (progress: number) => this.onState(role, { kind: "loading", modelPath: params.modelPath, progress }),
        other: this.besides(role),
        laterContext: { loaded: () => this.besides(), exclusively: <T,>(work: () => Promise<T>) => this.exclusively(work) },
        log: this.log,
      };
      const loaded: AnyLoaded = ROLE_KINDS[role] === "embedding" ? await loadEmbeddingModel(load) : await loadModel(load);
      this.loaded[role] = loaded;
      this.onState(role, { kind: "ready", model: loaded.info });
      return loaded.info;
    } catch (error) {
      const failure = error instanceof EngineFailure ? error : signal.aborted ? cancelled() : internal(error);
      this.onState(role, { kind: "failed", modelPath: params.modelPath, error: failure.payload });
      throw failure;
    }
  }

  /** Unloads the model of `role`, or every model when it is absent; true when one was loaded. */
  async unload(role?: ModelRole): Promise<boolean> {
    if (role === undefined) {
      const unloaded = await Promise.all(MODEL_ROLES.map((each) => this.unload(each)));
      return unloaded.some(Boolean);
    }
    const loaded = this.loaded[role];
    if (!loaded) return false;
    this.loaded[role] = undefined;
    if ("kind" in loaded) await disposeEmbeddingModel(loaded);
    else await disposeLoadedModel(loaded);
    this.onState(role, { kind: "empty" });
    this.log("info", `unloaded ${loaded.info.name} (${role})`);
    return true;
  }

  async dispose(): Promise<void> {
    await this.unload().catch(() => undefined);
    await this.binding.dispose();
  }

  async infill(params: InfillParams, callbacks: GenerationCallbacks): Promise<Omit<GenerationResult, "timings">> {
    return await generateInfill(this.requireLoaded("completion"), params, callbacks, (message) => this.log("info", message));
  }

  async chat(params: ChatParams, callbacks: GenerationCallbacks): Promise<Omit<GenerationResult, "timings">> {
    return await generateChat(this.requireLoaded(params.modelRole ?? "completion"), params, callbacks);
  }

  async prefillChat(params: ChatPrefillParams, callbacks: PrefillCallbacks): Promise<ChatPrefillResult> {
    return await prefillChat(this.requireLoaded(params.modelRole ?? "completion"), params, callbacks);
  }

  /** The next-edit model's rewrite of a window, on that model's own sequence. */
  async nextEdit(params: NextEditParams, callbacks: GenerationCallbacks): Promise<Omit<GenerationResult, "timings">> {
    const loaded = this.requireLoaded("nextEdit");
    return await generateNextEdit(await nextEditModelOf(await this.binding.library(), loaded), params, callbacks);
  }

  /**
   * The known front of the next next-edit prompt into the next-edit model's sequence. Never loads the model: it fails as
   * not loaded when it is not (the client sends a prefill only while the model is ready).
   */
  async prefillNextEdit(params: NextEditPrefillParams, callbacks: PrefillCallbacks): Promise<NextEditPrefillResult> {
    return await prefillNextEdit(await nextEditModelOf(await this.binding.library(), this.requireLoaded("nextEdit")), params, callbacks);
  }

  /**
   * The completion sequence's idle refresh (suffix-reuse.mts): its out-of-order cells evaluated again in order. Never
   * loads a model; 0 tokens when none is loaded or nothing is out of order.
   */
  async refreshSuffix(callbacks: PrefillCallbacks): Promise<number> {
    const loaded = this.loaded.completion;
    if (!loaded || "kind" in loaded || !loaded.completionSequence) return 0;
    return await refreshSuffixInOrder(loaded.completionSequence, SUFFIX_REFRESH_STEP_TOKENS, callbacks);
  }

  /** Vectors from the embedding model; the caller gives way to completions and chat through `mayContinue`. */
  async embed(params: EmbedParams, callbacks: EmbedCallbacks): Promise<EmbedResult> {
    const loaded = this.loaded.embedding;
    if (!loaded || !("kind" in loaded)) throw new EngineFailure({ code: "not-loaded", message: "The embedding model is not loaded in the engine." });
    return await embedTexts(loaded, params, callbacks);
  }

  /** Token counts with the loaded model's own tokenizer, for the host's context budget (or an embedding model's window). */
  tokenCounts(params: TokenCountParams): TokenCountResult {
    const loaded = this.loaded[params.role ?? "completion"];
    if (!loaded) throw notLoaded(params.role ?? "completion");
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
    if (!loaded || "kind" in loaded) throw notLoaded(role);
    return loaded;
  }

  /** The models loaded for the other roles (every role without one), as one: a new model must fit beside all of them. */
  private besides(role?: ModelRole): LoadedBeside | undefined {
    const others = MODEL_ROLES.filter((each) => each !== role).flatMap((each) => {
      const loaded = this.loaded[each];
      return loaded ? [{ role: each, loaded }] : [];
    });
    if (others.length === 0) return undefined;
    if (others.length === 1) return { role: others[0].role, info: others[0].loaded.info, footprint: others[0].loaded.footprint };
    const sum = (pick: (footprint: LoadedBeside["footprint"]) => number) => others.reduce((total, each) => total + pick(each.loaded.footprint), 0);
    return {
      role: others.map((each) => each.role).join(" and "),
      info: { name: others.map((each) => each.loaded.info.name).join(" and ") },
      footprint: { ramBytes: sum((f) => f.ramBytes), weightsRamBytes: sum((f) => f.weightsRamBytes), vramBytes: sum((f) => f.vramBytes) },
    };
  }
}

function isSameLoad(loaded: AnyLoaded, params: LoadParams): boolean {
  return "kind" in loaded ? sameEmbeddingLoad(loaded, params) : sameLoad(loaded.info, params);
}

function notLoaded(role: ModelRole): EngineFailure {
  return new EngineFailure({ code: "not-loaded", message: role === "completion" ? "No model is loaded in the engine." : `The ${role} model is not loaded in the engine.` });
}
