// Builds everything the extension, the CLI and the tests run from.
//   node scripts/build.mjs            bundles + grammars + transpiled tests (out/)
//   node scripts/build.mjs --bundle   bundles + grammars only (what the VSIX ships)
//   --production                      minified bundles without source maps
import { build } from "esbuild";
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const args = new Set(process.argv.slice(2));
const production = args.has("--production");
const bundleOnly = args.has("--bundle");
const started = Date.now();

const common = {
  bundle: true,
  platform: "node",
  target: "node20",
  sourcemap: production ? false : "linked",
  minify: production,
  logLevel: "warning",
  // node-llama-cpp is ESM with top-level await and native binaries: it must stay a real package on disk.
  // LanceDB (codebase memory) loads a native module per platform and shares apache-arrow with it: both stay packages.
  external: ["vscode", "node-llama-cpp", "@lancedb/lancedb", "apache-arrow"],
  // The ESM build of web-tree-sitter reads import.meta.url, which a CJS bundle does not have.
  alias: { "web-tree-sitter": join(root, "node_modules/web-tree-sitter/web-tree-sitter.cjs") },
};

await Promise.all([
  build({
    ...common,
    entryPoints: [join(root, "src/extension.ts")],
    outfile: join(root, "dist/extension.js"),
    format: "cjs",
    // Lets activate() report how long loading the bundle itself took (the activation bench reads it).
    banner: { js: "var __hearthBundleStart = performance.now();" },
    footer: { js: "var __hearthBundleEnd = performance.now();" },
  }),
  build({
    ...common,
    entryPoints: [join(root, "src/engine/worker/main.mts")],
    outfile: join(root, "dist/engine-worker.mjs"),
    format: "esm",
    // A bundled CJS dependency may call require(); give the ESM bundle one.
    banner: { js: "import { createRequire as __hearthCreateRequire } from 'node:module'; const require = __hearthCreateRequire(import.meta.url);" },
  }),
  // The engine build for this CPU ("Hearth: Build the Engine for This CPU") runs in a process of its own.
  build({
    ...common,
    entryPoints: [join(root, "src/engine/worker/build-main.mts")],
    outfile: join(root, "dist/engine-build.mjs"),
    format: "esm",
    banner: { js: "import { createRequire as __hearthCreateRequire } from 'node:module'; const require = __hearthCreateRequire(import.meta.url);" },
  }),
  // The workspace symbol index runs in a worker_threads Worker, off the extension host's thread.
  build({ ...common, entryPoints: [join(root, "src/context/index/symbol-index-worker.ts")], outfile: join(root, "dist/context-index-worker.js"), format: "cjs" }),
  // Codebase memory (chunking, the LanceDB store) runs in a worker thread of its own.
  build({ ...common, entryPoints: [join(root, "src/memory/memory-worker.ts")], outfile: join(root, "dist/memory-worker.js"), format: "cjs" }),
  // The chat webview's app (DOM only): media/dist/chat.js and, from its CSS imports, media/dist/chat.css; its syntax
  // highlighting worker is bundled first and inlined as text (the view starts it from a blob: URL).
  buildHighlightWorker().then((workerSource) => build({
    entryPoints: [join(root, "src/webview/app/main.ts")],
    define: { HEARTH_HIGHLIGHT_WORKER: JSON.stringify(workerSource) },
    outfile: join(root, "media/dist/chat.js"),
    bundle: true,
    format: "iife",
    platform: "browser",
    target: "chrome120",
    sourcemap: production ? false : "linked",
    minify: production,
    logLevel: "warning",
  })),
  ...(existsSync(join(root, "src/cli/main.ts"))
    ? [build({ ...common, entryPoints: [join(root, "src/cli/main.ts")], outfile: join(root, "dist/cli.js"), format: "cjs", banner: { js: "#!/usr/bin/env node" } })]
    : []),
]);

await copyGrammars();

async function buildHighlightWorker() {
  const result = await build({
    entryPoints: [join(root, "src/webview/app/highlight-worker.ts")],
    bundle: true,
    format: "iife",
    platform: "browser",
    target: "chrome120",
    minify: true,
    write: false,
    logLevel: "warning",
  });
  return result.outputFiles[0].text;
}

