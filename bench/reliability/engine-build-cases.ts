// Hostile or broken folders of the engine build for this CPU (HEARTH_ENGINE_BUILD, Hearth's global storage): what a
// crash, a reload, a second window, an update or a hand edit can leave there, through the real paths that meet it: the
// engine's choice of library (LlamaBinding.library(), which must fall back to the prebuilt binaries and say why in a
// clear log line), the package copy a build starts from (copyPackage, which must make a cut-short copy whole again and
// link a moved extension's package), and a build started beside another one (which must refuse, naming the holder).
// For each case:
// - ran-code: a key appeared on a built-in prototype;
// - crashed: a path threw instead of falling back or refusing;
// - unsafe: the engine chose the broken build, or a build went ahead in a folder another process holds, or a copy
//   stayed incomplete or linked to a folder that is gone;
// - refused: turned away (fallback, refusal, copy made whole) with a clear message; unclear: with one that is not.
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { CaseVerdict } from "./case-pool";
import { pollutionSince, snapshotPrototypes } from "./canary";
import { describeError, isClearMessage } from "./outcomes";

type EngineBuild = typeof import("../../src/engine/worker/engine-build.mjs", { with: { "resolution-mode": "import" } });
type Binding = typeof import("../../src/engine/worker/llama-binding.mjs", { with: { "resolution-mode": "import" } });

interface Ctx {
  build: EngineBuild;
  binding: Binding;
  installed: string;
  dir: string;
}

type BuildCase = { name: string; kind: "load"; lay(ctx: Ctx): void } | { name: string; kind: "copy"; lay(ctx: Ctx): string } | { name: string; kind: "lock" };

const marker = (version: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ nodeLlamaCppVersion: version, builtAt: "2026-12-03T12:00:00.000Z", seconds: 600, cpu: "AMD EPYC", ...extra });

