import { Emitter, type Event } from "../common/event";
import type { ModelFileProblem } from "../models/model-file";
import type { EngineSettings, EngineStatus } from "./client-types";
import { MODEL_ROLES, type ModelInfo, type ModelRole, type WorkerState } from "./protocol";

/** Where one model stands in the client: what is loaded, what is loading. */
export interface ModelSlot {
  loadedKey?: string | undefined;
  loadingKey?: string | undefined;
  loadPromise?: Promise<ModelInfo> | undefined;
  /** The file size of the model being loaded: a model offered after a refusal must be smaller than it. */
  loadingSizeBytes?: number | undefined;
}

/** The settings field that names a role's model file. */
type ModelPathKey = "modelPath" | "chatModelPath" | "embeddingModelPath" | "nextEditModelPath";

/** How the client treats a role's model. */
export interface RoleSettings {
  /** The EngineSettings field naming the role's model file. */
  pathKey: ModelPathKey;
  /** The user's setting for it, named in every message about it. */
  setting: string;
  /** What messages call it ("the chat model"). */
  noun: string;
  /**
   * The role whose model serves this one while it has no file of its own (chat: the completion model). Absent: without
   * its own model the role is unavailable (a completion model cannot stand in for an embedding model).
   */
  fallback?: ModelRole;
}

/** One row per role: a new role is a row here, one in protocol.ts MODEL_ROLES and its EngineSettings field. */
export const ROLE_SETTINGS: Readonly<Record<ModelRole, RoleSettings>> = {
  completion: { pathKey: "modelPath", setting: "hearth.model.path", noun: "model" },
  chat: { pathKey: "chatModelPath", setting: "hearth.chat.modelPath", noun: "chat model", fallback: "completion" },
  embedding: { pathKey: "embeddingModelPath", setting: "hearth.embedding.modelPath", noun: "embedding model" },
  nextEdit: { pathKey: "nextEditModelPath", setting: "hearth.nextEdit.modelPath", noun: "next-edit model" },
};

/** The roles that load a model of their own (every one but completion, whose model is the main one). */
export const SECONDARY_ROLES: readonly ModelRole[] = MODEL_ROLES.filter((role) => role !== "completion");

/**
 * The client's models, one slot per role (model-slots' ROLE_SETTINGS), the settings they are loaded with and the status
 * each shows. A role with a fallback (chat) is served by that role's model until a file of its own is set; its status is
 * then the fallback's.
 */
export class ModelSlots {
  private current: EngineSettings | undefined;
  /** Each role's own model's status; a role served by its fallback shows the fallback's instead (statusFor). */
  private readonly own = Object.fromEntries(
    MODEL_ROLES.map((role) => [role, { kind: "no-model", problem: { code: "not-configured", message: notConfiguredMessage(role) } } satisfies EngineStatus]),
  ) as Record<ModelRole, EngineStatus>;
  private readonly slots = Object.fromEntries(MODEL_ROLES.map((role) => [role, {}])) as Record<ModelRole, ModelSlot>;
  /** Requests running on each role's model (a chat answered by the completion model counts for completion). */
  private readonly active = Object.fromEntries(MODEL_ROLES.map((role) => [role, 0])) as Record<ModelRole, number>;

