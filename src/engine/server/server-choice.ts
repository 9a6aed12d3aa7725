import type { ServerSettings } from "./server-settings";

/** One setting as VS Code's inspect() reports it (the levels Hearth looks at). */
export interface InspectedValue {
  defaultValue?: unknown;
  globalValue?: unknown;
  workspaceValue?: unknown;
  workspaceFolderValue?: unknown;
  workspaceLanguageValue?: unknown;
  workspaceFolderLanguageValue?: unknown;
  globalLanguageValue?: unknown;
}

/** Every setting that decides whether and where code is sent (keys under "hearth."). */
export const SERVER_SETTING_KEYS = [
  "engine.kind",
  "server.url",
  "server.completionModel",
  "server.chatModel",
  "server.embeddingModel",
  "server.embeddingUrl",
  "server.timeoutSeconds",
  "server.fimFormat",
  "server.fallbackToLocal",
] as const;

export type ServerChoice =
  | { kind: "local" }
  | { kind: "server"; settings: Omit<ServerSettings, "apiKey">; fallbackToLocal: boolean };

/**
 * Where requests go, from the user's own settings only. package.json declares these settings "machine"-scoped, so VS
 * Code does not apply them from a workspace; this reads only the user (global) level besides the defaults all the same,
 * so a cloned repository's .vscode/settings.json can never send the user's code to a server of its choosing, whatever
 * the editor does. `ignored` names the workspace values it passed over, for the log.
 */
export function readServerChoice(inspect: (key: string) => InspectedValue | undefined): { choice: ServerChoice; ignored: string[] } {
  const ignored: string[] = [];
  const value = (key: (typeof SERVER_SETTING_KEYS)[number]): unknown => {
    const inspected = inspect(key) ?? {};
    const fromWorkspace = [inspected.workspaceValue, inspected.workspaceFolderValue, inspected.workspaceLanguageValue, inspected.workspaceFolderLanguageValue];
    if (fromWorkspace.some((level) => level !== undefined)) ignored.push(`hearth.${key}`);
    return inspected.globalValue ?? inspected.defaultValue;
  };
  const text = (key: (typeof SERVER_SETTING_KEYS)[number]) => {
    const found = value(key);
    return typeof found === "string" ? found.trim() : "";
  };
  const kind = value("engine.kind");
  const url = text("server.url");
  const embeddingUrl = text("server.embeddingUrl");
  const seconds = Number(value("server.timeoutSeconds"));
  const settings: Omit<ServerSettings, "apiKey"> = {
    url,
    ...(embeddingUrl ? { embeddingUrl } : {}),
    models: { completion: text("server.completionModel"), chat: text("server.chatModel"), embedding: text("server.embeddingModel") },
    timeoutMs: Number.isFinite(seconds) && seconds >= 1 ? Math.min(seconds, 600) * 1000 : 30_000,
    fimFormat: text("server.fimFormat") || "auto",
  };
  const fallbackToLocal = value("server.fallbackToLocal") === true;
  // Every key is read (so every ignored workspace value is named) before the kind decides.
  return { choice: kind === "server" ? { kind: "server", settings, fallbackToLocal } : { kind: "local" }, ignored };
}
