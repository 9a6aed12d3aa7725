// What a person sees of Hearth before using it: the status item from the first moment of activation, and Hearth's
// commands in the editor's context menu gathered in one "Hearth" submenu (the light bulb keeps its own entries).
import * as assert from "node:assert/strict";
import * as vscode from "vscode";
import type { HearthApi } from "../../src/extension";
import { hearth, hearthExtension, waitFor } from "./helpers";

interface MenuEntry {
  command?: string;
  submenu?: string;
  group?: string;
  when?: string;
}

const SUBMENU = "hearth.editorContext";
const ACTIONS = ["hearth.explain", "hearth.fix", "hearth.document", "hearth.generateTests", "hearth.editWithInstruction"];

describe("Hearth at first look", () => {
  let api: HearthApi;
  before(async () => {
    api = await hearth();
  });

  it("shows its status item first thing in activation, saying it is starting, before the engine reports a state", async () => {
    assert.equal(api.statusBar.shown[0], "$(sync~spin) Hearth: starting…");
    assert.ok(api.activation.statusBarMs <= api.activation.activateMs, `shown ${api.activation.statusBarMs} ms into an activation of ${api.activation.activateMs} ms`);
    // The engine's first state replaces it (no model, idle, loading or ready: whatever the settings give).
    await waitFor(() => api.statusBar.shown.length > 1, "the engine's first state in the status item");
    assert.doesNotMatch(api.statusBar.text, /starting/);
  });

  it("puts its editor context menu commands in one submenu labelled Hearth, not among VS Code's own", () => {
    const contributes = hearthExtension().packageJSON.contributes as { submenus?: { id: string; label: string }[]; menus: Record<string, MenuEntry[]> };
    assert.deepEqual(contributes.submenus?.find((s) => s.id === SUBMENU), { id: SUBMENU, label: "Hearth" });
    const editorMenu = contributes.menus["editor/context"] ?? [];
    assert.deepEqual(
      editorMenu.filter((entry) => entry.command?.startsWith("hearth.")),
      [],
      "no Hearth command is a top-level item of the editor's context menu",
    );
    assert.equal(editorMenu.filter((entry) => entry.submenu === SUBMENU).length, 1);
    const inside = (contributes.menus[SUBMENU] ?? []).map((entry) => entry.command);
    for (const command of [...ACTIONS, "hearth.chat.askAboutSelection"]) assert.ok(inside.includes(command), `the Hearth submenu holds ${command}`);
  });

  it("every command in the Hearth submenu is registered", async () => {
    const contributes = hearthExtension().packageJSON.contributes as { menus: Record<string, MenuEntry[]> };
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = (contributes.menus[SUBMENU] ?? []).map((entry) => entry.command ?? "").filter((command) => !registered.has(command));
    assert.deepEqual(missing, []);
  });
});