function write(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

const entry = (ctx: Ctx) => join(ctx.dir, "node-llama-cpp", "dist", "index.js");

/** An installed node-llama-cpp as far as copying it goes, under `root`/node_modules. */
function installedPackage(ctx: Ctx, root: string): string {
  const packageDir = join(ctx.dir, root, "node_modules", "node-llama-cpp");
  write(join(packageDir, "package.json"), JSON.stringify({ name: "node-llama-cpp", version: ctx.installed, type: "module" }));
  write(join(packageDir, "llama", "CMakeLists.txt"), "project(addon)\n");
  mkdirSync(join(packageDir, "llama", "addon"), { recursive: true });
  write(join(packageDir, "dist", "index.js"), "export {};\n");
  return packageDir;
}

const CASES: BuildCase[] = [
  { name: "marker that is not JSON", kind: "load", lay: (c) => (write(join(c.dir, "built.json"), "{\"nodeLlamaCppVersion\": "), write(entry(c), "export {};\n")) },
  { name: "marker of another shape", kind: "load", lay: (c) => (write(join(c.dir, "built.json"), "[1,2,3]"), write(entry(c), "export {};\n")) },
  { name: "marker that is a named pipe (an open would wait for a writer)", kind: "load", lay: (c) => (mkdirSync(c.dir, { recursive: true }), execFileSync("mkfifo", [join(c.dir, "built.json")]), write(entry(c), "export {};\n")) },
  { name: "marker linked to /dev/zero (a read without end)", kind: "load", lay: (c) => (mkdirSync(c.dir, { recursive: true }), symlinkSync("/dev/zero", join(c.dir, "built.json")), write(entry(c), "export {};\n")) },
  { name: "marker that is a folder", kind: "load", lay: (c) => (mkdirSync(join(c.dir, "built.json"), { recursive: true }), write(entry(c), "export {};\n")) },
  {
    name: "marker with a __proto__ key",
    kind: "load",
    lay: (c) => (write(join(c.dir, "built.json"), marker(c.installed).replace("{", '{"__proto__": {"hearthPolluted": "yes"}, ')), write(entry(c), "export {};\n")),
  },
  { name: "marker of another node-llama-cpp version", kind: "load", lay: (c) => (write(join(c.dir, "built.json"), marker("0.0.1")), write(entry(c), "export {};\n")) },
  { name: "marker of this version, the copy's entry missing (a build cut short)", kind: "load", lay: (c) => write(join(c.dir, "built.json"), marker(c.installed)) },
  {
    name: "marker of this version, an entry that throws as it loads (a system library gone)",
    kind: "load",
    lay: (c) => (write(join(c.dir, "built.json"), marker(c.installed)), write(entry(c), "throw new Error('libggml-cpu.so: cannot open shared object file');\n")),
  },
  { name: "marker of this version, an entry that is not node-llama-cpp", kind: "load", lay: (c) => (write(join(c.dir, "built.json"), marker(c.installed)), write(entry(c), "export const x = 1;\n")) },
  { name: "marker of this version, an entry cut in the middle of a line", kind: "load", lay: (c) => (write(join(c.dir, "built.json"), marker(c.installed)), write(entry(c), "export const getLlama = async (")) },
  {
    name: "package copy cut short after its package.json",
    kind: "copy",
    lay: (c) => (write(join(c.dir, "build", "node-llama-cpp", "package.json"), JSON.stringify({ name: "node-llama-cpp", version: c.installed })), installedPackage(c, "ext-1")),
  },
  {
    name: "package copy linked to an extension folder that was deleted (an update)",
    kind: "copy",
    lay: (c) => {
      const old = installedPackage(c, "ext-1");
      write(join(c.dir, "build", "node-llama-cpp", "package.json"), JSON.stringify({ name: "node-llama-cpp", version: c.installed }));
      write(join(c.dir, "build", "node-llama-cpp", "dist", "index.js"), "export {};\n");
      write(join(c.dir, "build", "node-llama-cpp", "hearth-copy.json"), JSON.stringify({ version: c.installed, from: old }));
      rmSync(join(c.dir, "ext-1"), { recursive: true });
      return installedPackage(c, "ext-2");
    },
  },
  { name: "a build started while another process holds the folder", kind: "lock" },
];

export const ENGINE_BUILD_CORPUS = CASES.map((c, index) => ({ index, name: c.name }));

export async function openCases(): Promise<(index: number) => Promise<CaseVerdict>> {
  const build = (await import("../../src/engine/worker/engine-build.mjs")) as EngineBuild;
  const binding = (await import("../../src/engine/worker/llama-binding.mjs")) as Binding;
  const installed = await build.packageVersion(build.installedPackageDir());
  return async (index: number) => {
    const spec = CASES[index];
    if (!spec) throw new Error(`no engine build case ${index}`);
    const dir = mkdtempSync(join(tmpdir(), "hearth-build-case-"));
    try {
      return await runCase(spec, { build, binding, installed, dir });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

async function runCase(spec: BuildCase, ctx: Ctx): Promise<CaseVerdict> {
  const before = snapshotPrototypes();
  const started = performance.now();
  let verdict: CaseVerdict;
  try {
    verdict = spec.kind === "load" ? await loadCase(spec, ctx) : spec.kind === "copy" ? await copyCase(spec, ctx) : await lockCase(ctx);
  } catch (error) {
    verdict = { outcome: "crashed", detail: `threw: ${describeError(error)}` };
  }
  const polluted = pollutionSince(before);
  if (polluted.length) return { outcome: "ran-code", detail: `polluted ${polluted.join(", ")}` };
  return { ...verdict, stallMs: performance.now() - started };
}

async function loadCase(spec: Extract<BuildCase, { kind: "load" }>, ctx: Ctx): Promise<CaseVerdict> {
  spec.lay(ctx);
  const lines: string[] = [];
  const b = new ctx.binding.LlamaBinding((_level, message) => lines.push(message), ctx.dir);
  await b.library();
  if (b.source?.kind !== "prebuilt") return { outcome: "unsafe", detail: `the engine chose the broken build: ${lines.join(" | ")}` };
  const line = lines.join(" | ");
  return isClearMessage(line) ? { outcome: "refused", detail: line } : { outcome: "unclear", detail: line };
}

async function copyCase(spec: Extract<BuildCase, { kind: "copy" }>, ctx: Ctx): Promise<CaseVerdict> {
  const packageDir = spec.lay(ctx);
  const copy = await ctx.build.copyPackage(join(ctx.dir, "build"), packageDir, () => undefined);
  if (!existsSync(join(copy, "dist", "index.js"))) return { outcome: "unsafe", detail: "the copy stayed incomplete (no dist/index.js)" };
  let linked: string;
  try {
    linked = realpathSync(join(copy, "node_modules"));
  } catch (error) {
    return { outcome: "unsafe", detail: `the copy's node_modules resolves nowhere: ${describeError(error)}` };
  }
  if (linked !== realpathSync(dirname(packageDir))) return { outcome: "unsafe", detail: `the copy links to ${linked}, not the installed package's folder` };
  return { outcome: "refused", detail: "the copy was made whole and linked to the installed package" };
}

async function lockCase(ctx: Ctx): Promise<CaseVerdict> {
  const packageDir = installedPackage(ctx, "ext-1");
  const folder = join(ctx.dir, "build");
  mkdirSync(folder, { recursive: true });
  const other = spawn(process.execPath, ["-e", "setTimeout(() => {}, 60000)"], { stdio: "ignore" });
  try {
    writeFileSync(join(folder, ctx.build.ENGINE_BUILD_LOCK), String(other.pid));
    await ctx.build.buildEngineForThisCpu({ dir: folder, packageDir, onStep: () => undefined });
    return { outcome: "unsafe", detail: "a build went ahead in a folder another process holds" };
  } catch (error) {
    if (existsSync(join(folder, "node-llama-cpp"))) return { outcome: "unsafe", detail: `copied into a folder another process holds, then: ${describeError(error)}` };
    const message = describeError(error);
    return /already being built/.test(message) && isClearMessage(message) ? { outcome: "refused", detail: message } : { outcome: "unclear", detail: message };
  } finally {
    other.kill();
  }
}
