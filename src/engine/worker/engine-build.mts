// llama.cpp built for this machine's CPU from node-llama-cpp's own bundled source, in a folder Hearth owns (never in
// the extension's node_modules, which may be read-only and is shared by every window): a copy of the node-llama-cpp
// package whose node_modules points back at the installed one, so that node-llama-cpp's source build (GGML_NATIVE,
// OpenMP) compiles into the copy. The prebuilt binaries pick one of a few CPU variants at run time and use ggml's own
// thread pool; this build is compiled for exactly this CPU. The engine loads it when present and loadable
// (llama-binding.mts), and the prebuilt binary otherwise.
import { cp, mkdir, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { cpus } from "node:os";
import { dirname, isAbsolute, join, relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { errorMessage } from "../../common/errors.js";
import { readOwnFile } from "../../common/own-file.js";
import type { NodeLlamaCpp } from "./llama-binding.mjs";

/** Written last, once the build loaded: its presence is what makes a build usable. */
export const ENGINE_BUILD_MARKER = "built.json";
/** A marker is a few short fields. */
const MAX_MARKER_BYTES = 64 * 1024;
/** The node-llama-cpp copy inside the build folder. */
const PACKAGE_COPY = "node-llama-cpp";

export interface EngineBuildMarker {
  /** The node-llama-cpp version the build was made from: another version's binary must not be loaded. */
  nodeLlamaCppVersion: string;
  builtAt: string;
  seconds: number;
  cpu: string;
}

export type EngineBuildLookup = { found: true; entry: string; marker: EngineBuildMarker } | { found: false; reason: string };

/** The installed node-llama-cpp package's folder (the one the prebuilt binaries come with). */
export function installedPackageDir(): string {
  return dirname(dirname(fileURLToPath(import.meta.resolve("node-llama-cpp"))));
}

export async function packageVersion(packageDir: string): Promise<string> {
  const json = JSON.parse(await readFile(join(packageDir, "package.json"), "utf8")) as { version?: unknown };
  if (typeof json.version !== "string") throw new Error(`${join(packageDir, "package.json")} names no version`);
  return json.version;
}

/**
 * The build in `dir` that the engine may load, or why there is none: never built, a build not finished, or one made
 * from another node-llama-cpp version than `installedVersion` (its binary would not match the JavaScript).
 */
export async function findEngineBuild(dir: string, installedVersion: string): Promise<EngineBuildLookup> {
  const markerPath = join(dir, ENGINE_BUILD_MARKER);
  if (!existsSync(markerPath)) return { found: false, reason: `no engine build for this CPU in ${dir}` };
  let marker: EngineBuildMarker;
  try {
    // Read as a file Hearth wrote but anything may have replaced: a named pipe there held the engine's start for ever
    // (the open waits for a writer), a link to /dev/zero read until memory ran out.
    marker = parseMarker(JSON.parse(await readOwnFile(markerPath, MAX_MARKER_BYTES)));
  } catch (error) {
    return { found: false, reason: `${markerPath} is unreadable (${errorMessage(error)}); build the engine again` };
  }
  if (marker.nodeLlamaCppVersion !== installedVersion) {
    return { found: false, reason: `the engine build in ${dir} is for node-llama-cpp ${marker.nodeLlamaCppVersion}, Hearth now runs ${installedVersion}; build the engine again` };
  }
  const entry = join(dir, PACKAGE_COPY, "dist", "index.js");
  if (!existsSync(entry)) return { found: false, reason: `the engine build in ${dir} lacks ${relative(dir, entry)}; build the engine again` };
  return { found: true, entry, marker };
}

function parseMarker(value: unknown): EngineBuildMarker {
  const m = value as Partial<EngineBuildMarker> | null;
  if (!m || typeof m !== "object" || typeof m.nodeLlamaCppVersion !== "string" || typeof m.builtAt !== "string" || typeof m.seconds !== "number" || typeof m.cpu !== "string") {
    throw new Error("not an engine build marker");
  }
  return { nodeLlamaCppVersion: m.nodeLlamaCppVersion, builtAt: m.builtAt, seconds: m.seconds, cpu: m.cpu };
}

export interface EngineBuildOptions {
  /** The folder Hearth owns for the build (created; an older version's copy in it is replaced). */
  dir: string;
  /** The installed node-llama-cpp package to copy and build. */
  packageDir: string;
  /** A step in words ("copying node-llama-cpp", "compiling"); the compiler's own lines go to stdout. */
  onStep(step: string): void;
}

/**
 * Copies node-llama-cpp into `dir` (once per version) and runs its source build there for this CPU, without a GPU
 * backend; node-llama-cpp reuses a finished build of the copy. The marker is written only after the build loaded.
 */
export async function buildEngineForThisCpu({ dir, packageDir, onStep }: EngineBuildOptions): Promise<EngineBuildMarker> {
  // Building inside the installed package would change what every other window and process loads.
  if (isInside(dir, packageDir) || isInside(packageDir, dir)) throw new Error(`the engine build folder ${dir} overlaps node-llama-cpp's own folder ${packageDir}`);
  // A packaged extension may leave node-llama-cpp's build files out (the VSIX does, to stay small).
  const missing = ["llama/CMakeLists.txt", "llama/addon"].filter((path) => !existsSync(join(packageDir, path)));
  if (missing.length > 0) throw new Error(`this installation of node-llama-cpp (${packageDir}) lacks its build files (${missing.join(", ")}), so llama.cpp cannot be built from it`);
  const unlock = await lockBuildFolder(dir);
  try {
    return await buildLocked(dir, packageDir, onStep);
  } finally {
    await unlock();
  }
}

async function buildLocked(dir: string, packageDir: string, onStep: (step: string) => void): Promise<EngineBuildMarker> {
  const started = performance.now();
  const version = await packageVersion(packageDir);
  await rm(join(dir, ENGINE_BUILD_MARKER), { force: true });
  const copy = await copyPackage(dir, packageDir, onStep);
  onStep("building llama.cpp for this CPU");
  const lib = (await import(pathToFileURL(join(copy, "dist", "index.js")).href)) as NodeLlamaCpp;
  const llama = await lib.getLlama({ gpu: false, build: "auto", usePrebuiltBinaries: false, progressLogs: true, logLevel: lib.LlamaLogLevel.warn });
  try {
    if (llama.buildType !== "localBuild") throw new Error(`node-llama-cpp loaded a ${llama.buildType} binary instead of the build for this CPU`);
  } finally {
    await llama.dispose();
  }
  const marker: EngineBuildMarker = {
    nodeLlamaCppVersion: version,
    builtAt: new Date().toISOString(),
    seconds: Math.round((performance.now() - started) / 1000),
    cpu: cpus()[0]?.model.trim() ?? "unknown",
  };
  await writeFile(join(dir, ENGINE_BUILD_MARKER), `${JSON.stringify(marker, null, 2)}\n`);
  onStep(`built in ${marker.seconds} s`);
  return marker;
}

/** Written in the copy once it is whole and linked: what it was copied from. */
const COPY_MARKER = "hearth-copy.json";

/**
 * The copy of node-llama-cpp in `dir` to build in, made once per version. A copy counts only once its marker says it
 * is whole: a reload during the copy leaves a package.json of the right version without the rest. When the extension
 * moved (an update keeping node-llama-cpp's version), only the link to its dependencies is made again, keeping the
 * copy's compiled build: the old extension's folder is deleted, and the copy would resolve nothing.
 */
export async function copyPackage(dir: string, packageDir: string, onStep: (step: string) => void): Promise<string> {
  const version = await packageVersion(packageDir);
  const copy = join(dir, PACKAGE_COPY);
  const copied = await readCopyMarker(copy);
  if (copied?.version !== version) {
    onStep(`copying node-llama-cpp ${version}`);
    await rm(copy, { recursive: true, force: true });
    await mkdir(dir, { recursive: true });
    // Its own build output, clone and dependencies stay behind: the copy builds its own and finds the rest through the link.
    const skipped = new Set(["node_modules", join("llama", "localBuilds"), join("llama", "llama.cpp"), ".temp"].map((p) => join(packageDir, p)));
    await cp(packageDir, copy, { recursive: true, filter: (source) => !skipped.has(source) });
  }
  if (copied?.version !== version || copied.from !== packageDir) {
    await rm(join(copy, COPY_MARKER), { force: true });
    await rm(join(copy, "node_modules"), { force: true, recursive: true });
    // The copy resolves its dependencies (cmake-js, node-addon-api, the prebuilt packages) from the installed ones.
    await symlink(dirname(packageDir), join(copy, "node_modules"), "junction");
    await writeFile(join(copy, COPY_MARKER), `${JSON.stringify({ version, from: packageDir })}\n`);
  }
  return copy;
}

async function readCopyMarker(copy: string): Promise<{ version: string; from: string } | null> {
  try {
    const json = JSON.parse(await readFile(join(copy, COPY_MARKER), "utf8")) as { version?: unknown; from?: unknown } | null;
    return typeof json?.version === "string" && typeof json.from === "string" ? { version: json.version, from: json.from } : null;
  } catch {
    return null;
  }
}

/** Held by the process building in a folder: its process id. */
export const ENGINE_BUILD_LOCK = "building.pid";

/**
 * Takes the folder for this process, or refuses while a live process holds it: two windows building at once would
 * delete and copy the package under each other's compiler. A lock whose process is gone (a crash) is taken over.
 */
async function lockBuildFolder(dir: string): Promise<() => Promise<void>> {
  await mkdir(dir, { recursive: true });
  const lockPath = join(dir, ENGINE_BUILD_LOCK);
  for (let attempt = 0; ; attempt++) {
    try {
      await writeFile(lockPath, String(process.pid), { flag: "wx" });
      return () => rm(lockPath, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST" || attempt > 0) throw error;
    }
    const holder = Number.parseInt(await readFile(lockPath, "utf8").catch(() => ""), 10);
    if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && isAlive(holder)) {
      throw new Error(`the engine is already being built in ${dir} by process ${holder} (another window?); wait for it to finish, or delete ${lockPath} if no build runs`);
    }
    await rm(lockPath, { force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Whether `path` is `dir` or lies inside it. */
export function isInside(path: string, dir: string): boolean {
  const rel = relative(dir, path);
  return rel === "" || (!rel.startsWith("..") && !isAbsolute(rel));
}
