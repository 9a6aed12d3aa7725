import { existsSync } from "node:fs";
import * as vscode from "vscode";
import type { PieceLocation } from "../chat/prompt";
import type { Logger } from "../common/logger";
import { resolvesWithin } from "../context/index/workspace-files";

export interface ChipOpenDeps {
  /** The place a chip stands for, as the host retrieved it (ChatContextTracker.locationOf). */
  locationOf(chipId: string): PieceLocation | undefined;
  log: Logger;
}

/**
 * A chip's `openChip`: opens the file with the chip's lines in view and the cursor on the first of them. Not selected:
 * the chat's chips follow the editor's selection, and a Selection chip would send the snippet a second time. The webview names only a chip; the
 * place is the one the host retrieved for it, and it must be a file of an open workspace folder (the index lists only
 * those, but a store written by another build or another window is not trusted to).
 */
export async function openChip(deps: ChipOpenDeps, chipId: string): Promise<vscode.TextEditor | undefined> {
  const location = deps.locationOf(chipId);
  if (!location) {
    deps.log.warn(`chat: ignored a request to open chip "${chipId}": it stands for no place Hearth retrieved`);
    return undefined;
  }
  const uri = vscode.Uri.file(location.path);
  if (!existsSync(location.path)) {
    deps.log.warn(`chat: did not open ${location.path}: it is no longer there`);
    void vscode.window.showWarningMessage(`Hearth: ${location.path} is no longer there.`);
    return undefined;
  }
  // Its links followed, and its ".." too: a file indexed in the workspace may since have become a link to another
  // place (a checkout, a hostile repository), and the name alone says nothing of where it leads.
  const roots = (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === "file").map((f) => f.uri.fsPath);
  if (!vscode.workspace.getWorkspaceFolder(uri) || !(await resolvesWithin(location.path, roots))) {
    deps.log.warn(`chat: did not open ${location.path}: it is outside the workspace folders`);
    return undefined;
  }
  const doc = await vscode.workspace.openTextDocument(uri);
  // The file may have shrunk since it was indexed: open at what is left of the range.
  const last = Math.max(0, Math.min(location.endLine, doc.lineCount - 1));
  const first = Math.max(0, Math.min(location.startLine, last));
  const range = new vscode.Range(first, 0, last, doc.lineAt(last).text.length);
  const editor = await vscode.window.showTextDocument(doc, { selection: new vscode.Range(range.start, range.start), preview: true });
  editor.revealRange(range, vscode.TextEditorRevealType.AtTop);
  return editor;
}
