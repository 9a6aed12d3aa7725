// A person selects a function, runs "Hearth: Document" from the command palette, sees the scripted model's TSDoc
// comment in a diff, accepts it from the diff's title bar, and the file holds it.
import * as assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { openFileWithQuickOpen, scenario, waitForWorkbench, type E2EScenario } from "../harness/e2e";
import { ACTION_ANSWER, DOCUMENTED_AREA } from "../fixtures/actions/scripts";
import { DEFAULT_SCRIPT, ensureTestModel } from "../fixtures/models/test-models";
import { editorText, runCommand } from "./chat-helpers";

export async function prepare() {
  return {
    settings: {
      "hearth.engine.threads": 1,
      "hearth.engine.contextSize": 4096,
      "hearth.model.path": await ensureTestModel("scripted", { script: { fim: DEFAULT_SCRIPT.fim, chat: ACTION_ANSWER } }),
      "editor.inlineSuggest.enabled": false,
    },
  };
}

const SOURCE = ["// Scratch file for the Document scenario.", "", "export function area(width: number, height: number): number {", "  return width * height;", "}", ""].join("\n");

export const scenarios: E2EScenario[] = [
  scenario(
    "select a function, run Hearth: Document from the palette, review the diff, accept it",
    async ({ page, log, screenshot, workspace }) => {
      writeFileSync(join(workspace, "src", "rect.ts"), SOURCE);
      await waitForWorkbench(page);
      await openFileWithQuickOpen(page, "src/rect.ts");
      const signature = page.locator(".monaco-editor .view-line", { hasText: "export function area" }).first();
      await signature.waitFor({ state: "visible" });
      // Select the function: click its first line, then Shift+Down over its three lines.
      await signature.click();
      await page.keyboard.press("Home");
      await page.keyboard.press("Home");
      for (let i = 0; i < 3; i++) await page.keyboard.press("Shift+ArrowDown");

      const t0 = Date.now();
      await runCommand(page, "Hearth: Document");
      const diff = page.locator(".monaco-diff-editor").first();
      await diff.waitFor({ state: "visible", timeout: 30_000 });
      await page.locator(".tabs-container .tab", { hasText: "Hearth: Document" }).first().waitFor({ state: "visible" });
      await diff.locator(".editor.modified .view-line", { hasText: "The area of a rectangle." }).first().waitFor({ state: "visible", timeout: 90_000 });
      log(`proposal in the diff after ${Date.now() - t0} ms`);
      const accept = page.locator('.editor-actions .action-item a[aria-label^="Accept Proposed Change"]').first();
      await accept.waitFor({ state: "visible", timeout: 30_000 });
      await screenshot("actions-document-diff");
      await accept.click();
      await diff.waitFor({ state: "hidden", timeout: 15_000 });
      await page.locator(".monaco-editor .view-line", { hasText: "The area of a rectangle." }).first().waitFor({ state: "visible", timeout: 15_000 });
      const text = await editorText(page);
      log(`rect.ts after Accept:\n${text}`);
      assert.ok(text.includes(DOCUMENTED_AREA), "the file holds the documented function");
      assert.ok(text.startsWith("// Scratch file for the Document scenario."), "the rest of the file is untouched");
      await screenshot("actions-document-accepted");
    },
    180_000,
  ),
];
