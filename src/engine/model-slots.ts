import { Emitter, type Event } from "../common/event";
import type { EngineSettings, EngineStatus } from "./client-types";
import type { ModelInfo, ModelRole, WorkerState } from "./protocol";

/** Where one model stands in the client: what is loaded, what is loading. */
export interface ModelSlot {
  loadedKey?: string | undefined;
  loadingKey?: string | undefined;
  loadPromise?: Promise<ModelInfo> | undefined;
  /** The file size of the model being loaded: a model offered after a refusal must be smaller than it. */
  loadingSizeBytes?: number | undefined;
}

const ROLES: readonly ModelRole[] = ["completion", "chat"];

/**
 * The client's models, one slot per role (completion, chat; an embedding model would be one more), the settings they
 * are loaded with and the status each shows. The completion model answers chat too unless a separate chat model is
 * set (hearth.chat.modelPath); until then the chat's status is the completion model's.
 */
export class ModelSlots {
  private current: EngineSettings | undefined;
  private completionStatus: EngineStatus = { kind: "no-model", problem: { code: "not-configured", message: "No model is configured." } };
  /** The separate chat model's own status; unused while the completion model answers chat. */
  private chatOwnStatus: EngineStatus = { kind: "no-model", problem: { code: "not-configured", message: "No chat model is configured." } };
  private readonly slots: Record<ModelRole, ModelSlot> = { completion: {}, chat: {} };
  private activeGenerations = 0;
  private activeChats = 0;

  private readonly statusEmitter = new Emitter<EngineStatus>();
  private readonly chatStatusEmitter = new Emitter<EngineStatus>();
  /** The completion model's status (the status bar's). */
  readonly onDidChangeStatus: Event<EngineStatus> = this.statusEmitter.event;
  /** The status of the model that answers chat: the separate chat model's, or the completion model's. */
  readonly onDidChangeChatStatus: Event<EngineStatus> = this.chatStatusEmitter.event;

  get settings(): EngineSettings | undefined {
    return this.current;
  }

  /** The settings the models are loaded with from now on; what is loaded with others is the caller's to unload. */
  useSettings(settings: EngineSettings): void {
    this.current = settings;
  }

  slot(role: ModelRole): ModelSlot {
    return this.slots[role];
  }

  /** The completion model's status. */
  get status(): EngineStatus {
    return this.completionStatus;
  }

  get chatStatus(): EngineStatus {
    return this.statusOf(this.chatRole());
  }

  /** The status of the model held for `role` (the separate chat model's own, for "chat"). */
  statusOf(role: ModelRole): EngineStatus {
    return role === "chat" ? this.chatOwnStatus : this.completionStatus;
  }

  /** The completion model's status also reaches the chat's listeners while that model answers chat. */
  setStatusOf(role: ModelRole, status: EngineStatus): void {
    if (role === "chat") {
      this.chatOwnStatus = status;
      if (this.hasChatModel()) this.chatStatusEmitter.fire(status);
      return;
    }
    this.completionStatus = status;
    this.statusEmitter.fire(status);
    if (!this.hasChatModel()) this.chatStatusEmitter.fire(status);
  }

  /** Tells the chat's listeners again which status is theirs (the chat model setting was cleared). */
  repeatChatStatus(): void {
    this.chatStatusEmitter.fire(this.chatStatus);
  }

  hasChatModel(): boolean {
    return Boolean(this.current?.chatModelPath);
  }

  /** The role whose model answers chat: the separate chat model where one is set, else the completion model. */
  chatRole(): ModelRole {
    return this.hasChatModel() ? "chat" : "completion";
  }

  /** The configured file of `role`'s model; empty when none is. */
  modelPathOf(role: ModelRole): string {
    return (role === "chat" ? this.current?.chatModelPath : this.current?.modelPath) ?? "";
  }

  /** What a loaded model depends on: a change reloads it, and only it. */
  settingsKey(role: ModelRole): string {
    const s = this.current;
    if (!s) return "";
    if (role === "chat") return s.chatModelPath ? JSON.stringify([s.chatModelPath, s.threads, s.contextSize, s.gpu, s.memoryBudgetBytes ?? null]) : "";
    return JSON.stringify([s.modelPath, s.threads, s.contextSize, s.gpu, s.memoryBudgetBytes ?? null, s.loraAdapters ?? []]);
  }

  /** Keys of the loads in flight: the engine went down during them. */
  loadingKeys(): string[] {
    return ROLES.map((role) => this.slots[role].loadingKey).filter((key): key is string => Boolean(key));
  }

  get anyLoaded(): boolean {
    return ROLES.some((role) => this.slots[role].loadedKey);
  }

  get generating(): boolean {
    return this.activeGenerations > 0;
  }

  /** Every model is gone with the engine process: nothing is loaded or loading any more. */
  forgetModels(): void {
    for (const role of ROLES) {
      const slot = this.slots[role];
      slot.loadedKey = slot.loadingKey = slot.loadPromise = undefined;
    }
  }

  /** A generation is under way: the statuses say busy until generationEnded(). */
  generationStarted(chat: boolean): void {
    this.activeGenerations++;
    if (chat) this.activeChats++;
    this.markBusy();
  }

  generationEnded(chat: boolean): void {
    this.activeGenerations--;
    if (chat) this.activeChats--;
    this.markBusy();
  }

  /** A model's state from the worker; the separate chat model's never changes the completion model's status (the status bar's). */
  onWorkerState(role: ModelRole, state: WorkerState): void {
    const chat = role === "chat";
    switch (state.kind) {
      case "loading":
        this.setStatusOf(role, { kind: "loading", modelPath: state.modelPath, progress: state.progress });
        return;
      case "ready":
        this.setStatusOf(role, { kind: "ready", model: state.model, busy: (chat ? this.activeChats : this.activeGenerations) > 0 });
        return;
      case "failed":
        this.slots[role].loadedKey = undefined;
        if (state.error.code === "cancelled") this.setStatusOf(role, { kind: "idle", modelPath: state.modelPath });
        else this.setStatusOf(role, { kind: "error", error: state.error, modelPath: state.modelPath });
        return;
      case "empty": {
        this.slots[role].loadedKey = undefined;
        const path = this.modelPathOf(role);
        if (path && this.statusOf(role).kind !== "no-model") this.setStatusOf(role, { kind: "idle", modelPath: path });
        return;
      }
    }
  }

  dispose(): void {
    this.statusEmitter.dispose();
    this.chatStatusEmitter.dispose();
  }

  private markBusy(): void {
    const completion = this.completionStatus;
    if (completion.kind === "ready" && completion.busy !== this.activeGenerations > 0) this.setStatusOf("completion", { ...completion, busy: this.activeGenerations > 0 });
    const chat = this.chatOwnStatus;
    if (this.hasChatModel() && chat.kind === "ready" && chat.busy !== this.activeChats > 0) this.setStatusOf("chat", { ...chat, busy: this.activeChats > 0 });
  }
}
