// `hearth complete FILE:LINE:COL`: the suggestion the editor would show at that position, through the extension's own
// pipeline (src/completion/completion-pipeline.ts): the context engine with the workspace index, the request manager,
// the FIM layout and the post-processing.
import { readFile } from "node:fs/promises";
import { basename, dirname, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { Logger } from "../common/logger";
import type { HearthConfig } from "../common/settings";
import { CompletionPipeline, completionEnabledFor, pathInFolder } from "../completion/completion-pipeline";
import type { DocumentSnapshot, Suggestion } from "../completion/completion-types";
import { takeSnapshot } from "../completion/document-snapshot";
import type { AssembledContext, ContextItem } from "../context/context-types";
import { DEFAULT_DOCUMENT_LIMITS } from "../context/document-store";
import { languageIdForPath } from "../context/languages";
import { countNewlines } from "../context/text-lines";
import type { EngineClient } from "../engine/client";
import { listOption, offsetAt, parseFilePosition, stringOption, UsageError, type ParsedArgs } from "./args";
import { loadModel, type HearthInstall } from "./runtime";

/** One file as the editor would hold it open. */
export interface OpenFile {
  path: string;
  uri: string;
  languageId: string;
  text: string;
}

export interface CompleteRequest {
  file: OpenFile;
  offset: number;
  line: number;
  column: number;
  /** The workspace folder: what the index covers and what paths in the prompt are relative to. */
  workspace: string;
  /** Other files open in the editor, in the order they were visited (the file itself is visited last). */
  tabs: OpenFile[];
}

/** Reads what `complete` is asked: the position, the file and its tabs, the workspace folder. */
export async function readCompleteRequest(args: ParsedArgs, cwd: string): Promise<CompleteRequest> {
  const spec = args.positionals[0];
  if (!spec) throw new UsageError("complete needs FILE:LINE:COL");
  if (args.positionals.length > 1) throw new UsageError(`complete takes one FILE:LINE:COL, got ${args.positionals.length} positionals`);
  const position = parseFilePosition(spec);
  const file = await openFile(resolve(cwd, position.file), stringOption(args, "language"));
  const tabs = await Promise.all(listOption(args, "open").map((path) => openFile(resolve(cwd, path))));
  const workspace = resolve(cwd, stringOption(args, "workspace") ?? (pathInFolder(cwd, file.path) ? cwd : dirname(file.path)));
  return { file, offset: offsetAt(file.text, position.line, position.column), line: position.line, column: position.column, workspace, tabs };
}

export async function openFile(path: string, languageId?: string): Promise<OpenFile> {
  const text = await readFile(path, "utf8").catch((error: NodeJS.ErrnoException) => {
    throw new UsageError(`cannot read ${path}: ${error.code ?? error.message}`);
  });
  return { path, uri: pathToFileURL(path).toString(), languageId: languageId ?? languageIdForPath(path) ?? "plaintext", text };
}

/** What `complete` prints. `completion` is the ghost text, null where the editor would show none (and `reason` why). */
export interface CompleteOutput {
  file: string;
  line: number;
  column: number;
  languageId: string;
  completion: string | null;
  reason?: string;
  latencyMs?: number;
  generation?: Suggestion["generation"];
  model?: { name: string; architecture: string; fimFormat: string | null; threads: number; loadMs: number };
  /** What went into the prompt: the windows around the cursor and the items from elsewhere, paths as the prompt shows them. */
  context?: {
    prefixChars: number;
    suffixChars: number;
    tokens: AssembledContext["tokens"];
    items: { kind: ContextItem["kind"]; source: ContextItem["source"]; path: string; startLine: number; endLine: number; tokens: number }[];
  };
}

/**
 * Runs one completion as the editor would: the tabs and the file opened and visited in order, the workspace indexed,
 * syntax trees and recent-file windows ready and the context weighed with the model's token counts (as they are a
 * moment into an editing session), then one invoked request through the request manager.
 */
export async function complete(
  request: CompleteRequest,
  deps: { install: HearthInstall; config: HearthConfig; engine: EngineClient; logger: Logger; signal: AbortSignal },
): Promise<CompleteOutput> {
  const { file } = request;
  const output: CompleteOutput = { file: file.path, line: request.line, column: request.column, languageId: file.languageId, completion: null };
  if (!completionEnabledFor(deps.config, file.languageId)) {
    return { ...output, reason: `completions are off for ${file.languageId} (hearth.completion.enable / hearth.completion.languages)` };
  }
  // Built before the model loads, as in the extension: it forgets what it cached whenever the model changes.
  const relativePath = (path: string) => pathInFolder(request.workspace, path) ?? path;
  const pipeline = new CompletionPipeline({
    engine: deps.engine,
    grammarsDir: resolve(deps.install.root, "grammars"),
    logger: deps.logger,
    budgetTokens: deps.config.completion.contextTokens,
    relativePath,
  });
  let assembled: AssembledContext | undefined;
  pipeline.onDidAssemble((context) => (assembled = context));
  try {
    const loaded = await loadModel(deps.engine, { config: deps.config, workspace: request.workspace, signal: deps.signal });
    const model = { name: loaded.name, architecture: loaded.architecture, fimFormat: loaded.fimFormat, threads: loaded.threads, loadMs: loaded.loadMs };
    if (!loaded.fimSupported) return { ...output, model, reason: `${loaded.name} cannot fill in the middle: it has no FIM tokens` };
    for (const tab of [...request.tabs, file]) {
      pipeline.context.openDocument(tab.uri, tab.languageId, tab.text.length <= DEFAULT_DOCUMENT_LIMITS.maxStoredChars ? tab.text : null, 1);
      pipeline.context.noteVisited(tab.uri);
    }
    await pipeline.context.indexWorkspace([request.workspace], deps.signal);
    await pipeline.context.whenParsed(file.uri);
    await pipeline.context.whenRecentFilesReady();
    const snapshot = snapshotOf(file, request.offset, request.workspace);
    await pipeline.settleTokenCounts(snapshot, deps.signal);
    const suggestion = await pipeline.manager.provide({ snapshot, triggerKind: "invoked", signal: deps.signal });
    const context = assembled && describeContext(assembled, relativePath);
    if (!suggestion) return { ...output, model, reason: "nothing worth showing came out", ...(context ? { context } : {}) };
    const { text, latencyMs, generation } = suggestion;
    return { ...output, completion: text, latencyMs: Math.round(latencyMs), ...(generation ? { generation } : {}), model, ...(context ? { context } : {}) };
  } finally {
    pipeline.dispose();
  }
}

function describeContext(context: AssembledContext, relativePath: (path: string) => string): NonNullable<CompleteOutput["context"]> {
  return {
    prefixChars: context.prefix.length,
    suffixChars: context.suffix.length,
    tokens: context.tokens,
    items: context.items.map((item) => ({ kind: item.kind, source: item.source, path: relativePath(item.path), startLine: item.startLine, endLine: item.endLine, tokens: item.tokens })),
  };
}

/** The document at the cursor as the editor's adapter takes it (src/ide/inline-completion-provider.ts toSnapshot). */
function snapshotOf(file: OpenFile, offset: number, workspace: string): DocumentSnapshot {
  const { text } = file;
  const inWorkspace = pathInFolder(workspace, file.path);
  return takeSnapshot(
    {
      uri: file.uri,
      languageId: file.languageId,
      version: 1,
      length: () => text.length,
      text: (start, end) => text.slice(start, end),
      lineAt: (at) => countNewlines(text, 0, at),
    },
    offset,
    undefined,
    // As in the editor: a file outside the workspace folder is named by its file name, with no repository.
    inWorkspace === undefined ? { relativePath: basename(file.path) } : { relativePath: inWorkspace, repoName: basename(workspace) },
  );
}
