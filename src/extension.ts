import type * as vscode from "vscode";
import { scopedLogger } from "./common/logger";
import { EngineClient } from "./engine/client";
import { registerCommands } from "./ide/commands";
import { onDidChangeConfig, readConfig, toEngineSettings } from "./ide/config";
import { watchEngineCrashes } from "./ide/crash-notice";
import { HearthLog } from "./ide/log";
import { HearthStatusBar } from "./ide/status-bar";

/** Set by the bundle's first and last lines (scripts/build.mjs); absent when the unbundled sources run. */
declare const __hearthBundleStart: number | undefined;
declare const __hearthBundleEnd: number | undefined;

/** What activate() returns: the extension's public surface, used by its own extension-host tests. */
export interface HearthApi {
  readonly engine: EngineClient;
  readonly statusBar: { readonly text: string; readonly tooltip: string };
  /** Milliseconds spent loading the bundle and running activate(): the activation bench reports them. */
  readonly activation: { readonly loadMs: number | null; readonly activateMs: number };
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
  const activateMs = performance.now() - started;
  const loadMs = typeof __hearthBundleStart === "number" && typeof __hearthBundleEnd === "number" ? __hearthBundleEnd - __hearthBundleStart : null;
  log.info(`Hearth ${String(context.extension.packageJSON.version)} activated in ${activateMs.toFixed(1)} ms (bundle loaded in ${loadMs?.toFixed(1) ?? "?"} ms)`);
  return { engine, statusBar, activation: { loadMs, activateMs } };
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
