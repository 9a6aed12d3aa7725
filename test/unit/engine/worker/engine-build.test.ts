// The engine build for this CPU: which build the engine may load (engine-build.mts), and the binding's fallback to the
// prebuilt binary, with the reason in the log, whenever that build is missing, stale or does not load (llama-binding.mts).
import { strict as assert } from "node:assert";
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
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

  it("runs the prebuilt binary, and logs why, when the build for this CPU does not load", async () => {
    fakeBuild(marker(installed), "throw new Error('libggml-cpu.so: cannot open shared object file');\n");
    const lines: string[] = [];
    const b = new binding.LlamaBinding((level, message) => lines.push(`${level} ${message}`), dir);
    const lib = await b.library();
    assert.equal(lib, await import("node-llama-cpp"));
    assert.equal(b.source?.kind, "prebuilt");
    assert.match(lines.join("\n"), /^warn llama\.cpp: the prebuilt binaries \(the build for this CPU in .* did not load: libggml-cpu\.so: cannot open shared object file\)$/m);
  });

  it("runs the prebuilt binary without a warning when no build folder is set", async () => {
    const lines: string[] = [];
    const b = new binding.LlamaBinding((level, message) => lines.push(`${level} ${message}`), undefined);
    await b.library();
    assert.equal(b.source?.kind, "prebuilt");
    assert.deepEqual(lines, ["debug llama.cpp: the prebuilt binaries (HEARTH_ENGINE_BUILD is not set)"]);
  });
});
