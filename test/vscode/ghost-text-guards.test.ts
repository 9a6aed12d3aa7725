// Issue 15: a model that writes noise (repeats, U+FFFD, control characters) in a real extension host. What VS Code
// gets from Hearth's inline provider, and what Tab puts into the file, is only the text before the noise.
import * as assert from "node:assert/strict";
import * as vscode from "vscode";
import { findUnsafeCharacter } from "../../src/completion/postprocess/unsafe-characters";
import type { HearthApi } from "../../src/extension";
import { ISSUE_15_FIRST_LINE, ISSUE_15_GHOST_TEXT } from "../fixtures/completion/hostile-completions";
import { ensureTestModel } from "../fixtures/models/test-models";
import { hearth, openAt, putBack, setModel, waitFor } from "./helpers";

describe("Ghost text guards in the extension host", function () {
  this.timeout(90_000);
  let api: HearthApi;

  before(async () => {
    api = await hearth();
    await setModel(await ensureTestModel("scripted", { script: { fim: ISSUE_15_GHOST_TEXT, chat: "Hello." } }));
    await waitFor(() => api.engine.status.kind === "idle" || api.engine.status.kind === "ready", "the noisy scripted model to be accepted");
    await api.engine.load();
  });

  after(async () => {
    await vscode.commands.executeCommand("workbench.action.files.revert");
    await vscode.workspace.getConfiguration("hearth").update("model.path", undefined, vscode.ConfigurationTarget.Global);
  });

  it("puts only the line before issue 15's twenty lines of noise into the document when the ghost text is accepted", async () => {
    const editor = await openAt("src/todo.ts", 6, 2);
    const before = editor.document.getText();
    const suggested = new Promise<string>((resolve) => {
      const sub = api.completions.onDidSuggest((suggestion) => {
        sub.dispose();
        resolve(suggestion.text);
      });
    });
    try {
      await vscode.commands.executeCommand("hearth.triggerCompletion");
      assert.equal(await suggested, ISSUE_15_FIRST_LINE);
      await waitFor(async () => {
        await vscode.commands.executeCommand("editor.action.inlineSuggest.commit");
        return editor.document.getText() !== before;
      }, "the ghost text to be accepted");
      const cursor = editor.document.offsetAt(new vscode.Position(6, 2));
      assert.equal(editor.document.getText(), before.slice(0, cursor) + ISSUE_15_FIRST_LINE + before.slice(cursor));
      assert.equal(findUnsafeCharacter(editor.document.getText()), -1);
    } finally {
      await putBack(editor.document, before);
    }
  });
});
