import { availableParallelism, homedir } from "node:os";
import { join } from "node:path";
import * as vscode from "vscode";
import { describeIgnoredSettings, readSettings, type HearthConfig } from "../common/settings";
import type { Logger } from "../common/logger";
import type { EngineSettings } from "../engine/client";
import { engineSettingsOf, resolveUserPath } from "../engine/engine-settings";

export type { HearthConfig };

export const CONFIG_SECTION = "hearth";

/**
 * Hearth's settings, checked (src/common/settings.ts). In Restricted Mode the paths and sizes a workspace's settings
 * name are ignored; `trusted` is vscode.workspace.isTrusted unless a test asks for the other case.
 */
export function readConfig(trusted = vscode.workspace.isTrusted): HearthConfig {
  if (cached?.trusted === trusted) return cached.config;
  const section = vscode.workspace.getConfiguration(CONFIG_SECTION);
  const config = readSettings({ inspect: (key) => section.inspect(key) }, { trusted, cores: availableParallelism() });
  config.models.folders = config.models.folders.map(resolveModelPath);
  config.models.downloadFolder = resolveModelPath(config.models.downloadFolder) || defaultDownloadFolder();
  deepFreeze(config);
  // Kept only while a listener clears it on change: a value read before anyone listens may go stale unseen.
  cached = watchers > 0 ? { trusted, config } : undefined;
  return config;
}

/**
 * The last configuration read. readConfig runs at every keystroke (the completion gate) and inspect() copies each
 * value, so a workspace's huge settings would cost that much per keystroke: the result is kept until a Hearth setting
 * or the workspace's trust changes; only while onDidChangeConfig has a listener to say so. Frozen: it is shared.
 */
let cached: { trusted: boolean; config: HearthConfig } | undefined;
let watchers = 0;

function deepFreeze(value: object): void {
  for (const inner of Object.values(value)) if (typeof inner === "object" && inner !== null) deepFreeze(inner as object);
  Object.freeze(value);
}

export function toEngineSettings(config: HearthConfig): EngineSettings {
  return engineSettingsOf(config, resolveModelPath);
}

/** A path from the settings, made absolute: relative ones against the first workspace folder. */
export function resolveModelPath(path: string): string {
  return resolveUserPath(path, vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? process.cwd());
}

/**
 * Fires when a Hearth setting changes, when the workspace becomes trusted (its own settings then apply) and when its
 * folders change (relative paths resolve against the first).
 */
export function onDidChangeConfig(listener: () => void): vscode.Disposable {
  watchers++;
  cached = undefined;
  const changed = () => {
    cached = undefined;
    listener();
  };
  return vscode.Disposable.from(
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration(CONFIG_SECTION)) changed();
    }),
    vscode.workspace.onDidGrantWorkspaceTrust(changed),
    // Relative paths are resolved against the first workspace folder.
    vscode.workspace.onDidChangeWorkspaceFolders(changed),
    new vscode.Disposable(() => {
      watchers--;
      cached = undefined;
    }),
  );
}

/** What was last said about ignored settings: the same set is said once per window, not at every configure. */
let announcedIgnored = "";

/**
 * Says, once, that Restricted Mode ignored settings from this workspace (log and notification, with a way to trust
 * it); says nothing again until the set changes. Called with each configuration the engine is given.
 */
export function announceIgnoredSettings(config: HearthConfig, log: Logger): void {
  const key = config.ignored.join(",");
  if (key === announcedIgnored) return;
  announcedIgnored = key;
  const message = describeIgnoredSettings(config.ignored);
  if (!message) return log.info("this workspace's Hearth settings apply in full now");
  log.warn(message);
  void vscode.window.showWarningMessage(message, "Manage Workspace Trust").then((choice) => {
    if (choice) void vscode.commands.executeCommand("workbench.trust.manage");
  });
}

/** Where downloaded models go unless hearth.models.downloadFolder says otherwise: ~/.hearth/models (kept across reinstalls). */
export function defaultDownloadFolder(): string {
  return join(homedir(), ".hearth", "models");
}
