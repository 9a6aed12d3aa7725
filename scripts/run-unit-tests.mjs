#!/usr/bin/env node
// Runs the unit layer (mocha under plain Node) and writes its counts for the summary of all layers.
//   node scripts/run-unit-tests.mjs [--summary FILE] [--grep PATTERN] [files...]
import { readdirSync, writeFileSync, existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import Mocha from "mocha";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const argv = process.argv.slice(2);
const option = (name) => {
  const i = argv.indexOf(name);
  if (i < 0) return undefined;
  const [value] = argv.splice(i, 2).slice(1);
  return value;
};
const summaryFile = option("--summary");
const grep = option("--grep");

const mocha = new Mocha({ reporter: "spec", timeout: 20_000, ...(grep ? { grep } : {}) });
const files = argv.length > 0 ? argv : findTests(join(root, "out", "test", "unit"));
if (files.length === 0) {
  console.error("unit: no compiled tests under out/test/unit; run node scripts/build.mjs first");
  process.exit(1);
}
for (const file of files) mocha.addFile(file);

const failures = [];
const runner = mocha.run((failed) => {
  const stats = runner.stats ?? { passes: 0, failures: failed };
  const summary = { layer: "unit", passed: stats.passes, failed: stats.failures, failures };
  if (summaryFile) writeFileSync(summaryFile, JSON.stringify(summary));
  console.log(`unit: ${summary.passed} passed, ${summary.failed} failed`);
  // Engine processes and timers must not keep a finished run alive.
  process.exit(failed > 0 ? 1 : 0);
});
runner.on("fail", (test, error) => failures.push(`${test.fullTitle()}: ${error?.message ?? error}`));

function findTests(dir) {
  if (!existsSync(dir)) return [];
  const found = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...findTests(path));
    else if (entry.name.endsWith(".test.js")) found.push(path);
  }
  return found.sort();
}
