import { homedir } from "node:os";
import { isAbsolute, join, resolve } from "node:path";
import * as vscode from "vscode";
import type { EngineSettings } from "../engine/client";

/** Every Hearth setting, typed; package.json's contributes.configuration declares the same keys. */
export interface HearthConfig {
  /** loraAdapters: hearth.model.loraAdapters as written (resolved in toEngineSettings, like the path). */
  model: { path: string; loraAdapters: string[] };
  /** modelPath: hearth.chat.modelPath as written; empty when the completion model answers chat too. */
  chat: { modelPath: string };
  /** Extra folders to look for GGUF models in, and where downloads go (both already resolved to absolute paths). */
  models: { folders: string[]; downloadFolder: string };
  completion: { enable: boolean; languages: Record<string, boolean>; contextTokens: number };
  engine: { threads: number; contextSize: number; gpu: "auto" | "off"; idleUnloadMinutes: number };
}

export const CONFIG_SECTION = "hearth";

export function readConfig(): HearthConfig {
  const config = vscode.workspace.getConfiguration(CONFIG_SECTION);
  const gpu = config.get<string>("engine.gpu", "auto");
  return {
    model: { path: config.get<string>("model.path", "").trim(), loraAdapters: stringList(config.get<unknown>("model.loraAdapters", [])) },
    chat: { modelPath: config.get<string>("chat.modelPath", "").trim() },
    models: {
      folders: stringList(config.get<unknown>("models.folders", [])).map(resolveModelPath),
      downloadFolder: resolveModelPath(config.get<string>("models.downloadFolder", "").trim()) || defaultDownloadFolder(),
    },
    completion: {
      enable: config.get<boolean>("completion.enable", true) !== false,
      languages: booleanMap(config.get<unknown>("completion.languages", {})),
      contextTokens: clampInt(config.get<number>("completion.contextTokens", 1024), 128, 32768),
    },
    engine: {
      threads: clampInt(config.get<number>("engine.threads", 0), 0, 256),
      contextSize: clampInt(config.get<number>("engine.contextSize", 4096), 512, 131072),
      gpu: gpu === "off" ? "off" : "auto",
      idleUnloadMinutes: clampInt(config.get<number>("engine.idleUnloadMinutes", 15), 0, 24 * 60),
    },
  };
}

export function toEngineSettings(config: HearthConfig): EngineSettings {
  return {
    modelPath: resolveModelPath(config.model.path),
    threads: config.engine.threads,
    contextSize: config.engine.contextSize,
    gpu: config.engine.gpu,
    idleUnloadMs: config.engine.idleUnloadMinutes * 60_000,
    loraAdapters: config.model.loraAdapters.map(resolveModelPath),
    chatModelPath: resolveModelPath(config.chat.modelPath),
  };
}

/** Users paste paths like ~/models/x.gguf or paths relative to the workspace; both should just work. */
export function resolveModelPath(path: string): string {
  if (!path) return "";
  if (path === "~" || path.startsWith("~/")) return join(homedir(), path.slice(1));
  if (isAbsolute(path)) return path;
  const folder = vscode.workspace.workspaceFolders?.[0];
  return folder ? resolve(folder.uri.fsPath, path) : resolve(path);
}

export function onDidChangeConfig(listener: () => void): vscode.Disposable {
  return vscode.workspace.onDidChangeConfiguration((event) => {
    if (event.affectsConfiguration(CONFIG_SECTION)) listener();
  });
}

/** Where downloaded models go unless hearth.models.downloadFolder says otherwise: ~/.hearth/models (kept across reinstalls). */
export function defaultDownloadFolder(): string {
  return join(homedir(), ".hearth", "models");
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string" && v.trim() !== "").map((v) => v.trim()) : [];
}

/** A user-edited `{ "languageId": boolean }` object; anything else in it is ignored. */
function booleanMap(value: unknown): Record<string, boolean> {
  const map: Record<string, boolean> = {};
  if (typeof value !== "object" || value === null) return map;
  for (const [key, entry] of Object.entries(value)) if (typeof entry === "boolean") map[key] = entry;
  return map;
}

function clampInt(value: number, min: number, max: number): number {
  if (!Number.isFinite(value)) return min;
  return Math.min(max, Math.max(min, Math.round(value)));
}
