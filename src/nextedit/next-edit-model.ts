// Whether next-edit suggestions can run, and with which prompt format: read from the configured model file's GGUF
// metadata on the extension host (header only), so a model that is not a next-edit model is named at once, before
// anything loads, with a message that says what to choose instead.
import { errorMessage } from "../common/errors";
import { vocabInfoFromGgufMetadata } from "../fim/detect";
import { readGgufSummary } from "../models/gguf-metadata";
import { detectNextEditFormat, type NextEditFormat } from "./formats";

export type NextEditModelState =
  | { kind: "off"; message: string }
  | { kind: "unusable"; modelPath: string; message: string }
  | { kind: "ready"; modelPath: string; format: NextEditFormat; because: string };

export const NEXT_EDIT_OFF_MESSAGE =
  "Next-edit suggestions are off: set hearth.nextEdit.modelPath to a Sweep next-edit GGUF (sweep-next-edit 0.5B or 1.5B) to turn them on.";

export async function nextEditModelState(modelPath: string, signal?: AbortSignal): Promise<NextEditModelState> {
  if (modelPath.trim() === "") return { kind: "off", message: NEXT_EDIT_OFF_MESSAGE };
  let metadata: unknown;
  try {
    metadata = (await readGgufSummary(modelPath, { tokenTexts: "special", ...(signal ? { signal } : {}) })).metadata;
  } catch (error) {
    return { kind: "unusable", modelPath, message: `The next-edit model (hearth.nextEdit.modelPath) cannot be read: ${errorMessage(error)}` };
  }
  const detected = detectNextEditFormat(vocabInfoFromGgufMetadata(metadata));
  if (!detected.ok) return { kind: "unusable", modelPath, message: detected.message };
  return { kind: "ready", modelPath, format: detected.format, because: detected.because };
}
