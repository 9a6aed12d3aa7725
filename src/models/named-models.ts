// The model files Hearth's settings name (hearth.model.path, hearth.chat.modelPath) that a scan did not find, described
// as the scan describes its own: the current model lies outside every scanned folder when it was chosen with Browse…,
// set by hand or is `npm start`'s built-in test model, and the picker lists it all the same.
import { realpath, stat } from "node:fs/promises";
import { basename } from "node:path";
import type { FoundModel, ScanResult, UnusableFile } from "./discovery";
import { inspectModelFile } from "./model-facts";

export interface NamedModels {
  models: FoundModel[];
  /** A named file that is missing or not a usable model, with the reason. */
  unusable: UnusableFile[];
}

/** Reads each named path the scan has not listed (by path or by the file behind its links); "" is skipped. */
export async function inspectNamedModels(paths: readonly string[], scan: ScanResult, signal?: AbortSignal): Promise<NamedModels> {
  const listed = new Set([...scan.models, ...scan.unusable, ...scan.adapters].flatMap((file) => [file.path, file.realPath]));
  const result: NamedModels = { models: [], unusable: [] };
  const seen = new Set<string>();
  for (const path of paths) {
    if (path === "" || listed.has(path) || seen.has(path)) continue;
    seen.add(path);
    const info = await stat(path).catch((error: NodeJS.ErrnoException) => error);
    if (info instanceof Error) {
      result.unusable.push({ ...namedFile(path, path, 0, 0), reason: info.code === "ENOENT" ? `${basename(path)} does not exist (${path}).` : `${basename(path)} cannot be read (${info.code ?? info.message}).` });
      continue;
    }
    const real = await realpath(path).catch(() => path);
    if (listed.has(real)) continue;
    const file = namedFile(path, real, info.size, info.mtimeMs);
    const inspected = await inspectModelFile(path, signal);
    if (!inspected.ok) result.unusable.push({ ...file, reason: inspected.reason });
    else if (inspected.facts.kind !== "model") result.unusable.push({ ...file, reason: `${basename(path)} is not a language model (${inspected.facts.kind}).` });
    else result.models.push({ ...file, facts: inspected.facts });
  }
  return result;
}

function namedFile(path: string, realPath: string, sizeBytes: number, mtimeMs: number) {
  // "user": the file is where the user put it; the picker says it comes from the settings rather than a folder.
  return { path, realPath, source: "user" as const, displayName: basename(path), sizeBytes, mtimeMs };
}
