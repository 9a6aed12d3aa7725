// A person selects a function, runs "Hearth: Document" from the command palette, sees the diff open at once while the
// model writes (titled "writing…", no Accept button, the status bar counting tokens), then the scripted model's TSDoc
// comment in the finished diff, accepts it from the diff's title bar, and the file holds it.
import * as assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { activeEditorTab, hearthStatusBarItem, scenario, waitForWorkbench, type E2EScenario } from "../harness/e2e";
import { ACTION_ANSWER, DOCUMENTED_AREA } from "../fixtures/actions/scripts";
import { DEFAULT_SCRIPT } from "../fixtures/models/test-models";
import { editorText, runCommand, scriptedModelSettings } from "./chat-helpers";

export async function prepare() {
  return {
    settings: {
      ...(await scriptedModelSettings({ fim: DEFAULT_SCRIPT.fim, chat: SLOW_ANSWER })),
      // The model loads when Document asks it, as on a first use: the diff is seen writing while it loads.
      "hearth.model.loadOnStartup": false,
    },
  };
}

/** The documented function, then a closing remark long enough that the model is seen writing after the code came. */
const SLOW_ANSWER = `${ACTION_ANSWER}\n\n${Array.from({ length: 60 }, (_, i) => `Note ${i + 1}: the comment says what area returns.`).join("\n")}`;

const SOURCE = ["// Scratch file for the Document scenario.", "", "export function area(width: number, height: number): number {", "  return width * height;", "}", ""].join("\n");

export const scenarios: E2EScenario[] = [
  scenario(
    "select a function, run Hearth: Document from the palette, review the diff, accept it",
    async ({ page, log, screenshot: take, workspace }) => {
      // A screenshot of a busy workbench can time out on a loaded machine: try it again rather than fail the scenario.
      const screenshot = async (name: string) => {
        for (let attempt = 1; ; attempt++) {
          try {
            return await take(name);
          } catch (error) {
            if (attempt === 3) throw error;
          }
        }
      };
      writeFileSync(join(workspace, "src", "rect.ts"), SOURCE);
      await waitForWorkbench(page);
      // Hearth is active (a loaded machine can take a minute to start the extension host).
      await hearthStatusBarItem(page).waitFor({ state: "visible", timeout: 120_000 });
      // Open the file from the explorer (Quick Open's file search waits on the extension host, slow on a loaded machine).
      await page.getByRole("treeitem", { name: "src", exact: true }).click({ timeout: 60_000 });
      await page.getByRole("treeitem", { name: "rect.ts", exact: true }).click({ timeout: 60_000 });
      await activeEditorTab(page, "rect.ts").waitFor({ state: "visible", timeout: 60_000 });
      const signature = page.locator(".monaco-editor .view-line", { hasText: "export function area" }).first();
      await signature.waitFor({ state: "visible", timeout: 60_000 });
      // Select the function: click its first line, then Shift+Down over its three lines.
      await signature.click({ timeout: 60_000 });
      await page.keyboard.press("Home");
      await page.keyboard.press("Home");
      for (let i = 0; i < 3; i++) await page.keyboard.press("Shift+ArrowDown");

      const t0 = Date.now();
      await runCommand(page, "Hearth: Document");
      const diff = page.locator(".monaco-diff-editor").first();
      const accept = page.locator('.editor-actions .action-item a[aria-label^="Accept Proposed Change"]').first();
      // While the model writes: the diff is open under a "writing…" title, with no Accept button.
      await page.locator(".tabs-container .tab", { hasText: "Hearth: Document — writing…" }).first().waitFor({ state: "visible", timeout: 30_000 });
      await diff.waitFor({ state: "visible", timeout: 15_000 });
      log(`diff open, writing, after ${Date.now() - t0} ms`);
      assert.equal(await accept.count(), 0, "no Accept while the model writes");
      await screenshot("actions-document-writing");
      const writing = page.locator(".tabs-container .tab", { hasText: "writing…" });
      await diff.locator(".editor.modified .view-line", { hasText: "The area of a rectangle." }).first().waitFor({ state: "visible", timeout: 90_000 });
      // The model writes its closing remark after the code: the proposal is usually seen while it still writes.
      if ((await writing.count()) > 0) {
        log(`the proposal streams into the diff after ${Date.now() - t0} ms`);
        await screenshot("actions-document-writing-proposal");
      }
      // Finished: the plain title, and Accept.
      await writing.first().waitFor({ state: "detached", timeout: 90_000 });
      await page.locator(".tabs-container .tab", { hasText: "rect.ts ↔ Hearth: Document" }).first().waitFor({ state: "visible", timeout: 15_000 });
      await accept.waitFor({ state: "visible", timeout: 30_000 });
      log(`proposal finished after ${Date.now() - t0} ms`);
      await diff.locator(".editor.modified .view-line", { hasText: "The area of a rectangle." }).first().waitFor({ state: "visible", timeout: 15_000 });
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
