// The webview's DOM-free modules are not part of the Node build (they are bundled for the browser): tests bundle the
// ones they need with esbuild, as CommonJS for Node, and load them.
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildSync } from "esbuild";
import { REPO_ROOT } from "./engine";

/** Bundles src/webview/app/NAME.ts for each name and loads it; the bundles are deleted at once (they are loaded). */
export function loadWebviewModules<T extends Record<string, unknown>>(names: (keyof T & string)[]): T {
  const dir = mkdtempSync(join(tmpdir(), "hearth-webview-modules-"));
  try {
    buildSync({
      entryPoints: Object.fromEntries(names.map((name) => [name, join(REPO_ROOT, "src/webview/app", `${name}.ts`)])),
      outdir: dir,
      bundle: true,
      platform: "node",
      format: "cjs",
      logLevel: "error",
    });
    const load = createRequire(__filename);
    return Object.fromEntries(names.map((name) => [name, load(join(dir, `${name}.js`))])) as T;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
