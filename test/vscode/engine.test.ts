// The real engine inside a real extension host: the scripted model's exact output arrives through Hearth's own
// engine process, and the status bar follows the engine's state.
import * as assert from "node:assert/strict";
import { join } from "node:path";
import * as vscode from "vscode";
import type { HearthApi } from "../../src/extension";
import { DEFAULT_SCRIPT, ensureTestModel } from "../fixtures/models/test-models";
import { hearth, setModel, waitFor } from "./helpers";

/** A small window: these tests load models, they do not fill them. */
const WINDOW = { contextSize: 1024 };

describe("Hearth's engine in the extension host", function () {
  this.timeout(60_000);
  let api: HearthApi;
  let scripted: string;

  before(async () => {
    api = await hearth();
    scripted = await ensureTestModel("scripted");
  });

  after(async () => {
    await vscode.workspace.getConfiguration("hearth").update("model.path", undefined, vscode.ConfigurationTarget.Global);
  });

  it("shows in the status bar that a configured model path does not exist", async () => {
    await setModel(join(scripted, "..", "no-such-model.gguf"), WINDOW);
    await waitFor(() => api.engine.status.kind === "no-model" && api.engine.status.problem.code === "missing", "the engine to report the missing file");
    assert.match(api.statusBar.text, /Hearth: model not usable/);
    assert.match(api.statusBar.tooltip, /does not exist/);
  });

  it("loads the scripted model with Hearth: Load Model Now and shows it ready", async () => {
    await setModel(scripted, WINDOW);
    await waitFor(() => api.engine.status.kind === "idle", "the engine to accept the model");
    const loaded = await vscode.commands.executeCommand<boolean>("hearth.loadModel");
    assert.equal(loaded, true);
    assert.equal(api.engine.status.kind, "ready");
    assert.match(api.statusBar.tooltip, /ready/);
  });

  it("infills exactly the scripted completion through the engine process", async () => {
    const result = await api.engine.infill({ prefix: "function countDone(items) {\n  ", suffix: "\n}\n", maxTokens: 64 });
    assert.equal(result.text, DEFAULT_SCRIPT.fim);
  });

  it("answers a chat with exactly the scripted answer", async () => {
    const result = await api.engine.chat({ messages: [{ role: "user", content: "Write an add function" }], maxTokens: 256 });
    assert.equal(result.text, DEFAULT_SCRIPT.chat);
  });

  it("restarts a stopped engine with Hearth: Restart Engine and loads the model again", async () => {
    await api.engine.load();
    const stopped = api.engine.pid!;
    process.kill(stopped, "SIGSTOP");
    const loaded = await vscode.commands.executeCommand<boolean>("hearth.restartEngine");
    assert.equal(loaded, true);
    assert.notEqual(api.engine.pid, stopped, "a fresh engine process answers");
    assert.equal(api.engine.status.kind, "ready");
    const result = await api.engine.infill({ prefix: "function countDone(items) {\n  ", suffix: "\n}\n", maxTokens: 64 });
    assert.equal(result.text, DEFAULT_SCRIPT.fim);
  });

  it("loads the tiny model too", async () => {
    await setModel(await ensureTestModel("tiny"), WINDOW);
    await waitFor(() => api.engine.status.kind === "idle", "the engine to drop the scripted model");
    const model = await api.engine.load();
    assert.match(model.name, /tiny/i);
    assert.equal(model.fimSupported, true);
  });

  it("tells the user what to do about a model that does not fit, from the catalog, in the error and the status bar", async () => {
    // No setting caps the engine's memory: its own budget stands in for a machine without room (after() resets it).
    await api.engine.configure({ modelPath: await ensureTestModel("tiny"), threads: 1, idleUnloadMs: 0, gpu: "off", memoryBudgetBytes: 1024, ...WINDOW });
    await assert.rejects(api.engine.load(), /needs about .* GiB of RAM, but only .* GiB is free.* No model in Hearth's catalog fits in the memory free now; close other programs and try again\./);
    await waitFor(() => /No model in Hearth's catalog fits/.test(api.statusBar.tooltip), "the status bar to give the advice");
  });
});
