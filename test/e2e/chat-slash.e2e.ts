// A person types / in the Hearth chat, sees the commands in a menu under the cursor (dark, light and high-contrast
// themes), moves to /doc with the arrow keys, picks it with Enter and runs it with Enter: Document's proposal diff opens
// for the function at the cursor, and the chat's header does not claim to be answering. Then an answer's code block
// wraps its long line, as the editor wraps words here, and its Wrap toggle makes it scroll instead.
import * as assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Frame, Page } from "playwright-core";
import { openFileWithQuickOpen, scenario, waitForWorkbench, type E2EScenario } from "../harness/e2e";
import { ACTION_ANSWER, AREA, DOCUMENTED_AREA } from "../fixtures/actions/scripts";
import { DEFAULT_SCRIPT } from "../fixtures/models/test-models";
import { chatFrame, openHearthView, runCommand, scriptedModelSettings, setColorScheme, THEME_SETTINGS } from "./chat-helpers";

export async function prepare() {
  return {
    settings: {
      // What the refactor actions' tests answer: a documented area() in a fence, a line wider than the sidebar.
      ...(await scriptedModelSettings({ fim: DEFAULT_SCRIPT.fim, chat: ACTION_ANSWER })),
      "editor.wordWrap": "on",
      ...THEME_SETTINGS,
    },
  };
}

const SOURCE = `// Scratch file for the slash-command scenario.\n${AREA}\n`;

/** The names in the open / menu, in order. */
async function menuNames(frame: Frame): Promise<string[]> {
  return frame.locator(".slash-menu [role=option] .slash-name").allInnerTexts();
}

async function showMenu(page: Page, frame: Frame): Promise<void> {
  const input = frame.locator("textarea.input");
  await input.fill("");
  await input.focus();
  await page.keyboard.type("/");
  await frame.locator(".slash-menu:not([hidden])").waitFor({ state: "visible", timeout: 10_000 });
}

export const scenarios: E2EScenario[] = [
  scenario(
    "type / in the chat, pick /doc with the arrow keys and Enter, and Document's diff opens; code blocks wrap as the editor does",
    async ({ page, log, screenshot, workspace }) => {
      writeFileSync(join(workspace, "src", "calc.ts"), SOURCE);
      await waitForWorkbench(page);
      await setColorScheme(page, "dark");
      await openFileWithQuickOpen(page, "src/calc.ts");
      const line = page.locator(".monaco-editor .view-line", { hasText: "return width * height;" }).first();
      await line.waitFor({ state: "visible" });
      // The cursor into area()'s body with Go to Line, which nothing on the page can get in the way of.
      await page.keyboard.press("Control+G");
      await page.keyboard.type("3");
      await page.keyboard.press("Enter");
      await page.locator(".statusbar", { hasText: "Ln 3" }).first().waitFor({ state: "visible", timeout: 15_000 });
      log("cursor in area()");

      let frame = await openHearthView(page);
      await frame.locator(".chip.file", { hasText: "calc.ts" }).waitFor({ state: "visible", timeout: 15_000 });
      await showMenu(page, frame);
      const input = frame.locator("textarea.input");
      assert.deepEqual(await menuNames(frame), ["/explain", "/fix", "/doc", "/tests", "/edit", "/commit"]);
      assert.equal(await input.getAttribute("aria-expanded"), "true");
      await page.keyboard.press("ArrowDown");
      await page.keyboard.press("ArrowDown");
      const active = frame.locator(".slash-menu [aria-selected=true]");
      assert.match(await active.innerText(), /^\/doc/);
      assert.equal(await input.getAttribute("aria-activedescendant"), await active.getAttribute("id"));
      await screenshot("chat-slash-menu-dark");
      log("menu shown, /doc active");

      await page.keyboard.press("Enter");
      assert.equal(await input.inputValue(), "/doc ");
      assert.equal(await frame.locator(".slash-menu").isHidden(), true);
      await page.keyboard.press("Enter");
      assert.equal(await input.inputValue(), "", "the command left the box");
      const diffTab = page.locator(".tabs-container .tab", { hasText: "Hearth: Document" }).first();
      await diffTab.waitFor({ state: "visible", timeout: 60_000 });
      const diff = page.locator(".monaco-diff-editor").first();
      await diff.waitFor({ state: "visible", timeout: 15_000 });
      await diff.locator(".editor.modified .view-line", { hasText: "@returns The area." }).first().waitFor({ state: "visible", timeout: 30_000 });
      const header = await frame.locator(".model-label").innerText();
      log(`header while Document runs or after: ${header}`);
      assert.doesNotMatch(header, /answering/, "Document is not a chat answer");
      assert.equal(await frame.locator(".entry").count(), 0, "/doc asked the chat nothing");
      await screenshot("chat-slash-doc-diff");
      log("Document's diff shown");
      await runCommand(page, "Hearth: Discard Proposed Change");
      await diffTab.waitFor({ state: "hidden", timeout: 15_000 });

      // The same menu in a light and a high-contrast theme.
      for (const scheme of ["light", "high-contrast"] as const) {
        await setColorScheme(page, scheme);
        frame = await chatFrame(page);
        await showMenu(page, frame);
        await screenshot(`chat-slash-menu-${scheme}`);
        await page.keyboard.press("Escape");
        assert.equal(await frame.locator(".slash-menu").isHidden(), true, "Escape closes the menu");
        assert.equal(await frame.locator("textarea.input").inputValue(), "/", "and keeps what was typed");
      }
      await setColorScheme(page, "dark");
      frame = await chatFrame(page);

      // An answer with a code block whose first line is wider than the sidebar: it wraps, as the editor wraps words.
      const box = frame.locator("textarea.input");
      await box.fill("");
      await box.focus();
      log("asking for an answer with code");
      await box.pressSequentially("Document area", { delay: 10 });
      await box.press("Enter");
      await frame.locator(".entry.assistant:not(.streaming) .code-block").first().waitFor({ state: "visible", timeout: 60_000 });
      const pre = frame.locator(".entry.assistant .code-block pre").first();
      const overflow = () => pre.evaluate((el) => el.scrollWidth - el.clientWidth);
      assert.ok((await overflow()) <= 1, `the code wraps: ${await overflow()} px hidden`);
      assert.equal((await pre.innerText()).trimEnd(), DOCUMENTED_AREA);
      const toggle = frame.locator(".entry.assistant .code-block .code-wrap").first();
      assert.equal(await toggle.getAttribute("aria-pressed"), "true");
      // The budget line keeps the model's own count after the answer, in the normal colour.
      const budget = frame.locator(".budget");
      await budget.filter({ hasText: /^[\d,]+ \/ [\d,]+ tokens of context$/ }).waitFor({ state: "visible", timeout: 15_000 });
      assert.equal(await budget.evaluate((el) => el.classList.contains("over")), false);
      await screenshot("chat-code-wrapped");
      await toggle.click();
      assert.equal(await toggle.getAttribute("aria-pressed"), "false");
      assert.ok((await overflow()) > 10, "the block scrolls once its Wrap is off");
      await screenshot("chat-code-scrolls");
    },
    240_000,
  ),
];
