import { isAbortError, untilAborted } from "../../common/abort";
import { Emitter, type Event } from "../../common/event";
import type { Logger } from "../../common/logger";
import type { MachineMemory } from "../../models/memory-fit";
import type { EngineCrash, EngineSettings, EngineStatus, RequestOptions } from "../client-types";
import type { EngineTarget } from "../engine-api";
import type { RemoteEngine } from "../engine-switch";
import {
  EngineError,
  type ChatParams,
  type ChatPrefillResult,
  type EmbedResult,
  type GenerationResult,
  type InfillParams,
  type ModelInfo,
  type ModelRole,
  type TokenCountResult,
} from "../protocol";
import { LineLimit } from "./line-limit";
import { OpenAiApi, type ListedModel } from "./openai-api";
import { candidateTokens, serverFimPrompt, serverFimTokens } from "./server-fim";
import { runServerGeneration, stopReasonOf, type ServerGeneration } from "./server-generation";
import { probeServerModel, type RoleModel } from "./server-model-probe";
import { countTokensOnServer } from "./server-token-counts";
import { withoutSpecialTokens } from "./special-text";
import { apiBase, shownServerUrl, type ServerSettings } from "./server-settings";

/** Failures after which the local model may answer instead (hearth.server.fallbackToLocal). */
const UNAVAILABLE = new Set(["server-unreachable", "server-busy", "server-timeout", "server-bad-response"]);

/**
 * The engine on an inference server the user chose (hearth.engine.kind "server"): llama-server, vLLM, or Ollama through
 * their OpenAI-compatible API. Completions send the FIM prompt the local engine would build (fim/layout.ts) as a raw
 * prompt to /v1/completions; chat goes to /v1/chat/completions, vectors to /v1/embeddings, all streamed where they
 * stream, and an abort closes the request so the server stops generating. A model is "ready" once the server listed
 * it; every failure sets the role's status to a message that says what to do, and the next success clears it.
 */
export class ServerEngine implements RemoteEngine {
  readonly target: EngineTarget;
  private readonly api: OpenAiApi | undefined;
  /** Where embeddings go: `api`, or a server of their own (hearth.server.embeddingUrl). */
  private readonly embeddingApi: OpenAiApi | undefined;
  /** Why embeddings cannot be asked for, when hearth.server.embeddingUrl is no URL. */
  private readonly embeddingUrlProblem: string | undefined;
  private readonly statuses = new Map<ModelRole, EngineStatus>();
  private readonly models = new Map<ModelRole, RoleModel>();
  private readonly loads = new Map<ModelRole, Promise<RoleModel>>();
  private readonly statusEmitter = new Emitter<EngineStatus>();
  private readonly chatStatusEmitter = new Emitter<EngineStatus>();
  private readonly neverCrashes = new Emitter<EngineCrash>();
  private generating = 0;
  private disposed = false;
  readonly onDidChangeStatus: Event<EngineStatus> = this.statusEmitter.event;
  readonly onDidChangeChatStatus: Event<EngineStatus> = this.chatStatusEmitter.event;
  /** A server is not a process of Hearth's: it never crashes from here (its failures are statuses). */
  readonly onDidCrash: Event<EngineCrash> = this.neverCrashes.event;

  constructor(
    private readonly settings: ServerSettings,
    private readonly logger: Logger,
  ) {
    const base = apiBase(settings.url);
    this.target = { kind: "server", url: base.ok ? base.base.origin : shownServerUrl(settings.url) };
    const config = { apiKey: settings.apiKey, timeoutMs: settings.timeoutMs, retryDelaysMs: settings.retryDelaysMs };
    this.api = base.ok ? new OpenAiApi(base.base, config) : undefined;
    const embeddingBase = settings.embeddingUrl ? apiBase(settings.embeddingUrl, "hearth.server.embeddingUrl") : base;
    // A key goes only to the server it was set for: the embedding server gets its own key, or none.
    const embeddingConfig = { ...config, apiKey: settings.embeddingApiKey, setting: "hearth.server.embeddingUrl" };
    this.embeddingApi = !embeddingBase.ok ? undefined : settings.embeddingUrl ? new OpenAiApi(embeddingBase.base, embeddingConfig) : this.api;
    this.embeddingUrlProblem = embeddingBase.ok ? undefined : embeddingBase.message;
    for (const role of ["completion", "chat", "embedding"] as const) {
      const problem = role === "embedding" ? this.embeddingUrlProblem : base.ok ? undefined : base.message;
      this.statuses.set(role, problem ? { kind: "error", error: { code: "server-unreachable", message: problem } } : { kind: "idle", modelPath: this.describe(role) });
    }
  }

  get status(): EngineStatus {
    return this.statusOf("completion");
  }

  get chatStatus(): EngineStatus {
    return this.statusOf("chat");
  }

  get embeddingStatus(): EngineStatus {
    return this.statusOf("embedding");
  }

