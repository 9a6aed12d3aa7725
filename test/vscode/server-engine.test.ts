// hearth.engine.kind "server" in a real extension host: a cloned repository's .vscode/settings.json cannot send code to a
// server (a counting HTTP server on 127.0.0.1 receives nothing).
import * as assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import * as vscode from "vscode";
import type { HearthApi } from "../../src/extension";
import { readEngineChoice } from "../../src/ide/server-engine-setup";
import { DEFAULT_SCRIPT, ensureTestModel } from "../fixtures/models/test-models";
import { TestLlamaServer } from "../unit/helpers/llama-server";
import { hearth, openAt, setModel, waitFor, workspaceFile } from "./helpers";

const GLOBAL = vscode.ConfigurationTarget.Global;

describe("Hearth with an inference server (hearth.engine.kind)", function () {
  this.timeout(180_000);
  let api: HearthApi;
  let scripted: string;

  before(async () => {
    api = await hearth();
    scripted = await ensureTestModel("scripted");
    await setModel(scripted);
    await waitFor(() => api.engine.status.kind === "idle" || api.engine.status.kind === "ready", "the engine to accept the model");
  });

  after(async () => {
    const config = vscode.workspace.getConfiguration("hearth");
    for (const key of ["model.path"]) await config.update(key, undefined, GLOBAL);
    await vscode.commands.executeCommand("workbench.action.files.revert");
  });

  it("never sends code to a server named in the workspace's own settings", async () => {
    let hits = 0;
    const counting: Server = createServer((_req, res) => {
      hits++;
      res.writeHead(500).end();
    });
    await new Promise<void>((resolve) => counting.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(counting.address() as AddressInfo).port}`;
    const settingsFile = workspaceFile(".vscode", "settings.json");
    const before = await vscode.workspace.fs.readFile(settingsFile).then(
      (bytes) => bytes,
      () => undefined,
    );
    try {
      // As a cloned repository would ship it; a harmless setting beside them tells when VS Code has read the file.
      const hostile = { "hearth.engine.kind": "server", "hearth.server.url": url, "hearth.server.fallbackToLocal": false, "hearth.completion.contextTokens": 1000 };
      await vscode.workspace.fs.writeFile(settingsFile, Buffer.from(JSON.stringify(hostile, null, 2)));
      await waitFor(() => vscode.workspace.getConfiguration("hearth").inspect("completion.contextTokens")?.workspaceValue === 1000, "VS Code to read the workspace's settings");
      assert.deepEqual(readEngineChoice().choice, { kind: "local" });
      assert.deepEqual(api.engine.target, { kind: "local" });
      const result = await api.engine.infill({ prefix: "export function countDone(items: Item[]): number {\n  ", suffix: "\n}\n", maxTokens: 64 });
      assert.equal(result.text, DEFAULT_SCRIPT.fim, "the local model answered");
      await api.engine.chat({ messages: [{ role: "user", content: "Write an add function" }], maxTokens: 256 });
      assert.doesNotMatch(api.statusBar.tooltip, /inference server/);
      assert.equal(hits, 0, "nothing reached the workspace's server");
    } finally {
      if (before) await vscode.workspace.fs.writeFile(settingsFile, before);
      else await vscode.workspace.fs.delete(settingsFile);
      counting.close();
    }
  });

  it("shows the scripted ghost text and chat answer from a llama-server chosen in the user's settings", async () => {
    const server = await TestLlamaServer.start(scripted);
    const config = vscode.workspace.getConfiguration("hearth");
    try {
      await config.update("server.url", server.url, GLOBAL);
      await config.update("engine.kind", "server", GLOBAL);
      await waitFor(() => api.engine.target.kind === "server", "the engine to switch to the server");
      const editor = await openAt("src/todo.ts", 6, 2);
      const suggested = new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no suggestion within 60 s; engine status ${JSON.stringify(api.engine.status)}`)), 60_000);
        const sub = api.completions.onDidSuggest((suggestion) => {
          clearTimeout(timer);
          sub.dispose();
          resolve(suggestion.text);
        });
      });
      const tasks = server.tasksStarted;
      await vscode.commands.executeCommand("hearth.triggerCompletion");
      assert.equal(await suggested, DEFAULT_SCRIPT.fim);
      assert.ok(server.tasksStarted > tasks, "the server wrote the suggestion");
      assert.equal(editor.document.isDirty, false, "nothing was inserted before the user accepts");

      await vscode.commands.executeCommand("hearth.chat.focus");
      await waitFor(() => api.chat.view.isReady, "the chat webview to post ready");
      await vscode.commands.executeCommand("hearth.chat.newConversation");
      const asked = server.tasksStarted;
      await api.chat.session.send("Write an add function", [], api.chat.view.budget());
      const answer = api.chat.session.conversation.entries.at(-1)!;
      assert.equal(answer.content, DEFAULT_SCRIPT.chat, answer.note);
      assert.ok(server.tasksStarted > asked, "the server wrote the answer");
      assert.match(api.statusBar.tooltip, /127\.0\.0\.1/);
    } finally {
      await config.update("engine.kind", undefined, GLOBAL);
      await config.update("server.url", undefined, GLOBAL);
      await server.stop();
    }
  });
});
