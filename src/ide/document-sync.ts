import * as vscode from "vscode";
import { toDisposable } from "../common/disposable";
import type { ContextEngine } from "../context/context-engine";
import { DEFAULT_DOCUMENT_LIMITS } from "../context/document-store";

/** Documents the context module follows: real files and unsaved buffers, not output panes or git views. */
function isTracked(document: vscode.TextDocument): boolean {
  return document.uri.scheme === "file" || document.uri.scheme === "untitled" || document.uri.scheme === "vscode-remote";
}

/**
 * The document's text for the context module, or null for one larger than it keeps (followed by version only): the
 * copy alone would stall the extension host (a 50 MB document's getText() is a third of a second).
 */
function keptText(document: vscode.TextDocument): string | null {
  const length = document.offsetAt(document.lineAt(document.lineCount - 1).range.end);
  return length <= DEFAULT_DOCUMENT_LIMITS.maxStoredChars ? document.getText() : null;
}

/**
 * Keeps the context module's copy of each open document (and its syntax tree) in step with the editor, edit by edit,
 * and tells it which files the user visits and edits (the recent-files snippets come from those).
 */
export function syncDocuments(context: ContextEngine): vscode.Disposable {
  const open = (document: vscode.TextDocument): void => {
    if (isTracked(document)) context.openDocument(document.uri.toString(), document.languageId, keptText(document), document.version);
  };
  // The documents already open are read just after activation, not during it (activation must stay a few
  // milliseconds), and one per turn of the event loop, so that several large ones do not add up to one long stall.
  const pending = [...vscode.workspace.textDocuments];
  const openNext = (): void => {
    const document = pending.shift();
    if (!document) return;
    if (!document.isClosed) open(document);
    initial = setImmediate(openNext);
  };
  let initial = setImmediate(openNext);
  return vscode.Disposable.from(
    toDisposable(() => clearImmediate(initial)),
    vscode.workspace.onDidOpenTextDocument(open),
    vscode.workspace.onDidCloseTextDocument((document) => context.closeDocument(document.uri.toString())),
    vscode.workspace.onDidChangeTextDocument((event) => {
      if (!isTracked(event.document) || event.contentChanges.length === 0) return;
      const uri = event.document.uri.toString();
      // Offsets refer to the text before the event; applied bottom-up, earlier offsets stay valid.
      const edits = [...event.contentChanges]
        .sort((a, b) => b.rangeOffset - a.rangeOffset)
        .map((change) => ({ startOffset: change.rangeOffset, endOffset: change.rangeOffset + change.rangeLength, text: change.text }));
      context.applyEdit(uri, edits, event.document.version);
      context.noteEdited(uri, event.contentChanges[0]!.rangeOffset);
    }),
    vscode.window.onDidChangeActiveTextEditor((editor) => {
      if (editor && isTracked(editor.document)) context.noteVisited(editor.document.uri.toString());
    }),
  );
}

/**
 * Indexes the workspace's symbols off the extension host's thread, a little after start-up so that activation and the
 * first keystrokes stay fast, and keeps the index fresh from a file watcher.
 */
export function indexWorkspace(context: ContextEngine, delayMs = 3000): vscode.Disposable {
  const controller = new AbortController();
  const timer = setTimeout(() => {
    const folders = (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === "file").map((f) => f.uri.fsPath);
    if (folders.length > 0) void context.indexWorkspace(folders, controller.signal);
  }, delayMs);
  const watcher = vscode.workspace.createFileSystemWatcher("**/*");
  return vscode.Disposable.from(
    toDisposable(() => {
      clearTimeout(timer);
      controller.abort();
    }),
    watcher,
    watcher.onDidChange((uri) => context.notifyFileChanged(uri.toString())),
    watcher.onDidCreate((uri) => context.notifyFileChanged(uri.toString())),
    watcher.onDidDelete((uri) => context.notifyFileDeleted(uri.toString())),
  );
}
