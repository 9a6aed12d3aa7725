import { homedir } from "node:os";
import { isAbsolute, join, resolve } from "node:path";
import type { HearthConfig } from "../common/settings";
import type { EngineSettings } from "./client-types";

/**
 * What the engine is configured with for Hearth's settings; the extension and the CLI both take it from here.
 * `resolvePath` turns a path as the user wrote it into an absolute one (see resolveUserPath).
 */
export function engineSettingsOf(config: HearthConfig, resolvePath: (path: string) => string): EngineSettings {
  return {
    modelPath: resolvePath(config.model.path),
    threads: config.engine.threads,
    contextSize: config.engine.contextSize,
    gpu: config.engine.gpu,
    idleUnloadMs: config.engine.idleUnloadMinutes * 60_000,
    loraAdapters: config.model.loraAdapters.map(resolvePath),
    chatModelPath: resolvePath(config.chat.modelPath),
    embeddingModelPath: resolvePath(config.embedding.modelPath),
    nextEditModelPath: resolvePath(config.nextEdit.modelPath),
  };
}

/** Users write paths like ~/models/x.gguf or paths relative to the workspace; both should just work. Empty stays empty. */
export function resolveUserPath(path: string, base: string): string {
  if (!path) return "";
  if (path === "~" || path.startsWith("~/")) return join(homedir(), path.slice(1));
  if (isAbsolute(path)) return path;
  return resolve(base, path);
}
