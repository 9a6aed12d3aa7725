// The refactor actions in a real extension host with the scripted model: each command on a fixture file opens a diff
// whose right side is exactly the scripted proposal; Accept is one undoable edit, Discard writes nothing, an edit
// inside the target while the diff is open is refused; Explain answers in the chat; the light bulb offers the fix.
import * as assert from "node:assert/strict";
import * as vscode from "vscode";
import type { HearthApi } from "../../src/extension";
import type { ActionOutcome } from "../../src/actions/action-runner";
import { ACTION_ANSWER, AREA, DOCUMENTED_AREA } from "../fixtures/actions/scripts";
import { longAnswer } from "../fixtures/chat/scripts";
import { DEFAULT_SCRIPT, ensureTestModel } from "../fixtures/models/test-models";
import { hearth, hearthExtension, setModel, waitFor, workspaceFile } from "./helpers";

const ANSWER = ACTION_ANSWER;

/** An answer to Fix that breaks the syntax of a file that parsed. */
const BROKEN_ANSWER = "```ts\nexport function area(width: number, height: number): number {\n  return width * ;\n}\n```";

function diffTabs(): vscode.Tab[] {
  return vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputTextDiff && t.input.modified.scheme === "hearth-proposal");
}

/** Opens geometry.ts with the cursor inside area(), nothing selected. */
async function openGeometry(): Promise<{ doc: vscode.TextDocument; editor: vscode.TextEditor; before: string }> {
  const doc = await vscode.workspace.openTextDocument(workspaceFile("src", "geometry.ts"));
  const editor = await vscode.window.showTextDocument(doc, { preview: false });
  const at = doc.positionAt(doc.getText().indexOf("width * height"));
  editor.selection = new vscode.Selection(at, at);
  return { doc, editor, before: doc.getText() };
}

