import * as vscode from "vscode";
import { scopedLogger } from "./common/logger";
import { EngineClient } from "./engine/client";
import { registerCommands } from "./ide/commands";
import { onDidChangeConfig, readConfig, toEngineSettings } from "./ide/config";
import { watchEngineCrashes } from "./ide/crash-notice";
import { HearthLog } from "./ide/log";
import { HearthStatusBar } from "./ide/status-bar";

/** What activate() returns: the extension's public surface, used by its own extension-host tests. */
export interface HearthApi {
  readonly engine: EngineClient;
  readonly statusBar: { readonly text: string; readonly tooltip: string };
  readonly activationMs: number;
}

/** Composition root: builds the objects and registers every disposable; nothing slow happens here. */
export function activate(context: vscode.ExtensionContext): HearthApi {
  const started = performance.now();
  const log = new HearthLog();
  const engine = new EngineClient({
    workerPath: context.asAbsolutePath("dist/engine-worker.mjs"),
    logger: scopedLogger(log, "engine"),
  });
  const statusBar = new HearthStatusBar(engine);
  const configure = () => {
    engine.configure(toEngineSettings(readConfig())).catch((error: unknown) => log.error(error instanceof Error ? error : String(error)));
  };
  context.subscriptions.push(
    log,
    { dispose: () => void engine.dispose() },
    statusBar,
    watchEngineCrashes(engine, log),
    onDidChangeConfig(configure),
    ...registerCommands({ engine, log }),
  );
  configure();
  const activationMs = performance.now() - started;
  log.info(`Hearth ${String(context.extension.packageJSON.version)} activated in ${activationMs.toFixed(1)} ms`);
  return { engine, statusBar, activationMs };
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
