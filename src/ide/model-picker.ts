import { freemem, homedir, totalmem } from "node:os";
import { basename, join } from "node:path";
import * as vscode from "vscode";
import { isAbortError } from "../common/abort";
import { errorMessage } from "../common/errors";
import type { Engine } from "../engine/engine-api";
import { describeSource, loadCatalog, resolveHfSource, suggestSmallerModel, type CatalogModel } from "../models/catalog";
import { ModelScanner, defaultModelRoots } from "../models/discovery";
import { downloadModel } from "../models/download";
import { DownloadError } from "../models/download-errors";
import { describeProgress } from "../models/download-progress";
import { formatBytes, type FitVerdict, type MachineMemory } from "../models/memory-fit";
import { describeAdapters } from "../models/lora";
import { checkModelFile } from "../models/model-file";
import { inspectNamedModels } from "../models/named-models";
import { buildPickerData, pickerRows, usesToOffer, type ModelUse, type PickerAction, type PickerData, type PickerEntry } from "../models/picker-data";
import { COMMANDS } from "./command-ids";
import { CONFIG_SECTION, readConfig, resolveModelPath, toEngineSettings } from "./config";
import type { HearthLog } from "./log";
import { isServerUse } from "./server-engine-setup";

export interface ModelPickerDeps {
  engine: Engine;
  log: HearthLog;
}

/** What the extension-host tests (and a walkthrough) can reach. */
export interface ModelsApi {
  /** The picker's groups, from disk and the catalog only (no network). */
  pickerData(signal?: AbortSignal): Promise<PickerData>;
}

/**
 * `hearth.selectModel` takes an optional argument: a file to use, or a catalog entry to download, without the picker;
 * `use` says what for ("both" when absent).
 */
export interface SelectModelArgs {
  path?: string;
  catalogId?: string;
  use?: ModelUse;
}

type PickItem = vscode.QuickPickItem & { run?: () => Promise<unknown> };
type UseItem = vscode.QuickPickItem & { use: ModelUse };

export function registerModelPicker(deps: ModelPickerDeps): { disposables: vscode.Disposable[]; api: ModelsApi } {
  const picker = new ModelPicker(deps);
  return {
    disposables: [
      vscode.commands.registerCommand(COMMANDS.selectModel, (args?: SelectModelArgs) =>
        // While a server answers, the models are the server's (/v1/models) for a use it serves (next edits are local).
        deps.engine.target.kind === "server" && !args?.path && !args?.catalogId && (!args?.use || isServerUse(args.use))
          ? vscode.commands.executeCommand(COMMANDS.selectServerModel, args?.use ? { use: args.use } : undefined)
          : picker.select(args),
      ),
    ],
    api: { pickerData: (signal) => picker.data(signal) },
  };
}

class ModelPicker {
  private readonly scanner = new ModelScanner();
  private downloading: Promise<unknown> | undefined;
  /** The memory of the last look (GPU included), for the smaller model offered when one will not fit. */
  private machine: MachineMemory = ramOnly();

  constructor(private readonly deps: ModelPickerDeps) {}

  async data(signal?: AbortSignal): Promise<PickerData> {
    const config = readConfig();
    const roots = defaultModelRoots({
      platform: process.platform,
      home: homedir(),
      env: process.env,
      userFolders: config.models.folders,
      downloadFolder: config.models.downloadFolder,
    });
    const currentPath = resolveModelPath(config.model.path);
    const chatPath = resolveModelPath(config.chat.modelPath);
    const embeddingPath = resolveModelPath(config.embedding.modelPath);
    const nextEditPath = resolveModelPath(config.nextEdit.modelPath);
    const [scan, machine, adapters] = await Promise.all([
      this.scanner.scan(roots, {}, signal),
      config.engine.gpu === "off" ? ramOnly() : this.deps.engine.machineMemory(ramOnly(), { ...(signal ? { signal } : {}), timeoutMs: 5000 }),
      describeAdapters(toEngineSettings(config).loraAdapters ?? [], currentPath, signal),
    ]);
    this.machine = machine;
    const data = buildPickerData({
      scan,
      catalog: loadCatalog().models,
      machine,
      contextSize: config.engine.contextSize,
      currentPath,
      chatPath,
      embeddingPath,
      nextEditPath,
      named: await inspectNamedModels([currentPath, chatPath, embeddingPath, nextEditPath], scan, signal),
      adapters,
    });
    this.deps.log.info(`models: found ${scan.models.length} model(s) in ${scan.elapsedMs} ms${scan.truncated ? " (stopped early: a folder was too deep or too large)" : ""}`);
    for (const skipped of data.skipped) this.deps.log.debug(`models: skipped ${skipped.path}: ${skipped.reason}`);
    return data;
  }

