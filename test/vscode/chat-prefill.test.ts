// The chat prefill in a real extension host: what the webview posts while the user types a question (composing) has
// the engine evaluate the prompt's known part (system prompt, the current file), so that Enter (send) evaluates only the
// question, and the scripted model's answer is the same exact text.
import * as assert from "node:assert/strict";
import * as vscode from "vscode";
import type { ChatEvaluation } from "../../src/chat/chat-session";
import type { ChatPrefillResult } from "../../src/engine/protocol";
import type { HearthApi } from "../../src/extension";
import { DEFAULT_SCRIPT, ensureTestModel } from "../fixtures/models/test-models";
import { hearth, setModel, waitFor, workspaceFile } from "./helpers";

const QUESTION = "What does this file compute, and which function would you test first?";

describe("Hearth chat prefill in the extension host", function () {
  this.timeout(180_000);
  let api: HearthApi;
  const seen: ChatEvaluation[] = [];
  let listener: vscode.Disposable | undefined;

  before(async () => {
    api = await hearth();
    await setModel(await ensureTestModel("scripted"), { contextSize: 4096 });
    await waitFor(() => api.engine.status.kind === "idle" || api.engine.status.kind === "ready", "the engine to accept the model");
    await api.chat.ready;
    await vscode.commands.executeCommand("hearth.chat.focus");
    await waitFor(() => api.chat.view.isReady, "the chat webview to post ready");
    // A prefill never loads a model: the first question of a window does.
    await vscode.commands.executeCommand("hearth.chat.newConversation");
    await api.chat.view.receive({ type: "send", text: "Write an add function" });
    listener = api.chat.session.onDidEvaluate((evaluation) => seen.push(evaluation));
  });

  after(async () => {
    listener?.dispose();
    await vscode.commands.executeCommand("workbench.action.closeAllEditors");
    const config = vscode.workspace.getConfiguration("hearth");
    for (const key of ["model.path", "engine.contextSize", "engine.threads"]) await config.update(key, undefined, vscode.ConfigurationTarget.Global);
  });

  it("evaluates the current file while the question is typed, so Enter evaluates only the question, and answers exactly", async () => {
    await vscode.commands.executeCommand("hearth.chat.newConversation");
    const doc = await vscode.workspace.openTextDocument(workspaceFile("src", "rooms.ts"));
    await vscode.window.showTextDocument(doc, { preview: false });
    await waitFor(() => api.chat.context.targetEditor?.document === doc, "the chat to follow rooms.ts");
    seen.length = 0;

    // What the webview posts 300 ms after the question box took focus or its text changed.
    await api.chat.view.receive({ type: "composing" });
    await waitFor(() => seen.some((e) => e.kind === "prefill"), "the prefill to end", 120_000);
    const prefill = (seen.find((e) => e.kind === "prefill") as { prefill: ChatPrefillResult }).prefill;
    assert.equal(prefill.skipped, undefined);
    assert.equal(prefill.cachedTokens + prefill.evaluatedTokens, prefill.prefixTokens, JSON.stringify(prefill));
    assert.ok(prefill.evaluatedTokens > 50, `the prefill evaluated rooms.ts (${JSON.stringify(prefill)})`);

    await api.chat.view.receive({ type: "send", text: QUESTION });
    const entry = api.chat.session.conversation.entries.at(-1)!;
    assert.equal(entry.status, "done", entry.note);
    assert.equal(entry.content, DEFAULT_SCRIPT.chat);
    const answer = seen.find((e) => e.kind === "answer" && e.entryId === entry.id);
    assert.ok(answer?.kind === "answer", "the answer reported its prompt tokens");
    // The question (about 15 tokens) and the chat template's tail; without the prefill, all of rooms.ts as well.
    assert.ok(answer.promptTokens > 0 && answer.promptTokens < QUESTION.length, `Enter evaluated ${answer.promptTokens} tokens`);
  });

  it("evaluates the whole prompt at Enter when the question was sent without a prefill", async () => {
    // Another file, so nothing of it is in the engine's cache; no composing message before the send.
    await vscode.commands.executeCommand("hearth.chat.newConversation");
    const doc = await vscode.workspace.openTextDocument(workspaceFile("src", "math.ts"));
    await vscode.window.showTextDocument(doc, { preview: false });
    await waitFor(() => api.chat.context.targetEditor?.document === doc, "the chat to follow math.ts");
    seen.length = 0;

    await api.chat.view.receive({ type: "send", text: QUESTION });
    const entry = api.chat.session.conversation.entries.at(-1)!;
    assert.equal(entry.content, DEFAULT_SCRIPT.chat);
    assert.deepEqual(seen.map((e) => e.kind), ["answer"]);
    const answer = seen[0]!;
    assert.ok(answer.kind === "answer" && answer.promptTokens > QUESTION.length, `Enter evaluated ${answer.kind === "answer" ? answer.promptTokens : "-"} tokens: math.ts and the question`);
  });
});
