// Builds the production bundles and packages a platform-specific VSIX, then verifies it.
//   npm run package                                   -> hearth-<version>-linux-x64.vsix
//   npm run package -- --target darwin-arm64          (any key of TARGETS in verify-vsix.mjs)
//   options: --skip-build (package what dist/ and grammars/ hold), --no-verify, --max-mb <n> (default 40)
//
// What goes in is decided by .vscodeignore (read its header). vsce takes the production dependency tree from npm,
// which holds every installed @node-llama-cpp/* prebuilt package; .vscodeignore keeps only the CPU build for the
// target. This script writes a copy of .vscodeignore with the `# target:` lines rewritten for the target (the
// llama.cpp build and LanceDB's native module of that platform) and the packages only LanceDB's unused optional
// dependencies need left out, and passes it with --ignoreFile. The target's @node-llama-cpp package must be installed; npm installs
// only the host's, so packaging for another platform needs it added first (the error says how).
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { TARGETS, VerifyError, listVsix, parseArgs, readPackageJson, root, verifyVsix } from "./verify-vsix.mjs";

const started = Date.now();
const MB = 1024 * 1024;

try {
  const args = parseArgs(process.argv.slice(2), { target: "value", "skip-build": "flag", "no-verify": "flag", "max-mb": "value" });
  if (args._.length) throw new VerifyError(`unexpected argument ${args._[0]}`);
  const target = args.target ?? "linux-x64";
  const info = TARGETS[target];
  if (!info) throw new VerifyError(`unsupported target ${target}; Hearth can be packaged for ${Object.keys(TARGETS).join(", ")}`);
  const maxMb = args["max-mb"] ? Number(args["max-mb"]) : 40;

  const pkg = readPackageJson();
  const nlcVersion = JSON.parse(readFileSync(join(root, "node_modules/node-llama-cpp/package.json"), "utf8")).version;
  const prebuiltDir = join(root, "node_modules/@node-llama-cpp", info.prebuilt);
  if (!existsSync(join(prebuiltDir, "package.json"))) {
    throw new VerifyError(
      `node_modules/@node-llama-cpp/${info.prebuilt} is not installed, so a ${target} VSIX would have no llama.cpp binary.\n` +
        `  npm installs only the host platform's prebuilt; add it first, e.g.\n` +
        `    npm install --no-save --force @node-llama-cpp/${info.prebuilt}@${nlcVersion}`,
    );
  }

  if (info.lancedb && !existsSync(join(root, "node_modules/@lancedb", info.lancedb, "package.json"))) {
    const lanceVersion = JSON.parse(readFileSync(join(root, "node_modules/@lancedb/lancedb/package.json"), "utf8")).version;
    throw new VerifyError(
      `node_modules/@lancedb/${info.lancedb} is not installed, so a ${target} VSIX would have no codebase memory database.\n` +
        `  npm installs only the host platform's; add it first, e.g.\n` +
        `    npm install --no-save --force @lancedb/${info.lancedb}@${lanceVersion}`,
    );
  }

  if (!args["skip-build"]) {
    // Start from an empty dist/ so no stale development output (source maps, removed entry points) ships.
    rmSync(join(root, "dist"), { recursive: true, force: true });
    run(process.execPath, [join(root, "scripts/build.mjs"), "--bundle", "--production"], "build");
  }
  for (const f of ["dist/extension.js", "dist/engine-worker.mjs", "grammars/web-tree-sitter.wasm"]) {
    if (!existsSync(join(root, f))) throw new VerifyError(`${f} is missing after the build`);
  }

  const vsix = join(root, `${pkg.name}-${pkg.version}-${target}.vsix`);
  rmSync(vsix, { force: true });
  const tmp = mkdtempSync(join(tmpdir(), "hearth-package-"));
  try {
    const vsceArgs = [
      join(root, "node_modules/@vscode/vsce/vsce"),
      "package",
      "--target", target,
      "--out", vsix,
      "--allow-missing-repository",
      "--no-rewrite-relative-links",
      "--no-yarn",
    ];
    vsceArgs.push("--ignoreFile", writeTargetIgnoreFile(tmp, info, unusedPackages()));
    // stdin is closed: should vsce ever ask a question, it reads "no" and fails instead of waiting.
    run(process.execPath, vsceArgs, "vsce");
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  if (!existsSync(vsix)) throw new VerifyError(`vsce did not produce ${vsix}`);

  report(vsix);

  if (!args["no-verify"]) verifyVsix(vsix, { target, maxMb });
  console.log(`package: ${relative(process.cwd(), vsix)} done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
} catch (err) {
  console.error(`package: FAILED: ${err instanceof VerifyError ? err.message : err?.stack ?? err}`);
  process.exit(1);
}

function run(cmd, argv, label) {
  console.log(`package: ${label}: ${[cmd === process.execPath ? "node" : cmd, ...argv.map((a) => relative(root, a) && !a.startsWith("-") && a.startsWith(root) ? relative(root, a) : a)].join(" ")}`);
  const r = spawnSync(cmd, argv, { cwd: root, stdio: ["ignore", "inherit", "inherit"] });
  if (r.error) throw new VerifyError(`${label} could not start: ${r.error.message}`);
  if (r.status !== 0) throw new VerifyError(`${label} failed with exit code ${r.status ?? r.signal}`);
}

/**
 * Top-level folders of node_modules that npm installs as production packages but only for dependencies Hearth leaves
 * out (LanceDB's optional `openai` and `@huggingface/transformers`, with sharp, onnxruntime and their own
 * dependencies): no shipped package needs them. A scope folder counts when every package in it is unused.
 */
function unusedPackages() {
  const leftOut = new Set(["openai", "@huggingface/transformers"]);
  const resolve = (name, from) => {
    for (let d = from; ; d = dirname(d)) {
      const p = join(d, "node_modules", name);
      if (existsSync(join(p, "package.json"))) return p;
      if (dirname(d) === d) return null;
    }
  };
  const used = new Set();
  const queue = Object.keys(readPackageJson().dependencies ?? {}).map((name) => [name, root]);
  while (queue.length) {
    const [name, from] = queue.shift();
    const dir = leftOut.has(name) ? null : resolve(name, from);
    if (!dir || used.has(dir)) continue;
    used.add(dir);
    const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
    for (const dep of [...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.optionalDependencies ?? {})]) queue.push([dep, dir]);
  }
  // Folders (and scopes) whose packages are all unused go into the `!(…)` lists; a scope with some of each goes there
  // too, and its used packages are listed back one by one.
  const top = join(root, "node_modules");
  const unused = [];
  const usedInMixedScopes = [];
  for (const name of readdirSync(top)) {
    if (name.startsWith(".")) continue;
    const dirs = name.startsWith("@") ? readdirSync(join(top, name)).map((n) => join(top, name, n)) : [join(top, name)];
    const kept = dirs.filter((d) => used.has(d));
    if (kept.length === dirs.length) continue;
    unused.push(name);
    usedInMixedScopes.push(...kept.map((d) => relative(top, d).split("\\").join("/")));
  }
  return { unused, usedInMixedScopes };
}

/**
 * .vscodeignore with the lines after a `# target: <kind>` comment rewritten for the target, and the unused packages
 * added to the node_modules lines' `!(…)` lists.
 */
function writeTargetIgnoreFile(dir, info, { unused, usedInMixedScopes }) {
  const lines = readFileSync(join(root, ".vscodeignore"), "utf8")
    .split("\n")
    .map((line) => (line.startsWith("!node_modules/!(") ? line.replace("|typescript)", `|typescript|${unused.join("|")})`) : line));
  for (const name of usedInMixedScopes) lines.push(`!node_modules/${name}/**/!(*.d.ts|*.d.mts|*.d.cts|*.map|*.md)`);
  const out = [];
  let pending = null;
  for (const line of lines) {
    const marker = /^#\s*target:\s*(prebuilt|reflink|lancedb)\s*$/.exec(line.trim());
    if (marker) {
      pending = marker[1];
      out.push(line);
      continue;
    }
    if (pending === "prebuilt") out.push(`!node_modules/@node-llama-cpp/${info.prebuilt}/**`);
    else if (pending === "reflink") out.push(info.reflink ? `!node_modules/@reflink/${info.reflink}/**` : "# (no reflink binding for this target)");
    else if (pending === "lancedb") out.push(info.lancedb ? `!node_modules/@lancedb/${info.lancedb}/**` : "# (no LanceDB build for this target: codebase memory searches by symbols only)");
    else out.push(line);
    pending = null;
  }
  const file = join(dir, ".vscodeignore");
  writeFileSync(file, out.join("\n"));
  return file;
}

/** Prints the VSIX size, what takes the room (by area) and the largest entries. */
function report(vsix) {
  const entries = listVsix(vsix).filter((e) => !e.name.endsWith("/"));
  const size = statSync(vsix).size;
  const total = entries.reduce((s, e) => s + e.size, 0);
  console.log(`\npackage: ${relative(process.cwd(), vsix)}: ${(size / MB).toFixed(2)} MB (${entries.length} files, ${(total / MB).toFixed(1)} MB unpacked)`);

  const area = (name) => {
    const n = name.replace(/^extension\//, "");
    const m = /^node_modules\/(@node-llama-cpp\/[^/]+|node-llama-cpp|@lancedb\/[^/]+|apache-arrow)\//.exec(n);
    if (m) return `node_modules/${m[1]}`;
    if (n.startsWith("node_modules/")) return "node_modules/(other production deps)";
    return n.includes("/") ? n.slice(0, n.indexOf("/")) + "/" : n;
  };
  const byArea = new Map();
  for (const e of entries) {
    const a = byArea.get(area(e.name)) ?? { packed: 0, size: 0, count: 0 };
    a.packed += e.compressedSize;
    a.size += e.size;
    a.count++;
    byArea.set(area(e.name), a);
  }
  console.log("  by area (packed / unpacked, files):");
  for (const [name, a] of [...byArea].sort((x, y) => y[1].packed - x[1].packed)) {
    console.log(`    ${(a.packed / MB).toFixed(2).padStart(7)} MB ${(a.size / MB).toFixed(2).padStart(7)} MB ${String(a.count).padStart(5)}  ${name}`);
  }
  console.log("  largest entries (packed / unpacked):");
  for (const e of [...entries].sort((x, y) => y.compressedSize - x.compressedSize).slice(0, 15)) {
    console.log(`    ${(e.compressedSize / MB).toFixed(2).padStart(7)} MB ${(e.size / MB).toFixed(2).padStart(7)} MB  ${e.name}`);
  }
  console.log("");
}
