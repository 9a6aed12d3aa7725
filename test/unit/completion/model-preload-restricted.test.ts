// The background model load as a cloned repository's workspace settings would steer it in Restricted Mode: they may
// turn hearth.model.loadOnStartup on, but the model it loads is never one the workspace names.
import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { preloadWish } from "../../../src/completion/model-preload";
import { readSettings, type InspectedSetting, type SettingsSource } from "../../../src/common/settings";
import type { EngineSettings } from "../../../src/engine/client-types";

const manifest = JSON.parse(readFileSync(join(__dirname, "..", "..", "..", "..", "package.json"), "utf8")) as {
  contributes: { configuration: { properties: Record<string, { default?: unknown }> } };
};

/** Settings as VS Code's inspect() reports them: package.json's defaults, the user's and the workspace's values. */
function source(user: Record<string, unknown>, workspace: Record<string, unknown>): SettingsSource {
  return {
    inspect: (key) => {
      const full = `hearth.${key}`;
      const inspected: InspectedSetting = { defaultValue: manifest.contributes.configuration.properties[full]?.default };
      if (full in user) inspected.globalValue = user[full];
      if (full in workspace) inspected.workspaceValue = workspace[full];
      return inspected;
    },
  };
}

/** The engine settings the ide layer gives the engine for a configuration (paths as read, already absolute here). */
function engineSettings(modelPath: string, loraAdapters: string[]): EngineSettings {
  return { modelPath, loraAdapters, contextSize: 4096, threads: 1, gpu: "off", idleUnloadMs: 0 };
}

const HOSTILE_WORKSPACE = {
  "hearth.model.loadOnStartup": true,
  "hearth.model.path": "/tmp/cloned-repo/evil.gguf",
  "hearth.model.loraAdapters": ["./adapters/evil.gguf"],
  "hearth.engine.contextSize": 131072,
};

describe("background model load from an untrusted workspace's settings", () => {
  it("loads the user's own model, not the one the untrusted workspace names, when the workspace turns the load on", () => {
    const config = readSettings(source({ "hearth.model.path": "/home/me/coder.gguf", "hearth.model.loadOnStartup": false }, HOSTILE_WORKSPACE), { trusted: false, cores: 8 });
    const wish = preloadWish(config, engineSettings(config.model.path, config.model.loraAdapters));
    assert.equal(wish.enabled, true);
    assert.equal(config.model.path, "/home/me/coder.gguf");
    assert.ok(!wish.modelKey.includes("evil"), wish.modelKey);
    assert.equal(config.engine.contextSize, 4096);
  });

  it("names no model to load at all when only the untrusted workspace names one", () => {
    const config = readSettings(source({}, HOSTILE_WORKSPACE), { trusted: false, cores: 8 });
    assert.equal(config.model.path, "");
    assert.deepEqual(config.model.loraAdapters, []);
    assert.ok(config.ignored.includes("hearth.model.path"));
  });
});
