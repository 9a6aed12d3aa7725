import { open, stat } from "node:fs/promises";
import { basename } from "node:path";

/** Why a configured model cannot be used, in words a user can act on. */
export type ModelFileProblem =
  | { code: "not-configured"; message: string }
  | { code: "missing"; message: string }
  | { code: "not-a-file"; message: string }
  | { code: "unreadable"; message: string }
  | { code: "not-gguf"; message: string }
  | { code: "truncated"; message: string };

export type ModelFileCheck = { ok: true; path: string; sizeBytes: number } | { ok: false; problem: ModelFileProblem };

const GGUF_MAGIC = "GGUF";
/** Magic, version, tensor count and metadata count: a file shorter than this cannot be a model. */
const GGUF_MIN_HEADER_BYTES = 24;

/**
 * A cheap check before the engine is asked to load anything: it catches the common mistakes (a typo in the path,
 * a folder, a .bin or a half-downloaded file) with a clear message, without starting a process or reading weights.
 */
export async function checkModelFile(path: string | undefined): Promise<ModelFileCheck> {
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
  let header: Buffer;
  try {
    const handle = await open(path, "r");
    try {
      header = Buffer.alloc(GGUF_MIN_HEADER_BYTES);
      const { bytesRead } = await handle.read(header, 0, GGUF_MIN_HEADER_BYTES, 0);
      header = header.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { ok: false, problem: { code: "unreadable", message: `The model file cannot be read (${code ?? String(error)}): ${path}` } };
  }
  if (header.subarray(0, 4).toString("latin1") !== GGUF_MAGIC) {
    return {
      ok: false,
      problem: { code: "not-gguf", message: `${basename(path)} is not a GGUF model file (Hearth runs llama.cpp models in GGUF format).` },
    };
  }
  if (header.length < GGUF_MIN_HEADER_BYTES) {
    return { ok: false, problem: { code: "truncated", message: `${basename(path)} is truncated: it ends inside the GGUF header.` } };
  }
  return { ok: true, path, sizeBytes: size };
}
