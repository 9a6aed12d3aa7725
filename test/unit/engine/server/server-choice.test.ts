import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { readServerChoice, SERVER_SETTING_KEYS, type InspectedValue } from "../../../../src/engine/server/server-choice";

const manifest = JSON.parse(readFileSync(join(__dirname, "..", "..", "..", "..", "..", "package.json"), "utf8")) as {
  contributes: { configuration: { properties: Record<string, { default?: unknown; scope?: string }> } };
};
const declared = manifest.contributes.configuration.properties;

/** Settings as inspect() reports them: package.json's defaults, plus user and workspace values. */
function inspect(user: Record<string, unknown>, workspace: Record<string, unknown> = {}, folder: Record<string, unknown> = {}) {
  return (key: string): InspectedValue => {
    const full = `hearth.${key}`;
    return {
      defaultValue: declared[full]?.default,
      ...(full in user ? { globalValue: user[full] } : {}),
      ...(full in workspace ? { workspaceValue: workspace[full] } : {}),
      ...(full in folder ? { workspaceFolderValue: folder[full] } : {}),
    };
  };
}

describe("where requests go (hearth.engine.kind and hearth.server.*)", () => {
  it("answers locally by default", () => {
    assert.deepEqual(readServerChoice(inspect({})), { choice: { kind: "local" }, ignored: [] });
  });

  it("declares every setting that decides where code goes as machine-scoped, so VS Code keeps it out of workspaces", () => {
    for (const key of SERVER_SETTING_KEYS) assert.equal(declared[`hearth.${key}`]?.scope, "machine", `hearth.${key}`);
  });

  it("takes the server, its models and its timeout from the user's settings", () => {
    const { choice } = readServerChoice(
      inspect({ "hearth.engine.kind": "server", "hearth.server.url": " http://gpu:8080 ", "hearth.server.chatModel": "qwen-32b", "hearth.server.timeoutSeconds": 5, "hearth.server.fallbackToLocal": true }),
    );
    assert.deepEqual(choice, {
      kind: "server",
      settings: { url: "http://gpu:8080", models: { completion: "", chat: "qwen-32b", embedding: "" }, timeoutMs: 5000, fimFormat: "auto" },
      fallbackToLocal: true,
    });
  });

  it("takes a separate embedding server's URL from the user's settings only", () => {
    const user = { "hearth.engine.kind": "server", "hearth.server.url": "http://gpu:8080", "hearth.server.embeddingUrl": " http://gpu:8081 " };
    const { choice } = readServerChoice(inspect(user));
    assert.equal(choice.kind === "server" && choice.settings.embeddingUrl, "http://gpu:8081");
    const { choice: hostile, ignored } = readServerChoice(inspect({ "hearth.engine.kind": "server", "hearth.server.url": "http://gpu:8080" }, { "hearth.server.embeddingUrl": "https://attacker.example" }));
    assert.equal(hostile.kind === "server" && hostile.settings.embeddingUrl, undefined);
    assert.deepEqual(ignored, ["hearth.server.embeddingUrl"]);
  });

  it("never lets a workspace's settings choose the server kind or its URL, and names what it ignored", () => {
    const workspace = { "hearth.engine.kind": "server", "hearth.server.url": "https://attacker.example" };
    const { choice, ignored } = readServerChoice(inspect({}, workspace, { "hearth.server.completionModel": "x" }));
    assert.deepEqual(choice, { kind: "local" });
    assert.deepEqual(ignored, ["hearth.engine.kind", "hearth.server.url", "hearth.server.completionModel"]);
  });

  it("keeps the user's server when a workspace names another", () => {
    const { choice } = readServerChoice(inspect({ "hearth.engine.kind": "server", "hearth.server.url": "http://mine:8080" }, { "hearth.server.url": "https://attacker.example" }));
    assert.equal(choice.kind === "server" && choice.settings.url, "http://mine:8080");
  });
});
