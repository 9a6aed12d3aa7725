// `npm start`: opens Hearth in a real VS Code. Desktop `code` when it is installed (a profile of its own, so your
// everyday settings stay untouched), else code-server in the browser, printing the URL. The model is the one given
// with --model PATH (or HEARTH_MODEL), else the built-in `tiny` test model, so something runs on a fresh machine.
//   node out/scripts/start.js [--model PATH] [--folder DIR] [--code-server]
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { startCodeServer, workbenchUrl } from "../test/harness/code-server";
import { fixtureWorkspace, repoRoot } from "../test/harness/paths";
import { installCleanupHandlers } from "../test/harness/processes";
import { ensureTestModel } from "../test/fixtures/models/test-models";

const argv = process.argv.slice(2);
const option = (name: string): string | undefined => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};

async function main(): Promise<void> {
  const runDir = join(repoRoot, ".hearth-run");
  mkdirSync(runDir, { recursive: true });
  const model = option("--model") ?? process.env.HEARTH_MODEL;
  const modelPath = model ? resolve(model) : await ensureTestModel("tiny");
  if (!model) console.log(`No model given (--model PATH or HEARTH_MODEL): using the built-in tiny test model.\n  ${modelPath}\nIts weights are random, so its suggestions are noise; point Hearth at a real GGUF for real ones.`);
  const folder = option("--folder") ? resolve(option("--folder") as string) : sampleWorkspace(runDir);
  const settings = { "hearth.model.path": modelPath };

  const code = argv.includes("--code-server") ? null : findDesktopCode();
  if (code) {
    const profile = join(runDir, "desktop-profile");
    mkdirSync(join(profile, "User"), { recursive: true });
    writeFileSync(join(profile, "User", "settings.json"), JSON.stringify(settings, null, 2));
    console.log(`Opening ${folder} in ${code} with Hearth from ${repoRoot}`);
    spawnSync(code, ["--user-data-dir", profile, "--extensionDevelopmentPath", repoRoot, "--new-window", folder], { stdio: "inherit" });
    return;
  }

  installCleanupHandlers();
  const server = await startCodeServer({ scratchDir: join(runDir, "code-server"), settings, startTimeoutMs: 60_000 });
  const url = workbenchUrl(server, folder, { extensionDevelopmentPath: repoRoot });
  console.log(`\nHearth is running in code-server (VS Code in the browser). Open:\n\n  ${url}\n\nPress Ctrl+C to stop.`);
  await new Promise<void>((resolveStop) => {
    const stop = () => resolveStop();
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  await server.stop();
}

/** A copy of the fixture workspace, so typing in the demo never edits the repository's fixtures. */
function sampleWorkspace(runDir: string): string {
  const folder = join(runDir, "workspace");
  if (!existsSync(folder)) cpSync(fixtureWorkspace, folder, { recursive: true });
  return folder;
}

function findDesktopCode(): string | null {
  const candidate = process.env.HEARTH_VSCODE_EXECUTABLE ?? "code";
  const probe = spawnSync(candidate, ["--version"], { encoding: "utf8", timeout: 15_000 });
  return probe.status === 0 ? candidate : null;
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
