// `hearth complete FILE:LINE:COL`: the suggestion the editor would show at that position, through the extension's own
// pipeline (src/completion/completion-pipeline.ts): the context engine with the workspace index, the request manager,
// the FIM layout and the post-processing.
import { basename, resolve } from "node:path";
import type { Logger } from "../common/logger";
import type { HearthConfig } from "../common/settings";
import { CompletionPipeline, completionEnabledFor, completionRefusedIn, pathInFolder } from "../completion/completion-pipeline";
import type { DocumentSnapshot, Suggestion } from "../completion/completion-types";
import { takeSnapshot } from "../completion/document-snapshot";
import type { AssembledContext, ContextItem } from "../context/context-types";
import { countNewlines } from "../context/text-lines";
import type { EngineClient } from "../engine/client";
import { offsetAt, parseFilePosition, UsageError, type ParsedArgs } from "./args";
import { followSession, readEditorSession, type EditorSession, type OpenFile } from "./editor-session";
import { loadModel, type HearthInstall } from "./runtime";

export interface CompleteRequest {
  session: EditorSession;
  offset: number;
  line: number;
  column: number;
}

/** Reads what `complete` is asked: the position, and the session around its file. */
export async function readCompleteRequest(args: ParsedArgs, cwd: string): Promise<CompleteRequest> {
  const spec = args.positionals[0];
  if (!spec) throw new UsageError("complete needs FILE:LINE:COL");
  if (args.positionals.length > 1) throw new UsageError(`complete takes one FILE:LINE:COL, got ${args.positionals.length} positionals`);
  const position = parseFilePosition(spec);
  const session = await readEditorSession(args, position.file, cwd);
  return { session, offset: offsetAt(session.file.text, position.line, position.column), line: position.line, column: position.column };
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
    /** Whether the workspace index answered within the deadline a keystroke gives it. */
    indexAnswered: boolean;
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
  const { session } = request;
  const { file } = session;
  const output: CompleteOutput = { file: file.path, line: request.line, column: request.column, languageId: file.languageId, completion: null };
  if (!completionEnabledFor(deps.config, file.languageId)) {
    return { ...output, reason: `completions are off for ${file.languageId} (hearth.completion.enable / hearth.completion.languages)` };
  }
  const refused = completionRefusedIn(file.path);
  if (refused) return { ...output, reason: `no completions in ${refused}` };
  const relativePath = (path: string) => pathInFolder(session.workspace, path) ?? path;
  // Built before the model loads, as in the extension.
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
    const loaded = await loadModel(deps.engine, { config: deps.config, workspace: session.workspace, signal: deps.signal });
    const model = { name: loaded.name, architecture: loaded.architecture, fimFormat: loaded.fimFormat, threads: loaded.threads, loadMs: loaded.loadMs };
    if (!loaded.fimSupported) return { ...output, model, reason: `${loaded.name} cannot fill in the middle: it has no FIM tokens` };
    await followSession(pipeline, session, deps.signal);
    const snapshot = snapshotOf(file, request.offset, session.workspace);
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
    indexAnswered: context.indexAnswered,
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
