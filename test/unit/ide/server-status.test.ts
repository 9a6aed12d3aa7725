// What the status bar and the chat header say while an inference server answers: where requests go, always.
import { strict as assert } from "node:assert";
import type { EngineStatus } from "../../../src/engine/client-types";
import type { ModelInfo } from "../../../src/engine/protocol";
import { toViewModel } from "../../../src/ide/chat-view-model";
import { describeStatus } from "../../../src/ide/status-text";

const SERVER = { kind: "server", url: "http://gpu-box:8080" } as const;
const MODEL: ModelInfo = {
  path: "http://gpu-box:8080/v1/#qwen",
  name: "qwen",
  architecture: "server http://gpu-box:8080",
  sizeBytes: 0,
  trainContextSize: 4096,
  contextSize: 4096,
  chatContextSize: 4096,
  fimSupported: true,
  fimFormat: "Qwen2.5-Coder",
  chatTemplate: "the server's",
  chatWrapper: "server",
  gpu: false,
  threads: 0,
  loadMs: 3,
};

describe("the status bar and chat header with a server", () => {
  it("shows the server's host in the status bar and its address first in the tooltip", () => {
    const view = describeStatus({ kind: "ready", model: MODEL, busy: false }, undefined, SERVER);
    assert.equal(view.text, "$(cloud) Hearth: ready · gpu-box:8080");
    assert.equal(view.tooltip, "Requests go to the inference server at http://gpu-box:8080 (hearth.engine.kind: server).\nHearth: qwen ready (context 4096 per request)\nCompletion prompt format: Qwen2.5-Coder");
  });

  it("names a server failure in the status bar in a few words, with the full message in the tooltip", () => {
    const status: EngineStatus = { kind: "error", error: { code: "server-auth", message: "The inference server at http://gpu-box:8080 refused Hearth's API key (401)." } };
    const view = describeStatus(status, undefined, SERVER);
    assert.equal(view.text, "$(error) Hearth: server refused the key · gpu-box:8080");
    assert.equal(view.severity, "error");
    assert.match(view.tooltip, /refused Hearth's API key \(401\)/);
  });

  it("says nothing of a server while the local engine answers", () => {
    const local = { ...MODEL, path: "/models/qwen.gguf", architecture: "qwen2", threads: 1 };
    const view = describeStatus({ kind: "ready", model: local, busy: false }, undefined, { kind: "local" });
    assert.doesNotMatch(`${view.text}\n${view.tooltip}`, /server|cloud/);
  });

  it("puts the server's address in the chat header, without the local no-template warning", () => {
    const view = toViewModel({ kind: "ready", model: MODEL, busy: false }, { answering: true }, SERVER);
    assert.equal(view.label, "qwen · answering · on http://gpu-box:8080");
    assert.equal(view.warning, undefined);
  });
});
