// A person asks about code they do not have open: types @ in the question box, takes @codebase from the picker with
// Enter, asks, sees the snippets as Codebase chips, and opens one with the keyboard: the file opens at the snippet.
import * as assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { openFileWithQuickOpen, scenario, waitForWorkbench, type E2EScenario } from "../harness/e2e";
import { openHearthView, runCommand, scriptedModelSettings, THEME_SETTINGS } from "./chat-helpers";

export async function prepare() {
  return {
    settings: {
      ...(await scriptedModelSettings()),
      ...THEME_SETTINGS,
    },
  };
}

const SHIPPING = [
  "// Shipping costs for the checkout.",
  "",
  "export function computeShippingRate(weightKg: number, zone: string): number {",
  "  const base = zone === 'EU' ? 4.5 : 9;",
  "  return Math.round(weightKg * base * 100) / 100;",
  "}",
  "",
].join("\n");

export const scenarios: E2EScenario[] = [
  scenario(
    "take @codebase from the @ picker, see the Codebase chips, open one with Enter at its lines",
    async ({ page, log, screenshot, workspace }) => {
      mkdirSync(join(workspace, "src", "checkout"), { recursive: true });
      writeFileSync(join(workspace, "src", "checkout", "shipping-rates.ts"), SHIPPING);
      await waitForWorkbench(page);
      await openFileWithQuickOpen(page, "src/geometry.ts", 60_000);
      await runCommand(page, "Hearth: Reindex Codebase");
      // The index's status item says "Codebase" once a pass has ended ("Indexing codebase n/m" meanwhile).
      await page.locator(".statusbar-item", { hasText: /^\s*Codebase( ⚠)?\s*$/ }).first().waitFor({ state: "visible", timeout: 90_000 });

      const frame = await openHearthView(page);
      const input = frame.locator("textarea.input");
      await input.waitFor({ state: "visible" });
      await input.click();
      await input.pressSequentially("where is the shipping rate computed? ", { delay: 10 });
      // @ at a word's start opens the attach picker; its first entry is @codebase, taken by Enter.
      await input.press("@");
      const row = page.locator(".quick-input-widget .monaco-list-row", { hasText: "@codebase" }).first();
      await row.waitFor({ state: "visible", timeout: 15_000 });
      await screenshot("chat-codebase-picker");
      await page.keyboard.press("Enter");
      // The host answers the choice with a `mention`: the box gets it where the @ was typed.
      // (Polled: the view's CSP allows no script evaluated from a string, which waitForFunction needs.)
      for (const deadline = Date.now() + 15_000; !(await input.inputValue()).endsWith("@codebase ") && Date.now() < deadline; ) await page.waitForTimeout(100);
      assert.equal(await input.inputValue(), "where is the shipping rate computed? @codebase ");
      await input.press("Enter");

      const chip = frame.locator(".chip.codebase", { hasText: "shipping-rates.ts" }).first();
      await chip.waitFor({ state: "visible", timeout: 60_000 });
      log(`chips: ${(await frame.locator(".chip").allInnerTexts()).join(" | ")}`);
      await frame.locator(".entry.assistant:not(.streaming)").last().waitFor({ state: "visible", timeout: 90_000 });
      await screenshot("chat-codebase-chips");

      // Keyboard: focus the chip's name and press Enter; the file opens with the snippet's lines selected.
      const open = chip.locator("button.chip-open");
      await open.focus();
      await open.press("Enter");
      await page.locator(".tabs-container .tab", { hasText: "shipping-rates.ts" }).first().waitFor({ state: "visible", timeout: 15_000 });
      await page.locator(".monaco-editor .view-line", { hasText: "computeShippingRate" }).first().waitFor({ state: "visible", timeout: 15_000 });
      // The cursor is on the snippet's first line, nothing selected: no Selection chip sends the snippet a second time.
      await page.locator(".statusbar-item", { hasText: /^\s*Ln 1, Col 1\s*$/ }).first().waitFor({ state: "visible", timeout: 10_000 });
      await frame.locator(".chip.file", { hasText: "shipping-rates.ts" }).waitFor({ state: "visible", timeout: 15_000 });
      assert.equal(await frame.locator(".chip.selection").count(), 0);
      await screenshot("chat-codebase-chip-opened");
    },
    240_000,
  ),
];
