/// <reference lib="dom" />
// A person types in a TypeScript file, sees Hearth's ghost text (the scripted model's completion through the real
// engine), accepts it with Tab, and the document holds it.
import * as assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { hearthStatusBarItem, openFileWithQuickOpen, scenario, waitForWorkbench, type E2EScenario } from "../harness/e2e";
import { DEFAULT_SCRIPT, ensureTestModel } from "../fixtures/models/test-models";
import { waitFor } from "../harness/processes";

export async function prepare() {
  return { settings: { "hearth.engine.threads": 1, "hearth.model.path": await ensureTestModel("scripted"), "editor.inlineSuggest.enabled": true } };
}

/** The editor's visible text, line by line, as the user reads it (ghost text excluded). */
async function editorText(page: Page): Promise<string> {
  return page.evaluate(() => {
    const lines = Array.from(document.querySelectorAll(".monaco-editor .view-lines .view-line")) as HTMLElement[];
    return lines
      .sort((a, b) => parseFloat(a.style.top) - parseFloat(b.style.top))
      .map((line) => {
        const clone = line.cloneNode(true) as HTMLElement;
        clone.querySelectorAll(".ghost-text-decoration, .ghost-text, .ghost-text-decoration-preview").forEach((g) => g.remove());
        return (clone.textContent ?? "").replace(/\u00a0/g, " ");
      })
      .join("\n");
  });
}

export const scenarios: E2EScenario[] = [
  scenario(
    "typing a new line in a function body shows the ghost text and Tab accepts it",
    async ({ page, log, screenshot }) => {
      await waitForWorkbench(page);
      await openFileWithQuickOpen(page, "src/stats.ts");
      await page.locator(".monaco-editor .view-lines", { hasText: "countDone" }).first().waitFor({ state: "visible", timeout: 15_000 });
      // Hearth activates once VS Code has started (onStartupFinished) and then reads its settings: a key pressed before
      // that reaches no provider, and VS Code asks again only on the next key. A person sees Hearth in the status bar.
      const status = hearthStatusBarItem(page);
      await status.waitFor({ state: "visible", timeout: 60_000 });
      await waitFor(async () => !/no model configured/i.test((await status.getAttribute("aria-label")) ?? ""), { timeoutMs: 30_000, intervalMs: 200, what: "Hearth configured with the model" });
      await page.locator(".monaco-editor .view-line", { hasText: "countDone" }).first().click();
      await page.keyboard.press("End");
      const started = Date.now();
      await page.keyboard.press("Enter");
      const ghost = page.locator(".monaco-editor .ghost-text-decoration, .monaco-editor .ghost-text").first();
      // The first suggestion includes starting the engine and loading the model, which is slow on a busy 2-core machine.
      await ghost.waitFor({ state: "visible", timeout: 120_000 });
      // Monaco renders ghost text as one span per syntax token, spaces as no-break spaces: read them together.
      await page.waitForFunction(
        (expected) => Array.from(document.querySelectorAll(".monaco-editor .ghost-text-decoration, .monaco-editor .ghost-text")).map((e) => e.textContent).join("").replace(/\u00a0/g, " ").includes(expected),
        DEFAULT_SCRIPT.fim.split("\n")[0],
        { timeout: 10_000 },
      );
      log(`ghost text visible ${Date.now() - started} ms after Enter (model loaded on first use)`);
      await screenshot("inline-ghost-text");

      await page.keyboard.press("Tab");
      await page.locator(".monaco-editor .view-line", { hasText: "return done.length;" }).first().waitFor({ state: "visible", timeout: 10_000 });
      await screenshot("inline-accepted");
      const text = await editorText(page);
      log(`editor text after Tab:\n${text}`);
      const [firstLine, secondLine] = DEFAULT_SCRIPT.fim.split("\n");
      assert.ok(text.includes(`  ${firstLine}`), `the first line is in the document:\n${text}`);
      assert.ok(text.includes(secondLine!), `the second line is in the document:\n${text}`);
      assert.equal(text.split(firstLine!).length - 1, 1, "the completion was inserted once");
    },
    200_000,
  ),
];
