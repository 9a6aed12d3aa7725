// Where things live, from the compiled location (out/test/harness/*.js) or the source (test/harness/*.ts).
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";

function findRepoRoot(): string {
  let dir = __dirname;
  for (;;) {
    const pkg = join(dir, "package.json");
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, "utf8")) as { name?: string }).name === "hearth") return dir;
      } catch {
        /* keep looking */
      }
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`harness: no Hearth package.json above ${__dirname}`);
    dir = parent;
  }
}

export const repoRoot = findRepoRoot();
export const vscodeTestDir = join(repoRoot, ".vscode-test");
export const node24 = join(vscodeTestDir, "node24", "bin", "node");
export const codeServerEntry = join(vscodeTestDir, "code-server", "node_modules", "code-server", "out", "node", "entry.js");
export const setupStamp = join(vscodeTestDir, "setup-stamp.json");
export const fixtureWorkspace = join(repoRoot, "test", "fixtures", "workspace");
/** The mocha entry the extension host loads. */
export const vscodeSuiteEntry = join(repoRoot, "out", "test", "vscode", "index.js");
export const e2eOutDir = join(repoRoot, "out", "test", "e2e");
export const screenshotDir = join(repoRoot, "test", "e2e", "screenshots");
export const extensionMain = join(repoRoot, "dist", "extension.js");

/** Why the real-VS-Code layers cannot run yet, or null when they can. */
export function readinessProblem(): string | null {
  if (!existsSync(setupStamp) || !existsSync(codeServerEntry) || !existsSync(node24)) {
    return "code-server is not installed: run `node scripts/setup-vscode.mjs` (installs chromium, Node 24 and code-server into .vscode-test/)";
  }
  if (!existsSync("/usr/bin/chromium")) return "/usr/bin/chromium is missing: run `node scripts/setup-vscode.mjs`";
  if (!existsSync(extensionMain)) return "dist/extension.js is missing: run `node scripts/build.mjs`";
  if (!existsSync(vscodeSuiteEntry)) return "out/test/vscode/index.js is missing: run `node scripts/build.mjs`";
  return null;
}
