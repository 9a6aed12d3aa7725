import { loadCatalog, suggestSmallerModel } from "../models/catalog";
import { formatBytes } from "../models/memory-fit";
import type { EngineErrorPayload, ModelRole } from "./protocol";

/**
 * A model refused for its size gets the largest catalog model of its role that fits the memory the engine found free
 * (and is smaller than `belowBytes`, the refused file), named in the message and attached for the picker to offer.
 */
export function withSmallerModelSuggestion(error: EngineErrorPayload, role: ModelRole, contextSize: number, belowBytes: number | undefined): EngineErrorPayload {
  if (error.code !== "model-too-large" || !error.memory || error.suggestion) return error;
  const found = suggestSmallerModel(loadCatalog().models, {
    role,
    machine: error.memory,
    contextSize,
    ...(belowBytes !== undefined ? { belowBytes } : {}),
  });
  if (!found) {
    return { ...error, message: `${error.message} No model in Hearth's catalog fits in the memory free now; close other programs and try again.` };
  }
  const { model } = found;
  return {
    ...error,
    message: `${error.message} ${model.name} (${model.quantization}, ${formatBytes(model.sizeBytes)}) fits this machine: choose it in Hearth: Select Model.`,
    suggestion: { catalogId: model.id, name: model.name, sizeBytes: model.sizeBytes },
  };
}
