import * as vscode from "vscode";
import type { Engine } from "../engine/engine-api";
import { COMMANDS } from "./command-ids";
import type { HearthLog } from "./log";

/**
 * Tells the user once that the engine crashed or hung; a crash loop must not become a notification storm. The notice is
 * armed again only after the engine has been ready once more. A model that takes the engine down on every load is
 * told once too, with what to do: Hearth no longer loads it on its own.
 */
export function watchEngineCrashes(engine: Engine, log: HearthLog): vscode.Disposable {
  let armed = true;
  let loopTold = false;
  const onStatus = engine.onDidChangeStatus((status) => {
    if (status.kind === "ready") armed = true;
    if (status.kind === "ready" || status.kind === "idle") loopTold = false;
    if (status.kind === "error" && status.error.code === "model-crash-loop" && !loopTold) {
      loopTold = true;
      void vscode.window.showErrorMessage(`Hearth: ${status.error.message}`, "Restart Engine", "Select Model…", "Show Log").then((choice) => {
        if (choice === "Restart Engine") void vscode.commands.executeCommand(COMMANDS.restartEngine);
        else if (choice === "Select Model…") void vscode.commands.executeCommand(COMMANDS.selectModel);
        else if (choice) log.show();
      });
    }
  });
  const onCrash = engine.onDidCrash((crash) => {
    if (!armed) return;
    armed = false;
    const text =
      crash.reason === "unresponsive" ? `Hearth: ${crash.message}` : "Hearth's engine stopped unexpectedly. It restarts on the next request; the log has the details.";
    void vscode.window.showWarningMessage(text, "Show Log", "Restart Engine").then((choice) => {
      if (choice === "Restart Engine") void vscode.commands.executeCommand(COMMANDS.restartEngine);
      else if (choice) log.show();
    });
  });
  return vscode.Disposable.from(onStatus, onCrash);
}