  async select(args?: SelectModelArgs): Promise<boolean> {
    if (args?.use !== undefined && !usesToOffer().includes(args.use)) {
      void vscode.window.showErrorMessage(`Hearth: "${String(args.use)}" is not a model use; it is ${usesToOffer().map((u) => `"${u}"`).join(", ")}.`);
      return false;
    }
    const roles = args?.catalogId ? loadCatalog().models.find((m) => m.id === args.catalogId)?.roles : undefined;
    // A catalog model with one use (embedding, next-edit) gets it; another serves completion and chat.
    const use = args?.use ?? (roles ? usesToOffer(roles)[0] : undefined) ?? "both";
    if (args?.path) return this.use(args.path, undefined, use);
    if (args?.catalogId) {
      const entry = (await this.data()).catalog.find((e) => e.catalog?.id === args.catalogId);
      const model = entry?.catalog ?? loadCatalog().models.find((m) => m.id === args.catalogId);
      if (!model) {
        void vscode.window.showErrorMessage(`Hearth: there is no catalog model "${args.catalogId}".`);
        return false;
      }
      return this.download(model, entry?.fit, use);
    }
    return this.showPicker();
  }

  private async showPicker(): Promise<boolean> {
    const quickPick = vscode.window.createQuickPick<PickItem>();
    quickPick.title = "Hearth: select a model";
    quickPick.placeholder = "Looking for models on this machine…";
    quickPick.matchOnDescription = true;
    quickPick.matchOnDetail = true;
    quickPick.busy = true;
    quickPick.items = this.items(null);
    const scanning = new AbortController();
    const chosen = new Promise<PickItem | undefined>((resolve) => {
      quickPick.onDidAccept(() => resolve(quickPick.selectedItems[0]));
      quickPick.onDidHide(() => resolve(undefined));
    });
    quickPick.show();
    const fill = async () => {
      try {
        const data = await this.data(scanning.signal);
        quickPick.items = this.items(data);
        quickPick.placeholder = "Choose a model for completion and chat, or download one";
      } catch (error) {
        if (!scanning.signal.aborted) this.deps.log.error(`models: looking for models failed: ${errorMessage(error)}`);
      } finally {
        quickPick.busy = false;
      }
    };
    void fill();
    const item = await chosen;
    scanning.abort();
    quickPick.dispose();
    return item?.run ? Boolean(await item.run()) : false;
  }

  /** The rows for `data` (null: the scan is still running, only Browse… is there yet). */
  private items(data: PickerData | null): PickItem[] {
    return pickerRows(data).map((row) =>
      "separator" in row
        ? { label: row.separator, kind: vscode.QuickPickItemKind.Separator }
        : { label: row.label, description: row.description, ...(row.detail ? { detail: row.detail } : {}), ...(row.alwaysShow ? { alwaysShow: true } : {}), run: () => this.run(row.action) },
    );
  }

  private async run(action: PickerAction): Promise<boolean> {
    switch (action.kind) {
      case "use": {
        const use = await askUse(action.entry);
        return use ? this.use(action.entry.id, action.entry.fit, use) : false;
      }
      case "download": {
        const use = action.entry.catalog ? await askUse(action.entry) : undefined;
        return action.entry.catalog && use ? this.download(action.entry.catalog, action.entry.fit, use) : false;
      }
      case "browse": {
        const path = await vscode.commands.executeCommand<string | undefined>(COMMANDS.chooseModelFile);
        const use = path ? await askUse() : undefined;
        return path && use ? this.use(path, undefined, use) : false;
      }
      case "look-again":
        return this.showPicker();
      case "adapter-setting":
        return openAdapterSetting();
      case "none":
        return false;
    }
  }

