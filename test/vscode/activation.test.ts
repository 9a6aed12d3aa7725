// Hearth inside a real VS Code: the extension is there, activates, and registers every command it declares.
import * as assert from "node:assert/strict";
import * as vscode from "vscode";
import { EXTENSION_ID, hearthExtension, waitFor } from "./helpers";

describe("Hearth activation", () => {
  it("is installed as hearth.hearth", () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, `extension ${EXTENSION_ID} not found`);
    assert.equal(ext.packageJSON.name, "hearth");
  });

  it("becomes active", async () => {
    const ext = hearthExtension();
    // onStartupFinished may already have activated it; activate() is a no-op then and surfaces activation errors.
    await Promise.race([
      ext.activate(),
      new Promise((_, reject) => setTimeout(() => reject(new Error("activate() took longer than 15 s")), 15_000)),
    ]);
    await waitFor(() => ext.isActive, `${EXTENSION_ID} to be active`, 15_000);
    assert.equal(ext.isActive, true);
  });

  it("registers every command declared in package.json", async () => {
    const ext = hearthExtension();
    const declared = ((ext.packageJSON.contributes?.commands ?? []) as { command: string }[]).map((c) => c.command);
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = declared.filter((id) => !registered.has(id));
    assert.deepEqual(missing, [], `declared but not registered: ${missing.join(", ")}`);
  });
});
