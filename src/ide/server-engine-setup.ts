import * as vscode from "vscode";
import { scopedLogger } from "../common/logger";
import type { EngineSwitch } from "../engine/engine-switch";
import { readServerChoice, type ServerChoice } from "../engine/server/server-choice";
import { ServerEngine } from "../engine/server/server-engine";
import { shownServerUrl } from "../engine/server/server-settings";
import { COMMANDS } from "./command-ids";
import type { HearthLog } from "./log";

/** The SecretStorage key of the server's API key: never a setting, so never in a settings file or a synced profile. */
export const SERVER_API_KEY_SECRET = "hearth.server.apiKey";

/** The user's choice of engine, from the user's settings only (see readServerChoice). */
export function readEngineChoice(): { choice: ServerChoice; ignored: string[] } {
  const section = vscode.workspace.getConfiguration("hearth");
  return readServerChoice((key) => section.inspect(key));
}

/**
 * Puts the engine the user chose behind the switch: the local engine, or a ServerEngine for hearth.engine.kind
 * "server", made again whenever a server setting or the API key changes. No server engine exists, and so no request
 * goes to the network, unless the user's own settings chose the server.
 */
export function registerServerEngine(context: vscode.ExtensionContext, deps: { engine: EngineSwitch; log: HearthLog }): vscode.Disposable[] {
  const log = scopedLogger(deps.log, "server");
  let applied = 0;
  let announced = "";
  const apply = async () => {
    const seq = ++applied;
    const { choice, ignored } = readEngineChoice();
    const note = ignored.join(",");
    if (note !== announced) {
      announced = note;
      if (ignored.length > 0) log.warn(`Hearth ignores ${ignored.join(", ")} from this workspace's settings: only your user settings choose where code is sent.`);
    }
    if (choice.kind === "local") {
      if (deps.engine.server) log.info("requests go to the local engine again (hearth.engine.kind: local)");
      deps.engine.use(undefined);
      return;
    }
    const apiKey = await context.secrets.get(SERVER_API_KEY_SECRET);
    if (seq !== applied) return;
    log.info(`requests go to the inference server at ${shownServerUrl(choice.settings.url) || "(no URL set)"} (hearth.engine.kind: server${choice.fallbackToLocal ? ", local fallback on" : ""})`);
    deps.engine.use(new ServerEngine({ ...choice.settings, ...(apiKey ? { apiKey } : {}) }, log), { fallbackToLocal: choice.fallbackToLocal });
  };
  const reapply = () => void apply().catch((error: unknown) => log.error(error instanceof Error ? error : String(error)));
  reapply();
  return [
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration("hearth.engine.kind") || event.affectsConfiguration("hearth.server")) reapply();
    }),
    context.secrets.onDidChange((event) => {
      if (event.key === SERVER_API_KEY_SECRET) reapply();
    }),
    vscode.commands.registerCommand(COMMANDS.setServerApiKey, () => setApiKey(context)),
    vscode.commands.registerCommand(COMMANDS.selectServerModel, () => selectServerModel(deps.engine)),
  ];
}

async function setApiKey(context: vscode.ExtensionContext): Promise<void> {
  const key = await vscode.window.showInputBox({
    title: "Hearth: Server API Key",
    prompt: "The key Hearth sends to the inference server (hearth.server.url) as a Bearer token. It is kept in VS Code's secret storage, never in a settings file. Leave empty to remove it.",
    password: true,
    ignoreFocusOut: true,
  });
  if (key === undefined) return;
  if (key.trim() === "") await context.secrets.delete(SERVER_API_KEY_SECRET);
  else await context.secrets.store(SERVER_API_KEY_SECRET, key.trim());
  void vscode.window.showInformationMessage(key.trim() === "" ? "Hearth: the server API key is removed." : "Hearth: the server API key is saved.");
}

/** The server's models (/v1/models) in a quick pick; the choice goes into the user's settings for the role picked. */
async function selectServerModel(engine: EngineSwitch): Promise<void> {
  const server = engine.server;
  if (!(server instanceof ServerEngine)) {
    void vscode.window.showInformationMessage("Hearth answers with the local engine: set hearth.engine.kind to \"server\" and hearth.server.url in your user settings to use an inference server.");
    return;
  }
  let models;
  try {
    models = await server.listModels();
  } catch (error) {
    void vscode.window.showErrorMessage(`Hearth: ${error instanceof Error ? error.message : String(error)}`);
    return;
  }
  const model = await vscode.window.showQuickPick(
    models.map((entry) => ({ label: entry.id, ...(entry.ownedBy ? { description: entry.ownedBy } : {}) })),
    { title: `Models on ${server.target.kind === "server" ? server.target.url : "the server"}`, placeHolder: "The model for…" },
  );
  if (!model) return;
  const role = await vscode.window.showQuickPick(
    [
      { label: "Completions and chat", keys: ["server.completionModel", "server.chatModel"] },
      { label: "Completions", keys: ["server.completionModel"] },
      { label: "Chat", keys: ["server.chatModel"] },
      { label: "Embeddings (codebase search)", keys: ["server.embeddingModel"] },
    ],
    { title: `Use ${model.label} for…` },
  );
  if (!role) return;
  const section = vscode.workspace.getConfiguration("hearth");
  for (const key of role.keys) await section.update(key, model.label, vscode.ConfigurationTarget.Global);
}
