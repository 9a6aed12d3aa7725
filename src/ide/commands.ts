import * as vscode from "vscode";
import { isAbortError } from "../common/abort";
import type { EngineClient } from "../engine/client";
import { COMMANDS } from "./command-ids";
import { CONFIG_SECTION } from "./config";
import type { HearthLog } from "./log";

export interface CommandDeps {
  engine: EngineClient;
  log: HearthLog;
}

export function registerCommands(deps: CommandDeps): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand(COMMANDS.showLog, () => deps.log.show()),
    vscode.commands.registerCommand(COMMANDS.loadModel, () => loadModel(deps)),
    vscode.commands.registerCommand(COMMANDS.unloadModel, () => deps.engine.unload()),
    vscode.commands.registerCommand(COMMANDS.chooseModelFile, () => chooseModelFile()),
    vscode.commands.registerCommand(COMMANDS.showStatusMenu, () => showStatusMenu(deps)),
  ];
}

/** A load the user asked for: progress in a notification, and a failure told once, with the log one click away. */
async function loadModel({ engine, log }: CommandDeps): Promise<boolean> {
  if (engine.status.kind === "no-model") {
    const choice = await vscode.window.showWarningMessage(`Hearth: ${engine.status.problem.message}`, "Choose Model File…");
    if (choice) await chooseModelFile();
    return false;
  }
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: "Hearth: loading the model", cancellable: true },
    async (progress, token) => {
      const controller = new AbortController();
      const cancel = token.onCancellationRequested(() => controller.abort());
      let reported = 0;
      const watch = engine.onDidChangeStatus((status) => {
        if (status.kind !== "loading") return;
        const percent = Math.round(status.progress * 100);
        if (percent > reported) {
          progress.report({ increment: percent - reported, message: `${percent}%` });
          reported = percent;
        }
      });
      try {
        const model = await engine.load(controller.signal);
        vscode.window.setStatusBarMessage(`Hearth: ${model.name} loaded in ${model.loadMs} ms`, 4000);
        return true;
      } catch (error) {
        if (!isAbortError(error)) {
          const message = error instanceof Error ? error.message : String(error);
          const choice = await vscode.window.showErrorMessage(`Hearth: ${message}`, "Show Log", "Choose Model File…");
          if (choice === "Show Log") log.show();
          else if (choice) await chooseModelFile();
        }
        return false;
      } finally {
        cancel.dispose();
        watch.dispose();
      }
    },
  );
}

async function chooseModelFile(): Promise<string | undefined> {
  const picked = await vscode.window.showOpenDialog({
    canSelectMany: false,
    openLabel: "Use This Model",
    title: "Hearth: choose a GGUF model file",
    filters: { "GGUF models": ["gguf"] },
  });
  const file = picked?.[0];
  if (!file) return undefined;
  await vscode.workspace.getConfiguration(CONFIG_SECTION).update("model.path", file.fsPath, vscode.ConfigurationTarget.Global);
  return file.fsPath;
}

async function showStatusMenu(deps: CommandDeps): Promise<void> {
  const { status } = deps.engine;
  const items: (vscode.QuickPickItem & { run: () => unknown })[] = [];
  if (status.kind === "idle" || status.kind === "error") {
    items.push({ label: "$(play) Load Model Now", run: () => loadModel(deps) });
  }
  if (status.kind === "ready") {
    items.push({ label: "$(debug-stop) Unload Model", description: status.model.name, run: () => deps.engine.unload() });
  }
  items.push({ label: "$(file) Choose Model File…", run: () => chooseModelFile() });
  items.push({ label: "$(output) Show Log", run: () => deps.log.show() });
  items.push({ label: "$(gear) Settings", run: () => vscode.commands.executeCommand("workbench.action.openSettings", "@ext:hearth.hearth") });
  const picked = await vscode.window.showQuickPick(items, { title: "Hearth", placeHolder: "What would you like to do?" });
  await picked?.run();
}
