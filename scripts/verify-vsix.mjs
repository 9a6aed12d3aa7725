// Checks a packaged VSIX: what must be inside, what must not, and that the packaged node-llama-cpp loads.
//   node scripts/verify-vsix.mjs [file.vsix] [--target linux-x64] [--max-mb 40] [--keep]
// Without a file it checks hearth-<version>-<target>.vsix in the repository root. scripts/package.mjs runs it
// after every `npm run package`. It exits non-zero, saying why, on the first kind of failure it finds.
//
// The load check extracts the VSIX to a temporary folder and, from extension/, imports
// node_modules/node-llama-cpp with getLlama({ gpu: false, build: "never" }): with no network and no build
// allowed, this passes only if the packaged prebuilt binary and every file node-llama-cpp reads at load are in
// the VSIX. It also asserts the addon was loaded from the extracted folder and that loading wrote nothing there.
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, realpathSync, rmSync, statSync, writeFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { inflateRawSync } from "node:zlib";

export const root = join(dirname(fileURLToPath(import.meta.url)), "..");

/**
 * VSIX targets Hearth can be packaged for, and the platform packages each one ships: node-llama-cpp's CPU prebuilt
 * (Metal on Apple silicon, the only macOS arm64 build) and @reflink/reflink's native binding (used by node-llama-cpp's
 * model downloader; optional, shipped when installed). Alpine (musl) has no node-llama-cpp prebuilt.
 */
export const TARGETS = {
  "linux-x64": { prebuilt: "linux-x64", reflink: "reflink-linux-x64-gnu", lancedb: "lancedb-linux-x64-gnu", platform: "linux", arch: "x64" },
  "linux-arm64": { prebuilt: "linux-arm64", reflink: "reflink-linux-arm64-gnu", lancedb: "lancedb-linux-arm64-gnu", platform: "linux", arch: "arm64" },
  "linux-armhf": { prebuilt: "linux-armv7l", reflink: null, lancedb: null, platform: "linux", arch: "arm" },
  "darwin-x64": { prebuilt: "mac-x64", reflink: "reflink-darwin-x64", lancedb: null, platform: "darwin", arch: "x64" },
  "darwin-arm64": { prebuilt: "mac-arm64-metal", reflink: "reflink-darwin-arm64", lancedb: "lancedb-darwin-arm64", platform: "darwin", arch: "arm64" },
  "win32-x64": { prebuilt: "win-x64", reflink: "reflink-win32-x64-msvc", lancedb: "lancedb-win32-x64-msvc", platform: "win32", arch: "x64" },
  "win32-arm64": { prebuilt: "win-arm64", reflink: "reflink-win32-arm64-msvc", lancedb: "lancedb-win32-arm64-msvc", platform: "win32", arch: "arm64" },
};

/**
 * LanceDB's native module (codebase memory's database) is far larger than the rest of Hearth (58.4 MB packed of the
 * linux-x64 VSIX's 74.3; 0.31.0's darwin-arm64 and win32-x64 packages are 49 and 59 MB), so the budget holds Hearth
 * to `maxMb` without it and the module to this on its own: a VSIX for a target LanceDB builds for is allowed both. Targets it has no build for (darwin-x64, linux-armhf) ship without
 * it, and codebase memory there says so and searches by symbols only.
 */
export const LANCEDB_BUDGET_MB = 64;

export function hostTarget() {
  const match = Object.entries(TARGETS).find(([, t]) => t.platform === process.platform && t.arch === process.arch);
  return match?.[0] ?? null;
}

export function readPackageJson() {
  return JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
}

export function defaultVsixPath(target) {
  const pkg = readPackageJson();
  return join(root, `${pkg.name}-${pkg.version}-${target}.vsix`);
}

export class VerifyError extends Error {}

// ---------------------------------------------------------------------------------------------------------------
// A minimal ZIP reader (central directory, stored and deflated entries, no ZIP64): VSIX files are plain ZIPs.

