// Codebase memory in a real extension host: the workspace is indexed in the memory worker (LanceDB in the workspace's
// storage), Hearth: Search Codebase finds a function by the words of a question, a saved change is searchable, a
// chat question with @codebase gets the snippets as Codebase chips, and a deleted file is forgotten. No embedding
// model: full text and symbols.
import * as assert from "node:assert/strict";
import { appendFileSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as vscode from "vscode";
import { openChip } from "../../src/ide/chat-chip-open";
import { MemoryLogger } from "../../src/common/logger";
import type { HearthApi } from "../../src/extension";
import type { CodebaseSearchResult } from "../../src/memory/codebase-search";
import type { IndexSummary } from "../../src/memory/memory-results";
import { hearth, waitFor, workspaceFile } from "./helpers";

const FILE = "src/shipping-rates.ts";
const CODE = "export function computeShippingRate(weightKg: number, zone: string): number {\n  return weightKg * (zone === 'EU' ? 4.5 : 9);\n}\n";

describe("Hearth codebase memory in the extension host", function () {
  this.timeout(240_000);
  let api: HearthApi;

  before(async () => {
    api = await hearth();
    await vscode.workspace.fs.writeFile(workspaceFile(...FILE.split("/")), Buffer.from(CODE, "utf8"));
  });

  after(async () => {
    await vscode.workspace.fs.delete(workspaceFile(...FILE.split("/"))).then(undefined, () => undefined);
    // The last @codebase question's chips stay in the chat until the next question: the next suite starts with none.
    for (const piece of await api.chat.context.pieces()) if (piece.kind === "codebase") api.chat.context.remove(piece.id);
  });

  it("indexes the workspace with Hearth: Reindex Codebase and finds a function with Hearth: Search Codebase", async () => {
    const summary = await vscode.commands.executeCommand<IndexSummary | null>("hearth.reindexCodebase");
    assert.ok(summary && summary.files >= 2, JSON.stringify(summary));
    assert.match(summary.vectorsOff ?? "", /embedding/i, "without an embedding model, full text and symbols only");
    const result = await vscode.commands.executeCommand<CodebaseSearchResult | null>("hearth.searchCodebase", "how is the shipping rate computed for a zone?");
    assert.ok(result?.snippets.length, JSON.stringify(result));
    assert.ok(result.snippets[0].path.endsWith("shipping-rates.ts"), result.snippets.map((s) => s.path).join(", "));
    assert.equal(result.snippets[0].startLine, 0);
  });

  it("makes a saved change searchable", async () => {
    const doc = await vscode.workspace.openTextDocument(workspaceFile(...FILE.split("/")));
    const editor = await vscode.window.showTextDocument(doc);
    await editor.edit((b) => b.insert(new vscode.Position(doc.lineCount, 0), "\nexport function refundDamagedParcel(id: string): boolean {\n  return id.length > 0;\n}\n"));
    await doc.save();
    // The save is indexed in the background, after the change batch's pause.
    await waitFor(async () => {
      const result = await vscode.commands.executeCommand<CodebaseSearchResult | null>("hearth.searchCodebase", "refund a damaged parcel");
      return result?.snippets.some((s) => s.text.includes("refundDamagedParcel")) ?? false;
    }, "the saved function to be searchable", 60_000);
  });

  it("sends a chat question with @codebase with the snippets as Codebase chips", async () => {
    const search = await vscode.commands.executeCommand<CodebaseSearchResult | null>("hearth.searchCodebase", "where is the shipping rate computed?");
    assert.ok(search?.snippets.some((s) => s.text.includes("computeShippingRate")), JSON.stringify(search));
    const pieces = await api.chat.context.piecesFor("@codebase where is the shipping rate computed?");
    const codebase = pieces.filter((p) => p.kind === "codebase");
    assert.ok(codebase.length > 0, JSON.stringify(pieces.map((p) => p.label)));
    assert.match(codebase[0].label, /^shipping-rates\.ts:1-\d+$/);
    assert.match(codebase[0].text, /computeShippingRate/);
    const plain = await api.chat.context.piecesFor("what does this file do?");
    assert.equal(plain.filter((p) => p.kind === "codebase").length, 0, "a question without @codebase has none");
  });

  it("puts @codebase into the question when it is chosen in the @ picker (typing @ opens it)", async () => {
    await vscode.commands.executeCommand("hearth.chat.focus");
    await waitFor(() => api.chat.view.isReady, "the chat webview to post ready");
    const posted: unknown[] = [];
    const sub = api.chat.view.onDidPost((m) => m.type === "mention" && posted.push(m));
    try {
      // What the view posts for an @ typed at a word's start; @codebase is the picker's first item, there at once.
      const picking = api.chat.view.receive({ type: "attachFile" });
      await vscode.commands.executeCommand("workbench.action.acceptSelectedQuickOpenItem");
      await picking;
      assert.deepEqual(posted, [{ type: "mention", mention: "codebase" }]);
      assert.equal((await api.chat.context.pieces()).filter((p) => p.kind === "attached").length, 0, "no file was attached");
    } finally {
      sub.dispose();
    }
  });

  describe("a Codebase chip opens its place", () => {
    beforeEach(() => vscode.commands.executeCommand("workbench.action.closeAllEditors"));

    it("opens the snippet's file at its first line, its lines in view, when the chip is clicked in the chat", async () => {
      const pieces = await api.chat.context.piecesFor("@codebase where is the shipping rate computed?");
      const chip = pieces.find((p) => p.kind === "codebase" && p.label.startsWith("shipping-rates.ts"));
      assert.ok(chip?.location, JSON.stringify(pieces.map((p) => p.label)));
      // What the view posts for a click on the chip (or Enter on it): its id, nothing else.
      await api.chat.view.receive({ type: "openChip", chipId: chip.id });
      const editor = vscode.window.activeTextEditor;
      assert.ok(editor, "an editor is open");
      assert.ok(editor.document.uri.fsPath.endsWith(join("src", "shipping-rates.ts")), editor.document.uri.toString());
      assert.equal(editor.selection.active.line, chip.location.startLine);
      assert.ok(editor.selection.isEmpty, "nothing is selected: a Selection chip would send the snippet again");
      await waitFor(() => editor.visibleRanges.some((r) => r.contains(new vscode.Position(chip.location!.endLine, 0))), "the snippet's last line to be in view");
      assert.equal((await api.chat.context.pieces()).filter((p) => p.kind === "selection").length, 0);
    });

    it("opens nothing for a chip that stands for no place Hearth retrieved, or for a path the view names", async () => {
      await api.chat.context.piecesFor("@codebase where is the shipping rate computed?");
      await api.chat.view.receive({ type: "openChip", chipId: "file" });
      await api.chat.view.receive({ type: "openChip", chipId: "codebase-99" });
      await api.chat.view.receive({ type: "openChip", chipId: "codebase-1", path: "/etc/hostname", startLine: 0, endLine: 0 });
      await api.chat.view.receive({ type: "openChip", chipId: "/etc/hostname" });
      assert.equal(vscode.window.activeTextEditor, undefined);
    });

    it("opens nothing where the retrieved file has become a link out of the workspace, or a path that climbs out of it", async () => {
      const dir = mkdtempSync(join(tmpdir(), "hearth-outside-"));
      const link = workspaceFile("src", "linked-settings.ts");
      try {
        const outside = join(dir, "credentials.ts");
        writeFileSync(outside, "export const token = 'x';\n");
        // Indexed as a file of the workspace, then replaced (a checkout, a hostile repository) by a link to another place.
        symlinkSync(outside, link.fsPath);
        const log = new MemoryLogger();
        assert.equal(await openChip({ locationOf: () => ({ path: link.fsPath, startLine: 0, endLine: 0 }), log }, "codebase-1"), undefined);
        // Not normalised: lexically under the workspace folder, on disk the file outside it.
        const climbing = `${workspaceFile("src").fsPath}${"/..".repeat(30)}${outside}`;
        assert.equal(await openChip({ locationOf: () => ({ path: climbing, startLine: 0, endLine: 0 }), log }, "codebase-2"), undefined);
        assert.equal(vscode.window.activeTextEditor, undefined);
        assert.equal(log.lines.filter((l) => l.includes("outside the workspace folders")).length, 2, log.lines.join("\n"));
      } finally {
        rmSync(link.fsPath, { force: true });
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it("opens nothing outside the workspace folders, even where a retrieved place says so", async () => {
      const dir = mkdtempSync(join(tmpdir(), "hearth-outside-"));
      try {
        const outside = join(dir, "secrets.ts");
        writeFileSync(outside, "export const token = 'x';\n");
        const log = new MemoryLogger();
        const editor = await openChip({ locationOf: () => ({ path: outside, startLine: 0, endLine: 0 }), log }, "codebase-1");
        assert.equal(editor, undefined);
        assert.equal(vscode.window.activeTextEditor, undefined);
        assert.ok(log.lines.some((l) => l.includes("outside the workspace folders")), log.lines.join("\n"));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  describe("a file rewritten on disk while open", () => {
    const LOG = "server-output.log";
    after(async () => {
      await vscode.commands.executeCommand("workbench.action.closeAllEditors");
      await vscode.workspace.fs.delete(workspaceFile(LOG)).then(undefined, () => undefined);
    });

    it("is not taken for typing: a reindex finishes while a program keeps writing a log open in an editor", async () => {
      const uri = workspaceFile(LOG);
      await vscode.workspace.fs.writeFile(uri, Buffer.from("started\n", "utf8"));
      const doc = await vscode.workspace.openTextDocument(uri);
      await vscode.window.showTextDocument(doc, { preview: false });
      let reloads = 0;
      const counted = vscode.workspace.onDidChangeTextDocument((e) => e.document.uri.toString() === uri.toString() && e.contentChanges.length > 0 && reloads++);
      // The program: a line every 200 ms, far more often than the typing pause indexing waits for.
      let lines = 1;
      let writing = true;
      const writer = (async () => {
        while (writing) {
          lines++;
          // Written as another program writes it, past VS Code: the file watcher sees it and the editor reloads it.
          appendFileSync(uri.fsPath, `line ${lines}\n`);
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
      })();
      try {
        await waitFor(() => reloads >= 2, "the editor to reload the log from disk");
        const summary = await Promise.race([
          vscode.commands.executeCommand<IndexSummary | null>("hearth.reindexCodebase"),
          new Promise<"waiting">((resolve) => setTimeout(() => resolve("waiting"), 90_000)),
        ]);
        assert.ok(summary !== "waiting", `the reindex still waited after 90 s, with the log reloaded ${reloads} times`);
        assert.ok(summary && summary.files >= 2, JSON.stringify(summary));
      } finally {
        writing = false;
        await writer;
        counted.dispose();
      }
    });
  });

  // A nested suite, so that it runs after the chip suite above (mocha runs a suite's own tests before its nested ones).
  describe("a deleted file", () => {
    it("is forgotten: search finds it no more and @codebase gives no chip of it", async () => {
      await vscode.workspace.fs.delete(workspaceFile(...FILE.split("/")));
      // The deletion is indexed in the background, after the change batch's pause.
      await waitFor(async () => {
        const result = await vscode.commands.executeCommand<CodebaseSearchResult | null>("hearth.searchCodebase", "how is the shipping rate computed for a zone?");
        return result !== null && result !== undefined && !result.snippets.some((s) => s.path.endsWith("shipping-rates.ts"));
      }, "the deleted file to leave the index", 60_000);
      const pieces = await api.chat.context.piecesFor("@codebase where is the shipping rate computed?");
      assert.deepEqual(pieces.filter((p) => p.kind === "codebase" && p.label.startsWith("shipping-rates.ts")).map((p) => p.label), []);
    });
  });
});
