import * as vscode from "vscode";
import { scopedLogger } from "../common/logger";
import type { EngineSwitch } from "../engine/engine-switch";
import { readServerChoice, type ServerChoice } from "../engine/server/server-choice";
import { ServerEngine } from "../engine/server/server-engine";
import { bindKey, keyForServer, type KeyForServer } from "../engine/server/server-keys";
import { keyCommand, shownServerUrl, type ServedRole } from "../engine/server/server-settings";
import type { ModelUse } from "../models/picker-data";
import { COMMANDS } from "./command-ids";
import type { HearthLog } from "./log";

/**
 * The SecretStorage keys of the servers' API keys: never a setting, so never in a settings file or a synced profile.
 * Each is kept with the server it was set for (server-keys.ts) and sent to that server only.
 */
export const SERVER_API_KEY_SECRET = "hearth.server.apiKey";
export const EMBEDDING_SERVER_API_KEY_SECRET = "hearth.server.embeddingApiKey";

/** Each key: where it is kept, the setting that names its server, and the title of the command that sets it. */
const KEYS = {
  main: { secret: SERVER_API_KEY_SECRET, setting: "hearth.server.url", title: keyCommand("hearth.server.url") },
  embedding: { secret: EMBEDDING_SERVER_API_KEY_SECRET, setting: "hearth.server.embeddingUrl", title: keyCommand("hearth.server.embeddingUrl") },
} as const;
type KeyKind = keyof typeof KEYS;

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
  let announcedKeys = "";
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
    const { embeddingUrl } = choice.settings;
    const apiKey = await keyFor(context, "main", choice.settings.url);
    // No embedding server: embeddings go to hearth.server.url, with its key.
    const embeddingApiKey = embeddingUrl ? await keyFor(context, "embedding", embeddingUrl) : undefined;
    if (seq !== applied) return;
    const withheld = [apiKey.withheld, embeddingApiKey?.withheld].filter(Boolean).join(" ");
    if (withheld !== announcedKeys) {
      announcedKeys = withheld;
      if (withheld) log.warn(withheld);
    }
    log.info(`requests go to the inference server at ${shownServerUrl(choice.settings.url) || "(no URL set)"} (hearth.engine.kind: server${choice.fallbackToLocal ? ", local fallback on" : ""})`);
    const keys = { ...(apiKey.key ? { apiKey: apiKey.key } : {}), ...(embeddingApiKey?.key ? { embeddingApiKey: embeddingApiKey.key } : {}) };
    deps.engine.use(new ServerEngine({ ...choice.settings, ...keys }, log), { fallbackToLocal: choice.fallbackToLocal });
  };
  const reapply = () => void apply().catch((error: unknown) => log.error(error instanceof Error ? error : String(error)));
  reapply();
  return [
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration("hearth.engine.kind") || event.affectsConfiguration("hearth.server")) reapply();
    }),
    context.secrets.onDidChange((event) => {
      if (event.key === SERVER_API_KEY_SECRET || event.key === EMBEDDING_SERVER_API_KEY_SECRET) reapply();
    }),
    vscode.commands.registerCommand(COMMANDS.setServerApiKey, () => setApiKey(context, "main")),
    vscode.commands.registerCommand(COMMANDS.setEmbeddingServerApiKey, () => setApiKey(context, "embedding")),
    vscode.commands.registerCommand(COMMANDS.selectServerModel, (args?: { use?: ModelUse }) => selectServerModel(deps.engine, args)),
  ];
}

/** The key to send to the server at `url`, from SecretStorage; a key kept before keys were bound is bound to it now. */
async function keyFor(context: vscode.ExtensionContext, kind: KeyKind, url: string): Promise<KeyForServer> {
  const { secret, setting, title } = KEYS[kind];
  const answer = keyForServer(await context.secrets.get(secret), url, setting, title);
  if (answer.rebound) await context.secrets.store(secret, answer.rebound);
  return answer;
}