/** @returns {{ name: string, method: number, compressedSize: number, size: number, offset: number, mode: number }[]} */
export function readZipEntries(buffer) {
  const eocdSig = 0x06054b50;
  let eocd = -1;
  for (let i = buffer.length - 22; i >= Math.max(0, buffer.length - 22 - 0xffff); i--) {
    if (buffer.readUInt32LE(i) === eocdSig) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new VerifyError("not a ZIP file (no end-of-central-directory record)");
  const count = buffer.readUInt16LE(eocd + 10);
  let p = buffer.readUInt32LE(eocd + 16);
  if (count === 0xffff || p === 0xffffffff) throw new VerifyError("ZIP64 archives are not supported by this reader");
  const entries = [];
  for (let n = 0; n < count; n++) {
    if (buffer.readUInt32LE(p) !== 0x02014b50) throw new VerifyError(`corrupt ZIP central directory at entry ${n}`);
    const method = buffer.readUInt16LE(p + 10);
    const compressedSize = buffer.readUInt32LE(p + 20);
    const size = buffer.readUInt32LE(p + 24);
    const nameLen = buffer.readUInt16LE(p + 28);
    const extraLen = buffer.readUInt16LE(p + 30);
    const commentLen = buffer.readUInt16LE(p + 32);
    const externalAttrs = buffer.readUInt32LE(p + 38);
    const offset = buffer.readUInt32LE(p + 42);
    const name = buffer.toString("utf8", p + 46, p + 46 + nameLen);
    entries.push({ name, method, compressedSize, size, offset, mode: (externalAttrs >>> 16) & 0o777 });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
}

function extractWithNode(buffer, dest) {
  for (const e of readZipEntries(buffer)) {
    const target = resolve(dest, e.name);
    if (!target.startsWith(resolve(dest) + sep)) throw new VerifyError(`ZIP entry escapes the folder: ${e.name}`);
    if (e.name.endsWith("/")) {
      mkdirSync(target, { recursive: true });
      continue;
    }
    if (buffer.readUInt32LE(e.offset) !== 0x04034b50) throw new VerifyError(`corrupt ZIP local header for ${e.name}`);
    const start = e.offset + 30 + buffer.readUInt16LE(e.offset + 26) + buffer.readUInt16LE(e.offset + 28);
    const raw = buffer.subarray(start, start + e.compressedSize);
    let data;
    if (e.method === 0) data = raw;
    else if (e.method === 8) data = inflateRawSync(raw);
    else throw new VerifyError(`unsupported ZIP compression method ${e.method} for ${e.name}`);
    if (data.length !== e.size) throw new VerifyError(`size mismatch extracting ${e.name}`);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, data);
    if (e.mode) chmodSync(target, e.mode);
  }
}

function hasUnzip() {
  if (process.env.HEARTH_VERIFY_NO_UNZIP === "1") return false;
  return spawnSync("unzip", ["-v"], { stdio: "ignore" }).status === 0;
}

export function extractVsix(vsixPath, dest) {
  if (hasUnzip()) {
    const r = spawnSync("unzip", ["-q", "-o", vsixPath, "-d", dest], { stdio: ["ignore", "ignore", "pipe"], encoding: "utf8" });
    if (r.status !== 0) throw new VerifyError(`unzip failed (${r.status}): ${r.stderr}`);
    return "unzip";
  }
  extractWithNode(readFileSync(vsixPath), dest);
  return "node:zlib";
}

// ---------------------------------------------------------------------------------------------------------------

function listFiles(dir, base = dir, out = []) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) listFiles(p, base, out);
    else out.push(relative(base, p).split(sep).join("/"));
  }
  return out;
}

/** Package folders: a package.json right under node_modules/<name> or node_modules/@scope/<name>, at any depth. */
function packageRoots(files) {
  return files
    .filter((f) => f.endsWith("/package.json"))
    .map((f) => f.slice(0, -"/package.json".length))
    .filter((dir) => /(^|\/)node_modules\/(@[^/]+\/)?[^/@][^/]*$/.test(dir));
}

