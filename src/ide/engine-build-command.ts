// "Hearth: Build the Engine for This CPU": llama.cpp compiled from node-llama-cpp's bundled source for this machine,
// into Hearth's global storage, with its progress in a notification; the engine restarts onto it when it is done.
// The engine falls back to the prebuilt binary (and says why in the log) whenever the build is missing or does not load.
import { join } from "node:path";
import * as vscode from "vscode";
import { isAbortError } from "../common/abort";
import { errorMessage } from "../common/errors";
import { runEngineBuild } from "../engine/engine-build";
import { COMMANDS } from "./command-ids";
import type { HearthLog } from "./log";

/** Where the build goes: the engine process is told through HEARTH_ENGINE_BUILD (extension.ts). */
export function engineBuildDir(context: vscode.ExtensionContext): string {
  return join(context.globalStorageUri.fsPath, "engine-build");
}

export function registerEngineBuild(context: vscode.ExtensionContext, deps: { log: HearthLog; restartEngine(): Promise<unknown> }): vscode.Disposable[] {
  let running = false;
  return [
    vscode.commands.registerCommand(COMMANDS.buildEngineForThisCpu, async () => {
      if (running) {
        void vscode.window.showInformationMessage("Hearth: the engine build for this CPU is already running.");
        return false;
      }
      running = true;
      try {
        return await buildWithProgress(context, deps);
      } finally {
        running = false;
      }
    }),
  ];
}

async function buildWithProgress(context: vscode.ExtensionContext, { log, restartEngine }: { log: HearthLog; restartEngine(): Promise<unknown> }): Promise<boolean> {
  const dir = engineBuildDir(context);
  const logFile = join(dir, "build.log");
  log.info(`engine build for this CPU: building in ${dir} (log: ${logFile})`);
  try {
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: "Hearth: building the engine for this CPU", cancellable: true },
      async (progress, token) => {
        const controller = new AbortController();
        const cancel = token.onCancellationRequested(() => controller.abort());
        let reported = 0;
        try {
          return await runEngineBuild({
            scriptPath: context.asAbsolutePath("dist/engine-build.mjs"),
            dir,
            logFile,
            signal: controller.signal,
            onProgress: ({ step, fraction }) => {
              const percent = fraction === null ? reported : Math.floor(fraction * 100);
              progress.report({ message: step, ...(percent > reported ? { increment: percent - reported } : {}) });
              reported = Math.max(reported, percent);
            },
          });
        } finally {
          cancel.dispose();
        }
      },
    );
    log.info(`engine build for this CPU: done in ${result.seconds} s; restarting the engine on it`);
    await restartEngine();
    void vscode.window.showInformationMessage(`Hearth: the engine is built for this CPU (${Math.round(result.seconds / 60)} min) and now runs on it.`);
    return true;
  } catch (error) {
    if (isAbortError(error)) {
      log.info("engine build for this CPU: cancelled; the engine keeps the prebuilt binary");
      return false;
    }
    log.error(`engine build for this CPU: ${errorMessage(error)}`);
    const choice = await vscode.window.showErrorMessage(`Hearth: ${errorMessage(error)} The engine keeps the prebuilt binary.`, "Open Build Log", "Show Log");
    if (choice === "Open Build Log") await vscode.window.showTextDocument(vscode.Uri.file(logFile));
    else if (choice === "Show Log") log.show();
    return false;
  }
}
