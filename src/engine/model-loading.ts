import { errorMessage } from "../common/errors";
import type { EngineSettings, ModelRefusal, RefusalAdvice } from "./client-types";
import { EngineError, type EngineErrorPayload, type LoadParams, type ModelRole } from "./protocol";

/** What a load of `role`'s model asks the engine process for, from the client's settings. */
export function loadParams(role: ModelRole, modelPath: string, settings: EngineSettings): LoadParams {
  return {
    modelPath,
    ...(role !== "completion" ? { role } : {}),
    threads: settings.threads,
    contextSize: settings.contextSize,
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