describe("Hearth refactor actions in the extension host", function () {
  this.timeout(180_000);
  let api: HearthApi;

  before(async () => {
    api = await hearth();
    const model = await ensureTestModel("scripted", { script: { fim: DEFAULT_SCRIPT.fim, chat: ANSWER } });
    await setModel(model, { contextSize: 4096 });
    await waitFor(() => api.engine.status.kind === "idle" || api.engine.status.kind === "ready", "the engine to accept the model");
    await api.chat.ready;
  });

  afterEach(async () => {
    await vscode.commands.executeCommand("hearth.chat.discardProposal");
    await vscode.commands.executeCommand("workbench.action.closeAllEditors");
  });

  after(async () => {
    const config = vscode.workspace.getConfiguration("hearth");
    for (const key of ["model.path", "engine.contextSize", "engine.threads"]) await config.update(key, undefined, vscode.ConfigurationTarget.Global);
  });

  for (const command of ["hearth.document", "hearth.fix", "hearth.editWithInstruction"]) {
    it(`${command} on the function at the cursor shows exactly the scripted proposal; Accept is one undo step`, async () => {
      const { doc, editor, before } = await openGeometry();
      const args = command === "hearth.editWithInstruction" ? [{ instruction: "document it" }] : [];
      const outcome = await vscode.commands.executeCommand<ActionOutcome>(command, ...args);
      assert.equal(outcome.status, "proposed", JSON.stringify(outcome));
      assert.equal(outcome.status === "proposed" && outcome.proposal, DOCUMENTED_AREA);
      assert.equal(outcome.status === "proposed" && outcome.warning, undefined);
      // The target was shown selected before the model ran.
      assert.equal(editor.document.getText(editor.selection), AREA);
      assert.equal(diffTabs().length, 1, "the diff is open");
      const proposed = before.replace(AREA, DOCUMENTED_AREA);
      assert.equal(api.chat.edits.proposedText(), proposed);
      // The diff's right side shows it (the read-only document follows the streamed updates).
      const right = () => vscode.workspace.textDocuments.find((d) => d.uri.scheme === "hearth-proposal" && d.uri.query.startsWith("proposal=") && !d.isClosed);
      await waitFor(() => right()?.getText() === proposed, "the diff's right side to show the proposal", 10_000);
      assert.equal(doc.getText(), before, "nothing is written before Accept");

      assert.equal(await vscode.commands.executeCommand("hearth.chat.acceptProposal"), true);
      assert.equal(doc.getText(), proposed);
      assert.equal(diffTabs().length, 0, "the diff closed");
      await vscode.window.showTextDocument(doc);
      await vscode.commands.executeCommand("undo");
      assert.equal(doc.getText(), before, "one undo restores the file");
    });
  }

  it("titles the finished diff plainly, and offers Accept only once the proposal is complete and differs", async () => {
    await openGeometry();
    assert.equal((await vscode.commands.executeCommand<ActionOutcome>("hearth.document")).status, "proposed");
    assert.deepEqual(diffTabs().map((t) => t.label), ["geometry.ts ↔ Hearth: Document"], "one diff, no longer writing");
    const pkg = hearthExtension().packageJSON as { contributes: { menus: Record<string, { command: string; when?: string }[]> } };
    const accept = pkg.contributes.menus["editor/title"]!.find((m) => m.command === "hearth.chat.acceptProposal");
    assert.match(accept?.when ?? "", /hearth\.proposalReady/, "the title bar's Accept follows the context key");
  });

  it("marks a proposal that changes nothing in the diff's title, and refuses to accept it", async () => {
    const { doc, editor, before } = await openGeometry();
    const comment = DOCUMENTED_AREA.slice(0, DOCUMENTED_AREA.indexOf(AREA));
    await editor.edit((b) => b.insert(doc.positionAt(before.indexOf(AREA)), comment));
    try {
      const outcome = await vscode.commands.executeCommand<ActionOutcome>("hearth.document");
      assert.equal(outcome.status === "proposed" && outcome.proposal, DOCUMENTED_AREA);
      assert.deepEqual(diffTabs().map((t) => t.label), ["geometry.ts ↔ Hearth: Document — no change"]);
      assert.equal(await vscode.commands.executeCommand("hearth.chat.acceptProposal"), false);
      assert.equal(doc.getText(), before.replace(AREA, DOCUMENTED_AREA));
    } finally {
      // The saved text put back and saved, not an undo or a revert: both act on whichever editor is active (the diff
      // may still be), and an undo back to the saved text can leave the document dirty for the next test.
      const restore = new vscode.WorkspaceEdit();
      restore.replace(doc.uri, new vscode.Range(doc.positionAt(0), doc.positionAt(doc.getText().length)), before);
      await vscode.workspace.applyEdit(restore);
      // Under load the first save can come back unsaved (the full run once read the file dirty after it): save again
      // until the document says it is clean.
      await waitFor(async () => !doc.isDirty || ((await doc.save()) && !doc.isDirty), "the restored file to be saved");
    }
    assert.equal(doc.getText(), before);
    assert.equal(doc.isDirty, false);
  });

  it("Discard leaves the file untouched", async () => {
    const { doc, before } = await openGeometry();
    const outcome = await vscode.commands.executeCommand<ActionOutcome>("hearth.document");
    assert.equal(outcome.status, "proposed");
    await vscode.commands.executeCommand("hearth.chat.discardProposal");
    assert.equal(diffTabs().length, 0);
    assert.equal(doc.getText(), before);
    assert.equal(doc.isDirty, false);
  });

  it("rebases over an edit outside the target, and refuses one inside it", async () => {
    const { doc, before } = await openGeometry();
    assert.equal((await vscode.commands.executeCommand<ActionOutcome>("hearth.document")).status, "proposed");
    await (await vscode.window.showTextDocument(doc)).edit((b) => b.insert(new vscode.Position(0, 0), "// top\n"));
    assert.equal(await vscode.commands.executeCommand("hearth.chat.acceptProposal"), true);
    assert.equal(doc.getText(), `// top\n${before.replace(AREA, DOCUMENTED_AREA)}`);
    await vscode.commands.executeCommand("undo");
    await vscode.commands.executeCommand("undo");
    assert.equal(doc.getText(), before);

    await openGeometry();
    assert.equal((await vscode.commands.executeCommand<ActionOutcome>("hearth.document")).status, "proposed");
    const shown = await vscode.window.showTextDocument(doc);
    const inside = doc.positionAt(doc.getText().indexOf("width * height"));
    await shown.edit((b) => b.insert(inside, "1 * "));
    assert.equal(await vscode.commands.executeCommand("hearth.chat.acceptProposal"), false);
    assert.equal(doc.getText(), before.replace("width * height", "1 * width * height"), "only the user's edit is there");
    await vscode.commands.executeCommand("undo");
    assert.equal(doc.getText(), before);
  });

  it("hearth.generateTests proposes a new test file next to the source and creates it only on Accept", async () => {
    await openGeometry();
    const testFile = workspaceFile("src", "geometry.test.ts");
    const outcome = await vscode.commands.executeCommand<ActionOutcome>("hearth.generateTests");
    assert.equal(outcome.status, "proposed", JSON.stringify(outcome));
    assert.equal(api.chat.edits.proposedText(), `${DOCUMENTED_AREA}\n`);
    await assert.rejects(Promise.resolve(vscode.workspace.fs.stat(testFile)), "no file before Accept");
    try {
      assert.equal(await vscode.commands.executeCommand("hearth.chat.acceptProposal"), true);
      const created = await vscode.workspace.openTextDocument(testFile);
      assert.equal(created.getText(), `${DOCUMENTED_AREA}\n`);
    } finally {
      await vscode.workspace.fs.delete(testFile).then(undefined, () => undefined);
    }
  });

  it("hearth.explain asks the chat about the function and answers there", async () => {
    await openGeometry();
    await vscode.commands.executeCommand("hearth.chat.newConversation");
    const outcome = await vscode.commands.executeCommand<ActionOutcome>("hearth.explain");
    assert.equal(outcome.status, "answered");
    const [question, answer] = api.chat.session.conversation.entries;
    assert.match(question!.content, /^Explain what function area does/);
    assert.deepEqual(question!.context, ["geometry.ts:3-5"]);
    assert.equal(answer!.content, ANSWER);
    assert.equal(diffTabs().length, 0, "Explain proposes no edit");
  });

  it("offers Fix with Hearth for a diagnostic under the cursor, and Document / Edit on a selection, without calling the model", async () => {
    const { doc } = await openGeometry();
    const diagnostics = vscode.languages.createDiagnosticCollection("hearth-test");
    try {
      const line = doc.lineAt(3).range;
      diagnostics.set(doc.uri, [new vscode.Diagnostic(line, "Expected area to be rounded.", vscode.DiagnosticSeverity.Error)]);
      const cursor = new vscode.Range(line.start.translate(0, 4), line.start.translate(0, 4));
      const requestsBefore = api.engine.status;
      const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>("vscode.executeCodeActionProvider", doc.uri, cursor);
      const fix = actions.find((a) => a.title === "Fix with Hearth");
      assert.ok(fix, `offered: ${actions.map((a) => a.title).join(", ")}`);
      assert.equal(fix.kind?.value, vscode.CodeActionKind.QuickFix.value);
      assert.equal(api.engine.status.kind, requestsBefore.kind, "computing the actions did not start the model");

      const selection = new vscode.Range(2, 0, 4, 1);
      const refactors = await vscode.commands.executeCommand<vscode.CodeAction[]>("vscode.executeCodeActionProvider", doc.uri, selection, vscode.CodeActionKind.RefactorRewrite.value);
      assert.deepEqual(refactors.filter((a) => /Hearth/.test(a.title)).map((a) => a.title), ["Document with Hearth", "Edit with Hearth…"]);

      // Choosing the fix runs it with the diagnostic in the prompt and the function around it as the target.
      const outcome = await vscode.commands.executeCommand<ActionOutcome>(fix.command!.command, ...(fix.command!.arguments ?? []));
      assert.equal(outcome.status, "proposed", JSON.stringify(outcome));
      assert.equal(outcome.status === "proposed" && outcome.proposal, DOCUMENTED_AREA);
    } finally {
      diagnostics.dispose();
    }
  });

  describe("a long answer", () => {
    before(async () => {
      const long = await ensureTestModel("scripted", { script: { fim: DEFAULT_SCRIPT.fim, chat: longAnswer(1600) } });
      await vscode.workspace.getConfiguration("hearth").update("model.path", long, vscode.ConfigurationTarget.Global);
      await waitFor(() => api.engine.status.kind === "idle", "the engine to take the long model");
    });

    it("opens the diff at once under a 'writing…' title, and refuses Accept while the model writes", async () => {
      const { doc, before } = await openGeometry();
      const t0 = Date.now();
      const running = vscode.commands.executeCommand<ActionOutcome>("hearth.fix");
      await waitFor(() => diffTabs().length === 1, "the diff to open", 60_000);
      const opened = Date.now() - t0;
      assert.deepEqual(diffTabs().map((t) => t.label), ["geometry.ts ↔ Hearth: Fix — writing…"]);
      await waitFor(() => (api.chat.edits.proposedText() ?? before) !== before, "the proposal to start streaming", 60_000);
      console.log(`      diff open after ${opened} ms, first streamed text after ${Date.now() - t0} ms`);
      assert.equal(await vscode.commands.executeCommand("hearth.chat.acceptProposal"), false, "nothing to accept while it writes");
      assert.equal(await vscode.commands.executeCommand("hearth.cancelAction"), true);
      assert.equal((await running).status, "cancelled");
      assert.equal(doc.getText(), before);
    });

    it("Escape (hearth.cancelAction) stops the model while it writes; the diff closes and nothing is written", async () => {
      const { doc, before } = await openGeometry();
      const running = vscode.commands.executeCommand<ActionOutcome>("hearth.fix");
      await waitFor(() => diffTabs().length === 1 && (api.chat.edits.proposedText() ?? before) !== before, "the proposal to start streaming", 60_000);
      assert.equal(await vscode.commands.executeCommand("hearth.cancelAction"), true);
      assert.equal((await running).status, "cancelled");
      assert.equal(diffTabs().length, 0, "the diff closed");
      assert.equal(doc.getText(), before);
      assert.equal(await vscode.commands.executeCommand("hearth.cancelAction"), false, "nothing left to stop");
    });
  });

  describe("an answer that does not parse", () => {
    before(async () => {
      const broken = await ensureTestModel("scripted", { script: { fim: DEFAULT_SCRIPT.fim, chat: BROKEN_ANSWER } });
      await vscode.workspace.getConfiguration("hearth").update("model.path", broken, vscode.ConfigurationTarget.Global);
      await waitFor(() => api.engine.status.kind === "idle", "the engine to take the model that answers broken code");
    });

    it("is marked in the diff's title, not only in a notification", async () => {
      await openGeometry();
      const outcome = await vscode.commands.executeCommand<ActionOutcome>("hearth.fix");
      assert.equal(outcome.status === "proposed" && outcome.warning, "the proposal does not parse as typescript, although the file did.");
      assert.deepEqual(diffTabs().map((t) => t.label), ["geometry.ts ↔ Hearth: Fix — ⚠ does not parse"]);
    });
  });

  it("contributes the commands to the palette and the editor context menu, in category Hearth", () => {
    const pkg = hearthExtension().packageJSON as {
      contributes: { commands: { command: string; category?: string }[]; menus: Record<string, { command?: string; submenu?: string }[]> };
    };
    const { menus } = pkg.contributes;
    // Directly in the editor's context menu, or in a submenu of it.
    const inContextMenu = (id: string) =>
      menus["editor/context"]!.some((m) => m.command === id || (m.submenu !== undefined && (menus[m.submenu] ?? []).some((s) => s.command === id)));
    for (const id of ["hearth.explain", "hearth.fix", "hearth.document", "hearth.generateTests", "hearth.editWithInstruction"]) {
      assert.equal(pkg.contributes.commands.find((c) => c.command === id)?.category, "Hearth", id);
      assert.ok(inContextMenu(id), `${id} in the context menu`);
    }
  });
});
