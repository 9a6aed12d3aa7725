// A new user runs `npm start` (here `node out/scripts/start.js --code-server`, the step after the build) and opens the
// URL it prints: the sample project's src/orders.ts is open with the cursor after its last function, Hearth's
// walkthrough is beside it, and Hearth's status item says what Hearth is doing from the first moment it is there.
import * as assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { activeEditorTab, hearthStatusBarItem, scenario, statusBarText, waitForWorkbench, type E2EScenario } from "../harness/e2e";
import { repoRoot } from "../harness/paths";
import { spawnManaged, type ManagedProcess } from "../harness/processes";

export const settings = { "hearth.engine.threads": 1 };

/** Starts the start script in a run folder of its own and resolves with the URL it prints. */
async function startScript(runDir: string, log: (message: string) => void): Promise<{ process: ManagedProcess; url: string }> {
  let found: (url: string) => void = () => undefined;
  const printed = new Promise<string>((resolve) => (found = resolve));
  const child = spawnManaged("npm start", process.execPath, [join(repoRoot, "out", "scripts", "start.js"), "--code-server", "--run-dir", runDir], {
    cwd: repoRoot,
    env: { ...process.env, HEARTH_VERBOSE: "" },
    onLine: (line) => {
      const url = /^\s*(http:\/\/127\.0\.0\.1:\d+\/\?folder=\S+)/.exec(line)?.[1];
      if (url) found(url);
      else if (line.trim()) log(`start: ${line}`);
    },
  });
  const url = await Promise.race([
    printed,
    child.exited.then((exit) => {
      throw new Error(`the start script exited (${exit.code ?? exit.signal}) before printing a URL:\n${child.recentOutput()}`);
    }),
  ]);
  return { process: child, url };
}

/** Hearth's log, the extension host's and the remote agent's, under a code-server's logs folder. */
function logFiles(dir: string, depth = 0): string[] {
  if (depth > 5 || !existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? logFiles(join(dir, entry.name), depth + 1) : /^(Hearth|exthost|remoteagent|remoteExtHostTelemetry)\.log$|^exthost/.test(entry.name) ? [join(dir, entry.name)] : [],
  );
}

export const scenarios: E2EScenario[] = [
  scenario(
    "npm start opens the sample file and Hearth's walkthrough, and the status item says what Hearth is doing",
    async ({ page, log, screenshot }) => {
      const runDir = mkdtempSync(join(tmpdir(), "hearth-e2e-start-"));
      const started = await startScript(runDir, log);
      try {
        log(`start URL: ${started.url}`);
        const t0 = Date.now();
        await page.goto(started.url, { waitUntil: "domcontentloaded", timeout: 120_000 });
        await waitForWorkbench(page);
        log(`workbench visible after ${Date.now() - t0} ms`);
        assert.match(await page.title(), /hearth-sample/);

        // The status item, from its first text on: every change is recorded until the model is ready.
        const item = hearthStatusBarItem(page);
        // The extension host starts Hearth after the workbench's own extensions (onStartupFinished): minutes on a
        // loaded machine.
        await item.waitFor({ state: "visible", timeout: 240_000 });
        const texts = [await statusBarText(item)];
        log(`status item visible after ${Date.now() - t0} ms: ${JSON.stringify(texts[0])}`);
        const deadline = Date.now() + 120_000;
        while (!/ready/.test(texts[texts.length - 1] ?? "") && Date.now() < deadline) {
          await page.waitForTimeout(100);
          const text = await statusBarText(item).catch(() => "");
          if (text && text !== texts[texts.length - 1]) {
            texts.push(text);
            log(`status item after ${Date.now() - t0} ms: ${JSON.stringify(text)}`);
          }
        }
        assert.match(texts[texts.length - 1] ?? "", /^Hearth: ready$/, `the status item's texts: ${JSON.stringify(texts)}`);
        assert.ok(!texts.some((text) => /no model/.test(text)), `no "no model" flash: ${JSON.stringify(texts)}`);

        await activeEditorTab(page, "orders.ts").waitFor({ state: "visible", timeout: 30_000 });
        await page.locator(".monaco-editor .view-line", { hasText: "export function receipt" }).first().waitFor({ state: "visible", timeout: 15_000 });
        const walkthrough = page.locator(".gettingStartedContainer", { hasText: "Get Started with Hearth" }).first();
        await walkthrough.waitFor({ state: "visible", timeout: 30_000 });
        for (const step of ["Pick a model", "Try a completion", "Open the chat", "Explain, fix, document, test"]) {
          await walkthrough.locator(".getting-started-step", { hasText: step }).first().waitFor({ state: "attached", timeout: 10_000 });
        }
        await page.mouse.move(5, 5);
        await screenshot("start");
        const cursor = await page.locator(".statusbar-item[id='status.editor.selection']").first().innerText({ timeout: 5000 }).catch(() => "");
        log(`cursor: ${cursor}`);
        assert.match(cursor, /Ln 47, Col 1/);
      } catch (error) {
        // The start script's code-server is not the harness's: its logs are shown here, before its folder goes.
        for (const file of logFiles(join(runDir, "code-server", "user-data", "logs"))) {
          log(`--- ${file.slice(runDir.length)}`);
          for (const line of readFileSync(file, "utf8").trimEnd().split("\n").slice(-15)) log(`| ${line}`);
        }
        throw error;
      } finally {
        await started.process.stop(10_000);
        rmSync(runDir, { recursive: true, force: true });
      }
    },
    480_000,
  ),
];
