import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { readSettings, RESTRICTED_SETTINGS, takeSetting, type InspectedSetting, type SettingsSource } from "../../../src/common/settings";

const root = join(__dirname, "..", "..", "..", "..");
const manifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
  capabilities?: { untrustedWorkspaces?: { supported?: unknown; restrictedConfigurations?: string[]; description?: string } };
  contributes: { configuration: { properties: Record<string, { default?: unknown }> } };
};
const declared = manifest.contributes.configuration.properties;

/** Settings as VS Code's inspect() reports them: package.json's defaults, plus user and workspace values. */
function source(user: Record<string, unknown> = {}, workspace: Record<string, unknown> = {}, folder: Record<string, unknown> = {}): SettingsSource {
  return {
    inspect: (key) => {
      const full = `hearth.${key}`;
      const inspected: InspectedSetting = { defaultValue: declared[full]?.default };
      if (full in user) inspected.globalValue = user[full];
      if (full in workspace) inspected.workspaceValue = workspace[full];
      if (full in folder) inspected.workspaceFolderValue = folder[full];
      return inspected;
    },
  };
}

const untrusted = { trusted: false, cores: 8 };
const trusted = { trusted: true, cores: 8 };

describe("Hearth settings and workspace trust", () => {
  describe("which value a setting takes", () => {
    const inspected: InspectedSetting<string> = { defaultValue: "", globalValue: "/user.gguf", workspaceValue: "/ws.gguf", workspaceFolderValue: "/folder.gguf" };

    it("takes the workspace folder's value, then the workspace's, then the user's, in a trusted workspace", () => {
      assert.deepEqual(takeSetting(inspected, true), { value: "/folder.gguf", ignored: false });
      assert.deepEqual(takeSetting({ ...inspected, workspaceFolderValue: undefined }, true), { value: "/ws.gguf", ignored: false });
    });

    it("takes the user's value and says the workspace's was ignored, in Restricted Mode", () => {
      assert.deepEqual(takeSetting(inspected, false), { value: "/user.gguf", ignored: true });
      assert.deepEqual(takeSetting({ defaultValue: "", workspaceValue: "/ws.gguf" }, false), { value: "", ignored: true });
    });

    it("says nothing was ignored when the workspace sets nothing, or the same as the user", () => {
      assert.deepEqual(takeSetting({ defaultValue: "", globalValue: "/u.gguf" }, false), { value: "/u.gguf", ignored: false });
      assert.deepEqual(takeSetting({ defaultValue: [], globalValue: ["/a"], workspaceValue: ["/a"] }, false), { value: ["/a"], ignored: false });
    });
  });

  describe("in Restricted Mode", () => {
    it("ignores model and adapter paths from the workspace's settings, keeping the user's", () => {
      const config = readSettings(
        source(
          { "hearth.model.path": "/home/me/coder.gguf" },
          {
            "hearth.model.path": "/tmp/evil.gguf",
            "hearth.chat.modelPath": "/tmp/evil-chat.gguf",
            "hearth.model.loraAdapters": ["./adapters/evil.gguf"],
            "hearth.models.folders": ["/tmp/evil-models"],
            "hearth.models.downloadFolder": "/home/me/.config/autostart",
          },
        ),
        untrusted,
      );
      assert.equal(config.model.path, "/home/me/coder.gguf");
      assert.equal(config.chat.modelPath, "");
      assert.deepEqual(config.model.loraAdapters, []);
      assert.deepEqual(config.models.folders, []);
      assert.equal(config.models.downloadFolder, "");
      assert.deepEqual(config.ignored, ["hearth.model.path", "hearth.chat.modelPath", "hearth.model.loraAdapters", "hearth.models.folders", "hearth.models.downloadFolder"]);
    });

    it("ignores a workspace folder's adapter paths (resource scope) as well as the workspace's", () => {
      const config = readSettings(source({}, {}, { "hearth.model.loraAdapters": ["/repo/lora.gguf"] }), untrusted);
      assert.deepEqual(config.model.loraAdapters, []);
      assert.deepEqual(config.ignored, ["hearth.model.loraAdapters"]);
    });

    it("ignores a user's relative model path, which would point into the untrusted workspace", () => {
      const config = readSettings(source({ "hearth.model.path": "models/coder.gguf", "hearth.model.loraAdapters": ["~/lora.gguf", "lora/x.gguf"] }), untrusted);
      assert.equal(config.model.path, "");
      assert.deepEqual(config.model.loraAdapters, ["~/lora.gguf"]);
      assert.deepEqual(config.ignored, ["hearth.model.path", "hearth.model.loraAdapters"]);
    });

    it("ignores the workspace's engine sizes, which could exhaust memory or every core", () => {
      const config = readSettings(
        source({}, { "hearth.engine.contextSize": 131072, "hearth.completion.contextTokens": 32768, "hearth.engine.threads": 256 }),
        untrusted,
      );
      assert.equal(config.engine.contextSize, 4096);
      assert.equal(config.completion.contextTokens, 1024);
      assert.equal(config.engine.threads, 0);
      assert.deepEqual(config.ignored, ["hearth.engine.threads", "hearth.engine.contextSize", "hearth.completion.contextTokens"]);
    });

    it("still lets the workspace turn completions off for a language", () => {
      const config = readSettings(source({}, { "hearth.completion.languages": { python: false } }), untrusted);
      assert.equal(config.completion.languages.python, false);
      assert.deepEqual(config.ignored, []);
    });
  });

  describe("in a trusted workspace", () => {
    it("uses the workspace's paths and sizes", () => {
      const config = readSettings(
        source({}, { "hearth.model.path": "models/coder.gguf", "hearth.model.loraAdapters": ["lora.gguf"], "hearth.engine.contextSize": 8192 }),
        trusted,
      );
      assert.equal(config.model.path, "models/coder.gguf");
      assert.deepEqual(config.model.loraAdapters, ["lora.gguf"]);
      assert.equal(config.engine.contextSize, 8192);
      assert.deepEqual(config.ignored, []);
    });

    it("never runs more engine threads than the machine has cores", () => {
      assert.equal(readSettings(source({ "hearth.engine.threads": 256 }), trusted).engine.threads, 8);
    });
  });

  describe("odd values, from anywhere", () => {
    it("keeps a language map free of prototype keys, so a language named constructor is not 'on'", () => {
      const languages = JSON.parse('{"__proto__": {"polluted": true}, "constructor": "yes", "python": true}') as unknown;
      const config = readSettings(source({}, { "hearth.completion.languages": languages }), trusted);
      assert.equal(Object.getPrototypeOf(config.completion.languages), null);
      assert.equal(config.completion.languages.constructor, undefined);
      assert.equal(config.completion.languages.toString, undefined);
      assert.equal(config.completion.languages.python, true);
      assert.equal(({} as Record<string, unknown>).polluted, undefined);
    });

    it("takes the default for a value of the wrong type", () => {
      const config = readSettings(
        source({ "hearth.model.path": 42, "hearth.engine.threads": "8", "hearth.engine.contextSize": Number.NaN, "hearth.model.loraAdapters": "x.gguf", "hearth.engine.gpu": "cuda" }),
        trusted,
      );
      assert.equal(config.model.path, "");
      assert.equal(config.engine.threads, 0);
      assert.equal(config.engine.contextSize, 4096);
      assert.deepEqual(config.model.loraAdapters, []);
      assert.equal(config.engine.gpu, "auto");
    });

    it("holds every number setting a workspace can write within the bounds package.json declares", () => {
      // VS Code reports a workspace's value whatever the schema says: "hearth.codebase.maxFiles": 1e12, or a string
      // that compares as NaN, would lift the index's limit.
      const numbers = Object.entries(declared as Record<string, { type?: string; minimum?: number; maximum?: number }>).filter(
        ([key, spec]) => spec.type === "integer" && !key.startsWith("hearth.server."), // the server's: user level only (server-choice.ts)
      );
      assert.ok(numbers.some(([key]) => key === "hearth.codebase.maxFiles"));
      for (const [key, spec] of numbers) {
        for (const value of [1e12, -1e12, "all", Number.NaN, null]) {
          const config = readSettings(source({}, { [key]: value }), trusted) as unknown as Record<string, Record<string, unknown>>;
          const [section, name] = key.slice("hearth.".length).split(".") as [string, string];
          const read = config[section]?.[name];
          assert.ok(typeof read === "number" && Number.isInteger(read), `${key} set to ${String(value)} reads as ${String(read)}`);
          assert.ok(read >= (spec.minimum ?? -Infinity) && read <= (spec.maximum ?? Infinity), `${key} set to ${String(value)} reads as ${read}`);
        }
      }
    });

    it("bounds lists and paths: no thousand folders to scan, no megabyte path", () => {
      const config = readSettings(source({ "hearth.models.folders": Array.from({ length: 1000 }, (_, i) => `/m/${i}`), "hearth.model.path": `/${"a".repeat(1_000_000)}` }), trusted);
      assert.ok(config.models.folders.length <= 32);
      assert.equal(config.model.path, "");
    });
  });

  describe("package.json", () => {
    it("declares limited support for untrusted workspaces, restricting every setting Restricted Mode ignores", () => {
      const capability = manifest.capabilities?.untrustedWorkspaces;
      assert.ok(capability, "capabilities.untrustedWorkspaces is declared");
      assert.equal(capability.supported, "limited");
      assert.ok(capability.description && capability.description.length > 20);
      assert.deepEqual([...(capability.restrictedConfigurations ?? [])].sort(), [...RESTRICTED_SETTINGS].sort());
      for (const key of RESTRICTED_SETTINGS) assert.ok(key in declared, `${key} is a declared setting`);
    });
  });
});
