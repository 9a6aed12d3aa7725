import { basename, relative, sep } from "node:path";
import * as vscode from "vscode";
import { isAbortError } from "../common/abort";
import type { DocumentSnapshot } from "../completion/completion-types";
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
    if (!this.gate.allows(document.languageId)) return null;
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
      if (!isAbortError(error)) this.log.warn(`inline completion failed: ${error instanceof Error ? error.message : String(error)}`);
      return null;
    } finally {
      cancel.dispose();
    }
  }
}

export function toSnapshot(document: vscode.TextDocument, position: vscode.Position, selected?: vscode.SelectedCompletionInfo): DocumentSnapshot {
  let text = document.getText();
  let offset = document.offsetAt(position);
  if (selected) {
    const start = document.offsetAt(selected.range.start);
    const end = document.offsetAt(selected.range.end);
    text = text.slice(0, start) + selected.text + text.slice(end);
    offset = start + selected.text.length;
  }
  const folder = vscode.workspace.getWorkspaceFolder(document.uri);
  const relativePath = folder && document.uri.scheme === folder.uri.scheme ? relative(folder.uri.fsPath, document.uri.fsPath).split(sep).join("/") : undefined;
  return {
    uri: document.uri.toString(),
    languageId: document.languageId,
    text,
    offset,
    ...(relativePath ? { relativePath } : document.uri.scheme === "file" ? { relativePath: basename(document.uri.fsPath) } : {}),
    ...(folder ? { repoName: folder.name } : {}),
  };
}

/** A path as the prompt shows it: relative to its workspace folder when it is in one. */
export function workspaceRelativePath(path: string): string {
  const folder = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(path));
  return folder ? relative(folder.uri.fsPath, path).split(sep).join("/") : path;
}
