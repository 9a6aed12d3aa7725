import * as vscode from "vscode";
import { scopedLogger } from "../common/logger";
import type { ContextEngine } from "../context/context-engine";
import type { Engine } from "../engine/engine-api";
import type { EngineSwitch } from "../engine/engine-switch";
import { engineEmbedder, prefixedEmbedder } from "../memory/embedder";
import type { Embedder } from "../memory/embedder";
import { catalogEmbeddingFacts } from "../models/embedding-prefixes";
import type { ChatContextTracker } from "./chat-context";
import { codebaseRetriever } from "./codebase-chat";
import { CodebaseMemoryHost } from "./codebase-memory";
import { readConfig } from "./config";
import { registerCodebaseCommands } from "./codebase-search-pick";
import type { HearthLog } from "./log";

/** How long codebase search waits for the symbol index (it answers keystrokes within 60 ms; a question can wait more). */
const SYMBOL_TIMEOUT_MS = 300;

/** Codebase memory wired into the editor: the index host, its commands, and `@codebase` in the chat. */
export function registerCodebaseMemory(
  context: vscode.ExtensionContext,
  deps: { engine: Engine & Pick<EngineSwitch, "onDidChangeEngine">; log: HearthLog; contextEngine: ContextEngine; chatContext: ChatContextTracker },
): { host: CodebaseMemoryHost; disposables: vscode.Disposable[] } {
  const logger = scopedLogger(deps.log, "codebase");
  const embedder: Embedder = prefixedEmbedder(engineEmbedder(deps.engine), () => catalogEmbeddingFacts(readConfig().embedding.modelPath));
  const host = new CodebaseMemoryHost({
    storageDir: context.storageUri?.fsPath,
    grammarsDir: context.asAbsolutePath("grammars"),
    logger,
    embedder,
    symbols: (names, signal) => deps.contextEngine.findDefinitions(names, SYMBOL_TIMEOUT_MS, signal),
  });
  deps.chatContext.setCodebaseRetriever(codebaseRetriever(host, logger));
  const disposables: vscode.Disposable[] = [
    host,
    ...registerCodebaseCommands(host),
    vscode.workspace.onDidChangeConfiguration((e) => {
      // Another embedding model: vectors of the old one mean nothing to it, and the next pass rebuilds the store.
      if (e.affectsConfiguration("hearth.embedding.modelPath")) void host.reindex();
    }),
    // While a completion or a chat answer runs on the completion model, the whole indexer waits (chunking, writes,
    // compaction), not only the engine's embedding lane.
    deps.engine.onDidChangeStatus((status) => host.memory?.setBusy(status.kind === "ready" && status.busy)),
    // Another engine (the server kind, another server) embeds with another model: the same. Before the first pass has
    // ended there is nothing to redo (the startup pass asks whichever engine answers then).
    deps.engine.onDidChangeEngine(() => {
      if (host.summary) void host.reindex();
    }),
  ];
  return { host, disposables };
}