if (!bundleOnly) await transpileForTests();

console.log(`build: done in ${Date.now() - started} ms${production ? " (production)" : ""}`);

/**
 * The grammars' .wasm from the official grammar packages (which ship C sources too), next to the project's own query
 * files in grammars/<language>/. Which packages and files: src/context/languages.ts's GRAMMARS.
 */
async function copyGrammars() {
  const out = join(root, "grammars");
  mkdirSync(out, { recursive: true });
  // Builds from before the queries were the project's own copied the packages' queries/ here.
  rmSync(join(out, "queries"), { recursive: true, force: true });
  for (const f of readdirSync(out)) if (f.endsWith(".wasm")) rmSync(join(out, f));
  cpSync(join(root, "node_modules/web-tree-sitter/web-tree-sitter.wasm"), join(out, "web-tree-sitter.wasm"));
  for (const { package: pkg, wasm } of await grammarRegistry()) {
    const pkgDir = join(root, "node_modules", pkg);
    if (!existsSync(pkgDir)) throw new Error(`build: grammar package ${pkg} is missing; run npm ci`);
    const from = [join(pkgDir, wasm), join(pkgDir, wasm.replace("_", "-"))].find((p) => existsSync(p));
    if (!from) throw new Error(`build: ${pkg} has no ${wasm}`);
    cpSync(from, join(out, wasm));
  }
}

/** GRAMMARS of src/context/languages.ts, bundled in memory (it imports only node:path) and imported from a data: URL. */
async function grammarRegistry() {
  const result = await build({ entryPoints: [join(root, "src/context/languages.ts")], bundle: true, platform: "node", format: "esm", write: false, logLevel: "warning" });
  const module = await import(`data:text/javascript;base64,${Buffer.from(result.outputFiles[0].text).toString("base64")}`);
  return module.GRAMMARS;
}

/** Tests run the plain JavaScript of every source file: transpile only (tsc --noEmit type-checks separately). */
async function transpileForTests() {
  const files = [];
  for (const dir of ["src", "test", "bench", "scripts"]) walk(join(root, dir), files);
  const cjs = files.filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts") && !f.includes("/src/webview/app/"));
  const esm = files.filter((f) => f.endsWith(".mts"));
  const outdir = join(root, "out");
  const base = { outbase: root, outdir, platform: "node", target: "node20", sourcemap: "linked", logLevel: "warning", bundle: false };
  await Promise.all([
    cjs.length ? build({ ...base, entryPoints: cjs, format: "cjs" }) : null,
    esm.length ? build({ ...base, entryPoints: esm, format: "esm", outExtension: { ".js": ".mjs" } }) : null,
  ]);
  removeStaleOutput(outdir, new Set([...cjs, ...esm].map((f) => relative(root, f).replace(/\.m?ts$/, ""))));
  // Data that sources import (src/models/catalog.json): transpiled files require it from beside them.
  for (const json of files.filter((f) => f.endsWith(".json") && f.includes("/src/") && !f.endsWith("tsconfig.json"))) {
    cpSync(json, join(outdir, relative(root, json)));
  }
  return relative(root, outdir);
}

/**
 * Deletes the compiled copy (and its map) of every source that no longer exists: a test that was moved or removed
 * would otherwise still run from its old place in out/.
 */
function removeStaleOutput(outdir, sources) {
  const compiled = [];
  for (const dir of ["src", "test", "bench", "scripts"]) walk(join(outdir, dir), compiled);
  for (const file of compiled) {
    const stem = relative(outdir, file).replace(/\.m?js(\.map)?$/, "");
    if (stem !== relative(outdir, file) && !sources.has(stem)) rmSync(file, { force: true });
  }
}

function walk(dir, files) {
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === "node_modules" || entry.name.startsWith(".")) continue;
    const p = join(dir, entry.name);
    // Sample workspaces are data that tests open in an editor, not code of the project.
    if (p === join(root, "test", "fixtures", "workspace")) continue;
    if (entry.isDirectory()) walk(p, files);
    else files.push(p);
  }
}
