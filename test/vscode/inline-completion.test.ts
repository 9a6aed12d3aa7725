// Inline completions in a real extension host: VS Code asks Hearth's provider, the scripted model answers through the
// real engine process, and accepting the ghost text puts exactly the scripted completion into the document.
import * as assert from "node:assert/strict";
import * as vscode from "vscode";
import type { HearthApi } from "../../src/extension";
import { DEFAULT_SCRIPT, ensureTestModel } from "../fixtures/models/test-models";
import { hearth, openAt, putBack, setModel, waitFor } from "./helpers";

describe("Inline completions in the extension host", function () {
  this.timeout(90_000);
  let api: HearthApi;

  before(async () => {
    api = await hearth();
    await setModel(await ensureTestModel("scripted"));
    await waitFor(() => api.engine.status.kind === "idle" || api.engine.status.kind === "ready", "the scripted model to be accepted");
    await api.engine.load();
  });

  after(async () => {
    await vscode.commands.executeCommand("workbench.action.files.revert");
    await vscode.workspace.getConfiguration("hearth").update("model.path", undefined, vscode.ConfigurationTarget.Global);
  });

  it("puts exactly the scripted completion into the document when the ghost text is accepted", async () => {
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
      assert.equal(await suggested, DEFAULT_SCRIPT.fim);
      await waitFor(async () => {
        await vscode.commands.executeCommand("editor.action.inlineSuggest.commit");
        return editor.document.getText() !== before;
      }, "the ghost text to be accepted");
      const expected = before.slice(0, editor.document.offsetAt(new vscode.Position(6, 2))) + DEFAULT_SCRIPT.fim + before.slice(editor.document.offsetAt(new vscode.Position(6, 2)));
      assert.equal(editor.document.getText(), expected);
    } finally {
      // Auto-saved, the accepted completion would be in the suffix of every later suite's completion in this file.
      await putBack(editor.document, before);
    }
  });

  it("aborts the generation in the engine when the request is cancelled mid-way", async () => {
    const tiny = await ensureTestModel("tiny");
    await vscode.workspace.getConfiguration("hearth").update("model.path", tiny, vscode.ConfigurationTarget.Global);
    await waitFor(() => api.engine.status.kind === "idle", "the tiny model to replace the scripted one");
    await api.engine.load();
    const editor = await openAt("src/todo.ts", 6, 2);
    const controller = new AbortController();
    const started = Date.now();
    // Listened for rather than polled: a short generation can begin and end between two polls.
    const generating = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("timed out after 10000 ms waiting for the engine to start generating")), 10_000);
      const sub = api.engine.onDidChangeStatus((status) => {
        if (status.kind !== "ready" || !status.busy) return;
        clearTimeout(timer);
        sub.dispose();
        resolve();
      });
    });
    const pending = api.completions.provide({
      snapshot: { uri: editor.document.uri.toString(), languageId: "typescript", text: editor.document.getText(), offset: editor.document.offsetAt(editor.selection.active) },
      triggerKind: "invoked",
      signal: controller.signal,
    });
    await generating;
    controller.abort();
    assert.equal(await pending, null);
    await waitFor(() => api.engine.status.kind === "ready" && !api.engine.status.busy, "the engine to stop generating", 5_000);
    assert.ok(Date.now() - started < 10_000);
  });
});
