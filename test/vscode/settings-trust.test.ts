// Workspace trust against VS Code's real configuration: values written into the open workspace's settings, as a cloned
// repository's .vscode/settings.json would hold them, read back through inspect(). The harness runs with trust turned
// off (one window for every suite), so Restricted Mode is asked for explicitly through readConfig's `trusted`.
import * as assert from "node:assert/strict";
import * as vscode from "vscode";
import { MemoryLogger } from "../../src/common/logger";
import { announceIgnoredSettings, onDidChangeConfig, readConfig } from "../../src/ide/config";

const WORKSPACE = vscode.ConfigurationTarget.Workspace;
/** Settings the extension only reads on demand, so writing them does not make the engine reload a model meanwhile. */
const WRITTEN = ["models.folders", "completion.contextTokens"] as const;

describe("Hearth settings from an untrusted workspace (real configuration)", () => {
  afterEach(async () => {
    const config = vscode.workspace.getConfiguration("hearth");
    for (const key of WRITTEN) await config.update(key, undefined, WORKSPACE);
  });

  it("ignores a folder to scan and a context size from the workspace's settings in Restricted Mode, and says which", async () => {
    const config = vscode.workspace.getConfiguration("hearth");
    await config.update("models.folders", ["/tmp/hearth-untrusted-models"], WORKSPACE);
    await config.update("completion.contextTokens", 32768, WORKSPACE);

    const restricted = readConfig(false);
    assert.deepEqual(restricted.models.folders, []);
    assert.equal(restricted.completion.contextTokens, 1024);
    assert.deepEqual([...restricted.ignored].sort(), ["hearth.completion.contextTokens", "hearth.models.folders"]);

    const trusted = readConfig(true);
    assert.deepEqual(trusted.models.folders, ["/tmp/hearth-untrusted-models"]);
    assert.equal(trusted.completion.contextTokens, 32768);
    assert.deepEqual(trusted.ignored, []);
  });

  it("says once which settings it ignores, not at every configure, and again only when that changes", async () => {
    await vscode.workspace.getConfiguration("hearth").update("models.folders", ["/tmp/hearth-untrusted-models"], WORKSPACE);
    const log = new MemoryLogger();
    announceIgnoredSettings(readConfig(false), log);
    announceIgnoredSettings(readConfig(false), log);
    assert.deepEqual(
      log.lines.filter((l) => l.startsWith("warn")),
      ["warn Hearth ignores the model path from this workspace's settings until you trust it (Restricted Mode): hearth.models.folders. Your user settings still apply."],
    );
    announceIgnoredSettings(readConfig(true), log);
    assert.match(log.lines[log.lines.length - 1]!, /^info .*apply in full/);
  });

  it("keeps what it read while a listener watches, and reads again once a Hearth setting changes", async () => {
    let changes = 0;
    let changed!: () => void;
    const watcher = onDidChangeConfig(() => {
      changes++;
      changed();
    });
    try {
      const first = readConfig(true);
      assert.equal(readConfig(true), first, "the same, frozen object until something changes");
      assert.ok(Object.isFrozen(first.models.folders));
      const seen = new Promise<void>((resolve) => (changed = resolve));
      await vscode.workspace.getConfiguration("hearth").update("models.folders", ["/tmp/hearth-changed"], WORKSPACE);
      await seen;
      assert.equal(changes, 1);
      assert.deepEqual(readConfig(true).models.folders, ["/tmp/hearth-changed"]);
    } finally {
      watcher.dispose();
    }
  });
});
