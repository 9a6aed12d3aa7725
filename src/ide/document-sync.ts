import * as vscode from "vscode";
import type { ContextEngine } from "../context/context-engine";

/** Documents the context module follows: real files and unsaved buffers, not output panes or git views. */
function isTracked(document: vscode.TextDocument): boolean {
  return document.uri.scheme === "file" || document.uri.scheme === "untitled" || document.uri.scheme === "vscode-remote";
}

/**
 * Keeps the context module's copy of each open document (and its syntax tree) in step with the editor, edit by edit,
 * and tells it which files the user visits and edits (the recent-files snippets come from those).
 */
export function syncDocuments(context: ContextEngine): vscode.Disposable {
  // The documents already open are read just after activation, not during it: activation must stay a few milliseconds.
  const initial = setImmediate(() => {
    for (const document of vscode.workspace.textDocuments) {
      if (isTracked(document)) context.openDocument(document.uri.toString(), document.languageId, document.getText(), document.version);
    }
  });
  return vscode.Disposable.from(
    { dispose: () => clearImmediate(initial) },
    vscode.workspace.onDidOpenTextDocument((document) => {
      if (isTracked(document)) context.openDocument(document.uri.toString(), document.languageId, document.getText(), document.version);
    }),
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
    { dispose: () => (clearTimeout(timer), controller.abort()) },
    watcher,
    watcher.onDidChange((uri) => context.notifyFileChanged(uri.toString())),
    watcher.onDidCreate((uri) => context.notifyFileChanged(uri.toString())),
    watcher.onDidDelete((uri) => context.notifyFileDeleted(uri.toString())),
  );
}
