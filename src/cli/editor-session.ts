// What the editor would have open when a command runs: the file, the other tabs, the workspace folder; and the
// pipeline following them as the extension's document sync and workspace indexing do (src/ide/document-sync.ts).
import { readFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { CompletionPipeline } from "../completion/completion-pipeline";
import { pathInFolder } from "../completion/completion-pipeline";
import { DEFAULT_DOCUMENT_LIMITS } from "../context/document-store";
import { languageIdForPath } from "../context/languages";
import { listOption, stringOption, UsageError, type ParsedArgs } from "./args";

/** One file as the editor would hold it open. */
export interface OpenFile {
  path: string;
  uri: string;
  languageId: string;
  text: string;
}

export interface EditorSession {
  file: OpenFile;
  /** Other files open in the editor, in the order they were visited (the file itself is visited last). */
  tabs: OpenFile[];
  /** The workspace folder: what the index covers and what paths in prompts are relative to. */
  workspace: string;
}

/**
 * The session a command names: FILE (in `--language` when given), the `--open` tabs and the `--workspace` folder
 * (by default the current folder when FILE is in it, else FILE's folder). Paths are relative to `cwd`.
 */
export async function readEditorSession(args: ParsedArgs, file: string, cwd: string): Promise<EditorSession> {
  const opened = await openFile(resolve(cwd, file), stringOption(args, "language"));
  const tabs = await Promise.all(listOption(args, "open").map((path) => openFile(resolve(cwd, path))));
  const workspace = resolve(cwd, stringOption(args, "workspace") ?? (pathInFolder(cwd, opened.path) ? cwd : dirname(opened.path)));
  return { file: opened, tabs, workspace };
}

export async function openFile(path: string, languageId?: string): Promise<OpenFile> {
  const text = await readFile(path, "utf8").catch((error: NodeJS.ErrnoException) => {
    throw new UsageError(`cannot read ${path}: ${error.code ?? error.message}`);
  });
  return { path, uri: pathToFileURL(path).toString(), languageId: languageId ?? languageIdForPath(path) ?? "plaintext", text };
}

/**
 * Has the pipeline follow the session as the editor's would a moment after opening it: the tabs and then the file
 * opened and visited, the workspace indexed, the file parsed and the recent files cut into snippet windows.
 */
export async function followSession(pipeline: CompletionPipeline, session: EditorSession, signal: AbortSignal): Promise<void> {
  const { context } = pipeline;
  for (const tab of [...session.tabs, session.file]) {
    // As the document sync keeps them: a document larger than the context module keeps is followed by version only.
    context.openDocument(tab.uri, tab.languageId, tab.text.length <= DEFAULT_DOCUMENT_LIMITS.maxStoredChars ? tab.text : null, 1);
    context.noteVisited(tab.uri);
  }
  await context.indexWorkspace([session.workspace], signal);
  await context.whenParsed(session.file.uri);
  await context.whenRecentFilesReady();
}
