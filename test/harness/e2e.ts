// The small structure of the end-to-end layer: a *.e2e.ts file exports `scenarios` (each a name and an async function
// that drives the workbench in Chromium as a person would), plus optional `settings`/`env` for its code-server.
// Helpers for the workbench DOM of code-server 4.139 (VS Code 1.139) live here too.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Locator, Page } from "playwright-core";
import type { CodeServer } from "./code-server";
import { screenshotDir } from "./paths";

export interface E2EContext {
  readonly page: Page;
  readonly server: CodeServer;
  /** This scenario's own copy of test/fixtures/workspace. */
  readonly workspace: string;
  log(message: string): void;
  /** Saves test/e2e/screenshots/<name>.png and returns its path. */
  screenshot(name: string): Promise<string>;
}

export interface E2EScenario {
  name: string;
  /** Default 90 s. */
  timeoutMs?: number;
  run(ctx: E2EContext): Promise<void>;
}

/** What a *.e2e.js module exports. */
export interface E2EModule {
  scenarios: E2EScenario[];
  /** Extra user settings for this file's code-server. */
  settings?: Record<string, unknown>;
  /** Extra environment for this file's code-server (and so its extension host). */
  env?: Record<string, string>;
  /** Runs before this file's code-server starts, for settings that need work first (e.g. writing a test model). */
  prepare?: () => Promise<{ settings?: Record<string, unknown>; env?: Record<string, string> }>;
}

export function scenario(name: string, run: (ctx: E2EContext) => Promise<void>, timeoutMs?: number): E2EScenario {
  return { name, run, timeoutMs };
}

export async function saveScreenshot(page: Page, name: string): Promise<string> {
  mkdirSync(screenshotDir, { recursive: true });
  const file = join(screenshotDir, `${name.replace(/[^\w.-]+/g, "-")}.png`);
  await page.screenshot({ path: file, timeout: 10_000 });
  return file;
}

// ---- Workbench helpers ------------------------------------------------------------------------------------------

/** Waits until the workbench shows its editor area and status bar. */
export async function waitForWorkbench(page: Page, timeoutMs = 45_000): Promise<void> {
  await page.locator(".monaco-workbench").waitFor({ state: "visible", timeout: timeoutMs });
  await page.locator("#workbench\\.parts\\.statusbar").waitFor({ state: "visible", timeout: timeoutMs });
  // The explorer's folder appears once the remote connection is up.
  await page.locator(".explorer-folders-view, .pane-body .explorer-viewlet, .monaco-workbench .part.sidebar").first().waitFor({ state: "visible", timeout: timeoutMs });
}

/**
 * Opens a workspace file with Quick Open (Ctrl+P), typing its path as a person would, and waits for its editor tab.
 */
export async function openFileWithQuickOpen(page: Page, relativePath: string, timeoutMs = 20_000): Promise<void> {
  const name = relativePath.split("/").pop() ?? relativePath;
  const input = page.locator(".quick-input-widget input.input, .quick-input-widget input[type='text']").first();
  const t0 = Date.now();
  const trace = (step: string) => {
    if (process.env.HEARTH_VERBOSE) console.log(`      quick open: ${step} (+${Date.now() - t0} ms)`);
  };
  // The first Ctrl+P can land before the workbench takes keyboard focus: retry until Quick Open shows.
  for (let attempt = 1; ; attempt++) {
    await page.keyboard.press("Control+P");
    const shown = await input.waitFor({ state: "visible", timeout: 2000 }).then(
      () => true,
      () => false,
    );
    trace(`Ctrl+P attempt ${attempt}: ${shown ? "open" : "not open"}`);
    if (shown) break;
    if (Date.now() - t0 > timeoutMs) throw new Error("Quick Open (Ctrl+P) did not open");
    await page.mouse.click(800, 500);
  }
  await page.keyboard.type(relativePath, { delay: 20 });
  const row = page.locator(".quick-input-widget .monaco-list-row", { hasText: name }).first();
  await row.waitFor({ state: "visible", timeout: timeoutMs });
  trace("result row visible");
  await page.keyboard.press("Enter");
  await activeEditorTab(page, name).waitFor({ state: "visible", timeout: timeoutMs });
  trace("editor tab active");
}

export function activeEditorTab(page: Page, fileName: string): Locator {
  return page.locator(`.tabs-container .tab.active[aria-label*="${fileName}"], .title .label-name:text-is("${fileName}")`).first();
}

/**
 * Hearth's status bar item. VS Code 1.139 renders each extension status bar entry as
 * `<div class="statusbar-item ..." id="<extension id>.<item id>" aria-label="...">`; Hearth creates its item with id
 * "hearth.status", so the element id is "hearth.hearth.hearth.status". The id's end is matched: the codebase index's
 * item ("hearth.codebase") has the same extension prefix and may come first.
 */
export function hearthStatusBarItem(page: Page): Locator {
  return page
    .locator('#workbench\\.parts\\.statusbar .statusbar-item[id$="hearth.status"]')
    .first();
}

/** The visible text of a status bar item (codicons are rendered as empty spans). */
export async function statusBarText(item: Locator): Promise<string> {
  return ((await item.innerText({ timeout: 5000 })) ?? "").replace(/\s+/g, " ").trim();
}
