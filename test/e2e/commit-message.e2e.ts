// A person stages a change in a git repository, opens the Source Control view, sees Hearth's "Write Commit Message"
// button in its title, clicks it, and the scripted model's message appears in the commit box; nothing is committed.
import * as assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { scenario, waitForWorkbench, type E2EScenario } from "../harness/e2e";
import { DEFAULT_SCRIPT } from "../fixtures/models/test-models";
import { scriptedModelSettings } from "./chat-helpers";

const MESSAGE = "fix(math): round the average to two decimals";

export async function prepare() {
  return {
    settings: {
      ...(await scriptedModelSettings({ fim: DEFAULT_SCRIPT.fim, chat: MESSAGE })),
      // The harness turns detection off; this scenario's workspace is itself the repository the person works in.
      "git.autoRepositoryDetection": true,
      // A view's title buttons show while the pointer is over it; this keeps them visible for the screenshot.
      "workbench.view.alwaysShowHeaderActions": true,
    },
  };
}

export const scenarios: E2EScenario[] = [
  scenario(
    "the Source Control title's Hearth button writes the scripted commit message into the commit box",
    async ({ page, log, screenshot, workspace }) => {
      const git = (...args: string[]) => execFileSync("git", args, { cwd: workspace, encoding: "utf8" });
      git("init", "-q", "-b", "main");
      git("config", "user.email", "person@example.com");
      git("config", "user.name", "Person");
      git("add", "-A");
      git("commit", "-q", "-m", "feat(math): first helpers");
      writeFileSync(join(workspace, "src", "math.ts"), "export function average(values: number[]): number {\n  return Math.round((values.reduce((a, b) => a + b, 0) / values.length) * 100) / 100;\n}\n");
      git("add", "-A");
      const head = git("rev-parse", "HEAD");

      await waitForWorkbench(page);
      await page.keyboard.press("Control+Shift+G");
      await page.locator(".part.sidebar", { hasText: "Staged Changes" }).first().waitFor({ state: "visible", timeout: 60_000 });
      const button = page.locator('.part.sidebar a.action-label[aria-label*="Write Commit Message"]').first();
      await button.waitFor({ state: "visible", timeout: 30_000 });
      await button.hover();
      await screenshot("commit-message-button");

      await button.click();
      const box = page.locator(".scm-editor .view-lines").first();
      // Code that runs in the page is a string: this project's Node tsconfig has no DOM types. The box wraps the line.
      await page.waitForFunction(
        `[...document.querySelectorAll(".scm-editor .view-lines")].some((e) => e.innerText.replace(/\\s+/g, " ").includes(${JSON.stringify(MESSAGE)}))`,
        undefined,
        { timeout: 90_000 },
      );
      log(`commit box: ${await box.innerText()}`);
      await screenshot("commit-message-written");
      assert.equal(git("rev-parse", "HEAD"), head, "nothing was committed");
    },
    180_000,
  ),
];
