// Runs the mocha suites of test/vscode/ inside a real VS Code extension host:
//   - code-server + headless Chromium (default; what these machines have), or
//   - a desktop VS Code through @vscode/test-electron when HEARTH_VSCODE_EXECUTABLE points at one.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { format } from "node:util";
import { launchBrowser, type LaunchedBrowser } from "./browser";
import { QUIET_SETTINGS, startCodeServer, workbenchUrl, type CodeServer } from "./code-server";
import { fixtureWorkspace, repoRoot, vscodeSuiteEntry } from "./paths";
import { onExitCleanup, spawnManaged, withTimeout } from "./processes";

export interface SuiteResult {
  passed: number;
  failed: number;
  failures: string[];
}

export interface RunVsCodeOptions {
  /** Extra user settings, e.g. { "hearth.model.path": "...", "hearth.engine.threads": 1 }. */
  settings?: Record<string, unknown>;
  /** Extra environment variables for the extension host. */
  env?: Record<string, string>;
  /** Overall limit for the whole run, a guard against a hang (default 1,080 s, or HEARTH_VSCODE_TIMEOUT_MS). */
  timeoutMs?: number;
  /** Where the extension host's log lines go (default: stdout). */
  log?: (line: string) => void;
}

export const RESULT_MARKER = "HEARTH_SUITE_RESULT";

/** Finds `HEARTH_SUITE_RESULT {json}` in a log line (possibly with other text around it). */
export function parseResultLine(text: string): (SuiteResult & { pending?: number }) | null {
  const at = text.indexOf(RESULT_MARKER);
  if (at < 0) return null;
  const start = text.indexOf("{", at);
  if (start < 0) return null;
  // The JSON may be followed by other console arguments: try each closing brace from the last one back.
  for (let end = text.lastIndexOf("}"); end > start; end = text.lastIndexOf("}", end - 1)) {
    try {
      const value = JSON.parse(text.slice(start, end + 1)) as Partial<SuiteResult> & { pending?: number };
      if (typeof value.passed === "number" && typeof value.failed === "number") {
        return { passed: value.passed, failed: value.failed, failures: Array.isArray(value.failures) ? value.failures.map(String) : [], pending: value.pending };
      }
    } catch {
      /* try a shorter slice */
    }
  }
  return null;
}

/** Copies the fixture workspace into `dir` (a fresh copy per run: typed text can be saved back to disk). */
export function copyFixtureWorkspace(dir: string): string {
  const ws = join(dir, "workspace");
  cpSync(fixtureWorkspace, ws, { recursive: true });
  return ws;
}

export function makeScratchDir(prefix: string): string {
  const base = process.env.HEARTH_SCRATCH_DIR ?? tmpdir();
  mkdirSync(base, { recursive: true });
  const dir = mkdtempSync(join(base, prefix));
  // Removed by removeScratchDir, or when the runner exits early (signal, crash).
  scratchCleanups.set(dir, onExitCleanup(() => removeScratchDir(dir)));
  return dir;
}

const scratchCleanups = new Map<string, () => void>();

export function removeScratchDir(dir: string): void {
  scratchCleanups.get(dir)?.();
  scratchCleanups.delete(dir);
  if (process.env.HEARTH_KEEP_SCRATCH === "1") {
    console.log(`harness: kept scratch folder ${dir}`);
    return;
  }
  rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
}

function failure(message: string): SuiteResult {
  return { passed: 0, failed: 1, failures: [message] };
}

function readResultFile(file: string): SuiteResult | null {
  try {
    return parseResultLine(`${RESULT_MARKER} ${readFileSync(file, "utf8")}`);
  } catch {
    return null;
  }
}

/** Turns codeAutomationLog's console arguments into text, applying printf-style placeholders as console.log does. */
export function formatAutomationLog(args: unknown): string {
  const parts = Array.isArray(args) ? args : [args];
  return format(...parts);
}

