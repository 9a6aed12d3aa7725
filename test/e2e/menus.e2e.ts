// A person opens Hearth's model picker while Hearth's own (test) model is loaded, and right-clicks in the editor.
// The picker lists the current model first, marked, with its details readable and every action visible; the
// editor's context menu holds Hearth's commands in one "Hearth" submenu.
import * as assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { hearthStatusBarItem, openFileWithQuickOpen, scenario, waitForWorkbench, type E2EScenario } from "../harness/e2e";
import { ensureTestModel } from "../fixtures/models/test-models";
import { runCommand } from "./chat-helpers";

export async function prepare() {
  // The current model lives outside every scanned folder (as `npm start`'s built-in model does); another model sits in
  // a folder of hearth.models.folders.
  const folder = mkdtempSync(join(tmpdir(), "hearth-e2e-picker-"));
  await ensureTestModel("scripted", { dir: join(folder, "team-models") });
  return {
    settings: {
      "hearth.engine.threads": 1,
      "hearth.engine.contextSize": 1024,
      "hearth.model.path": await ensureTestModel("tiny"),
      "hearth.models.folders": [join(folder, "team-models")],
      "hearth.models.downloadFolder": join(folder, "downloads"),
      "editor.inlineSuggest.enabled": false,
    },
  };
}

/** The quick pick's rows, top to bottom, as the person reads them (label, description and detail). */
async function quickPickRows(page: Page): Promise<string[]> {
  const rows = page.locator(".quick-input-widget .monaco-list-row");
  const texts = await rows.evaluateAll((elements) => elements.map((element) => (element as { innerText: string }).innerText.replace(/\s+/g, " ").trim()));
  return texts.filter((text) => text !== "");
}

export const scenarios: E2EScenario[] = [
  scenario(
    "the model picker lists the loaded model first, marked current, with readable details and visible actions",
    async ({ page, log, screenshot }) => {
      await waitForWorkbench(page, 120_000);
      // The model loads in the background after startup (hearth.model.loadOnStartup); the picker is opened once it is
      // loaded and answering.
      await page.locator('#workbench\\.parts\\.statusbar .statusbar-item[aria-label*="ready"]').first().waitFor({ state: "visible", timeout: 180_000 });

      await runCommand(page, "Hearth: Select Model…");
      // The current model's row is there at once; Browse… comes last, off screen once the catalog's rows are in.
      await page.locator(".quick-input-widget .monaco-list-row", { hasText: "current" }).first().waitFor({ state: "visible", timeout: 30_000 });
      // The scan has finished when the catalog's rows are there.
      await page.locator(".quick-input-widget .monaco-list-row", { hasText: "Download" }).first().waitFor({ state: "visible", timeout: 30_000 });
      await page.mouse.move(5, 5);
      await screenshot("model-picker");
      const rows = await quickPickRows(page);
      log(`picker rows:\n${rows.map((row) => `  ${row}`).join("\n")}`);

      assert.ok(!rows.some((row) => row.includes("No GGUF models found")), "the loaded model is listed, so the picker does not say none were found");
      assert.match(rows[0] ?? "", /Hearth tiny test model.*current/, "the first row is the current model, marked");
      assert.match(rows[0] ?? "", /kB|MB/, "its size is readable in the row");
      assert.ok(rows.some((row) => /Hearth scripted test model/.test(row)), "the model in hearth.models.folders is listed too");
      const download = rows.filter((row) => /^Download /.test(row));
      assert.ok(download.length > 0, "each catalog model has a visible Download row");
      assert.ok(download.every((row) => /licen[cs]e/.test(row)), "each download names its licence");
      await page.keyboard.press("Escape");
    },
    300_000,
  ),
  scenario("right-clicking in the editor shows one Hearth submenu holding Hearth's commands", async ({ page, log, screenshot }) => {
    await waitForWorkbench(page, 120_000);
    await openFileWithQuickOpen(page, "src/math.ts", 60_000);
    await hearthStatusBarItem(page).waitFor({ state: "visible", timeout: 120_000 });
    const line = page.locator(".monaco-editor .view-line", { hasText: "export function mean" }).first();
    // A right-click on the function's name, as a person would (the line element spans the editor's whole width); a
    // click that lands while the workbench is still busy (or on a line the editor is re-rendering) is repeated.
    const menu = page.locator(".monaco-menu").first();
    for (let attempt = 1; ; attempt++) {
      await line.waitFor({ state: "visible", timeout: 30_000 });
      const box = await line.boundingBox();
      if (box) {
        await page.mouse.click(box.x + 120, box.y + box.height / 2, { button: "right" });
        if (await menu.waitFor({ state: "visible", timeout: 5000 }).then(() => true, () => false)) break;
      }
      if (attempt === 8) throw new Error("the editor's context menu did not open");
      await page.keyboard.press("Escape");
    }
    const topLevel = await menu.locator(".action-item .action-label").allInnerTexts();
    log(`context menu: ${JSON.stringify(topLevel.map((t) => t.trim()).filter(Boolean))}`);
    await screenshot("editor-context-menu");
    for (const title of ["Explain", "Fix", "Document", "Generate Tests", "Edit with Instruction…"]) {
      assert.ok(!topLevel.some((t) => t.trim() === title), `"${title}" is not a top-level item of the editor's menu`);
    }
    const hearthItem = menu.locator(".action-item .action-label", { hasText: /^Hearth$/ }).first();
    await hearthItem.hover();
    const submenu = page.locator(".monaco-submenu .monaco-menu").last();
    await submenu.locator(".action-label", { hasText: "Document" }).first().waitFor({ state: "visible", timeout: 10_000 });
    const inside = await submenu.locator(".action-item .action-label").allInnerTexts();
    log(`Hearth submenu: ${JSON.stringify(inside.map((t) => t.trim()).filter(Boolean))}`);
    await screenshot("editor-context-menu-hearth");
    for (const title of ["Explain", "Fix", "Document", "Generate Tests", "Edit with Instruction…"]) {
      assert.ok(inside.some((t) => t.trim() === title), `the Hearth submenu holds "${title}"`);
    }
    await page.keyboard.press("Escape");
  }, 300_000),
];
