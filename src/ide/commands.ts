import * as vscode from "vscode";
import { isAbortError } from "../common/abort";
import { errorMessage } from "../common/errors";
import type { RequestManager } from "../completion/request-manager";
import type { Engine } from "../engine/engine-api";
import { EngineError } from "../engine/protocol";
import { formatBytes } from "../models/memory-fit";
import { COMMANDS } from "./command-ids";
import type { CompletionGate } from "./completion-gate";
import { CONFIG_SECTION } from "./config";
import { toSnapshot } from "./inline-completion-provider";
import type { HearthLog } from "./log";

export interface CommandDeps {
  engine: Engine;
  log: HearthLog;
  gate: CompletionGate;
  manager: RequestManager;
}

export function registerCommands(deps: CommandDeps): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand(COMMANDS.triggerCompletion, () => vscode.commands.executeCommand("editor.action.inlineSuggest.trigger")),
    vscode.commands.registerCommand(COMMANDS.toggleCompletionForLanguage, () => toggleForLanguage(deps.gate)),
    vscode.commands.registerCommand(COMMANDS.snoozeCompletion, (minutes?: number) => snooze(deps.gate, minutes)),
    vscode.commands.registerCommand(COMMANDS.completionAccepted, () => prefetchAfterAccept(deps.manager)),
    vscode.commands.registerCommand(COMMANDS.showLog, () => deps.log.show()),
    vscode.commands.registerCommand(COMMANDS.loadModel, () => loadModel(deps)),
    vscode.commands.registerCommand(COMMANDS.unloadModel, () => deps.engine.unload()),
    vscode.commands.registerCommand(COMMANDS.restartEngine, () => restartEngine(deps)),
    vscode.commands.registerCommand(COMMANDS.chooseModelFile, () => chooseModelFile()),
    vscode.commands.registerCommand(COMMANDS.showStatusMenu, () => showStatusMenu(deps)),
  ];
}

/** A load the user asked for: progress in a notification, and a failure told once, with the log one click away. */
async function loadModel({ engine, log }: CommandDeps): Promise<boolean> {
  if (engine.status.kind === "no-model") {
    const choice = await vscode.window.showWarningMessage(`Hearth: ${engine.status.problem.message}`, "Select Model…");
    if (choice) await vscode.commands.executeCommand(COMMANDS.selectModel);
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
          const message = errorMessage(error);
          // A model refused for its size comes with the largest catalog model that fits: offer it in one click.
          const smaller = error instanceof EngineError ? error.suggestion : undefined;
          const offer = smaller ? `Download ${smaller.name} (${formatBytes(smaller.sizeBytes)})` : undefined;
          const choice = await vscode.window.showErrorMessage(`Hearth: ${message}`, ...(offer ? [offer] : []), "Show Log", "Select Model…");
          if (choice === "Show Log") log.show();
          // Not awaited: the download shows its own progress, and this load's notification should close now.
          else if (offer && choice === offer && smaller) void vscode.commands.executeCommand(COMMANDS.selectModel, { catalogId: smaller.catalogId });
          else if (choice) await vscode.commands.executeCommand(COMMANDS.selectModel);
        }
        return false;
      } finally {
        cancel.dispose();
        watch.dispose();
      }
    },
  );
}

/** Hearth: Restart Engine: a fresh engine process, then the model loaded again where one is configured. */
async function restartEngine(deps: CommandDeps): Promise<boolean> {
  await deps.engine.restart();
  vscode.window.setStatusBarMessage("Hearth: engine restarted", 3000);
  return deps.engine.status.kind === "idle" ? loadModel(deps) : false;
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

/** The accepted text is in the document and the cursor after it: the next suggestion can be computed already. */
function prefetchAfterAccept(manager: RequestManager): void {
  manager.forgetShown();
  const editor = vscode.window.activeTextEditor;
  if (!editor || !editor.selection.isEmpty) return;
  manager.prefetch(toSnapshot(editor.document, editor.selection.active));
}

async function toggleForLanguage(gate: CompletionGate): Promise<void> {
  const languageId = vscode.window.activeTextEditor?.document.languageId;
  if (!languageId) {
    void vscode.window.showInformationMessage("Hearth: open a file to turn completions on or off for its language.");
    return;
  }
  const enable = !gate.enabledFor(languageId);
  await gate.setEnabledFor(languageId, enable);
  vscode.window.setStatusBarMessage(`Hearth: completions ${enable ? "on" : "off"} for ${languageId}`, 3000);
}

async function snooze(gate: CompletionGate, minutes?: number): Promise<void> {
  let chosen = minutes;
  if (chosen === undefined) {
    const options = [
      { label: "5 minutes", minutes: 5 },
      { label: "15 minutes", minutes: 15 },
      { label: "30 minutes", minutes: 30 },
      { label: "1 hour", minutes: 60 },
      ...(gate.snoozedUntil() > Date.now() ? [{ label: "Resume now", minutes: 0 }] : []),
    ];
    chosen = (await vscode.window.showQuickPick(options, { title: "Hearth: snooze completions for…" }))?.minutes;
  }
  if (chosen !== undefined) await gate.snooze(chosen);
}

async function showStatusMenu(deps: CommandDeps): Promise<void> {
  const { status } = deps.engine;
  const items: (vscode.QuickPickItem & { run: () => unknown })[] = [];
  const languageId = vscode.window.activeTextEditor?.document.languageId;
  if (languageId) {
    const on = deps.gate.enabledFor(languageId);
    items.push({ label: on ? `$(circle-slash) Disable Completions for ${languageId}` : `$(check) Enable Completions for ${languageId}`, run: () => toggleForLanguage(deps.gate) });
  }
  items.push(
    deps.gate.snoozedUntil() > Date.now()
      ? { label: "$(bell) Resume Completions", run: () => snooze(deps.gate, 0) }
      : { label: "$(bell-slash) Snooze Completions…", run: () => snooze(deps.gate) },
  );
  if (status.kind === "idle" || status.kind === "error") {
    items.push({ label: "$(play) Load Model Now", run: () => loadModel(deps) });
  }
  if (status.kind === "ready") {
    items.push({ label: "$(debug-stop) Unload Model", description: status.model.name, run: () => deps.engine.unload() });
  }
  if (status.kind !== "no-model") {
    items.push({ label: "$(debug-restart) Restart Engine", description: status.kind === "error" ? "and try the model again" : undefined, run: () => restartEngine(deps) });
  }
  items.push({ label: "$(library) Select Model…", description: "found on this machine or download", run: () => vscode.commands.executeCommand(COMMANDS.selectModel) });
  items.push({ label: "$(output) Show Log", run: () => deps.log.show() });
  items.push({ label: "$(gear) Settings", run: () => vscode.commands.executeCommand("workbench.action.openSettings", "@ext:hearth.hearth") });
  const picked = await vscode.window.showQuickPick(items, { title: "Hearth", placeHolder: "What would you like to do?" });
  await picked?.run();
}
