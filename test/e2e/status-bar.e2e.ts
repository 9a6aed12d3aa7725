// A person opens the workspace, opens src/math.ts with Ctrl+P and sees Hearth's status bar item.
import * as assert from "node:assert/strict";
import { relative } from "node:path";
import { hearthStatusBarItem, openFileWithQuickOpen, scenario, statusBarText, waitForWorkbench, type E2EScenario } from "../harness/e2e";
import { repoRoot } from "../harness/paths";

export const settings = { "hearth.engine.threads": 1 };

export const scenarios: E2EScenario[] = [
  scenario("opening a file shows Hearth's status bar item", async ({ page, log, screenshot }) => {
    const t0 = Date.now();
    await waitForWorkbench(page);
    log(`workbench visible after ${Date.now() - t0} ms`);
    await openFileWithQuickOpen(page, "src/math.ts");
    // The editor shows the file's text.
    await page.locator(".monaco-editor .view-lines", { hasText: "export function add" }).first().waitFor({ state: "visible", timeout: 15_000 });
    log(`src/math.ts open after ${Date.now() - t0} ms`);

    const item = hearthStatusBarItem(page);
    await item.waitFor({ state: "visible", timeout: 30_000 });
    log(`status bar item visible after ${Date.now() - t0} ms`);
    const text = await statusBarText(item);
    const id = await item.getAttribute("id");
    const ariaLabel = await item.getAttribute("aria-label");
    log(`status bar item: id=${id} aria-label=${JSON.stringify(ariaLabel)} text=${JSON.stringify(text)}`);
    assert.match(text, /^Hearth\b/, `status bar text: ${JSON.stringify(text)}`);
    assert.match(ariaLabel ?? "", /Hearth/);

    const t1 = Date.now();
    const file = await screenshot("status-bar");
    log(`screenshot: ${relative(repoRoot, file)} (${Date.now() - t1} ms)`);
  }),
];