  private readonly statusEmitter = new Emitter<EngineStatus>();
  private readonly chatStatusEmitter = new Emitter<EngineStatus>();
  private readonly roleStatusEmitter = new Emitter<RoleStatus>();
  /** The completion model's status (the status bar's). */
  readonly onDidChangeStatus: Event<EngineStatus> = this.statusEmitter.event;
  /** The status of the model that answers chat: the separate chat model's, or the completion model's. */
  readonly onDidChangeChatStatus: Event<EngineStatus> = this.chatStatusEmitter.event;
  /** Any role's status as statusFor(role) gives it (chat's is the completion model's while that answers chat). */
  readonly onDidChangeRoleStatus: Event<RoleStatus> = this.roleStatusEmitter.event;

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
    return this.own.completion;
  }

  get chatStatus(): EngineStatus {
    return this.statusFor("chat");
  }

  /** The status of the model held for `role` itself (the separate chat model's own, for "chat"). */
  statusOf(role: ModelRole): EngineStatus {
    return this.own[role];
  }

  /** The status of the model that serves `role`: its own, or its fallback's while it has none. */
  statusFor(role: ModelRole): EngineStatus {
    return this.own[this.servingRole(role)];
  }

  /** Sets a model's status and tells the listeners of every role that model serves. */
  setStatusOf(role: ModelRole, status: EngineStatus): void {
    this.own[role] = status;
    for (const each of MODEL_ROLES) {
      if (this.servingRole(each) !== role) continue;
      if (each === "completion") this.statusEmitter.fire(status);
      if (each === "chat") this.chatStatusEmitter.fire(status);
      this.roleStatusEmitter.fire({ role: each, status });
    }
  }

  /** Tells a role's listeners again which status is theirs (its model setting was set or cleared). */
  repeatStatusFor(role: ModelRole): void {
    const status = this.statusFor(role);
    if (role === "chat") this.chatStatusEmitter.fire(status);
    this.roleStatusEmitter.fire({ role, status });
  }

  /** Whether `role` has a model file of its own configured. */
  hasOwnModel(role: ModelRole): boolean {
    return Boolean(this.modelPathOf(role));
  }

  hasChatModel(): boolean {
    return this.hasOwnModel("chat");
  }

  /** The role whose model serves `role`: its own where one is set, else its fallback's (chat → completion). */
  servingRole(role: ModelRole): ModelRole {
    const fallback = ROLE_SETTINGS[role].fallback;
    return role === "completion" || this.hasOwnModel(role) || !fallback ? role : this.servingRole(fallback);
  }

  /** The role whose model answers chat: the separate chat model where one is set, else the completion model. */
  chatRole(): ModelRole {
    return this.servingRole("chat");
  }

  /** The configured file of `role`'s model; empty when none is. */
  modelPathOf(role: ModelRole): string {
    return this.current?.[ROLE_SETTINGS[role].pathKey] ?? "";
  }

  /** What a loaded model depends on: a change reloads it, and only it. */
  settingsKey(role: ModelRole): string {
    const s = this.current;
    const path = this.modelPathOf(role);
    if (!s || (role !== "completion" && !path)) return "";
    const common = [path, s.threads, s.contextSize, s.gpu, s.memoryBudgetBytes ?? null];
    // The LoRA adapters are trained for the completion model (hearth.model.loraAdapters names it).
    return JSON.stringify(role === "completion" ? [...common, s.loraAdapters ?? [], s.completionContextSize ?? null] : common);
  }

  /** Keys of the loads in flight: the engine went down during them. */
  loadingKeys(): string[] {
    return MODEL_ROLES.map((role) => this.slots[role].loadingKey).filter((key): key is string => Boolean(key));
  }

  get anyLoaded(): boolean {
    return MODEL_ROLES.some((role) => this.slots[role].loadedKey);
  }

  /** Whether any request runs on a model (an idle unload waits for it). */
  get generating(): boolean {
    return MODEL_ROLES.some((role) => this.active[role] > 0);
  }

  /** Every model is gone with the engine process: nothing is loaded or loading any more. */
  forgetModels(): void {
    for (const role of MODEL_ROLES) {
      const slot = this.slots[role];
      slot.loadedKey = slot.loadingKey = slot.loadPromise = undefined;
    }
  }

  /** A request runs on `role`'s model (the serving role): the statuses say busy until requestEnded(). */
  requestStarted(role: ModelRole): void {
    this.active[role]++;
    this.markBusy();
  }

  requestEnded(role: ModelRole): void {
    this.active[role]--;
    this.markBusy();
  }

  /** A model's state from the worker; a secondary model's never changes the completion model's status (the status bar's). */
  onWorkerState(role: ModelRole, state: WorkerState): void {
    switch (state.kind) {
      case "loading":
        this.setStatusOf(role, { kind: "loading", modelPath: state.modelPath, progress: state.progress });
        return;
      case "ready":
        this.setStatusOf(role, { kind: "ready", model: state.model, busy: this.busyOf(role) });
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
    this.roleStatusEmitter.dispose();
  }

  /**
   * The completion model shows busy for every answer the user waits for, a separate chat model's included (the status
   * bar's spinner); background work on another model (embedding) shows only on that model's own status.
   */
  private busyOf(role: ModelRole): boolean {
    return role === "completion" ? this.active.completion + this.active.chat > 0 : this.active[role] > 0;
  }

  private markBusy(): void {
    for (const role of MODEL_ROLES) {
      const status = this.own[role];
      if (role !== "completion" && !this.hasOwnModel(role)) continue;
      const busy = this.busyOf(role);
      if (status.kind === "ready" && status.busy !== busy) this.setStatusOf(role, { ...status, busy });
    }
  }
}

/** A role's status change. */
export interface RoleStatus {
  role: ModelRole;
  status: EngineStatus;
}

/** A secondary model's file problem, naming the setting to correct. */
export function roleProblem(role: ModelRole, problem: ModelFileProblem): ModelFileProblem {
  if (role === "completion") return problem;
  const { noun, setting } = ROLE_SETTINGS[role];
  if (problem.code === "not-configured") return notConfiguredStatus(role).problem;
  return { ...problem, message: `The ${noun} (setting ${setting}) cannot be used: ${problem.message}` };
}

export function notConfiguredStatus(role: ModelRole): Extract<EngineStatus, { kind: "no-model" }> {
  return { kind: "no-model", problem: { code: "not-configured", message: notConfiguredMessage(role) } };
}

/** The statuses of one role out of every role's changes. */
export function statusesOf(event: Event<RoleStatus>, role: ModelRole): Event<EngineStatus> {
  return (listener) =>
    event((change) => {
      if (change.role === role) listener(change.status);
    });
}

function notConfiguredMessage(role: ModelRole): string {
  const { noun, setting } = ROLE_SETTINGS[role];
  return role === "completion" ? `No model is configured (setting ${setting}).` : `No ${noun} is configured (setting ${setting}).`;
}