async function setApiKey(context: vscode.ExtensionContext, kind: KeyKind): Promise<void> {
  const { secret, setting, title } = KEYS[kind];
  const { choice } = readEngineChoice();
  if (choice.kind !== "server") {
    void vscode.window.showInformationMessage(`${title}: Hearth answers with the local engine. Set hearth.engine.kind to "server" and ${setting} in your user settings first: a key is kept for one server and sent to it only.`);
    return;
  }
  const url = kind === "main" ? choice.settings.url : (choice.settings.embeddingUrl ?? "");
  // Asked before the key is typed: a key for no server, or for a URL that is none, could not be kept.
  const usable = bindKey(url, "", setting);
  if (!usable.ok) {
    void vscode.window.showErrorMessage(`${title}: ${usable.message}`);
    return;
  }
  const key = await vscode.window.showInputBox({
    title,
    prompt: `The key Hearth sends as a Bearer token to ${shownServerUrl(url)} (${setting}), and to no other server. It is kept in VS Code's secret storage, never in a settings file. Leave empty to remove it.`,
    password: true,
    ignoreFocusOut: true,
  });
  if (key === undefined) return;
  const stored = bindKey(url, key.trim(), setting);
  if (key.trim() === "") await context.secrets.delete(secret);
  else if (stored.ok) await context.secrets.store(secret, stored.stored);
  void vscode.window.showInformationMessage(key.trim() === "" ? `${title}: the key is removed.` : `${title}: the key is saved for ${shownServerUrl(url)}.`);
}

/** The roles a server model can be chosen for, by the model picker's uses (next edits run on the local engine only). */
const SERVER_ROLES = [
  { use: "both", label: "Completions and chat", role: "completion", keys: ["server.completionModel", "server.chatModel"] },
  { use: "completion", label: "Completions", role: "completion", keys: ["server.completionModel"] },
  { use: "chat", label: "Chat", role: "chat", keys: ["server.chatModel"] },
  { use: "embedding", label: "Embeddings (codebase search)", role: "embedding", keys: ["server.embeddingModel"] },
] as const satisfies readonly { use: ModelUse; label: string; role: ServedRole; keys: readonly string[] }[];

/** Whether a server model can be chosen for `use` (the model picker hands these to the server's picker). */
export function isServerUse(use: ModelUse): boolean {
  return SERVER_ROLES.some((entry) => entry.use === use);
}

/**
 * The role (asked first, unless `args.use` names it), then the models of the server that answers for it (/v1/models):
 * the embedding server's for embeddings when hearth.server.embeddingUrl is set, since the main server may serve no
 * embedding model. The choice goes into the user's settings.
 */
async function selectServerModel(engine: EngineSwitch, args?: { use?: ModelUse }): Promise<void> {
  const server = engine.server;
  if (!(server instanceof ServerEngine)) {
    void vscode.window.showInformationMessage("Hearth answers with the local engine: set hearth.engine.kind to \"server\" and hearth.server.url in your user settings to use an inference server.");
    return;
  }
  const { choice } = readEngineChoice();
  const embeddingApart = choice.kind === "server" && choice.settings.embeddingUrl !== undefined;
  const embeddingFrom = embeddingApart
    ? `from the embedding server, ${server.serverOf("embedding")} (hearth.server.embeddingUrl)`
    : "from hearth.server.url: no embedding server is set (hearth.server.embeddingUrl), and a llama-server that serves completions does not embed";
  const role =
    SERVER_ROLES.find((entry) => entry.use === args?.use) ??
    (await vscode.window.showQuickPick(
      SERVER_ROLES.map((entry) => ({ ...entry, ...(entry.role === "embedding" ? { detail: embeddingFrom } : {}) })),
      { title: "Choose a server model for…" },
    ));
  if (!role) return;
  let models;
  try {
    models = await server.listModels(undefined, role.role);
  } catch (error) {
    void vscode.window.showErrorMessage(`Hearth: ${error instanceof Error ? error.message : String(error)}`);
    return;
  }
  const model = await vscode.window.showQuickPick(
    models.map((entry) => ({ label: entry.id, ...(entry.ownedBy ? { description: entry.ownedBy } : {}) })),
    {
      title: `${role.label}: models on ${server.serverOf(role.role)}`,
      placeHolder: models.length === 0 ? "The server lists no models." : role.role === "embedding" ? `An embedding model, ${embeddingFrom}` : "The model to use",
    },
  );
  if (!model) return;
  const section = vscode.workspace.getConfiguration("hearth");
  for (const key of role.keys) await section.update(key, model.label, vscode.ConfigurationTarget.Global);
}
