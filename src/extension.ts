import * as vscode from "vscode";
import { toDisposable } from "./common/disposable";
import type { Event } from "./common/event";
import { scopedLogger } from "./common/logger";
import { CompletionPipeline } from "./completion/completion-pipeline";
import { ModelPreloader, preloadWish, type PreloadDecision } from "./completion/model-preload";
import type { RequestManager } from "./completion/request-manager";
import type { AssembledContext } from "./context/context-types";
import { EngineClient } from "./engine/client";
import { ENGINE_BUILD_ENV } from "./engine/engine-build-lines";
import { EngineSwitch } from "./engine/engine-switch";
import { registerActions, type ActionsApi } from "./ide/actions";
import { registerChat, type ChatApi } from "./ide/chat";
import { actionCodebaseSearch } from "./ide/codebase-actions";
import { HearthCodeActionProvider } from "./ide/code-actions";
import { registerCodebaseMemory } from "./ide/codebase-setup";
import { registerCommitMessage, type CommitMessageApi } from "./ide/commit-message";
import { registerCommands } from "./ide/commands";
import { engineBuildDir, registerEngineBuild } from "./ide/engine-build-command";
import { CompletionGate } from "./ide/completion-gate";
import { announceIgnoredSettings, onDidChangeConfig, readConfig, resolveModelPath, toEngineSettings } from "./ide/config";
import { watchEngineCrashes } from "./ide/crash-notice";
import { indexWorkspace, syncDocuments } from "./ide/document-sync";
import { HearthInlineCompletionProvider, workspaceRelativePath } from "./ide/inline-completion-provider";
import { HearthLog } from "./ide/log";
import { registerModelPicker, type ModelsApi } from "./ide/model-picker";
import { registerNextEdit, type NextEditApi } from "./ide/next-edit";
import { registerPromptCommands, type PromptCommandsApi } from "./ide/prompt-commands";
import { registerServerEngine } from "./ide/server-engine-setup";
import { HearthStatusBar } from "./ide/status-bar";
import { openWalkthroughIfAsked } from "./ide/start-walkthrough";
import { adviseSmallerModel } from "./models/smaller-model-advice";

/** Set by the bundle's first and last lines (scripts/build.mjs); absent when the unbundled sources run. */
declare const __hearthBundleStart: number | undefined;
declare const __hearthBundleEnd: number | undefined;

/** What activate() returns: the extension's public surface, used by its own extension-host tests. */
export interface HearthApi {
  readonly engine: EngineSwitch;
  readonly completions: RequestManager;
  /** The context of each completion's model call, as it went into the prompt (the CLI parity test compares it). */
  readonly completionContext: Event<AssembledContext>;
  /** What the background load (hearth.model.loadOnStartup) decided for each configuration. */
  readonly modelPreload: Event<PreloadDecision>;
  readonly chat: ChatApi;
  readonly actions: ActionsApi;
  readonly commitMessage: CommitMessageApi;
  readonly prompts: PromptCommandsApi;
  readonly models: ModelsApi;
  readonly nextEdit: NextEditApi;
  readonly statusBar: { readonly text: string; readonly tooltip: string; readonly shown: readonly string[] };
  /** The codebase index's status bar item: its text and its tooltip's markdown source. */
  readonly codebaseStatus: { readonly statusText: string; readonly statusTooltip: string };
  /** Milliseconds spent loading the bundle and running activate(): the activation bench reports them. */
  readonly activation: { readonly loadMs: number | null; readonly activateMs: number; readonly statusBarMs: number };
}