  /**
   * Makes `path` the model for `use` (hearth.model.path, hearth.chat.modelPath or both) and loads it, after a warning
   * when it will not fit.
   */
  private async use(path: string, fit: FitVerdict | undefined, use: ModelUse): Promise<boolean> {
    const check = await checkModelFile(path);
    if (!check.ok) {
      void vscode.window.showErrorMessage(`Hearth: ${check.problem.message}`);
      return false;
    }
    if (fit?.level === "red") {
      const smaller = suggestSmallerModel(loadCatalog().models, {
        role: use === "both" ? "completion" : use,
        machine: this.machine,
        contextSize: readConfig().engine.contextSize,
        belowBytes: check.sizeBytes,
      });
      const offer = smaller ? `Download ${smaller.model.name} (${formatBytes(smaller.model.sizeBytes)})` : undefined;
      const choice = await vscode.window.showWarningMessage(
        `This model probably does not fit in this machine's memory.`,
        {
          modal: true,
          detail: [
            fit.summary,
            "Loading it may fail or make the machine swap.",
            smaller ? `${smaller.model.name} (${smaller.model.quantization}) is the largest recommended model that fits: ${smaller.fit.summary}` : "A smaller model or quantisation will work better.",
          ].join("\n"),
        },
        ...(offer ? [offer] : []),
        "Use Anyway",
      );
      if (offer && choice === offer && smaller) return this.download(smaller.model, smaller.fit, use);
      if (choice !== "Use Anyway") return false;
    }
    await persistUse(path, use);
    // The engine takes the new settings through its configuration listener; load now so the user sees it work.
    await this.deps.engine.configure(toEngineSettings(readConfig()));
    if (use === "chat") return this.loadChatModel();
    // Codebase memory loads the embedding model when it indexes; its status says whether the file embeds.
    if (use === "embedding") {
      vscode.window.setStatusBarMessage(`Hearth: ${basename(path)} is the embedding model for codebase search`, 4000);
      return true;
    }
    // Next-edit suggestions take hearth.nextEdit.modelPath through the configuration listener and check its format.
    if (use === "next-edit") {
      vscode.window.setStatusBarMessage(`Hearth: ${basename(path)} is the model for next-edit suggestions`, 4000);
      return true;
    }
    // The load command shows a refusal itself, offering the smaller model the engine's answer names.
    return Boolean(await vscode.commands.executeCommand<boolean>(COMMANDS.loadModel));
  }

