// Builds everything the extension, the CLI and the tests run from.
//   node scripts/build.mjs            bundles + grammars + transpiled tests (out/)
//   node scripts/build.mjs --bundle   bundles + grammars only (what the VSIX ships)
//   --production                      minified bundles without source maps
import { build } from "esbuild";
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
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
  external: ["vscode", "node-llama-cpp"],
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
  // The workspace symbol index runs in a worker_threads Worker, off the extension host's thread.
  build({ ...common, entryPoints: [join(root, "src/context/index/symbol-index-worker.ts")], outfile: join(root, "dist/context-index-worker.js"), format: "cjs" }),
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

copyGrammars();

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

/** Grammar packages ship C sources too; only the .wasm and queries travel with the extension. */
function copyGrammars() {
  const grammars = {
    typescript: ["tree-sitter-typescript", ["tree-sitter-typescript.wasm", "tree-sitter-tsx.wasm"]],
    javascript: ["tree-sitter-javascript", ["tree-sitter-javascript.wasm"]],
    python: ["tree-sitter-python", ["tree-sitter-python.wasm"]],
    go: ["tree-sitter-go", ["tree-sitter-go.wasm"]],
    rust: ["tree-sitter-rust", ["tree-sitter-rust.wasm"]],
    java: ["tree-sitter-java", ["tree-sitter-java.wasm"]],
    c: ["tree-sitter-c", ["tree-sitter-c.wasm"]],
    cpp: ["tree-sitter-cpp", ["tree-sitter-cpp.wasm"]],
    csharp: ["tree-sitter-c-sharp", ["tree-sitter-c_sharp.wasm"]],
    ruby: ["tree-sitter-ruby", ["tree-sitter-ruby.wasm"]],
    php: ["tree-sitter-php", ["tree-sitter-php.wasm"]],
    bash: ["tree-sitter-bash", ["tree-sitter-bash.wasm"]],
    json: ["tree-sitter-json", ["tree-sitter-json.wasm"]],
  };
  const out = join(root, "grammars");
  // grammars/ also holds the project's own query files (grammars/<language>/*.scm): only what the build copies goes.
  rmSync(join(out, "queries"), { recursive: true, force: true });
  mkdirSync(join(out, "queries"), { recursive: true });
  for (const f of readdirSync(out)) if (f.endsWith(".wasm")) rmSync(join(out, f));
  cpSync(join(root, "node_modules/web-tree-sitter/web-tree-sitter.wasm"), join(out, "web-tree-sitter.wasm"));
  for (const [name, [pkg, wasms]] of Object.entries(grammars)) {
    const pkgDir = join(root, "node_modules", pkg);
    if (!existsSync(pkgDir)) throw new Error(`build: grammar package ${pkg} is missing; run npm ci`);
    for (const wasm of wasms) {
      const from = [join(pkgDir, wasm), join(pkgDir, wasm.replace("_", "-"))].find((p) => existsSync(p));
      if (!from) throw new Error(`build: ${pkg} has no ${wasm}`);
      cpSync(from, join(out, wasm));
    }
    const queries = join(pkgDir, "queries");
    if (existsSync(queries)) cpSync(queries, join(out, "queries", name), { recursive: true, filter: (p) => statSync(p).isDirectory() || p.endsWith(".scm") });
  }
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
  // Data that sources import (src/models/catalog.json): transpiled files require it from beside them.
  for (const json of files.filter((f) => f.endsWith(".json") && f.includes("/src/") && !f.endsWith("tsconfig.json"))) {
    cpSync(json, join(outdir, relative(root, json)));
  }
  return relative(root, outdir);
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
