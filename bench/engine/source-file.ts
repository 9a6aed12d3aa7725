// The real source file the engine bench types: sindresorhus/ky's `source/core/Ky.ts`, as published in the `ky` npm
// package. The tarball ships only the compiled `distribution/`, but its source map `distribution/core/Ky.js.map` embeds
// the original TypeScript (`sourcesContent`), byte for byte. Fetched once with `npm pack` (the registry's ordinary
// client) into the git-ignored bench/.work/, pinned to one version so every run types the same text.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BENCH_DIR } from "../report";

export const KY_VERSION = "1.14.3";
const SOURCE_PATH = "source/core/Ky.ts";

export interface SourceFile {
  /** Where the text came from, for the report. */
  origin: string;
  /** The file's workspace-relative path, as an editor would pass it. */
  path: string;
  text: string;
}

export function loadKySource(log: (line: string) => void = console.log): SourceFile {
  const dir = join(BENCH_DIR, ".work", `ky-${KY_VERSION}`);
  const file = join(dir, "Ky.ts");
  const origin = `ky@${KY_VERSION} ${SOURCE_PATH} (from the npm tarball's distribution/core/Ky.js.map sourcesContent)`;
  if (existsSync(file)) return { origin, path: SOURCE_PATH, text: readFileSync(file, "utf8") };
  mkdirSync(dir, { recursive: true });
  log(`fetching ky@${KY_VERSION} with npm pack into ${dir}`);
  const pack = join(dir, "pack");
  rmSync(pack, { recursive: true, force: true });
  mkdirSync(pack);
  execFileSync("npm", ["pack", `ky@${KY_VERSION}`, "--silent"], { cwd: pack, stdio: ["ignore", "pipe", "inherit"] });
  const tarball = readdirSync(pack).find((name) => name.endsWith(".tgz"));
  if (!tarball) throw new Error(`npm pack ky@${KY_VERSION} produced no tarball in ${pack}`);
  execFileSync("tar", ["xzf", tarball, "package/distribution/core/Ky.js.map"], { cwd: pack });
  const map = JSON.parse(readFileSync(join(pack, "package", "distribution", "core", "Ky.js.map"), "utf8")) as { sources?: string[]; sourcesContent?: string[] };
  const index = (map.sources ?? []).findIndex((source) => source.endsWith(SOURCE_PATH));
  const text = index >= 0 ? map.sourcesContent?.[index] : undefined;
  if (typeof text !== "string") throw new Error(`ky@${KY_VERSION}'s Ky.js.map does not embed ${SOURCE_PATH}`);
  writeFileSync(file, text);
  rmSync(pack, { recursive: true, force: true });
  return { origin, path: SOURCE_PATH, text };
}
