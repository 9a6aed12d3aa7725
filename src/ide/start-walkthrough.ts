import * as vscode from "vscode";
import { errorMessage } from "../common/errors";
import type { Logger } from "../common/logger";

/** The walkthrough package.json contributes (contributes.walkthroughs[0].id). */
export const WALKTHROUGH_ID = "hearth.start";
const SEEN_KEY = "hearth.walkthroughRequestSeen";

/**
 * Opens Hearth's walkthrough beside the editor when the process that started VS Code asked for it: `npm start`
 * (scripts/start.ts) sets HEARTH_OPEN_WALKTHROUGH to a new value on each run. Each value is honoured once per
 * workspace, so reloading the window does not open it again. VS Code itself opens the walkthrough when Hearth is
 * installed from a VSIX or the marketplace; for an extension under development it never does.
 */
export function openWalkthroughIfAsked(context: vscode.ExtensionContext, log: Logger, request = process.env.HEARTH_OPEN_WALKTHROUGH): void {
  if (!request || context.workspaceState.get<string>(SEEN_KEY) === request) return;
  void context.workspaceState.update(SEEN_KEY, request);
  const category = `${context.extension.id}#${WALKTHROUGH_ID}`;
  // With a model set (`npm start` always sets one) the first step is done: the walkthrough opens on the next one.
  const walkthrough = vscode.workspace.getConfiguration("hearth").get<string>("model.path") ? { category, step: "tryCompletion" } : category;
  // The file the window opened keeps the keyboard, so a person can start typing where the walkthrough says.
  const editor = vscode.window.activeTextEditor;
  Promise.resolve(vscode.commands.executeCommand("workbench.action.openWalkthrough", walkthrough, { toSide: true }))
    .then(() => editor && vscode.window.showTextDocument(editor.document, { viewColumn: editor.viewColumn ?? vscode.ViewColumn.One, selection: editor.selection }))
    .catch((error: unknown) => log.warn(`could not open the walkthrough: ${errorMessage(error)}`));
}
