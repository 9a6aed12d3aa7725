// The engine build for this CPU: which build the engine may load (engine-build.mts), and the binding's fallback to the
// prebuilt binary, with the reason in the log, whenever that build is missing, stale or does not load (llama-binding.mts).
import { strict as assert } from "node:assert";
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, mkdirSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

type EngineBuild = typeof import("../../../../src/engine/worker/engine-build.mjs", { with: { "resolution-mode": "import" } });
type Binding = typeof import("../../../../src/engine/worker/llama-binding.mjs", { with: { "resolution-mode": "import" } });

describe("engine build for this CPU", function () {
  this.timeout(60_000);
  let build: EngineBuild;
  let binding: Binding;
  let installed: string;
  let dir: string;

  before(async () => {
    build = await import("../../../../src/engine/worker/engine-build.mjs");
    binding = await import("../../../../src/engine/worker/llama-binding.mjs");
    installed = await build.packageVersion(build.installedPackageDir());
  });
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "hearth-engine-build-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** A build folder as the build leaves it: the marker, and the package copy's entry with `entry` as its code. */
  function fakeBuild(marker: object | string, entry = "export {};\n"): void {
    writeFileSync(join(dir, build.ENGINE_BUILD_MARKER), typeof marker === "string" ? marker : JSON.stringify(marker));
    const entryPath = join(dir, "node-llama-cpp", "dist", "index.js");
    mkdirSync(dirname(entryPath), { recursive: true });
    writeFileSync(entryPath, entry);
  }
  const marker = (version: string) => ({ nodeLlamaCppVersion: version, builtAt: "2026-12-03T12:00:00.000Z", seconds: 600, cpu: "AMD EPYC" });

  it("finds no build in a folder that was never built, and says so", async () => {
    const found = await build.findEngineBuild(dir, installed);
    assert.equal(found.found, false);
    assert.match(found.found ? "" : found.reason, /no engine build for this CPU/);
  });

  it("refuses a build made from another node-llama-cpp version, naming both", async () => {
    fakeBuild(marker("0.0.1"));
    const found = await build.findEngineBuild(dir, installed);
    assert.equal(found.found, false);
    assert.match(found.found ? "" : found.reason, new RegExp(`node-llama-cpp 0\\.0\\.1, Hearth now runs ${installed.replace(/\./g, "\\.")}; build the engine again`));
  });

  it("refuses a marker that is not one", async () => {
    fakeBuild("{\"nodeLlamaCppVersion\": 3}");
    const found = await build.findEngineBuild(dir, installed);
    assert.match(found.found ? "" : found.reason, /unreadable \(not an engine build marker\)/);
  });

  it("finds no build, without waiting or reading without end, where the marker is a named pipe, a link to /dev/zero or huge", async () => {
    const markerPath = join(dir, build.ENGINE_BUILD_MARKER);
    fakeBuild(marker(installed));
    rmSync(markerPath);
    execFileSync("mkfifo", [markerPath]);
    let found = await build.findEngineBuild(dir, installed);
    assert.match(found.found ? "" : found.reason, /unreadable \(.*not a regular file\); build the engine again/);
    rmSync(markerPath);
    symlinkSync("/dev/zero", markerPath);
    found = await build.findEngineBuild(dir, installed);
    assert.match(found.found ? "" : found.reason, /unreadable \(.*not a regular file\)/);
    rmSync(markerPath);
    writeFileSync(markerPath, JSON.stringify({ ...marker(installed), cpu: "x".repeat(1024 * 1024) }));
    found = await build.findEngineBuild(dir, installed);
    assert.match(found.found ? "" : found.reason, /unreadable \(.*larger than \d+ bytes\)/);
  });

  it("finds a finished build of the installed version", async () => {
    fakeBuild(marker(installed));
    const found = await build.findEngineBuild(dir, installed);
    assert.equal(found.found, true);
    assert.equal(found.found && found.entry, join(dir, "node-llama-cpp", "dist", "index.js"));
  });

  it("never builds inside the installed node-llama-cpp package", async () => {
    const packageDir = build.installedPackageDir();
    await assert.rejects(
      build.buildEngineForThisCpu({ dir: join(packageDir, "llama", "hearth"), packageDir, onStep: () => undefined }),
      /overlaps node-llama-cpp's own folder/,
    );
  });

  it("refuses to build from a node-llama-cpp installed without its build files, naming them", async () => {
    const packageDir = join(dir, "installed", "node-llama-cpp");
    mkdirSync(packageDir, { recursive: true });
    writeFileSync(join(packageDir, "package.json"), JSON.stringify({ name: "node-llama-cpp", version: installed }));
    await assert.rejects(
      build.buildEngineForThisCpu({ dir: join(dir, "build"), packageDir, onStep: () => undefined }),
      /lacks its build files \(llama\/CMakeLists\.txt, llama\/addon\), so llama\.cpp cannot be built from it/,
    );
  });

  /** An installed node-llama-cpp as far as copying it goes: its manifest, build files and entry, under a node_modules. */
  function installedPackage(root: string): string {
    const packageDir = join(dir, root, "node_modules", "node-llama-cpp");
    mkdirSync(join(packageDir, "llama", "addon"), { recursive: true });
    mkdirSync(join(packageDir, "dist"), { recursive: true });
    writeFileSync(join(packageDir, "package.json"), JSON.stringify({ name: "node-llama-cpp", version: installed, type: "module" }));
    writeFileSync(join(packageDir, "llama", "CMakeLists.txt"), "project(addon)\n");
    writeFileSync(join(packageDir, "dist", "index.js"), "export {};\n");
    return packageDir;
  }

  it("copies node-llama-cpp again when an earlier copy was cut short after its package.json", async () => {
    const packageDir = installedPackage("extension-1");
    // What a reload during the copy leaves: the manifest of the right version, and not the rest.
    mkdirSync(join(dir, "build", "node-llama-cpp"), { recursive: true });
    writeFileSync(join(dir, "build", "node-llama-cpp", "package.json"), JSON.stringify({ name: "node-llama-cpp", version: installed }));
    const copy = await build.copyPackage(join(dir, "build"), packageDir, () => undefined);
    assert.equal(readFileSync(join(copy, "dist", "index.js"), "utf8"), "export {};\n");
    assert.equal(realpathSync(join(copy, "node_modules")), realpathSync(dirname(packageDir)));
  });

  it("links the copy to the node-llama-cpp installed now when the extension moved, without copying it again", async () => {
    const steps: string[] = [];
    await build.copyPackage(join(dir, "build"), installedPackage("extension-1"), (step) => steps.push(step));
    const moved = installedPackage("extension-2");
    const copy = await build.copyPackage(join(dir, "build"), moved, (step) => steps.push(step));
    assert.equal(realpathSync(join(copy, "node_modules")), realpathSync(dirname(moved)));
    // Replacing the link deletes the link, never what it pointed to.
    assert.equal(existsSync(join(dir, "extension-1", "node_modules", "node-llama-cpp", "package.json")), true);
    assert.deepEqual(steps, [`copying node-llama-cpp ${installed}`]);
  });

  it("refuses to build while another process builds in the same folder, naming it", async () => {
    const packageDir = installedPackage("extension-1");
    mkdirSync(join(dir, "build"), { recursive: true });
    const other = spawn(process.execPath, ["-e", "setTimeout(() => {}, 60000)"], { stdio: "ignore" });
    try {
      writeFileSync(join(dir, "build", build.ENGINE_BUILD_LOCK), String(other.pid));
      await assert.rejects(
        build.buildEngineForThisCpu({ dir: join(dir, "build"), packageDir, onStep: () => undefined }),
        new RegExp(`the engine is already being built in .* by process ${String(other.pid)}`),
      );
      assert.equal(existsSync(join(dir, "build", "node-llama-cpp")), false);
    } finally {
      other.kill();
    }
  });

  it("runs the prebuilt binary, and logs why, when the build for this CPU does not load", async () => {
    fakeBuild(marker(installed), "throw new Error('libggml-cpu.so: cannot open shared object file');\n");
    const lines: string[] = [];
    const b = new binding.LlamaBinding((level, message) => lines.push(`${level} ${message}`), dir);
    const lib = await b.library();
    assert.equal(lib, await import("node-llama-cpp"));
    assert.equal(b.source?.kind, "prebuilt");
    assert.match(lines.join("\n"), /^warn llama\.cpp: the prebuilt binaries \(the build for this CPU in .* did not load: libggml-cpu\.so: cannot open shared object file\)$/m);
  });

  it("runs the prebuilt binary, saying the build is not node-llama-cpp, when its entry exports no getLlama", async () => {
    fakeBuild(marker(installed), "export const x = 1;\n");
    const lines: string[] = [];
    const b = new binding.LlamaBinding((level, message) => lines.push(`${level} ${message}`), dir);
    await b.library();
    assert.equal(b.source?.kind, "prebuilt");
    assert.match(lines.join("\n"), /did not load: its entry .*index\.js is not node-llama-cpp \(no getLlama\); build the engine again\)$/m);
  });

  it("runs the prebuilt binary without a warning when no build folder is set", async () => {
    const lines: string[] = [];
    const b = new binding.LlamaBinding((level, message) => lines.push(`${level} ${message}`), undefined);
    await b.library();
    assert.equal(b.source?.kind, "prebuilt");
    assert.deepEqual(lines, ["debug llama.cpp: the prebuilt binaries (HEARTH_ENGINE_BUILD is not set)"]);
  });
});
