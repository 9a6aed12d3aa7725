// Runs the end-to-end scenarios (out/test/e2e/**/*.e2e.js): per file one code-server and one Chromium, per scenario
// a fresh workspace copy and a fresh browser context, with Hearth loaded from the repo (extensionDevelopmentPath).
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { join, relative } from "node:path";
import { launchBrowser, type LaunchedBrowser } from "./browser";
import { startCodeServer, workbenchUrl, type CodeServer } from "./code-server";
import { saveScreenshot, type E2EContext, type E2EModule } from "./e2e";
import { e2eOutDir, repoRoot } from "./paths";
import { withTimeout } from "./processes";
import { copyFixtureWorkspace, makeScratchDir, removeScratchDir, type SuiteResult } from "./run-vscode-tests";

export interface RunE2EOptions {
  /** Only scenarios whose "file › name" contains this text (default: HEARTH_E2E_GREP). */
  grep?: string;
  /** Extra user settings / env for every file's code-server (a file's own win). */
  settings?: Record<string, unknown>;
  env?: Record<string, string>;
  log?: (line: string) => void;
}

const loadModule = createRequire(__filename);

function findScenarioFiles(dir: string, out: string[] = []): string[] {
  if (!existsSync(dir)) return out;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) findScenarioFiles(p, out);
    else if (entry.name.endsWith(".e2e.js")) out.push(p);
  }
  return out.sort();
}

export async function runE2E(opts: RunE2EOptions = {}): Promise<SuiteResult> {
  const log = opts.log ?? ((line: string) => console.log(line));
  const grep = opts.grep ?? process.env.HEARTH_E2E_GREP;
  const result: SuiteResult = { passed: 0, failed: 0, failures: [] };
  const files = findScenarioFiles(e2eOutDir);
  if (files.length === 0) return { passed: 0, failed: 1, failures: [`no *.e2e.js under ${e2eOutDir}: run node scripts/build.mjs`] };

  for (const file of files) {
    const label = relative(e2eOutDir, file).replace(/\.e2e\.js$/, "");
    let mod: E2EModule;
    try {
      mod = loadModule(file) as E2EModule;
    } catch (e) {
      result.failed++;
      result.failures.push(`${label}: cannot load: ${e instanceof Error ? e.message : String(e)}`);
      continue;
    }
    const scenarios = (mod.scenarios ?? []).filter((s) => !grep || `${label} › ${s.name}`.includes(grep));
    if (scenarios.length === 0) continue;
    log(`  ${label}`);

    const scratch = makeScratchDir("hearth-e2e-");
    let server: CodeServer | undefined;
    let browser: LaunchedBrowser | undefined;
    try {
      const prepared = mod.prepare ? await mod.prepare() : {};
      server = await startCodeServer({
        scratchDir: join(scratch, "code-server"),
        settings: { ...opts.settings, ...mod.settings, ...prepared.settings },
        env: { ...(process.env.HEARTH_NETNS === "1" ? { HEARTH_NETNS: "1" } : {}), ...opts.env, ...mod.env, ...prepared.env },
      });
      browser = await launchBrowser({ scratchDir: join(scratch, "chromium") });
      for (const [index, s] of scenarios.entries()) {
        const started = Date.now();
        const workspace = copyFixtureWorkspace(join(scratch, `ws-${index}`));
        const { context, page } = await browser.newPage();
        const ctx: E2EContext = {
          page,
          server,
          workspace,
          log: (message) => log(`      ${message}`),
          screenshot: (name) => saveScreenshot(page, name),
        };
        try {
          // A fresh code-server's first page takes over 30 s on a machine loaded by other test runs.
          await page.goto(workbenchUrl(server, workspace, { extensionDevelopmentPath: repoRoot }), { waitUntil: "domcontentloaded", timeout: 120_000 });
          await withTimeout(s.run(ctx), s.timeoutMs ?? 90_000, `scenario "${s.name}"`);
          result.passed++;
          log(`    ✔ ${s.name} (${Date.now() - started} ms)`);
        } catch (e) {
          result.failed++;
          const message = e instanceof Error ? e.message.split("\n")[0] : String(e);
          result.failures.push(`${label} › ${s.name}: ${message}`);
          log(`    ✘ ${s.name} (${Date.now() - started} ms): ${message}`);
          const shot = await saveScreenshot(page, `${label}--${s.name}--failure`).catch(() => null);
          if (shot) log(`      screenshot: ${relative(repoRoot, shot)}`);
          // What Hearth said while it failed: the scratch folder (and its logs) is gone after the run.
          for (const line of hearthLogTail(server.userDataDir, 40)) log(`      | ${line}`);
        } finally {
          await withTimeout(context.close(), 5000, "closing the browser context").catch(() => undefined);
        }
      }
    } catch (e) {
      result.failed++;
      result.failures.push(`${label}: ${e instanceof Error ? e.message.split("\n")[0] : String(e)}`);
    } finally {
      await browser?.close();
      await server?.stop();
      removeScratchDir(scratch);
    }
  }
  return result;
}

/** The last lines of the newest Hearth log (its output channel's file) under a code-server's user data. */
function hearthLogTail(userDataDir: string, lines: number): string[] {
  const logs: string[] = [];
  const walk = (dir: string, depth: number) => {
    if (depth > 5 || !existsSync(dir)) return;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, entry.name);
      if (entry.isDirectory()) walk(p, depth + 1);
      else if (entry.name === "Hearth.log") logs.push(p);
    }
  };
  walk(join(userDataDir, "logs"), 0);
  const newest = logs.sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
  if (!newest) return ["(no Hearth log found)"];
  return readFileSync(newest, "utf8").trimEnd().split("\n").slice(-lines);
}
