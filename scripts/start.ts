// `npm start`: opens Hearth in a real VS Code, on a small sample project (scripts/start-sample/, copied once into
// .hearth-run/hearth-sample/) with src/orders.ts open and Hearth's walkthrough beside it. Desktop `code` when it is
// installed (a profile of its own, so your everyday settings stay untouched), else code-server in the browser,
// printing the URL. The model is the one given with --model PATH (or HEARTH_MODEL), else the built-in `tiny` test
// model, so something runs on a fresh machine.
//   node out/scripts/start.js [--model PATH] [--folder DIR] [--code-server] [--run-dir DIR]
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { startCodeServer } from "../test/harness/code-server";
import { repoRoot } from "../test/harness/paths";
import { installCleanupHandlers } from "../test/harness/processes";
import { ensureTestModel } from "../test/fixtures/models/test-models";
import { SAMPLE_FILE, prepareSampleWorkspace, startUrl } from "./start-workspace";

const argv = process.argv.slice(2);
const option = (name: string): string | undefined => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};

async function main(): Promise<void> {
  const runDir = resolve(option("--run-dir") ?? join(repoRoot, ".hearth-run"));
  mkdirSync(runDir, { recursive: true });
  const model = option("--model") ?? process.env.HEARTH_MODEL;
  const modelPath = model ? resolve(model) : await ensureTestModel("tiny");
  if (!model) console.log(`No model given (--model PATH or HEARTH_MODEL): using the built-in tiny test model.\n  ${modelPath}\nIts weights are random, so its suggestions are noise; point Hearth at a real GGUF for real ones.`);
  const ownFolder = option("--folder");
  const folder = ownFolder ? resolve(ownFolder) : join(runDir, "hearth-sample");
  if (!ownFolder) {
    const written = prepareSampleWorkspace(folder);
    if (written.length > 0) console.log(`Sample project in ${folder} (${written.length} file(s) copied; your edits there are kept on the next start).`);
  }
  // The walkthrough suppressed for the test layers (QUIET_SETTINGS) is what a new user should see: Hearth opens it
  // once per start (see src/ide/start-walkthrough.ts), beside the sample file.
  const settings = { "hearth.model.path": modelPath };
  const env = { HEARTH_OPEN_WALKTHROUGH: String(Date.now()) };

  const code = argv.includes("--code-server") ? null : findDesktopCode();
  if (code) {
    const profile = join(runDir, "desktop-profile");
    mkdirSync(join(profile, "User"), { recursive: true });
    writeFileSync(join(profile, "User", "settings.json"), JSON.stringify(settings, null, 2));
    console.log(`Opening ${folder} in ${code} with Hearth from ${repoRoot}`);
    const args = ["--user-data-dir", profile, "--extensionDevelopmentPath", repoRoot, "--new-window", folder];
    if (!ownFolder) args.push("--goto", `${join(folder, SAMPLE_FILE.path)}:${SAMPLE_FILE.line}:${SAMPLE_FILE.column}`);
    spawnSync(code, args, { stdio: "inherit", env: { ...process.env, ...env } });
    return;
  }

  installCleanupHandlers();
  const server = await startCodeServer({ scratchDir: join(runDir, "code-server"), settings, env, startTimeoutMs: 60_000 });
  const url = ownFolder
    ? startUrl(server.url, server.remoteUri, folder, repoRoot, null)
    : startUrl(server.url, server.remoteUri, folder, repoRoot, SAMPLE_FILE);
  console.log(`\nHearth is running in code-server (VS Code in the browser). Open:\n\n  ${url}\n\nPress Ctrl+C to stop.`);
  await new Promise<void>((resolveStop) => {
    const stop = () => resolveStop();
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  await server.stop();
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
