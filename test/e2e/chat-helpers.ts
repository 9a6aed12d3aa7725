// Workbench helpers for the chat scenarios: the Hearth view's webview frame, the command palette, the colour theme.
// Code that runs in the page is passed as strings: this project's Node tsconfig has no DOM types.
import type { Frame, Page } from "playwright-core";
import { ensureTestModel, type ModelScript } from "../fixtures/models/test-models";

/** Opens the Hearth view as a person would: its activity bar icon (the command palette if the icon is hidden). */
export async function openHearthView(page: Page): Promise<Frame> {
  const icon = page.locator('.activitybar .action-item a[aria-label^="Hearth"], .activitybar .action-item [aria-label^="Hearth"]').first();
  const shown = await icon.waitFor({ state: "visible", timeout: 15_000 }).then(
    () => true,
    () => false,
  );
  if (shown) await icon.click();
  else await runCommand(page, "Hearth: Open Chat");
  return chatFrame(page);
}

/** The frame that holds the chat app (a webview is an iframe inside an iframe). */
export async function chatFrame(page: Page, timeoutMs = 30_000): Promise<Frame> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const frame of page.frames()) {
      const found = await frame.evaluate("!!document.querySelector('#hearth-chat-root .input')").catch(() => false);
      if (found) return frame;
    }
    if (Date.now() > deadline) throw new Error("the Hearth chat webview did not appear");
    await page.waitForTimeout(250);
  }
}

/** Ctrl+Shift+P, type the command's title, Enter. */
export async function runCommand(page: Page, title: string): Promise<void> {
  const input = quickInput(page);
  for (let attempt = 1; ; attempt++) {
    await page.keyboard.press("Control+Shift+P");
    if (await input.waitFor({ state: "visible", timeout: 3000 }).then(() => true, () => false)) break;
    if (attempt === 5) throw new Error("the command palette did not open");
    await page.mouse.click(800, 500);
  }
  await page.keyboard.type(title, { delay: 5 });
  await page.locator(".quick-input-widget .monaco-list-row", { hasText: title }).first().waitFor({ state: "visible", timeout: 10_000 });
  await page.keyboard.press("Enter");
}

/**
 * The settings every scenario on the scripted model starts from: one llama.cpp thread, a 4,096-token context, the
 * scripted model (writing `script`'s answers when given), and VS Code's own inline suggestions out of the way.
 */
export async function scriptedModelSettings(script?: ModelScript): Promise<Record<string, unknown>> {
  return {
    "hearth.engine.threads": 1,
    "hearth.engine.contextSize": 4096,
    "hearth.model.path": await ensureTestModel("scripted", script ? { script } : {}),
    "editor.inlineSuggest.enabled": false,
  };
}

/** Settings that make the workbench follow the browser's colour scheme, so a scenario can switch themes live. */
export const THEME_SETTINGS = {
  "window.autoDetectColorScheme": true,
  "window.autoDetectHighContrast": true,
  "workbench.preferredDarkColorTheme": "Default Dark Modern",
  "workbench.preferredLightColorTheme": "Default Light Modern",
  "workbench.preferredHighContrastColorTheme": "Default High Contrast",
};

/** Switches the theme as the operating system would (prefers-color-scheme, forced colours) and waits for it. */
export async function setColorScheme(page: Page, scheme: "dark" | "light" | "high-contrast"): Promise<void> {
  await page.emulateMedia(scheme === "high-contrast" ? { colorScheme: "dark", forcedColors: "active" } : { colorScheme: scheme, forcedColors: "none" });
  const workbenchClass = scheme === "dark" ? "vs-dark" : scheme === "light" ? "vs" : "hc-black";
  // A hang guard: at a load of 25 on 2 cores the workbench took over 20 s to follow the scheme.
  await page.locator(`.monaco-workbench.${workbenchClass}`).waitFor({ state: "attached", timeout: 90_000 });
}

/** The visible text of the active editor's lines, top to bottom, spaces as typed. */
export async function editorText(page: Page): Promise<string> {
  return page.evaluate(`(() => {
    const editor = document.querySelector(".editor-group-container.active .editor-instance .monaco-editor") || document.querySelector(".monaco-editor");
    const lines = [...editor.querySelectorAll(".view-lines .view-line")];
    return lines
      .sort((a, b) => parseFloat(a.style.top) - parseFloat(b.style.top))
      .map((line) => (line.textContent || "").replace(/\\u00a0/g, " "))
      .join("\\n");
  })()`);
}

function quickInput(page: Page) {
  return page.locator(".quick-input-widget .quick-input-box input").first();
}
