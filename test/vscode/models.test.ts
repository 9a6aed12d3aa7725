// The model picker inside a real extension host: a model in a folder from hearth.models.folders appears in the
// picker's data with its size, fit and capabilities, and selecting it loads it (the status bar shows it ready).
import * as assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as vscode from "vscode";
import type { HearthApi } from "../../src/extension";
import { RENAME, ensureNextEditModel } from "../fixtures/models/next-edit-models";
import { ensureTestLora, ensureTestModel } from "../fixtures/models/test-models";
import { hearth, waitFor } from "./helpers";

describe("Hearth's model picker in the extension host", function () {
  this.timeout(60_000);
  let api: HearthApi;
  let folder: string;
  let model: string;
  const config = () => vscode.workspace.getConfiguration("hearth");

  before(async () => {
    api = await hearth();
    folder = mkdtempSync(join(tmpdir(), "hearth-picker-"));
    model = await ensureTestModel("scripted", { dir: join(folder, "team-models") });
    await config().update("engine.threads", 1, vscode.ConfigurationTarget.Global);
    await config().update("engine.contextSize", 1024, vscode.ConfigurationTarget.Global);
    await config().update("models.folders", [join(folder, "team-models")], vscode.ConfigurationTarget.Global);
    await config().update("models.downloadFolder", join(folder, "downloads"), vscode.ConfigurationTarget.Global);
  });

  after(async () => {
    for (const key of ["model.path", "chat.modelPath", "nextEdit.modelPath", "model.loraAdapters", "models.folders", "models.downloadFolder"]) await config().update(key, undefined, vscode.ConfigurationTarget.Global);
    rmSync(folder, { recursive: true, force: true });
  });

  it("lists a model from hearth.models.folders with its size, fit and capabilities, beside the catalog", async () => {
    const data = await api.models.pickerData();
    const entry = data.found.find((e) => e.path === model);
    assert.ok(entry, `not listed: ${JSON.stringify(data.found.map((e) => e.path))}`);
    assert.deepEqual(entry.capabilities, ["completion", "chat"]);
    assert.notEqual(entry.fit.level, "red");
    assert.match(entry.description, /kB|MB/);
    assert.ok(data.catalog.length > 0, "the catalog's downloads are offered too");
  });

  it("selecting it loads it, and the status bar shows it ready", async () => {
    const loaded = await vscode.commands.executeCommand<boolean>("hearth.selectModel", { path: model });
    assert.equal(loaded, true);
    assert.equal(config().get("model.path"), model);
    await waitFor(() => api.engine.status.kind === "ready", "the engine to be ready");
    assert.match(api.statusBar.tooltip, /ready/);
  });

  it("marks the selected model as the current one", async () => {
    const data = await api.models.pickerData();
    assert.equal(data.found.find((e) => e.path === model)?.current, true);
  });

  it("choosing a model for chat sets hearth.chat.modelPath and loads it beside the completion model", async () => {
    const chatModel = await ensureTestModel("tiny", { dir: join(folder, "team-models") });
    await config().update("model.path", model, vscode.ConfigurationTarget.Global);
    const loaded = await vscode.commands.executeCommand<boolean>("hearth.selectModel", { path: chatModel, use: "chat" });
    assert.equal(loaded, true);
    assert.equal(config().get("chat.modelPath"), chatModel);
    assert.equal(config().get("model.path"), model, "the completion model stays");
    await waitFor(() => api.engine.chatStatus.kind === "ready", "the chat model to be ready");
    assert.equal(api.engine.chatStatus.kind === "ready" && api.engine.chatStatus.model.path, chatModel);
    const status = api.engine.status;
    assert.equal(status.kind === "ready" ? status.model.path : status.kind === "idle" ? status.modelPath : status.kind, model, "the status bar keeps the completion model");
  });

  it("choosing a model for both clears hearth.chat.modelPath, so the completion model answers chat again", async () => {
    const loaded = await vscode.commands.executeCommand<boolean>("hearth.selectModel", { path: model, use: "both" });
    assert.equal(loaded, true);
    assert.equal(config().get("chat.modelPath"), "");
    await waitFor(() => api.engine.chatStatus.kind === "ready" && api.engine.chatStatus.model.path === model, "chat to use the completion model");
  });

  it("lists the LoRA adapters applied to the current model, with the problem of one made for another model", async () => {
    const good = await ensureTestLora(model, { dir: join(folder, "adapters") });
    const other = await ensureTestLora(model, { dir: join(folder, "adapters"), variant: "other-architecture" });
    await config().update("model.loraAdapters", [good, other], vscode.ConfigurationTarget.Global);
    const data = await api.models.pickerData();
    assert.deepEqual(data.adapters.map((a) => [a.name, a.problem === null]), [
      ["Hearth test LoRA (zero)", true],
      ["Hearth test LoRA (other-architecture)", false],
    ]);
    assert.match(data.adapters[1]?.problem ?? "", /LoRA adapter for a qwen2 model, but Hearth scripted test model is a llama model/);
  });

  it("lists the loaded model first, marked current, when it lies outside every scanned folder", async () => {
    await config().update("model.loraAdapters", undefined, vscode.ConfigurationTarget.Global);
    const outside = await ensureTestModel("tiny", { dir: join(folder, "elsewhere") });
    assert.equal(await vscode.commands.executeCommand<boolean>("hearth.selectModel", { path: outside }), true);
    await waitFor(() => api.engine.status.kind === "ready" && api.engine.status.model.path === outside, "the outside model to be ready");
    const data = await api.models.pickerData();
    assert.equal(data.found[0]?.path, outside);
    assert.deepEqual(data.found[0]?.uses, ["completion", "chat"]);
    assert.equal(data.found.filter((entry) => entry.current).length, 1, "only it is marked current");
  });

  it("choosing a model for next-edit suggestions sets hearth.nextEdit.modelPath only, and lists it as the next-edit model", async () => {
    const completionPath = config().get("model.path");
    const nextEdit = await ensureNextEditModel(RENAME.rewrite, { dir: join(folder, "next-edit") });
    assert.equal(await vscode.commands.executeCommand<boolean>("hearth.selectModel", { path: nextEdit, use: "next-edit" }), true);
    assert.equal(config().get("nextEdit.modelPath"), nextEdit);
    assert.equal(config().get("model.path"), completionPath, "the completion model stays");
    const data = await api.models.pickerData();
    assert.deepEqual(data.found.find((entry) => entry.path === nextEdit)?.uses, ["next-edit"]);
    const sweep = data.catalog.find((entry) => entry.catalog?.roles.includes("next-edit"));
    assert.deepEqual(sweep?.capabilities, ["next-edit"], "the catalog's next-edit model is offered for that alone");
  });
});