/** Composition root: builds the objects and registers every disposable; nothing slow happens here. */
export function activate(context: vscode.ExtensionContext): HearthApi {
  const started = performance.now();
  // First of all, so Hearth is visible from the moment it starts, saying what it is doing.
  const statusBar = new HearthStatusBar();
  const statusBarMs = performance.now() - started;
  const log = new HearthLog();
  const localEngine = new EngineClient({
    workerPath: context.asAbsolutePath("dist/engine-worker.mjs"),
    // The engine runs on llama.cpp built for this CPU once "Build the Engine for This CPU" made it there.
    env: { [ENGINE_BUILD_ENV]: engineBuildDir(context) },
    logger: scopedLogger(log, "engine"),
    adviseOnRefusal: adviseSmallerModel,
  });
  // Every consumer holds the switch: it answers through the local engine unless the user chose a server.
  const engine = new EngineSwitch(localEngine, { logger: scopedLogger(log, "engine") });
  context.subscriptions.push(...registerServerEngine(context, { engine, log }));
  statusBar.follow(engine);
  const pipeline = new CompletionPipeline({
    engine,
    grammarsDir: context.asAbsolutePath("grammars"),
    logger: log,
    budgetTokens: readConfig().completion.contextTokens,
    relativePath: workspaceRelativePath,
  });
  const { context: contextEngine, manager } = pipeline;
  const gate = new CompletionGate(context.globalState, engine);
  const preloader = new ModelPreloader(engine);
  // Next edits always run on the local engine (offline): a server serves no next-edit model.
  const nextEdit = registerNextEdit({ engine: localEngine, log });
  context.subscriptions.push(...nextEdit.disposables);
  let configured = 0;
  const showCompletionState = () =>
    statusBar.updateCompletion({
      snoozedUntil: gate.snoozedUntil(),
      disabledLanguage: languageIfDisabled(gate, vscode.window.activeTextEditor),
    });
  const configure = () => {
    const config = readConfig();
    announceIgnoredSettings(config, log);
    const settings = toEngineSettings(config);
    const seq = ++configured;
    engine.configure(settings).then(
      // Only the latest configuration: an older one that resolves late must not schedule a load of its model.
      () => {
        if (seq === configured) preloader.consider(preloadWish(config, settings));
      },
      (error: unknown) => log.error(error instanceof Error ? error : String(error)),
    );
    pipeline.configure(config);
    void nextEdit.api.configure(resolveModelPath(config.nextEdit.modelPath));
    showCompletionState();
  };
  context.subscriptions.push(
    log,
    toDisposable(() => void engine.dispose()),
    pipeline,
    preloader,
    statusBar,
    gate,
    watchEngineCrashes(engine, log),
    onDidChangeConfig(configure),
    syncDocuments(contextEngine),
    indexWorkspace(contextEngine),
    vscode.languages.registerInlineCompletionItemProvider({ pattern: "**" }, new HearthInlineCompletionProvider(manager, gate, log)),
    gate.onDidChange(showCompletionState),
    vscode.window.onDidChangeActiveTextEditor(showCompletionState),
    manager.onDidSuggest((suggestion) =>
      statusBar.updateCompletion({
        last: { latencyMs: suggestion.latencyMs, tokensPerSecond: suggestion.generation?.tokensPerSecond ?? null, source: suggestion.source },
      }),
    ),
    ...registerCommands({ engine, log, gate, manager }),
    ...registerEngineBuild(context, { log, restartEngine: () => localEngine.restart() }),
  );
  const chat = registerChat(context, { engine, log });
  context.subscriptions.push(...chat.disposables);
  const codebase = registerCodebaseMemory(context, { engine, log, contextEngine, chatContext: chat.api.context });
  context.subscriptions.push(...codebase.disposables);
  const actions = registerActions({ engine, contextEngine, chat: chat.api, log, globalState: context.globalState, codebase: actionCodebaseSearch(codebase.host) });
  context.subscriptions.push(
    ...actions.disposables,
    vscode.languages.registerCodeActionsProvider([{ scheme: "file" }, { scheme: "untitled" }], new HearthCodeActionProvider(), {
      providedCodeActionKinds: HearthCodeActionProvider.providedCodeActionKinds,
    }),
  );
  const models = registerModelPicker({ engine, log });
  context.subscriptions.push(...models.disposables);
  openWalkthroughIfAsked(context, log);
  const commitMessage = registerCommitMessage({ engine, log, rules: chat.api.rules });
  const prompts = registerPromptCommands({ chat: chat.api, log });
  context.subscriptions.push(...commitMessage.disposables, ...prompts.disposables);
  configure();
  const activateMs = performance.now() - started;
  const loadMs = typeof __hearthBundleStart === "number" && typeof __hearthBundleEnd === "number" ? __hearthBundleEnd - __hearthBundleStart : null;
  log.info(`Hearth ${String(context.extension.packageJSON.version)} activated in ${activateMs.toFixed(1)} ms (bundle loaded in ${loadMs?.toFixed(1) ?? "?"} ms)`);
  return { engine, completions: manager, completionContext: pipeline.onDidAssemble, modelPreload: preloader.onDidDecide, chat: chat.api, actions: actions.api, commitMessage: commitMessage.api, prompts: prompts.api, models: models.api, nextEdit: nextEdit.api, statusBar, codebaseStatus: codebase.host, activation: { loadMs, activateMs, statusBarMs } };
}

function languageIfDisabled(gate: CompletionGate, editor: vscode.TextEditor | undefined): string | null {
  const languageId = editor?.document.languageId;
  return languageId && !gate.enabledFor(languageId) ? languageId : null;
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
