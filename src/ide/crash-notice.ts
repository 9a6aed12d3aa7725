import * as vscode from "vscode";
import type { EngineClient } from "../engine/client";
import type { HearthLog } from "./log";

/**
 * Tells the user once that the engine crashed; a crash loop must not become a notification storm. The notice is armed
 * again only after the engine has been ready once more.
 */
export function watchEngineCrashes(engine: EngineClient, log: HearthLog): vscode.Disposable {
  let armed = true;
  const onReady = engine.onDidChangeStatus((status) => {
    if (status.kind === "ready") armed = true;
  });
  const onCrash = engine.onDidCrash(() => {
    if (!armed) return;
    armed = false;
    void vscode.window
      .showWarningMessage("Hearth's engine stopped unexpectedly. It restarts on the next request; the log has the details.", "Show Log")
      .then((choice) => {
        if (choice) log.show();
      });
  });
  return vscode.Disposable.from(onReady, onCrash);
}
