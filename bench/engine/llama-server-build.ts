// Builds llama-server and llama-bench from the llama.cpp source that node-llama-cpp ships in its package
// (node_modules/node-llama-cpp/llama/gitRelease.bundle), for the engine bench's side-by-side comparison. CPU only.
// The checkout and the build are cached under the git-ignored bench/.work/, keyed by the bundle's hash: a second run
// with the same node-llama-cpp reuses them (about 5 minutes with 2 cores otherwise). Never commit that code.
//
//   node out/bench/engine/llama-server-build.js           builds (or finds) them and prints the two paths
//   node out/bench/engine/llama-server-build.js --engine  the engine build for this CPU ("Hearth: Build the Engine for
//                                                         This CPU", dist/engine-build.mjs) into BENCH_ENGINE_BUILD
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { closeSync, createReadStream, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runEngineBuild } from "../../src/engine/engine-build";
import { BENCH_DIR } from "../report";

/** Where the bench keeps the engine build for this CPU (what the command builds into Hearth's global storage). */
export const BENCH_ENGINE_BUILD = join(BENCH_DIR, ".work", "engine-build");

/** The engine build for this CPU in BENCH_ENGINE_BUILD, made by the product's own build process (slow: an hour on a busy 2-core machine). */
export async function ensureEngineBuild(log: (line: string) => void = console.log): Promise<string> {
  if (existsSync(join(BENCH_ENGINE_BUILD, "built.json"))) return BENCH_ENGINE_BUILD;
  let last = "";
  await runEngineBuild({
    scriptPath: join(ROOT, "dist", "engine-build.mjs"),
    dir: BENCH_ENGINE_BUILD,
    logFile: join(BENCH_ENGINE_BUILD, "build.log"),
    signal: new AbortController().signal,
    onProgress: ({ step }) => {
      if (step !== last) log(`engine build: ${step}`);
      last = step;
    },
  });
  return BENCH_ENGINE_BUILD;
}

export interface LlamaCppBuild {
  server: string;
  bench: string;
  /** The short hash of the bundle the build came from. */
  bundleHash: string;
  buildDir: string;
}

const ROOT = join(BENCH_DIR, "..");
export const BUNDLE = join(ROOT, "node_modules", "node-llama-cpp", "llama", "gitRelease.bundle");

/** The cmake flags of the comparison build: CPU, tuned for this machine like a user's own build would be. */
export const CMAKE_FLAGS = ["-DLLAMA_CURL=OFF", "-DLLAMA_USE_PREBUILT_UI=OFF", "-DGGML_NATIVE=ON", "-DCMAKE_BUILD_TYPE=Release"];

export async function ensureLlamaCppBuild(log: (line: string) => void = console.log): Promise<LlamaCppBuild> {
  if (!existsSync(BUNDLE)) throw new Error(`no llama.cpp source bundle at ${BUNDLE} (is node-llama-cpp installed?)`);
  const bundleHash = (await sha256File(BUNDLE)).slice(0, 16);
  const dir = join(BENCH_DIR, ".work", `llama.cpp-${bundleHash}`);
  const src = join(dir, "src");
  const build = join(dir, "build");
  const done = join(dir, "built.json");
  const result: LlamaCppBuild = { server: join(build, "bin", "llama-server"), bench: join(build, "bin", "llama-bench"), bundleHash, buildDir: build };
  const built = () => existsSync(done) && existsSync(result.server) && existsSync(result.bench);
  if (built()) return result;

  mkdirSync(dir, { recursive: true });
  // Another process building the same thing (a second bench started meanwhile): wait for it instead of racing it.
  const lock = join(dir, "build.lock");
  for (let holder = lockHolder(lock); holder !== null; holder = lockHolder(lock)) {
    log(`llama.cpp: process ${holder} is building it; waiting`);
    while (lockHolder(lock) === holder) await new Promise((resolve) => setTimeout(resolve, 5000));
    if (built()) return result;
  }
  writeFileSync(lock, String(process.pid));
  try {
    await buildNow(src, build, logFile(dir), result, done, bundleHash, log);
  } finally {
    rmSync(lock, { force: true });
  }
  return result;
}

function logFile(dir: string): string {
  return join(dir, "build.log");
}

/** The pid in the lock file while that process lives, else null. */
function lockHolder(lock: string): number | null {
  if (!existsSync(lock)) return null;
  const pid = Number(readFileSync(lock, "utf8").trim());
  if (!Number.isInteger(pid) || pid <= 0) return null;
  try {
    process.kill(pid, 0);
    return pid;
  } catch {
    return null;
  }
}

async function buildNow(src: string, build: string, logFile: string, result: LlamaCppBuild, done: string, bundleHash: string, log: (line: string) => void): Promise<void> {
  log(`llama.cpp: building llama-server and llama-bench from ${BUNDLE} into ${build} (about 5 minutes on 2 cores; log: ${logFile})`);
  const started = Date.now();
  if (!existsSync(join(src, "CMakeLists.txt"))) {
    rmSync(src, { recursive: true, force: true });
    await run("git", ["init", "-q", src], logFile);
    await run("git", ["-C", src, "fetch", "-q", BUNDLE, "HEAD:b"], logFile);
    await run("git", ["-C", src, "checkout", "-q", "b"], logFile);
  }
  await run("cmake", ["-S", src, "-B", build, ...CMAKE_FLAGS, "-DLLAMA_BUILD_TESTS=OFF", "-DLLAMA_BUILD_EXAMPLES=OFF"], logFile);
  await run("cmake", ["--build", build, "--target", "llama-server", "llama-bench", "-j2"], logFile);
  if (!existsSync(result.server) || !existsSync(result.bench)) throw new Error(`llama.cpp build finished without ${result.server} or ${result.bench}; see ${logFile}`);
  writeFileSync(done, `${JSON.stringify({ bundleHash, flags: CMAKE_FLAGS, seconds: Math.round((Date.now() - started) / 1000) }, null, 2)}\n`);
  log(`llama.cpp: built in ${Math.round((Date.now() - started) / 1000)} s`);
}

function sha256File(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash("sha256");
    createReadStream(path)
      .on("data", (chunk) => hash.update(chunk))
      .on("error", reject)
      .on("end", () => resolve(hash.digest("hex")));
  });
}

function run(command: string, args: string[], logFile: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const fd = openSync(logFile, "a");
    const child = spawn(command, args, { stdio: ["ignore", fd, fd] });
    child.on("error", (error) => {
      closeSync(fd);
      reject(error);
    });
    child.on("exit", (code, signal) => {
      closeSync(fd);
      if (code === 0) resolve();
      else reject(new Error(`${command} ${args.join(" ")} failed (${signal ?? `exit ${String(code)}`}); see ${logFile}`));
    });
  });
}

if (require.main === module) {
  (process.argv.includes("--engine") ? ensureEngineBuild() : ensureLlamaCppBuild()).then(
    (build) => console.log(JSON.stringify(build, null, 2)),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : String(error));
      process.exit(1);
    },
  );
}
