// Project rules and prompt files in a real extension host, with the scripted model: the workspace's AGENTS.md and
// .hearth/rules.md go into the chat's system prompt (nearest first) and an action's; a prompt file runs in the chat by
// name; a hostile prompt file name is skipped; in Restricted Mode neither is read.
import * as assert from "node:assert/strict";
import * as vscode from "vscode";
import { NO_RULES } from "../../src/chat/project-rules";
import { MemoryLogger } from "../../src/common/logger";
import type { HearthApi } from "../../src/extension";
import { ProjectRulesTracker } from "../../src/ide/project-rules";
import { workspacePrompts } from "../../src/ide/prompt-commands";
import { DEFAULT_SCRIPT, ensureTestModel } from "../fixtures/models/test-models";
import { hearth, setModel, waitFor, workspaceFile } from "./helpers";

const ANSWER = "Reviewed: the code is fine.";
const FILES: Record<string, string> = {
  "AGENTS.md": "Root rule: prefer small functions.",
  "src/.hearth/rules.md": "Src rule: TypeScript strict.",
  ".hearth/prompts/review.md": "---\ndescription: Review the current file\n---\nReview this code for bugs and say what you found.",
  ".hearth/prompts/bad name.md": "A file whose name is not a command.",
};

async function write(relative: string, text: string): Promise<void> {
  await vscode.workspace.fs.writeFile(workspaceFile(...relative.split("/")), Buffer.from(text, "utf8"));
}

describe("Hearth project rules and prompt files in the extension host", function () {
  this.timeout(180_000);
  let api: HearthApi;

  before(async () => {
    api = await hearth();
    const model = await ensureTestModel("scripted", { script: { fim: DEFAULT_SCRIPT.fim, chat: ANSWER } });
    await setModel(model, { contextSize: 4096 });
    await waitFor(() => api.engine.status.kind === "idle" || api.engine.status.kind === "ready", "the engine to accept the model");
    await api.chat.ready;
    for (const [relative, text] of Object.entries(FILES)) await write(relative, text);
  });

  after(async () => {
    for (const relative of Object.keys(FILES)) await vscode.workspace.fs.delete(workspaceFile(...relative.split("/"))).then(undefined, () => undefined);
    for (const dir of [".hearth", "src/.hearth"]) await vscode.workspace.fs.delete(workspaceFile(...dir.split("/")), { recursive: true }).then(undefined, () => undefined);
    await vscode.commands.executeCommand("workbench.action.closeAllEditors");
    const config = vscode.workspace.getConfiguration("hearth");
    for (const key of ["model.path", "engine.contextSize", "engine.threads"]) await config.update(key, undefined, vscode.ConfigurationTarget.Global);
  });

  it("puts the rules nearest to the chat's file first into the chat's system prompt", async () => {
    await vscode.window.showTextDocument(workspaceFile("src", "math.ts"));
    await waitFor(() => api.chat.rules.current.sources.length === 2, "the rules of src/math.ts to be read");
    assert.deepEqual(api.chat.rules.current.sources.map((s) => s.path), ["src/.hearth/rules.md", "AGENTS.md"]);
    const system = api.chat.session.preview([], api.chat.view.budget()).messages[0]!.content;
    assert.ok(system.indexOf("From src/.hearth/rules.md:\nSrc rule: TypeScript strict.") > 0, system);
    assert.ok(system.indexOf("From AGENTS.md:\nRoot rule: prefer small functions.") > system.indexOf("Src rule"));
  });

  it("reads a rule file again when it changes", async () => {
    await vscode.window.showTextDocument(workspaceFile("src", "math.ts"));
    await write("AGENTS.md", "Root rule: changed.");
    await waitFor(() => api.chat.rules.current.text.includes("Root rule: changed."), "the changed AGENTS.md to be read");
    await write("AGENTS.md", FILES["AGENTS.md"]!);
    await waitFor(() => api.chat.rules.current.text.includes(FILES["AGENTS.md"]!), "AGENTS.md to be read back");
  });

  it("runs a prompt file by name in the chat and answers it", async () => {
    await vscode.window.showTextDocument(workspaceFile("src", "math.ts"));
    await vscode.commands.executeCommand("hearth.chat.newConversation");
    const outcome = await vscode.commands.executeCommand<HearthApi["prompts"]["last"]>("hearth.runPrompt", "Review");
    assert.equal(outcome?.status, "sent", JSON.stringify(outcome));
    const entries = api.chat.session.conversation.entries;
    assert.equal(entries.at(-2)?.content, "Review this code for bugs and say what you found.");
    assert.deepEqual(entries.at(-2)?.context, ["math.ts"], "with the chat's context chips");
    assert.equal(entries.at(-1)?.content, ANSWER);
  });

  it("runs a prompt file without the Codebase chips an earlier @codebase question retrieved", async () => {
    await vscode.window.showTextDocument(workspaceFile("src", "math.ts"));
    await vscode.commands.executeCommand("hearth.reindexCodebase");
    const asked = await api.chat.context.piecesFor("@codebase where is the mean of the values computed?");
    assert.ok(asked.some((p) => p.kind === "codebase"), `the earlier question got Codebase chips: ${JSON.stringify(asked.map((p) => p.label))}`);
    const outcome = await vscode.commands.executeCommand<HearthApi["prompts"]["last"]>("hearth.runPrompt", "Review");
    assert.equal(outcome?.status, "sent", JSON.stringify(outcome));
    const entries = api.chat.session.conversation.entries;
    assert.equal(entries.at(-2)?.content, "Review this code for bugs and say what you found.");
    assert.deepEqual(entries.at(-2)?.context, ["math.ts"], "the prompt does not ask @codebase: no snippets go with it");
    assert.equal((await api.chat.context.pieces()).filter((p) => p.kind === "codebase").length, 0, "and none are shown as sent with it");
  });

  it("lists the workspace's prompt files with their descriptions and skips a name that is no command", async () => {
    const listing = await api.prompts.list();
    assert.deepEqual(listing.prompts.map((p) => [p.name, p.description]), [["review", "Review the current file"]]);
    assert.ok(listing.skipped.some((s) => s.path.endsWith("bad name.md") && /not a command name/.test(s.reason)), JSON.stringify(listing.skipped));
    const missing = await vscode.commands.executeCommand<HearthApi["prompts"]["last"]>("hearth.runPrompt", "../../x");
    assert.deepEqual(missing, { status: "not-found" });
  });

  it("reads neither rules nor prompt files in Restricted Mode", async () => {
    const tracker = new ProjectRulesTracker(new MemoryLogger(), () => 4096, () => false);
    try {
      assert.equal(await tracker.forDocument(workspaceFile("src", "math.ts")), NO_RULES);
      await tracker.follow(workspaceFile("src", "math.ts"));
      assert.equal(tracker.current, NO_RULES);
    } finally {
      tracker.dispose();
    }
    assert.deepEqual(await workspacePrompts(new MemoryLogger(), false), { prompts: [], skipped: [] });
  });
});