  /** Loads the chat model now, with progress; a refusal is shown with the log one click away. */
  private async loadChatModel(): Promise<boolean> {
    const { engine, log } = this.deps;
    try {
      const model = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: "Hearth: loading the chat model", cancellable: true },
        async (_progress, token) => {
          const controller = new AbortController();
          const cancel = token.onCancellationRequested(() => controller.abort());
          try {
            return await engine.loadChat(controller.signal);
          } finally {
            cancel.dispose();
          }
        },
      );
      vscode.window.setStatusBarMessage(`Hearth: ${model.name} loaded for chat in ${model.loadMs} ms`, 4000);
      return true;
    } catch (error) {
      if (isAbortError(error)) return false;
      log.error(`models: loading the chat model failed: ${errorMessage(error)}`);
      const choice = await vscode.window.showErrorMessage(`Hearth: ${errorMessage(error)}`, "Show Log");
      if (choice) log.show();
      return false;
    }
  }

  private async download(model: CatalogModel, fit: FitVerdict | undefined, use: ModelUse): Promise<boolean> {
    if (this.downloading) {
      void vscode.window.showInformationMessage("Hearth: a model is already downloading.");
      return false;
    }
    const folder = readConfig().models.downloadFolder;
    const destination = join(folder, model.fileName);
    if ((await checkModelFile(destination)).ok) return this.use(destination, fit, use);
    const size = `${model.sizeExact ? "" : "about "}${formatBytes(model.sizeBytes)}`;
    const choice = await vscode.window.showInformationMessage(
      `Download ${model.name} (${size})?`,
      {
        modal: true,
        detail: [
          `From ${describeSource(model.source)} (${model.quantization}, licence ${model.licence}${model.notes ? `: ${model.notes}` : ""}).`,
          `Saved in ${folder} (setting hearth.models.downloadFolder).`,
          fit ? fit.summary : "",
          "This is the only network request Hearth makes; you can cancel and resume it.",
        ]
          .filter(Boolean)
          .join("\n"),
      },
      "Download",
    );
    if (choice !== "Download") return false;
    const url = resolveHfSource(model.source, process.env.HF_ENDPOINT || undefined);
    this.deps.log.info(`models: downloading ${url} to ${destination}`);
    const run: Promise<string> = Promise.resolve(vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Hearth: downloading ${model.name}`, cancellable: true },
      async (progress, token) => {
        const controller = new AbortController();
        const cancel = token.onCancellationRequested(() => controller.abort());
        let shown = 0;
        try {
          const result = await downloadModel({
            url,
            destination,
            ...(model.sizeExact ? { expectedSizeBytes: model.sizeBytes } : {}),
            ...(model.sha256 ? { sha256: model.sha256 } : {}),
            signal: controller.signal,
            onProgress: (p) => {
              const percent = p.totalBytes ? Math.floor((p.receivedBytes / p.totalBytes) * 100) : 0;
              progress.report({ message: describeProgress(p), increment: Math.max(0, percent - shown) });
              shown = Math.max(shown, percent);
            },
          });
          this.deps.log.info(`models: downloaded ${result.path} (${result.sizeBytes} bytes${result.resumed ? ", resumed" : ""}${result.sha256 ? `, sha256 ${result.sha256}` : ""})`);
          return result.path;
        } finally {
          cancel.dispose();
        }
      },
    ));
    this.downloading = run;
    try {
      const path = await run;
      return await this.use(path, fit, use);
    } catch (error) {
      if (error instanceof DownloadError && error.code === "cancelled") {
        void vscode.window.showInformationMessage(`Hearth: download of ${model.name} paused. Choose it again to resume where it stopped.`);
        return false;
      }
      this.deps.log.error(`models: download of ${url} failed: ${errorMessage(error)}`);
      const choice = await vscode.window.showErrorMessage(`Hearth: ${errorMessage(error)}`, "Show Log");
      if (choice) this.deps.log.show();
      return false;
    } finally {
      this.downloading = undefined;
    }
  }
}

/** Asks what a chosen model is for (usesToOffer says which uses; one with a single use is not asked). */
async function askUse(entry?: PickerEntry): Promise<ModelUse | undefined> {
  const caps = entry?.capabilities;
  const uses = usesToOffer(caps);
  if (uses.length === 1) return uses[0];
  const canComplete = !caps || caps.includes("completion");
  const canChat = !caps || caps.includes("chat");
  const labels: Record<ModelUse, Omit<UseItem, "use">> = {
    both: { label: "For completion and chat", description: "one model serves both (least memory)" },
    completion: { label: "For completion", description: canComplete ? "inline suggestions; chat keeps its model" : "it has no fill-in-the-middle tokens: it cannot complete inline" },
    chat: { label: "For chat", description: canChat ? "chat and actions, loaded beside the completion model" : "it has no chat template: Hearth would use a generic chat format" },
    embedding: { label: "For codebase search", description: "an embedding model (bge-small, nomic-embed-text …): turns code into vectors for @codebase" },
    "next-edit": { label: "For next-edit suggestions", description: "a next-edit model (Sweep's sweep-next-edit): suggests the change after yours" },
  };
  const items: UseItem[] = uses.map((use) => ({ use, ...labels[use] }));
  const chosen = await vscode.window.showQuickPick(items, { title: `Hearth: use ${entry?.label ?? "this model"} for…`, placeHolder: "Choose what the model is used for" });
  return chosen?.use;
}

/** Writes the choice into the setting of its use (user settings, like the picker always did). */
async function persistUse(path: string, use: ModelUse): Promise<void> {
  const config = vscode.workspace.getConfiguration(CONFIG_SECTION);
  const current = readConfig();
  const completionPath = resolveModelPath(current.model.path);
  const chatPath = resolveModelPath(current.chat.modelPath);
  const target = vscode.ConfigurationTarget.Global;
  switch (use) {
    case "both":
      await config.update("model.path", path, target);
      if (chatPath) await config.update("chat.modelPath", undefined, target);
      return;
    case "completion":
      // Chat followed the old completion model: it keeps answering chat, now as the chat model.
      if (!chatPath && completionPath && completionPath !== path) await config.update("chat.modelPath", completionPath, target);
      else if (chatPath === path) await config.update("chat.modelPath", undefined, target);
      await config.update("model.path", path, target);
      return;
    case "chat":
      // The completion model itself: one model serves both, with no second copy in memory.
      await config.update("chat.modelPath", path === completionPath ? undefined : path, target);
      return;
    case "embedding":
      await config.update("embedding.modelPath", path, target);
      return;
    case "next-edit":
      await config.update("nextEdit.modelPath", path, target);
      return;
  }
}

/** RAM alone: what the fit is judged by when the GPU is off or the engine cannot say what the GPU has. */
function ramOnly(): MachineMemory {
  return { freeRamBytes: freemem(), totalRamBytes: totalmem(), gpu: null };
}

async function openAdapterSetting(): Promise<boolean> {
  await vscode.commands.executeCommand("workbench.action.openSettings", "hearth.model.loraAdapters");
  return false;
}
