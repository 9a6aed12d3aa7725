import { strict as assert } from "node:assert";
import type { ModelInfo } from "../../../src/engine/protocol";
import { toViewModel } from "../../../src/ide/chat-view-model";
import { parseHostMessage } from "../../../src/webview/protocol";

const model: ModelInfo = {
  path: "/m/x.gguf",
  name: "Test Model",
  architecture: "llama",
  sizeBytes: 1,
  trainContextSize: 4096,
  contextSize: 4096,
  chatContextSize: 4096,
  fimSupported: false,
  fimFormat: null,
  chatTemplate: "{{ messages }}",
  chatWrapper: "ChatML",
  gpu: false,
  threads: 1,
  loadMs: 1,
};

describe("chat view model", () => {
  it("warns when the model has no chat template and Hearth falls back to a generic format", () => {
    const view = toViewModel({ kind: "ready", model: { ...model, chatTemplate: null, chatWrapper: "General" }, busy: false }, { answering: false });
    assert.equal(view.state, "ready");
    assert.match(view.warning!, /Test Model has no chat template.*generic chat format \(General\)/);
    assert.equal(toViewModel({ kind: "ready", model, busy: true }, { answering: true }).warning, undefined);
  });

  it("says answering only while the chat's own answer streams", () => {
    assert.equal(toViewModel({ kind: "ready", model, busy: true }, { answering: true }).label, "Test Model · answering");
    assert.equal(toViewModel({ kind: "ready", model, busy: false }, { answering: false }).label, "Test Model · ready");
  });

  it("says the model is busy with another request, not answering, while a refactor action (or a completion) uses it", () => {
    const label = toViewModel({ kind: "ready", model, busy: true }, { answering: false }).label;
    assert.equal(label, "Test Model · busy with another request");
    assert.doesNotMatch(label, /answering/);
  });

  it("describes every engine state in one line, in a shape the webview accepts", () => {
    const idle = { answering: false };
    const states = [
      toViewModel({ kind: "no-model", problem: { code: "not-configured", message: "No model is configured." } }, idle),
      toViewModel({ kind: "idle", modelPath: "/models/qwen.gguf" }, idle),
      toViewModel({ kind: "loading", modelPath: "/models/qwen.gguf", progress: 0.42 }, idle),
      toViewModel({ kind: "error", error: { code: "engine-crashed", message: "The engine process stopped." } }, idle),
    ];
    assert.deepEqual(states.map((s) => s.label), ["No model chosen", "qwen.gguf · loads with the first question", "Loading qwen.gguf… 42%", "Engine error: The engine process stopped."]);
    for (const s of states) assert.ok(parseHostMessage({ type: "model", model: s }));
  });
});
