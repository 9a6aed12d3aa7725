// Completions in documents too large to copy per keystroke, in a real extension host: the snapshot is a window of the
// editor's document, read through VS Code's own TextDocument, and a completion there still comes back.
import * as assert from "node:assert/strict";
import * as vscode from "vscode";
import type { HearthApi } from "../../src/extension";
import { toSnapshot } from "../../src/ide/inline-completion-provider";
import { DEFAULT_SCRIPT, ensureTestModel } from "../fixtures/models/test-models";
import { hearth, setModel, waitFor } from "./helpers";

/**
 * An untitled document of `lines` lines of code (over a megabyte), shown, with the cursor in the empty body of a
 * function on line `cursorLine`.
 */
async function openLarge(lines: number, cursorLine: number): Promise<vscode.TextEditor> {
  const code = Array.from({ length: lines }, (_, i) => `const value${i} = compute(${i}, "padding to make the line longer");`);
  code.splice(cursorLine - 1, 3, "function countDone(items) {", "  ", "}");
  const document = await vscode.workspace.openTextDocument({ language: "javascript", content: code.join("\n") });
  const editor = await vscode.window.showTextDocument(document);
  const position = new vscode.Position(cursorLine, 2);
  editor.selection = new vscode.Selection(position, position);
  return editor;
}

describe("Completions in a document too large to copy per keystroke", function () {
  this.timeout(90_000);
  let api: HearthApi;

  before(async () => {
    api = await hearth();
    await setModel(await ensureTestModel("scripted"));
    await waitFor(() => api.engine.status.kind === "idle" || api.engine.status.kind === "ready", "the scripted model to be accepted");
    await api.engine.load();
  });

  afterEach(() => vscode.commands.executeCommand("workbench.action.revertAndCloseActiveEditor"));
  after(() => vscode.workspace.getConfiguration("hearth").update("model.path", undefined, vscode.ConfigurationTarget.Global));

  it("takes a window of the editor's document around the cursor, with its line, version and first lines", async () => {
    const editor = await openLarge(20_000, 15_000);
    const document = editor.document;
    const position = editor.selection.active;
    const snapshot = toSnapshot(document, position);
    const offset = document.offsetAt(position);
    assert.ok(snapshot.window, "a window, not the whole text");
    assert.equal(snapshot.window.documentLength, document.getText().length);
    assert.equal(snapshot.window.start + snapshot.offset, offset);
    assert.equal(snapshot.text, document.getText().slice(snapshot.window.start, snapshot.window.start + snapshot.text.length));
    assert.equal(snapshot.window.head, document.getText().slice(0, snapshot.window.head?.length));
    assert.equal(snapshot.cursorLine, 15_000);
    assert.equal(snapshot.version, document.version);
  });

  it("suggests the model's completion at the cursor of such a document", async () => {
    await openLarge(20_000, 15_000);
    const suggested = new Promise<string>((resolve) => {
      const sub = api.completions.onDidSuggest((suggestion) => {
        sub.dispose();
        resolve(suggestion.text);
      });
    });
    await vscode.commands.executeCommand("hearth.triggerCompletion");
    assert.equal(await suggested, DEFAULT_SCRIPT.fim);
  });
});
