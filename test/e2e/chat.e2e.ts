// A person opens the Hearth view, asks a question, watches the scripted model's answer stream in with a highlighted
// code block, clicks Apply, sees the diff, accepts it, and the file holds the code (one Ctrl+Z takes it back).
// Screenshots of the answer in a dark, a light and a high-contrast theme.
import * as assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { openFileWithQuickOpen, scenario, waitForWorkbench, type E2EScenario } from "../harness/e2e";
import { DEFAULT_SCRIPT } from "../fixtures/models/test-models";
import { chatFrame, editorText, openHearthView, scriptedModelSettings, setColorScheme, THEME_SETTINGS } from "./chat-helpers";

export async function prepare() {
  return {
    settings: {
      ...(await scriptedModelSettings()),
      ...THEME_SETTINGS,
    },
  };
}

const BUGGY = ["// Scratch file for the chat scenario.", "export function add(a: number, b: number): number {", "  return a - b;", "}", "", "export function double(x: number): number {", "  return add(x, x);", "}", ""].join("\n");
const SCRIPTED_CODE = /```ts\n([\s\S]*?)```/.exec(DEFAULT_SCRIPT.chat)![1]!;

export const scenarios: E2EScenario[] = [
  scenario(
    "ask in the Hearth view, see the answer stream with highlighted code, Apply it through a diff",
    async ({ page, log, screenshot, workspace }) => {
      writeFileSync(join(workspace, "src", "calc.ts"), BUGGY);
      await waitForWorkbench(page);
      await setColorScheme(page, "dark");
      await openFileWithQuickOpen(page, "src/calc.ts");
      await page.locator(".monaco-editor .view-line", { hasText: "return a - b;" }).first().waitFor({ state: "visible" });

      const t0 = Date.now();
      let frame = await openHearthView(page);
      log(`chat view open after ${Date.now() - t0} ms`);
      const input = frame.locator("textarea.input");
      await input.waitFor({ state: "visible" });
      // A strict CSP: nothing by default, scripts by nonce only, and one worker (the highlighter) from a blob: URL the
      // view makes itself; styles, fonts and images come from the webview's resource origin (webview.cspSource).
      const csp = (await frame.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute("content")) ?? "";
      assert.match(csp, /default-src 'none'/);
      assert.match(csp, /script-src 'nonce-[\w+/=]+'(;|$)/);
      assert.match(csp, /worker-src blob:(;|$)/);
      assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|connect-src|http:/);
      // The current file is a context chip.
      await frame.locator(".chip.file", { hasText: "calc.ts" }).waitFor({ state: "visible", timeout: 15_000 });
      assert.match(await frame.locator(".budget").innerText(), /^(≈ [\d,]+ \/ [\d,]+ tokens of context \(estimate\)|[\d,]+ \/ [\d,]+ tokens of context)$/);

      await input.click();
      await input.pressSequentially("Fix the add function", { delay: 15 });
      await input.press("Enter");
      const answer = frame.locator(".entry.assistant").last();
      await frame.locator(".entry.user", { hasText: "Fix the add function" }).waitFor({ state: "visible" });
      // The answer's entry, streaming or already complete: the short scripted answer can end before a check for the
      // streaming state runs (the full run once read it complete). No wait for the Stop button either, for the same
      // reason; chat-stop.e2e.ts shows Stop during a long answer.
      await frame.locator(".entry.assistant").first().waitFor({ state: "attached", timeout: 60_000 });
      log(`answer started after ${Date.now() - t0} ms`);
      await answer.locator("text=It adds two numbers.").waitFor({ state: "visible", timeout: 60_000 });
      await frame.locator(".entry.assistant:not(.streaming)").last().waitFor({ state: "visible" });
      log(`answer complete after ${Date.now() - t0} ms`);
      await frame.locator(".send").waitFor({ state: "visible" });
      // The model has answered, so it is loaded and has counted the context with its own tokenizer: no estimate now.
      await frame.locator(".budget", { hasText: /^[\d,]+ \/ [\d,]+ tokens of context$/ }).waitFor({ state: "visible", timeout: 15_000 });

      // Markdown rendered, the code highlighted and complete.
      const codeBlock = answer.locator(".code-block").first();
      assert.equal((await codeBlock.locator(".code-language").innerText()).trim(), "ts", "the block's language");
      // Highlighted by the view's worker: at least three keywords coloured, soon after the block is complete.
      await codeBlock.locator(".hljs-keyword").nth(2).waitFor({ state: "attached", timeout: 10_000 });
      assert.equal((await codeBlock.locator("pre code").innerText()).trimEnd(), SCRIPTED_CODE.trimEnd(), "the code block's text");
      assert.equal((await answer.locator(".markdown p").first().innerText()).trim(), "Here is the function:", "the first paragraph");
      await screenshot("chat-answer-dark");

      // Apply: a diff first, nothing written yet.
      await codeBlock.locator("button.apply").click();
      const diff = page.locator(".monaco-diff-editor").first();
      await diff.waitFor({ state: "visible", timeout: 15_000 });
      await page.locator(".tabs-container .tab", { hasText: "Hearth's proposal" }).first().waitFor({ state: "visible" });
      // The file (left) still has the bug; the proposal (right) has the fix.
      await diff.locator(".editor.original .view-line", { hasText: "return a - b;" }).first().waitFor({ state: "visible" });
      await diff.locator(".editor.modified .view-line", { hasText: "return a + b;" }).first().waitFor({ state: "visible" });
      // Accept is offered in the diff editor's title bar (and in a notification).
      const accept = page.locator('.editor-actions .action-item a[aria-label^="Accept Proposed Change"]').first();
      await accept.waitFor({ state: "visible", timeout: 15_000 });
      await screenshot("chat-apply-diff");
      await accept.click();
      await diff.waitFor({ state: "hidden", timeout: 15_000 });
      await page.locator(".monaco-editor .view-line", { hasText: "return a + b;" }).first().waitFor({ state: "visible", timeout: 15_000 });
      const applied = await editorText(page);
      log(`calc.ts after Accept:\n${applied}`);
      assert.ok(applied.includes(SCRIPTED_CODE.trimEnd()), "the file holds the code");
      assert.ok(!applied.includes("a - b"));
      assert.ok(applied.includes("export function double(x: number): number {"), "the rest of the file is untouched");

      // One undo step takes the whole change back; redo puts it again.
      await page.keyboard.press("Control+Z");
      await page.locator(".monaco-editor .view-line", { hasText: "return a - b;" }).first().waitFor({ state: "visible", timeout: 10_000 });
      assert.equal((await editorText(page)).trimEnd(), BUGGY.trimEnd());
      await page.keyboard.press("Control+Shift+Z");
      await page.locator(".monaco-editor .view-line", { hasText: "return a + b;" }).first().waitFor({ state: "visible", timeout: 10_000 });

      // The same view in a light and a high-contrast theme.
      await setColorScheme(page, "light");
      frame = await chatFrame(page);
      await page.waitForTimeout(500);
      assert.match(String(await frame.evaluate("document.body.className")), /vscode-light/);
      await screenshot("chat-answer-light");
      await setColorScheme(page, "high-contrast");
      frame = await chatFrame(page);
      await page.waitForTimeout(500);
      assert.match(String(await frame.evaluate("document.body.className")), /vscode-high-contrast/);
      await screenshot("chat-answer-high-contrast");
    },
    180_000,
  ),
];
