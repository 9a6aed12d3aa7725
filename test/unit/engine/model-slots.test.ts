import { strict as assert } from "node:assert";
import type { EngineStatus } from "../../../src/engine/client-types";
import { ModelSlots, ROLE_SETTINGS } from "../../../src/engine/model-slots";
import { MODEL_ROLES, type ModelInfo } from "../../../src/engine/protocol";

const settings = { modelPath: "/m/coder.gguf", threads: 1, contextSize: 4096, gpu: "off" as const, idleUnloadMs: 0 };
const ready = (path: string): EngineStatus => ({ kind: "ready", busy: false, model: { path, name: path } as ModelInfo });

describe("engine: model slots, one per role", () => {
  it("has a settings row for every role, each naming its own setting", () => {
    assert.deepEqual(Object.keys(ROLE_SETTINGS).sort(), [...MODEL_ROLES].sort());
    assert.equal(new Set(MODEL_ROLES.map((role) => ROLE_SETTINGS[role].setting)).size, MODEL_ROLES.length);
  });

  it("serves chat with the completion model until a chat model is set, but never embedding", () => {
    const slots = new ModelSlots();
    slots.useSettings(settings);
    slots.setStatusOf("completion", ready(settings.modelPath));
    assert.equal(slots.servingRole("chat"), "completion");
    assert.equal(slots.statusFor("chat").kind, "ready");
    assert.equal(slots.servingRole("embedding"), "embedding");
    assert.equal(slots.statusFor("embedding").kind, "no-model");
    slots.useSettings({ ...settings, chatModelPath: "/m/chat.gguf", embeddingModelPath: "/m/embed.gguf" });
    assert.equal(slots.servingRole("chat"), "chat");
    assert.equal(slots.modelPathOf("embedding"), "/m/embed.gguf");
  });

  it("tells the embedding role's listeners only about the embedding model", () => {
    const slots = new ModelSlots();
    slots.useSettings({ ...settings, embeddingModelPath: "/m/embed.gguf" });
    const seen: string[] = [];
    slots.onDidChangeRoleStatus(({ role, status }) => seen.push(`${role}:${status.kind}`));
    slots.setStatusOf("completion", ready(settings.modelPath));
    slots.setStatusOf("embedding", ready("/m/embed.gguf"));
    assert.deepEqual(seen.filter((event) => event.startsWith("embedding:")), ["embedding:ready"]);
    assert.ok(seen.indexOf("chat:ready") < seen.indexOf("embedding:ready"), "chat heard the completion model's status");
  });

  it("reloads a model only when its own settings change: the LoRA adapters belong to the completion model", () => {
    const slots = new ModelSlots();
    slots.useSettings({ ...settings, embeddingModelPath: "/m/embed.gguf" });
    const before = MODEL_ROLES.map((role) => slots.settingsKey(role));
    slots.useSettings({ ...settings, embeddingModelPath: "/m/embed.gguf", loraAdapters: ["/m/team.gguf"] });
    const after = MODEL_ROLES.map((role) => slots.settingsKey(role));
    MODEL_ROLES.forEach((role, i) => assert.equal(before[i] === after[i], role !== "completion", role));
    assert.equal(new ModelSlots().settingsKey("embedding"), "");
  });

  it("shows background embedding as busy on the embedding model only, not in the status bar", () => {
    const slots = new ModelSlots();
    slots.useSettings({ ...settings, embeddingModelPath: "/m/embed.gguf" });
    slots.setStatusOf("completion", ready(settings.modelPath));
    slots.setStatusOf("embedding", ready("/m/embed.gguf"));
    slots.requestStarted("embedding");
    assert.equal(slots.status.kind === "ready" && slots.status.busy, false);
    assert.equal(slots.statusFor("embedding").kind === "ready" && (slots.statusFor("embedding") as { busy: boolean }).busy, true);
    assert.equal(slots.generating, true, "an idle unload waits for it");
    slots.requestEnded("embedding");
    assert.equal((slots.statusFor("embedding") as { busy: boolean }).busy, false);
  });
});
