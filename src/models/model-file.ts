import { stat } from "node:fs/promises";
import { basename } from "node:path";
import { GgufReadError, readGgufSummary } from "./gguf-metadata";
import { tensorDataEnd } from "./model-facts";

/** Why a configured model cannot be used, in words a user can act on. */
export type ModelFileProblem =
  | { code: "not-configured"; message: string }
  | { code: "missing"; message: string }
  | { code: "not-a-file"; message: string }
  | { code: "unreadable"; message: string }
  | { code: "not-gguf"; message: string }
  | { code: "truncated"; message: string }
  | { code: "unsupported-version"; message: string }
  | { code: "corrupt"; message: string };

export type ModelFileCheck = { ok: true; path: string; sizeBytes: number } | { ok: false; problem: ModelFileProblem };

const REDOWNLOAD = "It may be an interrupted download; download it again.";

/**
 * The check before the engine is asked to load anything: it catches the common mistakes (a typo in the path, a
 * folder, a .bin, a half-downloaded file, an old GGUF version) with a clear message, and refuses a header that lies
 * about its size (2^40 metadata entries in 69 bytes), which would otherwise keep llama.cpp busy forever. It runs the
 * host's own bounded GGUF reader over the metadata and tensor infos (never the weights, skipping the vocabulary) and
 * checks that the tensor data they describe is all there; it starts no process.
 */
export async function checkModelFile(path: string | undefined, options: { signal?: AbortSignal } = {}): Promise<ModelFileCheck> {
  if (!path || path.trim() === "") {
    return { ok: false, problem: { code: "not-configured", message: "No model is configured (setting hearth.model.path)." } };
  }
  let size: number;
  try {
    const info = await stat(path);
    if (!info.isFile()) return { ok: false, problem: { code: "not-a-file", message: `The model path is not a file: ${path}` } };
    size = info.size;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") {
      return { ok: false, problem: { code: "missing", message: `The model file does not exist: ${path}` } };
    }
    return { ok: false, problem: { code: "unreadable", message: `The model file cannot be read (${code ?? String(error)}): ${path}` } };
  }
  const name = basename(path);
  try {
    // No array is kept: the check needs the counts and lengths, not the vocabulary.
    const summary = await readGgufSummary(path, { maxArrayLength: 0, keepArray: () => false, ...(options.signal ? { signal: options.signal } : {}) });
    const end = tensorDataEnd(summary);
    if (end !== null && end > size) {
      return { ok: false, problem: { code: "truncated", message: `${name} is truncated: its tensors need ${end} bytes but the file has ${size}. ${REDOWNLOAD}` } };
    }
  } catch (error) {
    if (error instanceof GgufReadError) return { ok: false, problem: problemOf(error, name) };
    if (options.signal?.aborted) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    return { ok: false, problem: { code: "unreadable", message: `The model file cannot be read (${code ?? String(error)}): ${path}` } };
  }
  return { ok: true, path, sizeBytes: size };
}

function problemOf(error: GgufReadError, name: string): ModelFileProblem {
  switch (error.code) {
    case "not-gguf":
      return { code: "not-gguf", message: `${name} is not a GGUF model file (Hearth runs llama.cpp models in GGUF format).` };
    case "truncated":
      return { code: "truncated", message: `${name} is truncated. ${error.message} ${REDOWNLOAD}` };
    case "unsupported-version":
      return { code: "unsupported-version", message: `${name} uses an unsupported GGUF version. ${error.message} Convert it with a current llama.cpp, or download a newer copy.` };
    case "corrupt":
    case "too-large":
      return { code: "corrupt", message: `${name} is not a sound GGUF file, so Hearth does not hand it to llama.cpp. ${error.message}` };
  }
}