/** Node's lookup: from `fromDir`, try <dir>/node_modules/<name> in each ancestor up to and including `top`. */
function resolvePackageDir(name, fromDir, top) {
  let dir = fromDir;
  for (;;) {
    const candidate = join(dir, "node_modules", name);
    if (existsSync(join(candidate, "package.json"))) return candidate;
    if (dir === top) return null;
    const parent = dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

/** The production dependency closure of the extension's own dependencies, resolved inside the extracted tree. */
function dependencyClosure(extDir, pkg, targetInfo) {
  const found = new Map(); // dir -> name
  const missing = [];
  const queue = Object.keys(pkg.dependencies ?? {}).map((name) => ({ name, from: extDir, by: pkg.name }));
  while (queue.length) {
    const { name, from, by } = queue.shift();
    const dir = resolvePackageDir(name, from, extDir);
    if (!dir) {
      missing.push(`${name} (needed by ${by})`);
      continue;
    }
    if (found.has(dir)) continue;
    found.set(dir, name);
    const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
    for (const dep of Object.keys(manifest.dependencies ?? {})) queue.push({ name: dep, from: dir, by: name });
    // Optional dependencies count when shipped (e.g. ipull's @reflink/reflink); of node-llama-cpp's prebuilt
    // binary packages only the target's, which is required.
    for (const dep of Object.keys(manifest.optionalDependencies ?? {})) {
      if (dep.startsWith("@node-llama-cpp/")) {
        if (dep === `@node-llama-cpp/${targetInfo.prebuilt}`) queue.push({ name: dep, from: dir, by: name });
      } else if (resolvePackageDir(dep, dir, extDir)) queue.push({ name: dep, from: dir, by: name });
    }
  }
  return { found, missing };
}

/** Bare module specifiers the bundles load at run time (static imports, import(), require()). */
function bundleExternals(file) {
  const code = readFileSync(file, "utf8");
  const names = new Set();
  // Only specifiers shaped like a package name (or node:…): a minified bundle's regular expressions and strings hold
  // `from"` and `import"` followed by code (`)?`, `,`), which are not imports.
  for (const m of code.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|\bimport\s*)["']((?:node:|@[a-z0-9][\w.~-]*\/)?[a-z0-9][\w.~-]*(?:\/[\w.~@/-]*)?)["']/g)) {
    const spec = m[1];
    const bare = spec.replace(/^node:/, "");
    if (spec.startsWith("node:") || builtinModules.includes(bare) || builtinModules.includes(bare.split("/")[0])) continue;
    names.add(spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : spec.split("/")[0]);
  }
  return [...names];
}

function loadCheck(extDir, targetInfo) {
  const index = join(extDir, "node_modules/node-llama-cpp/dist/index.js");
  const addonDir = join(extDir, "node_modules/@node-llama-cpp", targetInfo.prebuilt);
  const script = `
    const { getLlama, LlamaLogLevel } = await import(${JSON.stringify(pathToFileURL(index).href)});
    const llama = await getLlama({
      gpu: false, build: "never", maxThreads: 1, usePrebuiltBinaries: true, skipDownload: true,
      progressLogs: false, logLevel: LlamaLogLevel.warn,
    });
    let addon = null;
    try {
      addon = (await import("node:fs")).readFileSync("/proc/self/maps", "utf8").split("\\n")
        .map((l) => l.slice(l.indexOf("/"))).find((p) => p.endsWith("llama-addon.node")) ?? null;
    } catch {}
    console.log("HEARTH_LLAMA_INFO " + JSON.stringify({
      buildType: llama.buildType, gpu: llama.gpu, llamaCppRelease: llama.llamaCppRelease,
      cpuMathCores: llama.cpuMathCores, maxThreads: llama.maxThreads, supportsMmap: llama.supportsMmap,
      addon, systemInfo: llama.systemInfo,
    }));
    await llama.dispose();
  `;
  const env = { ...process.env, NODE_LLAMA_CPP_SKIP_DOWNLOAD: "true", NODE_LLAMA_CPP_GPU: "false" };
  delete env.NODE_PATH;
  delete env.NODE_OPTIONS;
  // A file, not `node -e`: node-llama-cpp forks dist/bindings/utils/testBindingBinary.js with the parent's execArgv
  // to test the binary, and `--input-type=module` in that execArgv makes the fork fail.
  const scriptFile = join(dirname(extDir), "hearth-load-check.mjs");
  writeFileSync(scriptFile, script);
  const r = spawnSync(process.execPath, [scriptFile], { cwd: extDir, env, encoding: "utf8", timeout: 180_000 });
  const line = (r.stdout ?? "").split("\n").find((l) => l.startsWith("HEARTH_LLAMA_INFO "));
  if (r.status !== 0 || !line) {
    throw new VerifyError(`the packaged node-llama-cpp did not load (exit ${r.status}${r.signal ? `, ${r.signal}` : ""}${r.error ? `, ${r.error.message}` : ""}):\n${r.stdout}\n${r.stderr}`);
  }
  const info = JSON.parse(line.slice("HEARTH_LLAMA_INFO ".length));
  if (info.buildType !== "prebuilt") throw new VerifyError(`node-llama-cpp loaded a ${info.buildType} binary, not the packaged prebuilt one`);
  if (info.addon && !realpathSync(info.addon).startsWith(realpathSync(addonDir) + sep)) {
    throw new VerifyError(`node-llama-cpp loaded its addon from ${info.addon}, outside the extracted VSIX (${addonDir})`);
  }
  return { info, stderr: r.stderr.trim() };
}

/**
 * Verifies `vsixPath`. Returns a summary; throws VerifyError on failure.
 * @param {{ target?: string, maxMb?: number, keep?: boolean, log?: (line: string) => void }} options
 */
export function verifyVsix(vsixPath, { target = "linux-x64", maxMb = 40, keep = false, log = console.log } = {}) {
  const targetInfo = TARGETS[target];
  if (!targetInfo) throw new VerifyError(`unknown target ${target}; expected one of ${Object.keys(TARGETS).join(", ")}`);
  if (!existsSync(vsixPath)) throw new VerifyError(`${vsixPath} does not exist; run npm run package first`);
  const problems = [];
  const sizeMb = statSync(vsixPath).size / 1024 / 1024;
  // The native database module is budgeted on its own (LANCEDB_BUDGET_MB); the rest of the VSIX is held to maxMb.
  const lanceMb = listVsix(vsixPath).filter((e) => /^extension\/node_modules\/@lancedb\/lancedb-[^/]+\//.test(e.name)).reduce((s, e) => s + e.compressedSize, 0) / 1024 / 1024;
  if (sizeMb - lanceMb > maxMb) problems.push(`the VSIX is ${sizeMb.toFixed(1)} MB, ${(sizeMb - lanceMb).toFixed(1)} MB without LanceDB's native module, over the ${maxMb} MB budget`);
  if (lanceMb > LANCEDB_BUDGET_MB) problems.push(`LanceDB's native module takes ${lanceMb.toFixed(1)} MB of the VSIX, over its ${LANCEDB_BUDGET_MB} MB budget`);

  const tmp = mkdtempSync(join(tmpdir(), "hearth-vsix-"));
  try {
    // The load check must not find packages outside the extracted tree (Node looks in every ancestor's node_modules).
    for (let d = tmp; ; d = dirname(d)) {
      if (existsSync(join(d, "node_modules"))) throw new VerifyError(`${join(d, "node_modules")} exists above the extraction folder and would hide missing packages; set TMPDIR elsewhere`);
      if (dirname(d) === d) break;
    }
    const how = extractVsix(vsixPath, tmp);
    const extDir = join(tmp, "extension");
    if (!existsSync(extDir)) throw new VerifyError("the VSIX has no extension/ folder");
    const files = listFiles(extDir);
    const has = (f) => existsSync(join(extDir, f));
    log(`verify: ${relative(process.cwd(), vsixPath) || vsixPath}: ${sizeMb.toFixed(2)} MB, ${files.length} files, extracted with ${how} to ${tmp}`);

    // --- required ---------------------------------------------------------------------------------------------
    const pkg = JSON.parse(readFileSync(join(extDir, "package.json"), "utf8"));
    const required = ["package.json", "dist/extension.js", "dist/engine-worker.mjs", "dist/context-index-worker.js", "grammars/web-tree-sitter.wasm", "node_modules/node-llama-cpp/package.json", "node_modules/node-llama-cpp/dist/index.js", `node_modules/@node-llama-cpp/${targetInfo.prebuilt}/package.json`];
    if (existsSync(join(root, "src/cli/main.ts"))) required.push("dist/cli.js");
    // Codebase memory's database: the target's native module where LanceDB builds one (package.mjs says how to add it).
    if (targetInfo.lancedb) required.push("node_modules/@lancedb/lancedb/package.json", `node_modules/@lancedb/${targetInfo.lancedb}/package.json`);
    if (pkg.main) required.push(pkg.main.replace(/^\.\//, ""));
    for (const bin of Object.values(typeof pkg.bin === "string" ? { [pkg.name]: pkg.bin } : (pkg.bin ?? {}))) {
      if (existsSync(join(root, bin))) required.push(bin.replace(/^\.\//, ""));
    }
    for (const f of new Set(required)) if (!has(f)) problems.push(`missing ${f}`);
    // vsce renames these: LICENSE -> LICENSE.txt, README.md -> readme.md.
    if (!files.some((f) => /^licen[cs]e(\.(txt|md))?$/i.test(f))) problems.push("missing LICENSE (vsce stores it as LICENSE.txt)");
    if (existsSync(join(root, "README.md")) && !files.some((f) => /^readme\.md$/i.test(f))) problems.push("missing README.md (vsce stores it as readme.md)");
    if (!existsSync(join(tmp, "extension.vsixmanifest"))) problems.push("missing extension.vsixmanifest");

    // Every grammar the build copies, and every query file of the languages (grammars/<language>/*.scm).
    const builtGrammars = existsSync(join(root, "grammars")) ? listFiles(join(root, "grammars")).filter((f) => /\.(wasm|scm)$/.test(f)) : [];
    for (const g of builtGrammars) if (!has(`grammars/${g}`)) problems.push(`missing grammars/${g}`);
    if (!files.some((f) => /^grammars\/tree-sitter-[^/]+\.wasm$/.test(f))) problems.push("no tree-sitter grammar .wasm in grammars/");
    if (!files.some((f) => /^grammars\/[^/]+\/[^/]+\.scm$/.test(f))) problems.push("no tree-sitter queries (.scm) in grammars/<language>/");

    // The prebuilt llama.cpp binary for the target.
    const binFiles = files.filter((f) => f.startsWith(`node_modules/@node-llama-cpp/${targetInfo.prebuilt}/bins/`));
    if (!binFiles.some((f) => f.endsWith("llama-addon.node"))) problems.push(`no llama-addon.node in node_modules/@node-llama-cpp/${targetInfo.prebuilt}/bins/`);

    // node-llama-cpp reads these at load (see the load check below, which proves the list is sufficient).
    for (const f of ["llama/binariesGithubRelease.json", "llama/llama.cpp.info.json", "llama/package.json"]) {
      if (!has(`node_modules/node-llama-cpp/${f}`)) problems.push(`missing node_modules/node-llama-cpp/${f}`);
    }

    // Every production dependency, resolved the way Node will resolve it inside the installed extension.
    const closure = dependencyClosure(extDir, pkg, targetInfo);
    for (const m of closure.missing) problems.push(`missing production dependency ${m}`);

    // Whatever the bundles import at run time must be inside the VSIX (vscode is provided by the editor).
    for (const bundle of files.filter((f) => /^dist\/[^/]+\.(c|m)?js$/.test(f))) {
      for (const name of bundleExternals(join(extDir, bundle))) {
        if (name === "vscode") continue;
        if (!resolvePackageDir(name, join(extDir, "dist"), extDir)) problems.push(`${bundle} imports ${name}, which is not in the VSIX`);
      }
    }

    // --- forbidden --------------------------------------------------------------------------------------------
    const forbidden = [
      [/^node_modules\/node-llama-cpp\/llama\/gitRelease\.bundle$/, "node-llama-cpp's llama.cpp git bundle"],
      [/^node_modules\/node-llama-cpp\/llama\/(llama\.cpp|addon|cmake|patches|toolchains|xpack|profiles|localBuilds)\//, "node-llama-cpp's llama.cpp build sources"],
      [/^node_modules\/node-llama-cpp\/llama\/CMakeLists\.txt$/, "node-llama-cpp's CMakeLists.txt"],
      [/^node_modules\/node-llama-cpp\/templates\//, "node-llama-cpp's project templates"],
      [new RegExp(`^node_modules/@node-llama-cpp/(?!${targetInfo.prebuilt.replace(/[-]/g, "\\-")}/)`), `a prebuilt binary package for another platform or GPU (only @node-llama-cpp/${targetInfo.prebuilt} belongs in a ${target} VSIX)`],
      [targetInfo.lancedb ? new RegExp(`^node_modules/@lancedb/lancedb-(?!${targetInfo.lancedb.slice("lancedb-".length)}/)`) : /^node_modules\/@lancedb\/lancedb-/, `LanceDB's native module for another platform (${targetInfo.lancedb ? `only @lancedb/${targetInfo.lancedb}` : "none"} belongs in a ${target} VSIX)`],
      [/^node_modules\/(openai|onnxruntime-[^/]+|@huggingface\/transformers)\//, "an optional dependency of LanceDB that Hearth never loads (its OpenAI and transformers.js embedders)"],
      [/^(src|test|out|bench|scripts|\.models|\.vscode-test|\.hearth-run|\.git)\//, "a development folder"],
      [/^(tsconfig[^/]*\.json|eslint\.config\.mjs|\.vscodeignore|package-lock\.json|\.gitignore)$/, "a development file"],
      [/\.map$/, "a source map"],
      [/\.vsix$/, "a VSIX inside the VSIX"],
    ];
    const hits = new Map();
    for (const f of files) {
      for (const [re, why] of forbidden) {
        if (re.test(f)) {
          const list = hits.get(why) ?? [];
          list.push(f);
          hits.set(why, list);
        }
      }
    }
    for (const [why, list] of hits) problems.push(`contains ${why}: ${list.slice(0, 5).join(", ")}${list.length > 5 ? `, … (${list.length} files)` : ""}`);

    // No package that is not a production dependency (devDependencies such as typescript or tree-sitter grammars).
    const devNames = new Set(Object.keys(readPackageJson().devDependencies ?? {}));
    const shipped = packageRoots(files);
    const needed = new Set([...closure.found.keys()].map((d) => relative(extDir, d).split(sep).join("/")));
    const extra = shipped.filter((r) => !needed.has(r));
    if (extra.length) problems.push(`packages that are not production dependencies of the extension: ${extra.join(", ")}`);
    // A devDependency that a production package also needs at run time (apache-arrow needs @types/node, node-llama-cpp
    // its own `ignore`) belongs.
    const dev = shipped.filter((r) => devNames.has(r.slice(r.lastIndexOf("node_modules/") + "node_modules/".length)) && !needed.has(r));
    if (dev.length) problems.push(`devDependencies in the VSIX: ${dev.join(", ")}`);

    if (problems.length) throw new VerifyError(`${vsixPath} failed verification:\n  - ${problems.join("\n  - ")}`);
    log(`verify: contents ok (${closure.found.size} production packages, ${binFiles.length} files in @node-llama-cpp/${targetInfo.prebuilt})`);

    // --- load -------------------------------------------------------------------------------------------------
    const host = hostTarget();
    if (host !== target) {
      log(`verify: load check skipped: a ${target} binary cannot load on this ${host ?? `${process.platform}-${process.arch}`} machine`);
      return { sizeMb, files: files.length, loaded: null };
    }
    const before = snapshot(extDir);
    const { info, stderr } = loadCheck(extDir, targetInfo);
    const after = snapshot(extDir);
    const changed = [...after].filter(([f, m]) => before.get(f) !== m).map(([f]) => f);
    if (changed.length) throw new VerifyError(`loading node-llama-cpp wrote into the extension folder (it tried to build or download?): ${changed.slice(0, 10).join(", ")}`);
    log(`verify: node-llama-cpp loaded from the VSIX: ${info.buildType} build, llama.cpp ${info.llamaCppRelease?.release} (${info.llamaCppRelease?.repo}), gpu=${info.gpu}, cpuMathCores=${info.cpuMathCores}, maxThreads=${info.maxThreads}`);
    if (info.addon) log(`verify:   addon ${relative(tmp, info.addon)}`);
    log(`verify:   ${info.systemInfo}`);
    if (stderr) log(`verify:   (stderr) ${stderr.split("\n").slice(0, 5).join("\n verify:   ")}`);
    return { sizeMb, files: files.length, loaded: info };
  } finally {
    if (keep) log(`verify: kept ${tmp}`);
    else rmSync(tmp, { recursive: true, force: true });
  }
}

function snapshot(dir) {
  const map = new Map();
  for (const f of listFiles(dir)) {
    const s = statSync(join(dir, f));
    map.set(f, `${s.size}:${s.mtimeMs}`);
  }
  return map;
}

export function parseArgs(argv, known) {
  const out = { _: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith("--")) {
      out._.push(a);
      continue;
    }
    const [key, inline] = a.slice(2).split(/=(.*)/s, 2);
    if (!(key in known)) throw new VerifyError(`unknown option --${key}`);
    if (known[key] === "flag") out[key] = true;
    else {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new VerifyError(`--${key} needs a value`);
      out[key] = v;
    }
  }
  return out;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const args = parseArgs(process.argv.slice(2), { target: "value", "max-mb": "value", keep: "flag" });
    const target = args.target ?? hostTarget() ?? "linux-x64";
    const vsix = args._[0] ? resolve(args._[0]) : defaultVsixPath(target);
    verifyVsix(vsix, { target, maxMb: args["max-mb"] ? Number(args["max-mb"]) : 40, keep: Boolean(args.keep) });
    console.log("verify: OK");
  } catch (err) {
    console.error(`verify: FAILED: ${err instanceof VerifyError ? err.message : err?.stack ?? err}`);
    process.exit(1);
  }
}

// Used by tests or callers that only need the listing.
export function listVsix(vsixPath) {
  return readZipEntries(readFileSync(vsixPath));
}
