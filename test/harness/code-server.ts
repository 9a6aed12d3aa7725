// Starts code-server (VS Code 1.139 in a browser, real Node extension host) from .vscode-test/, quietly and offline,
// in a scratch folder of its own, on a free loopback port; stops it by its process group.
import { mkdirSync, writeFileSync } from "node:fs";
import { get as httpGet } from "node:http";
import { createServer } from "node:net";
import { join } from "node:path";
import { codeServerEntry, node24 } from "./paths";
import { spawnManaged, waitFor, type ManagedProcess } from "./processes";

/** User settings that keep the workbench quiet and off the network; tests add their own on top. */
export const QUIET_SETTINGS: Record<string, unknown> = {
  "chat.disableAIFeatures": true,
  "workbench.secondarySideBar.defaultVisibility": "hidden",
  "workbench.startupEditor": "none",
  "workbench.tips.enabled": false,
  "workbench.enableExperiments": false,
  "workbench.welcomePage.walkthroughs.openOnInstall": false,
  "update.mode": "none",
  "update.showReleaseNotes": false,
  "telemetry.telemetryLevel": "off",
  "extensions.autoCheckUpdates": false,
  "extensions.autoUpdate": false,
  "extensions.ignoreRecommendations": true,
  "typescript.disableAutomaticTypeAcquisition": true,
  "typescript.tsserver.web.typeAcquisition.enabled": false,
  "npm.fetchOnlinePackageInfo": false,
  "json.schemaDownload.enable": false,
  "git.autofetch": false,
  "git.autoRepositoryDetection": false,
  "git.openRepositoryInParentFolders": "never",
  "security.workspace.trust.enabled": false,
  "files.hotExit": "off",
};

export interface CodeServerOptions {
  /** A folder owned by this run: code-server's user data, extensions and XDG folders go inside it. */
  scratchDir: string;
  /** Extra user settings (merged over QUIET_SETTINGS), e.g. { "hearth.engine.threads": 1 }. */
  settings?: Record<string, unknown>;
  /** Extra environment variables; code-server's extension host inherits them. */
  env?: Record<string, string>;
  /** Each line code-server prints (default: dropped unless HEARTH_VERBOSE is set). */
  onLine?: (line: string) => void;
  startTimeoutMs?: number;
}

export interface CodeServer {
  readonly port: number;
  /** http://127.0.0.1:PORT */
  readonly url: string;
  readonly userDataDir: string;
  readonly process: ManagedProcess;
  /** A vscode-remote URI for an absolute path on this machine, as the workbench's payload expects. */
  remoteUri(absPath: string): string;
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const address = srv.address();
      const port = typeof address === "object" && address ? address.port : 0;
      srv.close(() => (port ? resolve(port) : reject(new Error("no free port"))));
    });
  });
}

function healthz(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = httpGet({ host: "127.0.0.1", port, path: "/healthz", timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on("error", () => resolve(false));
    req.on("timeout", () => {
      req.destroy();
      resolve(false);
    });
  });
}

/** The runner's environment minus what would confuse a nested VS Code (when launched from a VS Code terminal). */
export function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (k.startsWith("VSCODE_") || k.startsWith("ELECTRON_") || k === "NODE_OPTIONS") continue;
    env[k] = v;
  }
  return env;
}

export async function startCodeServer(opts: CodeServerOptions): Promise<CodeServer> {
  const dir = opts.scratchDir;
  const userDataDir = join(dir, "user-data");
  const extensionsDir = join(dir, "extensions");
  for (const d of [join(userDataDir, "User"), extensionsDir, join(dir, "xdg-config"), join(dir, "xdg-data")]) mkdirSync(d, { recursive: true });
  const settingsJson = JSON.stringify({ ...QUIET_SETTINGS, ...opts.settings }, null, 2);
  writeFileSync(join(userDataDir, "User", "settings.json"), settingsJson);
  // A code-server window is a remote window: machine-scoped settings (hearth.model.path) are read from the remote
  // machine's settings, not the user's.
  mkdirSync(join(userDataDir, "Machine"), { recursive: true });
  writeFileSync(join(userDataDir, "Machine", "settings.json"), settingsJson);

  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...cleanEnv(),
    XDG_CONFIG_HOME: join(dir, "xdg-config"),
    XDG_DATA_HOME: join(dir, "xdg-data"),
    XDG_CACHE_HOME: join(dir, "xdg-cache"),
    XDG_STATE_HOME: join(dir, "xdg-state"),
    EXTENSIONS_GALLERY: '{"serviceUrl":""}',
    ...opts.env,
  };
  const verbose = !!process.env.HEARTH_VERBOSE;
  const proc = spawnManaged(
    "code-server",
    node24,
    [
      codeServerEntry,
      "--bind-addr", `127.0.0.1:${port}`,
      "--auth", "none",
      "--disable-telemetry",
      "--disable-update-check",
      "--disable-workspace-trust",
      "--disable-getting-started-override",
      "--ignore-last-opened",
      "--reconnection-grace-time", "5",
      // Release builds ignore the extensionTestsPath payload (and codeAutomation* hooks) without it.
      "--vscode-option", "enable-smoke-test-driver",
      "--user-data-dir", userDataDir,
      "--extensions-dir", extensionsDir,
    ],
    {
      cwd: dir,
      env,
      onLine: (line) => {
        if (opts.onLine) opts.onLine(line);
        else if (verbose) console.log(`[code-server] ${line}`);
      },
    },
  );
  const stop = () => proc.stop(3000);
  try {
    await waitFor(
      async () => {
        if (proc.hasExited()) throw new Error(`code-server exited while starting:\n${proc.recentOutput()}`);
        return healthz(port);
      },
      { timeoutMs: opts.startTimeoutMs ?? 30_000, intervalMs: 150, what: "code-server /healthz" },
    );
  } catch (e) {
    await stop();
    throw e;
  }
  const url = `http://127.0.0.1:${port}`;
  return {
    port,
    url,
    userDataDir,
    process: proc,
    remoteUri: (absPath) => `vscode-remote://127.0.0.1:${port}${absPath.split("/").map(encodeURIComponent).join("/")}`,
    stop,
  };
}

/** The workbench URL that opens `folder`, optionally with an extension under development and a test entry. */
export function workbenchUrl(
  server: CodeServer,
  folder: string,
  payload: { extensionDevelopmentPath?: string; extensionTestsPath?: string } = {},
): string {
  const entries: [string, string][] = [];
  if (payload.extensionDevelopmentPath) entries.push(["extensionDevelopmentPath", server.remoteUri(payload.extensionDevelopmentPath)]);
  if (payload.extensionTestsPath) entries.push(["extensionTestsPath", server.remoteUri(payload.extensionTestsPath)]);
  const query = [`folder=${encodeURIComponent(folder)}`];
  if (entries.length) query.push(`payload=${encodeURIComponent(JSON.stringify(entries))}`);
  return `${server.url}/?${query.join("&")}`;
}
