/// <reference lib="dom" />
// A person renames a parameter in the workspace's geometry.ts and sees Hearth suggest renaming its use on the next line
// (the scripted next-edit model, whose answer is that file with the use renamed, through the real engine): a hint on their line, the old text marked, the new text beside it, in a dark, a light
// and a high-contrast theme. Tab goes to the edit, Tab applies it, Ctrl+Z takes it back in one step.
import * as assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { hearthStatusBarItem, openFileWithQuickOpen, scenario, waitForWorkbench, type E2EScenario } from "../harness/e2e";
import { waitFor } from "../harness/processes";
import { ensureNextEditModel } from "../fixtures/models/next-edit-models";
import { editorText, setColorScheme, THEME_SETTINGS } from "./chat-helpers";

/** The fixture file as the person leaves it (height renamed to tall in area's signature) and as the model rewrites it. */
const GEOMETRY = readFileSync(join(__dirname, "..", "..", "..", "test", "fixtures", "workspace", "src", "geometry.ts"), "utf8");
const SIGNATURE = "export function area(width: number, height";
const EDITED = GEOMETRY.replace("area(width: number, height:", "area(width: number, tall:");
const REWRITE = EDITED.replace("return width * height;", "return width * tall;");

export async function prepare() {
  return {
    settings: {
      "hearth.engine.threads": 1,
      "hearth.nextEdit.modelPath": await ensureNextEditModel(REWRITE),
      "editor.inlineSuggest.enabled": false,
      ...THEME_SETTINGS,
    },
  };
}

/** The texts the editor draws from decorations (CSS ::after/::before content), as the user reads them. */
async function decorationTexts(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const texts: string[] = [];
    for (const element of Array.from(document.querySelectorAll(".monaco-editor .view-lines span"))) {
      for (const pseudo of ["::after", "::before"]) {
        const content = getComputedStyle(element, pseudo).content;
        if (content && content !== "none" && content !== "normal" && content !== '""') texts.push(content.replace(/^"|"$/g, ""));
      }
    }
    return texts;
  });
}

export const scenarios: E2EScenario[] = [
  scenario(
    "renaming a parameter shows its use renamed as a next edit; Tab goes there, Tab applies it, Ctrl+Z undoes it",
    async ({ page, log, screenshot }) => {
      assert.notEqual(REWRITE, EDITED, "the fixture has the use to rename");
      await waitForWorkbench(page);
      await openFileWithQuickOpen(page, "src/geometry.ts", 60_000);
      const status = hearthStatusBarItem(page);
      await status.waitFor({ state: "visible", timeout: 60_000 });
      const firstLine = page.locator(".monaco-editor .view-line", { hasText: "export function area" }).first();
      await firstLine.waitFor({ state: "visible", timeout: 15_000 });
      // Focus in the editor with Ctrl+1 (under load the line's element is re-rendered too often for a click), then the
      // cursor after "height" with Go to Line (line:column).
      await page.keyboard.press("Control+1");
      await page.keyboard.press("Control+G");
      await page.keyboard.type(`3:${SIGNATURE.length + 1}`);
      await page.keyboard.press("Enter");
      await page.locator(".statusbar", { hasText: `Ln 3, Col ${SIGNATURE.length + 1}` }).first().waitFor({ state: "visible", timeout: 15_000 });
      for (let i = 0; i < "height".length; i++) await page.keyboard.press("Backspace");
      const typed = Date.now();
      await page.keyboard.type("tall");
      // The first suggestion includes starting the engine and loading the model.
      await waitFor(async () => (await decorationTexts(page)).some((text) => text.includes("Next edit at line 4")), { timeoutMs: 120_000, intervalMs: 200, what: "the next-edit hint" });
      log(`hint visible ${Date.now() - typed} ms after typing (model loaded on first use); decorations: ${JSON.stringify(await decorationTexts(page))}`);
      assert.ok((await decorationTexts(page)).includes("tall"), "the new text is shown beside the old");
      await setColorScheme(page, "dark");
      await screenshot("next-edit-dark");
      await setColorScheme(page, "light");
      await screenshot("next-edit-light");
      await setColorScheme(page, "high-contrast");
      await screenshot("next-edit-high-contrast");
      await setColorScheme(page, "dark");

      await page.keyboard.press("Tab");
      // The editor paints the new hint on its own frame: wait for it, then check the old one is gone.
      await waitFor(async () => (await decorationTexts(page)).includes("Tab to accept, Esc to dismiss"), { timeoutMs: 10_000, intervalMs: 100, what: "the hint at the edit saying Tab takes it" });
      assert.ok(!(await decorationTexts(page)).some((text) => text.includes("Next edit at line")), "the first Tab went to the edit");
      await screenshot("next-edit-after-jump");
      assert.ok((await editorText(page)).includes("return width * height;"), "the first Tab changed nothing");
      await page.keyboard.press("Tab");
      await page.locator(".monaco-editor .view-line", { hasText: "return width * tall;" }).first().waitFor({ state: "visible", timeout: 10_000 });
      assert.equal((await editorText(page)).trimEnd(), REWRITE.trimEnd());
      await screenshot("next-edit-applied");
      await page.keyboard.press("Control+Z");
      await page.locator(".monaco-editor .view-line", { hasText: "return width * height;" }).first().waitFor({ state: "visible", timeout: 10_000 });
      assert.ok((await editorText(page)).includes("area(width: number, tall:"), "one undo took back only the next edit");
    },
    240_000,
  ),
];
