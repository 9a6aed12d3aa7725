import { basename } from "node:path";
import * as vscode from "vscode";
import { isAbortError } from "../common/abort";
import { errorMessage } from "../common/errors";
import { pathInFolder } from "../completion/completion-pipeline";
import type { DocumentSnapshot } from "../completion/completion-types";
import { takeSnapshot, type DocumentSource } from "../completion/document-snapshot";
import type { RequestManager } from "../completion/request-manager";
import { COMMANDS } from "./command-ids";
import type { CompletionGate } from "./completion-gate";
import type { HearthLog } from "./log";

/**
 * The thin adapter between VS Code's inline completion API and the request manager: a document and position become
 * a snapshot, the cancellation token an AbortSignal, and a suggestion an InlineCompletionItem. No policy lives here.
 */
export class HearthInlineCompletionProvider implements vscode.InlineCompletionItemProvider {
  constructor(
    private readonly manager: RequestManager,
    private readonly gate: CompletionGate,
    private readonly log: HearthLog,
  ) {}

  async provideInlineCompletionItems(
    document: vscode.TextDocument,
    position: vscode.Position,
    context: vscode.InlineCompletionContext,
    token: vscode.CancellationToken,
  ): Promise<vscode.InlineCompletionItem[] | null> {
    if (!this.gate.allows(document.languageId, document.fileName)) return null;
    const controller = new AbortController();
    const cancel = token.onCancellationRequested(() => controller.abort());
    try {
      const selected = context.selectedCompletionInfo;
      const snapshot = toSnapshot(document, position, selected);
      const suggestion = await this.manager.provide({
        snapshot,
        triggerKind: context.triggerKind === vscode.InlineCompletionTriggerKind.Invoke ? "invoked" : "automatic",
        signal: controller.signal,
      });
      if (!suggestion || token.isCancellationRequested) return null;
      // With the suggest widget open, the ghost text must extend the item it has selected.
      const range = selected ? selected.range : new vscode.Range(position, position);
      const insertText = (selected ? selected.text : "") + suggestion.text;
      const item = new vscode.InlineCompletionItem(insertText, range, {
        command: COMMANDS.completionAccepted,
        title: "Hearth: suggestion accepted",
        arguments: [document.uri.toString()],
      });
      return [item];
    } catch (error) {
      if (!isAbortError(error)) this.log.warn(`inline completion failed: ${errorMessage(error)}`);
      return null;
    } finally {
      cancel.dispose();
    }
  }
}

/**
 * The document at the cursor: its text, or for a document too large to copy per keystroke a window around the cursor
 * (document.getText() on 50 MB is a third of a second), with the version and the cursor's line the editor knows.
 */
export function toSnapshot(document: vscode.TextDocument, position: vscode.Position, selected?: vscode.SelectedCompletionInfo): DocumentSnapshot {
  const folder = vscode.workspace.getWorkspaceFolder(document.uri);
  const relativePath = folder && document.uri.scheme === folder.uri.scheme ? pathInFolder(folder.uri.fsPath, document.uri.fsPath) : undefined;
  return takeSnapshot(
    documentSource(document),
    document.offsetAt(position),
    selected ? { start: document.offsetAt(selected.range.start), end: document.offsetAt(selected.range.end), text: selected.text } : undefined,
    {
      ...(relativePath ? { relativePath } : document.uri.scheme === "file" ? { relativePath: basename(document.uri.fsPath) } : {}),
      ...(folder ? { repoName: folder.name } : {}),
    },
  );
}

/** The editor's document as the snapshot reads it: ranges by offset, its length from the line table (no copy). */
export function documentSource(document: vscode.TextDocument): DocumentSource {
  let known: number | undefined;
  const length = (): number => (known ??= document.offsetAt(document.lineAt(document.lineCount - 1).range.end));
  return {
    uri: document.uri.toString(),
    languageId: document.languageId,
    version: document.version,
    length,
    text: (start, end) => (start === 0 && end >= length() ? document.getText() : document.getText(new vscode.Range(document.positionAt(start), document.positionAt(end)))),
    lineAt: (offset) => document.positionAt(offset).line,
  };
}

/** A path as the prompt shows it: relative to its workspace folder when it is in one. */
export function workspaceRelativePath(path: string): string {
  const folder = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(path));
  return (folder && pathInFolder(folder.uri.fsPath, path)) ?? path;
}