  isUnavailable(error: unknown): boolean {
    return error instanceof EngineError && UNAVAILABLE.has(error.code);
  }

  configure(_settings: EngineSettings): Promise<EngineStatus> {
    // The local model settings do not apply to a server; its own (ServerSettings) come with the engine.
    return Promise.resolve(this.status);
  }

  /** The models the role's server offers (for the picker): the embedding server's for embeddings, when one is set. */
  async listModels(signal?: AbortSignal, role: ModelRole = "completion"): Promise<ListedModel[]> {
    return this.requireApi(role).models(signal);
  }

  /** The address of the server that answers for `role` (scheme and host), for the picker's title. */
  serverOf(role: ModelRole): string {
    return this.apiOf(role)?.base.origin ?? (this.target.kind === "server" ? this.target.url : "");
  }

  load(signal?: AbortSignal): Promise<ModelInfo> {
    return this.loadRole("completion", signal).then((model) => model.info);
  }

  loadChat(signal?: AbortSignal): Promise<ModelInfo> {
    return this.loadRole("chat", signal).then((model) => model.info);
  }

  async infill(params: InfillParams, options: RequestOptions = {}): Promise<GenerationResult> {
    const model = await this.loadRole("completion", options.signal);
    if (!model.fim) {
      throw new EngineError({ code: "no-fim", message: `${model.id} on ${this.target.kind === "server" ? this.target.url : "the server"} has no fill-in-the-middle tokens, so it cannot complete code inline; name a code model in hearth.server.completionModel.` });
    }
    const { prompt: text, pieces, stop } = serverFimPrompt(model.fim, params, model.info.contextSize);
    const limit = new LineLimit(params.maxLines ?? 0, options.onChunk);
    // The line limit stops the generation by closing the request, like the caller's abort.
    const signal = options.signal ? AbortSignal.any([options.signal, limit.signal]) : limit.signal;
    const api = this.requireApi();
    return this.generate("completion", model.info, {
      run: async (chunked) =>
        api.completion(
          { model: model.id, prompt: (model.tokenizer ? await serverFimTokens(api, pieces, model.fimIds, signal) : null) ?? text, max_tokens: params.maxTokens, temperature: 0, stop, cache_prompt: true, stream_options: { include_usage: true } },
          {
            signal,
            onText: (text) => {
              chunked();
              limit.push(text);
            },
          },
        ),
      textSoFar: () => limit.text,
      reason: (end) => (limit.hit ? "max-lines" : stopReasonOf(end)),
      stopped: limit.signal,
      cancelled: options.signal,
    });
  }

  async chat(params: ChatParams, options: RequestOptions = {}): Promise<GenerationResult> {
    const model = await this.loadRole("chat", options.signal);
    const api = this.requireApi();
    let text = "";
    return this.generate("chat", model.info, {
      run: async (chunked) =>
        api.chat(
          { model: model.id, messages: await withoutSpecialTokens(model.tokenizer ? api : null, params.messages, candidateTokens(), options.signal), max_tokens: params.maxTokens, temperature: 0, cache_prompt: true, stream_options: { include_usage: true } },
          {
            signal: options.signal,
            onText: (chunk) => {
              chunked();
              text += chunk;
              options.onChunk?.(chunk);
            },
          },
        ),
      textSoFar: () => text,
      reason: stopReasonOf,
      cancelled: options.signal,
    });
  }

  /** The server keeps its own prompt cache (cache_prompt): nothing to do ahead of the question. */
  prefillChat(): Promise<ChatPrefillResult | null> {
    return Promise.resolve(null);
  }

  /** Counts with llama-server's tokenizer; null where the server has none or the model is not ready. */
  async tokenCounts(texts: string[], options: RequestOptions & { role?: ModelRole } = {}): Promise<TokenCountResult | null> {
    const role = options.role ?? "completion";
    const model = this.models.get(role);
    const api = this.apiOf(role);
    if (!model?.tokenizer || !api) return null;
    try {
      const counts = await countTokensOnServer(api, texts, options.signal);
      return counts ? { modelPath: model.info.path, counts } : null;
    } catch (error) {
      if (options.signal?.aborted) throw error;
      this.logger.debug(`counting tokens on the server failed: ${(error as Error).message}`);
      return null;
    }
  }

  /** Vectors from /v1/embeddings, unit length (cosine similarity is their dot product), as the local engine gives them. */
  async embed(texts: string[], options: { signal?: AbortSignal } = {}): Promise<EmbedResult> {
    const started = performance.now();
    const model = await this.loadRole("embedding", options.signal);
    try {
      const vectors = (await this.requireApi("embedding").embeddings(model.id, texts, options.signal)).map(unitLength);
      this.setStatus("embedding", { kind: "ready", model: model.info, busy: false });
      return { vectors, dimensions: vectors[0]?.length ?? 0, modelPath: model.info.path, tokens: texts.map(() => 0), truncated: [], waitedMs: 0, totalMs: performance.now() - started };
    } catch (error) {
      this.fail("embedding", error);
      throw error;
    }
  }

