import { loadCatalog, suggestSmallerModel, type SmallerModelQuery } from "./catalog";
import { formatBytes } from "./memory-fit";

/** What a user whose model was refused for its size is told to do, and the catalog model to offer them. */
export interface SmallerModelAdvice {
  sentence: string;
  suggestion?: { catalogId: string; name: string; sizeBytes: number };
}

/**
 * The largest catalog model of the refused model's role that fits the memory the engine found free (and is smaller
 * than the refused file), named in a sentence and attached for the picker to offer; or, when none fits, what to do.
 */
export function adviseSmallerModel(refusal: SmallerModelQuery): SmallerModelAdvice {
  const found = suggestSmallerModel(loadCatalog().models, refusal);
  if (!found) return { sentence: "No model in Hearth's catalog fits in the memory free now; close other programs and try again." };
  const { model } = found;
  return {
    sentence: `${model.name} (${model.quantization}, ${formatBytes(model.sizeBytes)}) fits this machine: choose it in Hearth: Select Model.`,
    suggestion: { catalogId: model.id, name: model.name, sizeBytes: model.sizeBytes },
  };
}
