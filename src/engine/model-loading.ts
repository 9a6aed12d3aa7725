import { isAbortError } from "../common/abort";
import { errorMessage } from "../common/errors";
import type { Logger } from "../common/logger";
import { checkModelFile } from "../models/model-file";
import type { EngineClientOptions, EngineSettings, ModelRefusal, RefusalAdvice } from "./client-types";
import type { EngineConnection } from "./engine-connection";
import { loadDeadlineMs, type SupervisionSettings } from "./engine-process";
import { LoadCrashes } from "./load-crashes";
import { roleProblem, type ModelSlots } from "./model-slots";
import { contextSizeFor, EngineError, type EngineErrorPayload, type LoadParams, type ModelInfo, type ModelRole } from "./protocol";

const DEFAULT_MAX_LOAD_CRASHES = 3;

/** What a load of `role`'s model asks the engine process for, from the client's settings. */
export function loadParams(role: ModelRole, modelPath: string, settings: EngineSettings): LoadParams {
  return {
    modelPath,
    ...(role !== "completion" ? { role } : {}),
    threads: settings.threads,
    contextSize: settings.contextSize,
    ...(role === "completion" && settings.completionContextSize !== undefined ? { completionContextSize: settings.completionContextSize } : {}),
    gpu: settings.gpu,
    ...(settings.memoryBudgetBytes !== undefined ? { memoryBudgetBytes: settings.memoryBudgetBytes } : {}),
    // The adapters are trained for the completion model (hearth.model.loraAdapters names it).
    ...(role === "completion" && settings.loraAdapters?.length ? { loraAdapters: settings.loraAdapters } : {}),
  };
}

/**
 * A model refused for its size: the front end's advice (a smaller catalog model) is added to the engine's facts. The
 * catalog has no next-edit models, so that role's refusal stays as it is.
 */
export function withSizeAdvice(
  error: EngineErrorPayload,
  role: ModelRole,
  advise: ((refusal: ModelRefusal) => RefusalAdvice) | undefined,
  facts: { contextSize: number; refusedBytes: number | undefined },
): EngineErrorPayload {
  if (!advise || role === "nextEdit" || error.code !== "model-too-large" || !error.memory || error.suggestion) return error;
  const advice = advise({ role, machine: error.memory, contextSize: facts.contextSize, ...(facts.refusedBytes !== undefined ? { belowBytes: facts.refusedBytes } : {}) });
  return { ...error, message: `${error.message} ${advice.sentence}`, ...(advice.suggestion ? { suggestion: advice.suggestion } : {}) };
}

/** An engine failure for the log, with the engine's detail where it gave one. */
export function describeFailure(error: unknown): string {
  if (error instanceof EngineError && error.detail) return `${error.message} (${error.detail})`;
  return errorMessage(error);
}

/**
 * Loads each role's model into the engine process: once per settings, a load under way joined by every request that
 * needs the same model, a model that took the engine down on its last loads refused (LoadCrashes), and a size refusal
 * given the catalog's advice. The slots hold what is loaded; this is how it gets there.
 */
export class ModelLoads {
  /** The loads that ended with the engine down, per model settings: the client counts them on a crash. */
  readonly crashes: LoadCrashes;

  constructor(
    private readonly deps: {
      slots: ModelSlots;
      connection: EngineConnection;
      supervision: SupervisionSettings;
      logger: Logger;
      maxLoadCrashes: number | undefined;
      adviseOnRefusal: EngineClientOptions["adviseOnRefusal"];
    },
  ) {
    this.crashes = new LoadCrashes(deps.maxLoadCrashes ?? DEFAULT_MAX_LOAD_CRASHES);
  }

  /** `role`'s model, loaded now unless it is loaded with the current settings. */
  async load(role: ModelRole, signal?: AbortSignal): Promise<ModelInfo> {
    const settings = this.requireSettings();
    const slots = this.deps.slots;
    const slot = slots.slot(role);
    const key = slots.settingsKey(role);
    const modelPath = slots.modelPathOf(role);
    // The common case, once per keystroke: no file I/O, so requests reach the engine in the order they were made.
    const ready = slots.statusOf(role);
    if (slot.loadedKey === key && ready.kind === "ready") return ready.model;
    const check = await checkModelFile(modelPath);
    if (!check.ok) {
      const problem = roleProblem(role, check.problem);
      slots.setStatusOf(role, { kind: "no-model", problem });
      throw new EngineError({ code: "model-invalid", message: problem.message });
    }
    const again = slots.statusOf(role);
    if (slot.loadedKey === key && again.kind === "ready") return again.model;
    if (slot.loadPromise && slot.loadingKey === key) return slot.loadPromise;
    const loop = this.crashLoopFailure(role);
    if (loop) {
      slots.setStatusOf(role, { kind: "error", error: loop, modelPath });
      throw new EngineError(loop);
    }
    slot.loadingKey = key;
    slot.loadingSizeBytes = check.sizeBytes;
    const loading = this.deps.connection.call("load", loadParams(role, modelPath, settings), {
      signal,
      loadMs: loadDeadlineMs(check.sizeBytes, this.deps.supervision),
      mapError: (error) => this.withAdvice(error, role),
    });
    slot.loadPromise = loading;
    try {
      const model = await loading;
      slot.loadedKey = key;
      this.crashes.succeeded(key);
      return model;
    } catch (error) {
      if (!isAbortError(error)) this.deps.logger.error(`loading ${modelPath}${role !== "completion" ? ` for ${role}` : ""} failed: ${describeFailure(error)}`);
      throw error;
    } finally {
      if (slot.loadPromise === loading) {
        slot.loadPromise = undefined;
        slot.loadingKey = undefined;
      }
    }
  }

  /** Why `role`'s model is no longer loaded on its own (it crashed the engine on its last loads), or undefined. */
  crashLoopFailure(role: ModelRole): EngineErrorPayload | undefined {
    return this.crashes.refusal(this.deps.slots.settingsKey(role), this.deps.slots.modelPathOf(role));
  }

  withAdvice(error: EngineErrorPayload, role: ModelRole): EngineErrorPayload {
    const slots = this.deps.slots;
    // The context the refused load asked for: the completion model's own (LoadParams.completionContextSize).
    const contextSize = slots.settings ? contextSizeFor(role, slots.settings) : 4096;
    return withSizeAdvice(error, role, this.deps.adviseOnRefusal, { contextSize, refusedBytes: slots.slot(role).loadingSizeBytes });
  }

  private requireSettings(): EngineSettings {
    const settings = this.deps.slots.settings;
    if (!settings) throw new EngineError({ code: "model-invalid", message: "No model is configured (setting hearth.model.path)." });
    return settings;
  }
}