export const SUITE_START_MARKER = "HEARTH_SUITE_START";

/** Workbench chatter that says nothing about Hearth (shown with HEARTH_VERBOSE=1). */
const WORKBENCH_NOISE = [
  /^Ignoring fetching additional builtin extensions/,
  /^Creation of workbench contribution/,
  /^\[AccountPolicyGate\]/,
  /^Creating a socket \(/,
  /^Resolv(ing|ed) connection token/,
  /^Timed out waiting for authentication provider 'github'/,
  /^\[Service Worker\]/,
  /^\[reconnection-grace-time\]/,
  /^\[AgentHost/,
  /^Updating additional builtin extensions cache/,
];

/**
 * codeAutomationLog carries the workbench's own log and the extension host's console alike. By default forward the
 * suite's output (between the start and result markers) and the workbench's warnings/errors, minus known chatter.
 */
export function automationLogFilter(verbose = !!process.env.HEARTH_VERBOSE): (level: string, text: string) => boolean {
  let inSuite = false;
  return (level, text) => {
    if (text.includes(SUITE_START_MARKER)) inSuite = true;
    const show = verbose || ((inSuite || level === "error" || level === "warn") && !WORKBENCH_NOISE.some((re) => re.test(text)));
    if (text.includes(RESULT_MARKER)) inSuite = false;
    return show;
  };
}

export async function runVsCodeSuites(opts: RunVsCodeOptions = {}): Promise<SuiteResult> {
  if (!existsSync(vscodeSuiteEntry)) return failure(`${vscodeSuiteEntry} is missing: run node scripts/build.mjs`);
  const timeoutMs = opts.timeoutMs ?? Number(process.env.HEARTH_VSCODE_TIMEOUT_MS ?? 1_080_000);
  const scratch = makeScratchDir("hearth-vscode-");
  const resultFile = join(scratch, "result.json");
  const workspace = copyFixtureWorkspace(scratch);
  // One window serves every suite, and each sets the model it needs: a background load after each change would race
  // the suites' own loads. test/vscode/model-preload.test.ts turns it on for itself.
  const settings = { "hearth.model.loadOnStartup": false, ...opts.settings };
  const env: Record<string, string> = {
    HEARTH_SUITE_RESULT_FILE: resultFile,
    HEARTH_TEST_WORKSPACE: workspace,
    ...(process.env.HEARTH_NETNS === "1" ? { HEARTH_NETNS: "1" } : {}),
    ...(process.env.HEARTH_VSCODE_GREP ? { HEARTH_VSCODE_GREP: process.env.HEARTH_VSCODE_GREP } : {}),
    ...opts.env,
  };
  const log = opts.log ?? ((line: string) => console.log(line));
  try {
    const executable = process.env.HEARTH_VSCODE_EXECUTABLE;
    return executable
      ? await runWithTestElectron(executable, { scratch, workspace, env, settings, timeoutMs, log, resultFile })
      : await runWithCodeServer({ scratch, workspace, env, settings, timeoutMs, log, resultFile });
  } catch (e) {
    return failure(`vscode layer: ${e instanceof Error ? e.message : String(e)}`);
  } finally {
    removeScratchDir(scratch);
  }
}

interface RunContext {
  scratch: string;
  workspace: string;
  env: Record<string, string>;
  settings: Record<string, unknown> | undefined;
  timeoutMs: number;
  log: (line: string) => void;
  resultFile: string;
}

async function runWithCodeServer(ctx: RunContext): Promise<SuiteResult> {
  let server: CodeServer | undefined;
  let browser: LaunchedBrowser | undefined;
  let result: SuiteResult | null = null;
  const started = Date.now();
  try {
    server = await startCodeServer({ scratchDir: join(ctx.scratch, "code-server"), settings: ctx.settings, env: ctx.env });
    browser = await launchBrowser({ scratchDir: join(ctx.scratch, "chromium") });
    const { page } = await browser.newPage();
    const filter = automationLogFilter();
    let resolveExit: (code: number) => void = () => undefined;
    const exited = new Promise<number>((resolve) => (resolveExit = resolve));
    await page.exposeFunction("codeAutomationExit", (code: unknown) => {
      resolveExit(typeof code === "number" ? code : Number(code) || 0);
    });
    await page.exposeFunction("codeAutomationLog", (type: unknown, args: unknown) => {
      const text = formatAutomationLog(args);
      const show = filter(String(type), text);
      for (const line of text.split("\n")) {
        const parsed = parseResultLine(line);
        if (parsed) result = parsed;
        if (show) ctx.log(`  ${line}`);
      }
    });
    page.on("pageerror", (err) => {
      if (process.env.HEARTH_VERBOSE) ctx.log(`  [page error] ${err.message}`);
    });
    const url = workbenchUrl(server, ctx.workspace, { extensionDevelopmentPath: repoRoot, extensionTestsPath: ctx.env.HEARTH_SUITE_ENTRY ?? process.env.HEARTH_SUITE_ENTRY ?? vscodeSuiteEntry });
    // A hang guard as the e2e layer's, not an estimate: at a load of 25 on 2 cores the first page took over 30 s.
    await page.goto(url, { waitUntil: "domcontentloaded", timeout: 120_000 });
    const code = await withTimeout(exited, Math.max(1000, ctx.timeoutMs - (Date.now() - started)), "the extension host's tests to finish (codeAutomationExit)");
    result ??= readResultFile(ctx.resultFile);
    if (!result) return failure(`the suites exited with code ${code} without a ${RESULT_MARKER} line`);
    const final: SuiteResult = result;
    if (code !== 0 && final.failed === 0) return { ...final, failed: 1, failures: [`the extension host exited with code ${code}`] };
    return final;
  } finally {
    await browser?.close();
    await server?.stop();
  }
}

async function runWithTestElectron(executable: string, ctx: RunContext): Promise<SuiteResult> {
  const userDataDir = join(ctx.scratch, "user-data");
  mkdirSync(join(userDataDir, "User"), { recursive: true });
  writeFileSync(join(userDataDir, "User", "settings.json"), JSON.stringify({ ...QUIET_SETTINGS, ...ctx.settings }, null, 2));
  const config = {
    vscodeExecutablePath: executable,
    extensionDevelopmentPath: repoRoot,
    extensionTestsPath: ctx.env.HEARTH_SUITE_ENTRY ?? process.env.HEARTH_SUITE_ENTRY ?? vscodeSuiteEntry,
    launchArgs: [ctx.workspace, "--disable-extensions", `--user-data-dir=${userDataDir}`, `--extensions-dir=${join(ctx.scratch, "extensions")}`],
    extensionTestsEnv: ctx.env,
  };
  let result: SuiteResult | null = null;
  // runTests runs in a child of ours, in its own process group with VS Code under it: a hang is stopped by the group.
  const child = spawnManaged("test-electron", process.execPath, [join(__dirname, "test-electron-child.js"), JSON.stringify(config)], {
    env: { ...process.env },
    onLine: (line) => {
      const parsed = parseResultLine(line);
      if (parsed) result = parsed;
      ctx.log(`  ${line}`);
    },
  });
  try {
    const exit = await withTimeout(child.exited, ctx.timeoutMs, "VS Code (test-electron) to finish the suites");
    result ??= readResultFile(ctx.resultFile);
    if (!result) return failure(`VS Code exited with ${exit.code ?? exit.signal} without a ${RESULT_MARKER} line`);
    const final: SuiteResult = result;
    if (exit.code !== 0 && final.failed === 0) return { ...final, failed: 1, failures: [`VS Code exited with ${exit.code ?? exit.signal}`] };
    return final;
  } finally {
    await child.stop(3000);
  }
}
