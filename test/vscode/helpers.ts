// What the suites of the vscode layer share: Hearth's extension and API, a wait on a condition, the test workspace's
// files and the model settings. (index.ts runs only *.test.js files, so this module is no suite of its own.)
import * as assert from "node:assert/strict";
import * as vscode from "vscode";
import type { HearthApi } from "../../src/extension";

export const EXTENSION_ID = "hearth.hearth";

/** Hearth as VS Code knows it (its package.json, whether it is active). */
export function hearthExtension(): vscode.Extension<HearthApi> {
  const ext = vscode.extensions.getExtension<HearthApi>(EXTENSION_ID);
  assert.ok(ext, `Hearth (${EXTENSION_ID}) is installed`);
  return ext;
}

/** Hearth's API; activates the extension when it is not active yet. */
export function hearth(): Promise<HearthApi> {
  return Promise.resolve(hearthExtension().activate());
}

/**
 * Checks the state until `check` holds, and fails naming `what` after `timeoutMs`: the tests wait on what they need,
 * not on a guessed delay.
 */
export async function waitFor(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A file of the test workspace (test/fixtures/workspace). */
export function workspaceFile(...parts: string[]): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, "the test workspace is open");
  return vscode.Uri.joinPath(folder.uri, ...parts);
}

/** Opens a workspace file with the cursor at a 0-based line and column, undoing whatever an earlier test left in it. */
export async function openAt(relativePath: string, line: number, character: number): Promise<vscode.TextEditor> {
  const document = await vscode.workspace.openTextDocument(workspaceFile(relativePath));
  const editor = await vscode.window.showTextDocument(document);
  if (document.isDirty) await vscode.commands.executeCommand("workbench.action.files.revert");
  const position = new vscode.Position(line, character);
  editor.selection = new vscode.Selection(position, position);
  return editor;
}

/**
 * Puts a workspace file's text back, saves it and closes its editor. code-server is VS Code for the web, whose
 * files.autoSave default is "afterDelay": an edit a test leaves in a file for a second is on disk, where a revert in an
 * after hook cannot undo it and every later suite reads it. The editor is closed because putting the text back is an
 * edit too: the model of the suite would answer it, and its ghost text would wait at the cursor for the next suite.
 */
export async function putBack(document: vscode.TextDocument, text: string): Promise<void> {
  if (document.getText() !== text) {
    const edit = new vscode.WorkspaceEdit();
    edit.replace(document.uri, new vscode.Range(document.positionAt(0), document.positionAt(document.getText().length)), text);
    await vscode.workspace.applyEdit(edit);
  }
  if (document.isDirty) await document.save();
  if (vscode.window.activeTextEditor?.document === document) await vscode.commands.executeCommand("workbench.action.closeActiveEditor");
}

/**
 * Points Hearth at a model (undefined: none) with one thread, as every test runs, and the given context window where
 * one is given.
 */
export async function setModel(path: string | undefined, options: { contextSize?: number } = {}): Promise<void> {
  const config = vscode.workspace.getConfiguration("hearth");
  await config.update("engine.threads", 1, vscode.ConfigurationTarget.Global);
  if (options.contextSize !== undefined) await config.update("engine.contextSize", options.contextSize, vscode.ConfigurationTarget.Global);
  await config.update("model.path", path, vscode.ConfigurationTarget.Global);
}
