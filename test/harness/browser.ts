// Debian's Chromium, headless, driven by playwright-core over CDP. We start it ourselves (own process group, fresh
// user-data-dir in the run's scratch folder) so it is stopped like everything else; `playwright install` is never used.
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { cleanEnv } from "./code-server";
import { killStraysMentioning, spawnManaged, trackStrayMarker, waitFor, withTimeout, type ManagedProcess } from "./processes";

export const CHROMIUM_PATH = process.env.HEARTH_CHROMIUM ?? "/usr/bin/chromium";

export const CHROMIUM_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--no-default-browser-check",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-dev-shm-usage",
  "--password-store=basic",
  "--use-mock-keychain",
  "--window-size=1600,1000",
  // What Chromium 150 still tries on its own despite the flags above, found by the network observer (network.ts) and
  // switched off here so that the observer can fail a run on any packet: optimizationguide-pa.googleapis.com,
  // content-autofill.googleapis.com, clients2.google.com (network time), www.google.com (AI-mode eligibility and the
  // search engine preconnect).
  "--disable-features=OptimizationHints,AutofillServerCommunication,NetworkTimeServiceQuerying,AimEnabled,PreconnectToSearch",
  // accounts.google.com/ListAccounts and android.clients.google.com/checkin have no switch of their own: their endpoints
  // go to a closed loopback port, where they fail without a packet leaving loopback. A page's or webview's own requests
  // are not affected by these.
  "--gaia-url=http://127.0.0.1:9",
  "--gcm-checkin-url=http://127.0.0.1:9/checkin",
];

/**
 * The profile's own settings, for what has no switch: spell checking off and no dictionary, or typing into a text field
 * (the chat's input) downloads one from redirector.gvt1.com.
 */
export const CHROMIUM_PREFERENCES = {
  browser: { enable_spellchecking: false },
  spellcheck: { dictionaries: [], dictionary: "", use_spelling_service: false },
};

export interface LaunchedBrowser {
  readonly browser: Browser;
  readonly process: ManagedProcess;
  /** A fresh context and page (1600x1000). */
  newPage(): Promise<{ context: BrowserContext; page: Page }>;
  close(): Promise<void>;
}

export async function launchBrowser(opts: { scratchDir: string; startTimeoutMs?: number }): Promise<LaunchedBrowser> {
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`${CHROMIUM_PATH} is missing: run \`node scripts/setup-vscode.mjs\``);
  const userDataDir = join(opts.scratchDir, "chromium-profile");
  mkdirSync(join(userDataDir, "Default"), { recursive: true });
  writeFileSync(join(userDataDir, "Default", "Preferences"), JSON.stringify(CHROMIUM_PREFERENCES));
  const untrackStrays = trackStrayMarker(opts.scratchDir);
  let wsEndpoint: string | undefined;
  const verbose = !!process.env.HEARTH_VERBOSE;
  const proc = spawnManaged("chromium", CHROMIUM_PATH, [...CHROMIUM_FLAGS, `--user-data-dir=${userDataDir}`, "--remote-debugging-port=0", "about:blank"], {
    // HOME/XDG inside the scratch folder: chromium (and its crashpad database) write nothing into the real home.
    env: { ...cleanEnv(), HOME: opts.scratchDir, XDG_CONFIG_HOME: join(opts.scratchDir, "config"), XDG_CACHE_HOME: join(opts.scratchDir, "cache") },
    onLine: (line) => {
      const m = /DevTools listening on (ws:\/\/\S+)/.exec(line);
      if (m) wsEndpoint = m[1];
      else if (verbose) console.log(`[chromium] ${line}`);
    },
  });
  let browser: Browser | undefined;
  try {
    const endpoint = await waitFor(
      () => {
        if (proc.hasExited()) throw new Error(`chromium exited while starting:\n${proc.recentOutput()}`);
        return wsEndpoint;
      },
      { timeoutMs: opts.startTimeoutMs ?? 20_000, intervalMs: 100, what: "chromium's DevTools endpoint" },
    );
    browser = await chromium.connectOverCDP(endpoint, { timeout: opts.startTimeoutMs ?? 20_000 });
  } catch (e) {
    await proc.stop(1000);
    killStraysMentioning(opts.scratchDir);
    untrackStrays();
    throw e;
  }
  const connected = browser;
  return {
    browser: connected,
    process: proc,
    async newPage() {
      const context = await connected.newContext({ viewport: { width: 1600, height: 1000 } });
      context.setDefaultTimeout(15_000);
      const page = await context.newPage();
      return { context, page };
    },
    async close() {
      // Browser.close lets chromium stop its own helper processes; the group kill below is the safety net.
      const closeBrowser = async () => {
        const session = await connected.newBrowserCDPSession();
        await session.send("Browser.close").catch(() => undefined);
      };
      await withTimeout(closeBrowser(), 5000, "closing chromium").catch(() => undefined);
      await withTimeout(proc.exited, 5000, "chromium to exit").catch(() => undefined);
      await withTimeout(connected.close(), 2000, "closing the CDP connection").catch(() => undefined);
      await proc.stop(2000);
      // chromium's crashpad handlers leave the group (setsid); they mention the scratch folder on their command line.
      killStraysMentioning(opts.scratchDir);
      untrackStrays();
    },
  };
}