  machineMemory(fallback: MachineMemory): Promise<MachineMemory> {
    return Promise.resolve(fallback);
  }

  /** Nothing is loaded here; forgetting what the server said makes the next request ask again. */
  unload(): Promise<void> {
    this.forget();
    return Promise.resolve();
  }

  restart(): Promise<void> {
    this.forget();
    return Promise.resolve();
  }

  dispose(): Promise<void> {
    this.disposed = true;
    this.statusEmitter.dispose();
    this.chatStatusEmitter.dispose();
    this.neverCrashes.dispose();
    return Promise.resolve();
  }

  private forget(): void {
    this.models.clear();
    this.loads.clear();
    for (const role of ["completion", "chat", "embedding"] as const) if (this.apiOf(role)) this.setStatus(role, { kind: "idle", modelPath: this.describe(role) });
  }

  /** Runs a generation with the role's status busy meanwhile; a failure (not an abort) becomes the role's status. */
  private async generate(role: "completion" | "chat", info: ModelInfo, generation: ServerGeneration): Promise<GenerationResult> {
    this.generating++;
    this.setStatus(role, { kind: "ready", model: info, busy: true });
    try {
      return await runServerGeneration(generation);
    } catch (error) {
      this.fail(role, error);
      throw error;
    } finally {
      this.generating--;
      const status = this.statusOf(role);
      if (status.kind === "ready") this.setStatus(role, { ...status, busy: this.generating > 0 });
    }
  }

  private async loadRole(role: ModelRole, signal?: AbortSignal): Promise<RoleModel> {
    const loaded = this.models.get(role);
    if (loaded) return loaded;
    let loading = this.loads.get(role);
    if (!loading) {
      loading = this.ask(role);
      this.loads.set(role, loading);
      loading.then(
        (model) => {
          if (this.loads.get(role) === loading) this.models.set(role, model);
        },
        (error: unknown) => this.fail(role, error),
      ).finally(() => {
        if (this.loads.get(role) === loading) this.loads.delete(role);
      });
    }
    return untilAborted(loading, signal);
  }

  /** Asks the server for the role's model (server-model-probe.ts), with the role's status loading meanwhile. */
  private async ask(role: ModelRole): Promise<RoleModel> {
    const api = this.requireApi(role);
    this.setStatus(role, { kind: "loading", modelPath: this.describe(role), progress: 0 });
    const model = await probeServerModel(api, { role, wanted: this.modelName(role), fimFormat: this.settings.fimFormat, path: this.describe(role), logger: this.logger });
    this.setStatus(role, { kind: "ready", model: model.info, busy: false });
    return model;
  }

  private fail(role: ModelRole, error: unknown): void {
    if (isAbortError(error) || this.disposed) return;
    const failure = error instanceof EngineError ? { code: error.code, message: error.message, ...(error.detail ? { detail: error.detail } : {}) } : { code: "internal" as const, message: String(error) };
    this.logger.warn(`${role} on the server failed: ${failure.message}${failure.detail ? ` (${failure.detail})` : ""}`);
    // Asked again on the next request: a server that comes back, or a corrected key, is picked up without a restart.
    this.models.delete(role);
    this.setStatus(role, { kind: "error", error: failure, modelPath: this.describe(role) });
  }

  private modelName(role: ModelRole): string {
    const models = this.settings.models;
    // Next edits run on the local engine only: a server serves no model for them.
    return role === "chat" ? models.chat || models.completion : role === "nextEdit" ? "" : models[role];
  }

  private describe(role: ModelRole): string {
    return `${this.modelName(role) || "the server's model"} on ${this.serverOf(role)}`;
  }

  private apiOf(role: ModelRole): OpenAiApi | undefined {
    return role === "embedding" ? this.embeddingApi : this.api;
  }

  private statusOf(role: ModelRole): EngineStatus {
    return this.statuses.get(role)!;
  }

  private setStatus(role: ModelRole, status: EngineStatus): void {
    this.statuses.set(role, status);
    if (this.disposed) return;
    if (role === "completion") this.statusEmitter.fire(status);
    if (role === "chat") this.chatStatusEmitter.fire(status);
  }

  private requireApi(role: ModelRole = "completion"): OpenAiApi {
    const api = this.apiOf(role);
    if (api) return api;
    const status = this.statuses.get(role === "embedding" ? "embedding" : "completion");
    throw new EngineError(status?.kind === "error" ? status.error : { code: "server-unreachable", message: "No server URL is set (hearth.server.url)." });
  }
}

function unitLength(vector: number[]): number[] {
  const norm = Math.sqrt(vector.reduce((sum, value) => sum + value * value, 0));
  return norm > 0 ? vector.map((value) => value / norm) : vector;
}

