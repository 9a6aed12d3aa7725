// Issue 12, defect 6: the status bar says what happened to the model, not only the log.
import { strict as assert } from "node:assert";
import { mkdtempSync, readFileSync, rmSync, truncateSync, copyFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { EngineStatus } from "../../../src/engine/client";
import type { ModelInfo } from "../../../src/engine/protocol";
import { describeStatus } from "../../../src/ide/status-text";
import { checkModelFile } from "../../../src/models/model-file";
import { ensureTestModel } from "../../fixtures/models/test-models";

/** The status a model file gets from the client: its check's problem, or idle. */
async function statusOf(path: string): Promise<EngineStatus> {
  const check = await checkModelFile(path);
  return check.ok ? { kind: "idle", modelPath: path } : { kind: "no-model", problem: check.problem };
}

describe("status bar text", () => {
  let dir: string;
  let tiny: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "hearth-status-text-"));
    tiny = await ensureTestModel("tiny");
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("says a truncated model is truncated, in the text and the tooltip", async () => {
    const cut = join(dir, "coder.gguf");
    copyFileSync(tiny, cut);
    truncateSync(cut, 4096);
    const view = describeStatus(await statusOf(cut));
    assert.equal(view.text, "$(warning) Hearth: model truncated");
    assert.match(view.tooltip, /^Hearth: coder\.gguf is truncated/);
    assert.equal(view.severity, "warning");
  });

  it("says an unsupported GGUF version is one, in the text and the tooltip", async () => {
    const bytes = readFileSync(tiny);
    bytes.writeUInt32LE(4, 4);
    const path = join(dir, "future.gguf");
    writeFileSync(path, bytes);
    const view = describeStatus(await statusOf(path));
    assert.equal(view.text, "$(warning) Hearth: unsupported GGUF version");
    assert.match(view.tooltip, /GGUF version 4 is not supported/);
  });

  it("says an engine that stopped responding did, and a model that keeps crashing it does", () => {
    const unresponsive = describeStatus({ kind: "error", error: { code: "engine-unresponsive", message: "The engine stopped responding (no answer for 10 s), so Hearth stopped it." } });
    assert.equal(unresponsive.text, "$(error) Hearth: engine stopped responding");
    const loop = describeStatus({ kind: "error", error: { code: "model-crash-loop", message: "coder.gguf stopped the engine on each of its last 3 loads." } });
    assert.equal(loop.text, "$(error) Hearth: model keeps crashing");
    assert.match(loop.tooltip, /Hearth: coder\.gguf stopped the engine on each of its last 3 loads\./);
  });

  it("keeps the short texts for a missing model and no model", () => {
    assert.equal(describeStatus({ kind: "no-model", problem: { code: "missing", message: "The model file does not exist: /x.gguf" } }).text, "$(warning) Hearth: model not usable");
    assert.equal(describeStatus({ kind: "no-model", problem: { code: "not-configured", message: "No model is configured." } }).text, "$(circle-slash) Hearth: no model");
  });
});

describe("status bar text while the model loads and once it is ready", () => {
  const model: ModelInfo = {
    path: "/m/coder.gguf",
    name: "Coder",
    architecture: "qwen2",
    sizeBytes: 1e9,
    trainContextSize: 32768,
    contextSize: 4096,
    chatContextSize: 4096,
    fimSupported: true,
    fimFormat: "Qwen2.5-Coder",
    chatTemplate: null,
    chatWrapper: "ChatML",
    gpu: false,
    threads: 1,
    loadMs: 10,
  };

  it("says the model is loading, with its progress once llama.cpp reports one", () => {
    assert.equal(describeStatus({ kind: "loading", modelPath: "/m/coder.gguf", progress: 0 }).text, "$(sync~spin) Hearth: loading model…");
    assert.equal(describeStatus({ kind: "loading", modelPath: "/m/coder.gguf", progress: 0.426 }).text, "$(sync~spin) Hearth: loading model 42%");
  });

  it("never says 100% while the load is still going", () => {
    assert.equal(describeStatus({ kind: "loading", modelPath: "/m/coder.gguf", progress: 1 }).text, "$(sync~spin) Hearth: loading model 99%");
  });

  it("says ready once the model is loaded, busy or not", () => {
    assert.equal(describeStatus({ kind: "ready", model, busy: false }).text, "$(flame) Hearth: ready");
    assert.equal(describeStatus({ kind: "ready", model, busy: true }).text, "$(loading~spin) Hearth: ready");
  });

  it("names the completion's window and the chat's when they differ, one window when they do not", () => {
    assert.match(describeStatus({ kind: "ready", model: { ...model, chatContextSize: 16384 }, busy: false }).tooltip, /context 4096 for completions, 16384 for chat,/);
    assert.match(describeStatus({ kind: "ready", model, busy: false }).tooltip, /context 4096, 1 thread/);
  });
});
