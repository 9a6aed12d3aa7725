// Next-edit suggestions in a real extension host: the user's edit goes through VS Code's change events into the
// history, the scripted next-edit model answers through the real engine process, and Tab (hearth.nextEdit.accept)
// goes to the edit and applies it as one undo step.
import * as assert from "node:assert/strict";
import * as vscode from "vscode";
import type { HearthApi } from "../../src/extension";
import { ADD_FIELD, RENAME, ensureNextEditModel, type NextEditScenario } from "../fixtures/models/next-edit-models";
import { ensureTestModel } from "../fixtures/models/test-models";
import { hearth, waitFor } from "./helpers";

describe("Next-edit suggestions in the extension host", function () {
  this.timeout(120_000);
  let api: HearthApi;

  before(async () => {
    api = await hearth();
    await vscode.workspace.getConfiguration("hearth").update("engine.threads", 1, vscode.ConfigurationTarget.Global);
  });

  afterEach(async () => {
    await vscode.commands.executeCommand("hearth.nextEdit.dismiss");
    await vscode.commands.executeCommand("workbench.action.revertAndCloseActiveEditor");
  });

  after(async () => {
    await vscode.workspace.getConfiguration("hearth").update("nextEdit.modelPath", undefined, vscode.ConfigurationTarget.Global);
  });

  async function useModel(scenario: NextEditScenario): Promise<void> {
    const path = await ensureNextEditModel(scenario.rewrite);
    await vscode.workspace.getConfiguration("hearth").update("nextEdit.modelPath", path, vscode.ConfigurationTarget.Global);
    await waitFor(() => api.nextEdit.modelState.kind === "ready" && api.nextEdit.modelState.modelPath === path, "the next-edit model to be taken");
  }

  async function openScenario(scenario: NextEditScenario): Promise<vscode.TextEditor> {
    const document = await vscode.workspace.openTextDocument({ language: "typescript", content: scenario.before });
    return vscode.window.showTextDocument(document);
  }

  function nextShown(): Promise<NonNullable<HearthApi["nextEdit"]["shown"]>> {
    return new Promise((resolve) => {
      const sub = api.nextEdit.onDidShow((shown) => {
        sub.dispose();
        resolve(shown);
      });
    });
  }

  /**
   * The end of the next request, with what it drew if it showed a suggestion. Unlike onDidShow, which fires only for a
   * suggestion, every request ends here: a request that ends otherwise fails the test with its outcome at once.
   */
  function nextSettledShown(): Promise<NonNullable<HearthApi["nextEdit"]["shown"]>> {
    return new Promise((resolve, reject) => {
      const sub = api.nextEdit.onDidSettle((outcome) => {
        sub.dispose();
        // The extension draws a suggestion in its own listener of this event, registered before this one.
        const shown = api.nextEdit.shown;
        if (outcome.kind === "shown" && shown) resolve(shown);
        else reject(new Error(`the request ended ${JSON.stringify(outcome)} instead of showing a suggestion`));
      });
    });
  }

  /**
   * Puts the cursor at `offset` and waits for VS Code to report the move: the extension's selection listener (which
   * cancels a pending request) has then seen it, so it cannot cancel the request of an edit that follows.
   */
  async function placeCursor(editor: vscode.TextEditor, offset: number): Promise<void> {
    const position = editor.document.positionAt(offset);
    if (editor.selection.isEmpty && editor.selection.active.isEqual(position)) return;
    const moved = new Promise<void>((resolve) => {
      const sub = vscode.window.onDidChangeTextEditorSelection((event) => {
        if (event.textEditor.document !== editor.document || !event.selections[0]?.active.isEqual(position)) return;
        sub.dispose();
        resolve();
      });
    });
    editor.selection = new vscode.Selection(position, position);
    await moved;
  }

  /** The suggestion shown once one with this text is (it may already be). */
  function shownWithText(pattern: RegExp): Promise<NonNullable<HearthApi["nextEdit"]["shown"]>> {
    const now = api.nextEdit.shown;
    if (now && pattern.test(now.suggestion.text)) return Promise.resolve(now);
    return new Promise((resolve) => {
      const sub = api.nextEdit.onDidShow((shown) => {
        if (!pattern.test(shown.suggestion.text)) return;
        sub.dispose();
        resolve(shown);
      });
    });
  }

  /** Types `text` at the cursor as one change, as a keystroke or a paste does. */
  async function typeAtCursor(editor: vscode.TextEditor, text: string): Promise<void> {
    const at = editor.selection.active;
    assert.ok(await editor.edit((builder) => builder.insert(at, text), { undoStopBefore: true, undoStopAfter: false }), `typed ${text}`);
  }

  /** Tab until the shown suggestion is applied (a far edit takes two). */
  async function takeShown(editor: vscode.TextEditor): Promise<void> {
    const before = editor.document.getText();
    for (let i = 0; i < 2 && editor.document.getText() === before; i++) await vscode.commands.executeCommand("hearth.nextEdit.accept");
    await waitFor(() => editor.document.getText() !== before, "the suggestion to be applied");
  }

  it("after a renamed parameter, shows its use renamed away from the cursor: one Tab goes there, one applies it, one undo reverts it", async () => {
    await useModel(RENAME);
    const editor = await openScenario(RENAME);
    await placeCursor(editor, RENAME.before.indexOf("w:") + 1);
    const shown = nextSettledShown();
    await typeAtCursor(editor, "idth");
    const first = await shown;
    assert.equal(first.phase, "jump");
    assert.equal(first.suggestion.text, "idth");
    const edited = editor.document.getText();
    const again = nextShown();
    await vscode.commands.executeCommand("hearth.nextEdit.accept");
    assert.equal((await again).phase, "apply");
    assert.equal(editor.selection.active.line, 1, "the first Tab moved the cursor to the edit's line");
    assert.equal(editor.document.getText(), edited, "the first Tab changed nothing");
    await vscode.commands.executeCommand("hearth.nextEdit.accept");
    await waitFor(() => editor.document.getText() === RENAME.rewrite, "the rename to be applied");
    await vscode.commands.executeCommand("undo");
    await waitFor(() => editor.document.getText() === edited, "one undo to revert exactly the applied edit");
  });

  it("after an added field, suggests it in the constructor and then in its body; taking both gives the model's rewrite", async () => {
    await useModel(ADD_FIELD);
    const editor = await openScenario(ADD_FIELD);
    const at = editor.document.positionAt(ADD_FIELD.before.indexOf("  constructor"));
    const shown = nextShown();
    await editor.edit((builder) => builder.insert(at, "  z: number;\n"));
    assert.equal((await shown).suggestion.text, ", z: number");
    await takeShown(editor);
    await shownWithText(/this\.z = z;/);
    await takeShown(editor);
    assert.equal(editor.document.getText(), ADD_FIELD.rewrite);
  });

  it("never shows a suggestion for an older version: an edit while the model works replaces the request", async () => {
    await useModel(RENAME);
    const editor = await openScenario(RENAME);
    await placeCursor(editor, RENAME.before.indexOf("w:") + 1);
    const mismatched: string[] = [];
    const watch = api.nextEdit.onDidShow(({ suggestion }) => {
      if (suggestion.version !== editor.document.version) mismatched.push(`shown for ${suggestion.version} at ${editor.document.version}`);
    });
    let typedAgain = false;
    const start = api.nextEdit.onDidStart(() => {
      if (typedAgain) return;
      typedAgain = true;
      const end = editor.document.positionAt(RENAME.before.indexOf("w:") + 3);
      void editor.edit((builder) => builder.insert(end, "th"));
    });
    const outcomes: string[] = [];
    const settle = api.nextEdit.onDidSettle((outcome) => outcomes.push(outcome.kind));
    await typeAtCursor(editor, "id");
    await waitFor(() => editor.document.getText().includes("width:") && outcomes.length >= 2, "both requests to end");
    watch.dispose();
    start.dispose();
    settle.dispose();
    assert.deepEqual(mismatched, []);
    assert.ok(["cancelled", "stale", "shown"].includes(outcomes[0]!), outcomes.join(", "));
  });

  it("cancels on a cursor move: nothing stays shown", async () => {
    await useModel(RENAME);
    const editor = await openScenario(RENAME);
    await placeCursor(editor, RENAME.before.indexOf("w:") + 1);
    const settled = new Promise<string>((resolve) => {
      const sub = api.nextEdit.onDidSettle((outcome) => {
        sub.dispose();
        resolve(outcome.kind);
      });
    });
    const start = api.nextEdit.onDidStart(() => {
      editor.selection = new vscode.Selection(new vscode.Position(3, 0), new vscode.Position(3, 0));
    });
    await typeAtCursor(editor, "idth");
    const kind = await settled;
    start.dispose();
    await waitFor(() => editor.selection.active.line === 3, "the cursor move to arrive");
    await waitFor(() => api.nextEdit.shown === undefined, "the suggestion to be cleared by the move");
    assert.ok(["cancelled", "shown"].includes(kind), kind);
  });

  it("says a completion model is not a next-edit model and shows nothing", async () => {
    const path = await ensureTestModel("scripted");
    await vscode.workspace.getConfiguration("hearth").update("nextEdit.modelPath", path, vscode.ConfigurationTarget.Global);
    await waitFor(() => api.nextEdit.modelState.kind === "unusable", "the model to be refused");
    const state = api.nextEdit.modelState;
    assert.match(state.kind === "unusable" ? state.message : "", /is not a next-edit model/);
  });
});
