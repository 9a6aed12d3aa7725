import { AbortedError, isAbortError, untilAborted } from "../../common/abort";
import { Emitter, type Event } from "../../common/event";
import type { Logger } from "../../common/logger";
import type { FimFormat } from "../../fim/types";
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
  type StopReason,
  type TokenCountResult,
} from "../protocol";
import { LineLimit } from "./line-limit";
import { OpenAiApi, type ListedModel, type StreamEnd } from "./openai-api";
import { ServerFailure } from "./server-failure";
import { candidateTokens, serverFimFormat, serverFimPrompt, serverFimTokenIds, serverFimTokens } from "./server-fim";
import { withoutSpecialTokens } from "./special-text";
import { apiBase, shownServerUrl, type ServerSettings } from "./server-settings";

interface RoleModel {
  info: ModelInfo;
  /** The name sent as `model` in each request. */
  id: string;
  fim: FimFormat | null;
  /** llama-server's /tokenize answers for this model. */
  tokenizer: boolean;
  /** The ids of the FIM format's special tokens, where the server's tokenizer gave them. */
  fimIds: ReadonlyMap<string, number>;
}

/** Failures after which the local model may answer instead (hearth.server.fallbackToLocal). */
const UNAVAILABLE = new Set(["server-unreachable", "server-busy", "server-timeout", "server-bad-response"]);

/** /tokenize requests in flight at once when counting many texts. */
const TOKENIZE_REQUESTS_AT_ONCE = 4;

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
    this.embeddingApi = !embeddingBase.ok ? undefined : settings.embeddingUrl ? new OpenAiApi(embeddingBase.base, { ...config, setting: "hearth.server.embeddingUrl" }) : this.api;
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

  /** The models the server offers (for the picker). */
  async listModels(signal?: AbortSignal): Promise<ListedModel[]> {
    return this.requireApi().models(signal);
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
    return this.generate(
      "completion",
      model.info,
      async (api, chunked) =>
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
      () => limit.text,
      (end) => (limit.hit ? "max-lines" : stopReasonOf(end)),
      limit.signal,
      options.signal,
    );
  }

  async chat(params: ChatParams, options: RequestOptions = {}): Promise<GenerationResult> {
    const model = await this.loadRole("chat", options.signal);
    let text = "";
    return this.generate(
      "chat",
      model.info,
      async (api, chunked) =>
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
      () => text,
      stopReasonOf,
      undefined,
      options.signal,
    );
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
      // A few at a time: one request per text at once sent a shared server hundreds in a burst, all on one signal.
      const counts: (number | null)[] = new Array<number | null>(texts.length).fill(null);
      let next = 0;
      const worker = async () => {
        for (let i = next++; i < texts.length; i = next++) {
          counts[i] = (await api.tokenize(texts[i]!, options.signal ? { signal: options.signal } : {}))?.length ?? null;
          if (counts[i] === null) return;
        }
      };
      await Promise.all(Array.from({ length: Math.min(TOKENIZE_REQUESTS_AT_ONCE, texts.length) }, worker));
      if (counts.some((count) => count === null)) return null;
      return { modelPath: model.info.path, counts: counts as number[] };
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

  private async generate(
    role: "completion" | "chat",
    info: ModelInfo,
    run: (api: OpenAiApi, chunked: () => void) => Promise<StreamEnd>,
    textSoFar: () => string,
    reason: (end: StreamEnd) => StopReason,
    stopped: AbortSignal | undefined,
    cancelled: AbortSignal | undefined,
  ): Promise<GenerationResult> {
    const started = performance.now();
    let firstChunkMs: number | null = null;
    const timings = () => ({ queuedMs: 0, firstChunkMs, totalMs: performance.now() - started });
    this.generating++;
    this.setStatus(role, { kind: "ready", model: info, busy: true });
    try {
      const end = await run(this.requireApi(), () => (firstChunkMs ??= performance.now() - started));
      const generatedTokens = end.generatedTokens ?? 0;
      return { text: textSoFar(), stopReason: reason(end), promptTokens: end.evaluatedPromptTokens ?? end.promptTokens ?? 0, generatedTokens, timings: timings() };
    } catch (error) {
      // The line limit closed the request: a complete answer, not a failure.
      if (stopped?.aborted && !cancelled?.aborted) return { text: textSoFar(), stopReason: "max-lines", promptTokens: 0, generatedTokens: 0, timings: timings() };
      if (cancelled?.aborted || isAbortError(error)) {
        if (textSoFar()) return { text: textSoFar(), stopReason: "cancelled", promptTokens: 0, generatedTokens: 0, timings: timings() };
        throw new AbortedError();
      }
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

  /** Asks the server for the role's model: is it there, what context does it have, which FIM format does it speak. */
  private async ask(role: ModelRole): Promise<RoleModel> {
    const api = this.requireApi(role);
    const started = performance.now();
    this.setStatus(role, { kind: "loading", modelPath: this.describe(role), progress: 0 });
    const listed = await api.models();
    const wanted = this.modelName(role);
    const id = wanted || listed[0]?.id;
    if (!id) throw new ServerFailure("server-model-missing", `The inference server at ${api.base.origin} lists no models.`, undefined, false);
    if (wanted && !listed.some((model) => model.id === wanted)) {
      throw new ServerFailure(
        "server-model-missing",
        `The inference server at ${api.base.origin} does not serve "${wanted}" (setting hearth.server.${role}Model); it serves ${servedList(listed)}.`,
        undefined,
        false,
      );
    }
    const contextSize = (await api.contextSize()) ?? 0;
    const fim = role === "completion" ? await serverFimFormat(api, id, this.settings.fimFormat) : null;
    const tokenizer = (await api.tokenize("a")) !== null;
    const fimIds = fim && tokenizer ? await serverFimTokenIds(api, fim) : new Map<string, number>();
    const info: ModelInfo = {
      // The same name as the role's idle and loading statuses: a load that ends is no change of model (onModelChange),
      // which would reset the completion pipeline and abort the request that asked for the load.
      path: this.describe(role),
      name: id,
      architecture: `server ${api.base.origin}`,
      sizeBytes: 0,
      trainContextSize: contextSize,
      contextSize,
      fimSupported: role === "completion" && fim !== null,
      fimFormat: fim?.familyName ?? null,
      // The server applies the model's own chat template.
      chatTemplate: "the server's",
      chatWrapper: "server",
      gpu: false,
      threads: 0,
      loadMs: performance.now() - started,
    };
    if (fim) this.logger.info(`server model ${id}: completion prompt format ${fim.familyName} (${fim.detectedBy ?? "detected"})`);
    this.setStatus(role, { kind: "ready", model: info, busy: false });
    return { info, id, fim, tokenizer, fimIds };
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
    const origin = this.apiOf(role)?.base.origin ?? (this.target.kind === "server" ? this.target.url : "");
    return `${this.modelName(role) || "the server's model"} on ${origin}`;
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

/** The server's models for a message: a few names, and how many more (a gateway may list thousands). */
function servedList(listed: readonly ListedModel[]): string {
  if (listed.length === 0) return "nothing";
  const named = listed.slice(0, 8).map((model) => `"${model.id}"`).join(", ");
  return listed.length > 8 ? `${named} and ${listed.length - 8} more (Hearth: Select Server Model… lists them)` : named;
}

function stopReasonOf(end: StreamEnd): StopReason {
  return end.finishReason === "length" ? "max-tokens" : "end-token";
}

function unitLength(vector: number[]): number[] {
  const norm = Math.sqrt(vector.reduce((sum, value) => sum + value * value, 0));
  return norm > 0 ? vector.map((value) => value / norm) : vector;
}

