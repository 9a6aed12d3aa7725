#!/usr/bin/env node
// Everything a fresh checkout needs before it can build, run or test Hearth, installed by the project itself:
// the npm dependencies (npm ci, when missing or older than the lockfile), then the real VS Code test stack
// (Debian's chromium, Node 24 and code-server; see setup-vscode.mjs). Idempotent and quiet when all is in place.
// Plain Node, builtins only: it runs before node_modules exists.
import { spawnSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const args = new Set(process.argv.slice(2));

const [major, minor] = process.versions.node.split(".").map(Number);
if (major < 20 || (major === 20 && minor < 19)) {
  console.error(`Hearth needs Node.js 20.19 or newer to build and test (this is ${process.versions.node}).`);
  process.exit(1);
}

const installedLock = join(root, "node_modules", ".package-lock.json");
const lock = join(root, "package-lock.json");
if (!existsSync(installedLock) || statSync(installedLock).mtimeMs < statSync(lock).mtimeMs) {
  // Not `npm ci`: it refuses a lockfile that lacks any optional dependency, and node-llama-cpp lists prebuilt packages
  // for every platform while a registry (or mirror) may not carry them all, so the lockfile cannot list them.
  // `npm install` still installs exactly the versions the lockfile pins.
  console.log("setup: installing npm dependencies (npm install)…");
  run("npm", ["install", "--no-audit", "--no-fund"]);
}

if (!args.has("--no-vscode")) run(process.execPath, [join(root, "scripts", "setup-vscode.mjs")]);

function run(command, commandArgs) {
  const result = spawnSync(command, commandArgs, { cwd: root, stdio: "inherit" });
  if (result.status !== 0) {
    console.error(`setup: ${command} ${commandArgs.join(" ")} failed (${result.error?.message ?? `exit ${result.status}`})`);
    process.exit(result.status || 1);
  }
}
