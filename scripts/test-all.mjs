#!/usr/bin/env node
// `npm test`: builds, checks types and lint, then runs the three layers of tests (unit under Node; suites inside a
// real VS Code's extension host; a person's scenarios in Chromium) and ends with one line summed over all of them.
//   node scripts/test-all.mjs [--only unit|vscode|e2e] [--skip-static]
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const argv = process.argv.slice(2);
const only = argv.includes("--only") ? argv[argv.indexOf("--only") + 1] : undefined;
const skipStatic = argv.includes("--skip-static") || only !== undefined;
const scratch = mkdtempSync(join(tmpdir(), "hearth-test-"));
const results = [];
const started = Date.now();

try {
  step("build", process.execPath, [join(root, "scripts", "build.mjs")], { fatal: true });
  if (!skipStatic) {
    check("types (tsc --noEmit)", process.execPath, [join(root, "node_modules", "typescript", "bin", "tsc"), "--noEmit", "-p", root]);
    check("lint (eslint)", process.execPath, [join(root, "node_modules", "eslint", "bin", "eslint.js"), "--max-warnings", "0", root]);
  }
  if (!only || only === "unit") layer("unit", [join(root, "scripts", "run-unit-tests.mjs")]);
  if (!only || only === "vscode" || only === "e2e") {
    layer(only ?? "vscode+e2e", [join(root, "out", "test", "harness", "main.js"), only ?? "all"]);
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

const passed = results.reduce((sum, r) => sum + r.passed, 0);
const failed = results.reduce((sum, r) => sum + r.failed, 0);
console.log("");
for (const r of results) {
  console.log(`  ${r.layer.padEnd(22)} ${r.passed} passed, ${r.failed} failed`);
  for (const failure of r.failures ?? []) console.log(`      ✗ ${failure}`);
}
console.log(`  (${Math.round((Date.now() - started) / 1000)} s)`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);

function step(name, command, args, { fatal }) {
  console.log(`\n== ${name}`);
  const result = spawnSync(command, args, { cwd: root, stdio: "inherit" });
  if (result.status !== 0 && fatal) {
    console.log(`\n${name} failed; no tests ran.`);
    console.log("0 passed, 1 failed");
    process.exit(1);
  }
  return result.status === 0;
}

/** A static check counts as one test: it passes or fails as a whole. */
function check(name, command, args) {
  const ok = step(name, command, args, { fatal: false });
  results.push({ layer: name, passed: ok ? 1 : 0, failed: ok ? 0 : 1, failures: ok ? [] : [`${name} reported problems (see above)`] });
}

/** Runs a layer's runner, which writes its counts as JSON: one object, or an array of one per layer. */
function layer(name, args) {
  const summaryFile = join(scratch, `${name.replace(/\W/g, "_")}.json`);
  console.log(`\n== ${name} tests`);
  const result = spawnSync(process.execPath, [...args, "--summary", summaryFile], { cwd: root, stdio: "inherit" });
  if (!existsSync(summaryFile)) {
    results.push({ layer: name, passed: 0, failed: 1, failures: [`the ${name} runner ended (exit ${result.status ?? result.signal}) without reporting results`] });
    return;
  }
  const summary = JSON.parse(readFileSync(summaryFile, "utf8"));
  const entries = summary.layers ? Object.entries(summary.layers).map(([layerName, entry]) => ({ layer: layerName, ...entry })) : [summary];
  for (const entry of entries) {
    results.push({ layer: entry.layer ?? name, passed: entry.passed ?? 0, failed: entry.failed ?? 0, failures: entry.failures ?? [] });
  }
  if (result.status !== 0 && results.every((r) => r.failed === 0)) {
    results.push({ layer: name, passed: 0, failed: 1, failures: [`the ${name} runner exited with ${result.status ?? result.signal}`] });
  }
}
